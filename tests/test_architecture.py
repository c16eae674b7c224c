"""The package's layers (``[tool.importlinter]`` in pyproject.toml): cli above delivery and sample, above
pipeline, report, findings, analyses, metrics, data, language, settings, params_file and errors; no package imports
one above it; no renderer imports a chapter module; inside the report, the chapters import the computed report
and never the other way round. ``lint-imports`` checks every import, including those inside functions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_import_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout, done.stdout
