"""The chapter notebooks as stored: no outputs, one parameters cell whose names match params/report.yml, and
code cells that only call into csreport (logic lives in the package)."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
import yaml

from csreport.report.chapters import SECTIONS

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_six_chapters_exist():
    assert [p.stem for p in NOTEBOOKS] == list(SECTIONS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_without_outputs_and_with_one_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "strip outputs before committing"
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    names = {t.id for node in ast.parse(tagged[0].source).body for t in node.targets}
    assert names == set(yaml.safe_load((ROOT / "params" / "report.yml").read_text()))
    # a few lines of code per cell (a comment saying what a section's data holds does not count)
    lines = [[x for x in c.source.splitlines() if x.strip() and not x.lstrip().startswith("#")] for c in code]
    assert all(len(code_lines) <= 3 for c, code_lines in zip(code, lines, strict=True) if c is not tagged[0]), lines
