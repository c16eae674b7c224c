"""``csreport init DIR``: a new report project from the template that ships inside the package."""

from __future__ import annotations

import shutil
from pathlib import Path

from csreport.errors import ParameterError
from csreport.settings import template_dir

TEMPLATE_ITEMS = ("notebooks", "params", "_quarto.yml", "README.md")
_SKIP = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")


def init_project(directory: str | Path) -> list[Path]:
    """Copy ``notebooks/``, ``params/``, ``_quarto.yml`` and ``README.md`` of the packaged template into
    ``directory`` (created; an existing non-empty folder is refused, nothing is overwritten). Returns the files."""
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ParameterError(f"{target}: exists and is not an empty folder. Choose a new folder for the project.")
    target.mkdir(parents=True, exist_ok=True)
    source = template_dir()
    for item in TEMPLATE_ITEMS:
        if (source / item).is_dir():
            shutil.copytree(source / item, target / item, ignore=_SKIP)
        else:
            shutil.copyfile(source / item, target / item)
    return sorted(p for p in target.rglob("*") if p.is_file())
