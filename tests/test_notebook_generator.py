"""tools/build_notebooks.py: the data cell of a section with a builder shows its piece of the report model (found
when the notebooks are generated), the other sections keep their data line, and the committed notebooks are what
the generator writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

from csreport.report.chapters import SECTIONS, descriptions
from csreport.report.chapters import model as report_model

ROOT = Path(__file__).parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "tools" / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cell(path: Path, section: str) -> str:
    cells = nbformat.read(path, as_version=4).cells
    [source] = [c.source for c in cells if c.cell_type == "code" and f"chapter.{section}(ctx)" in c.source]
    return source


def test_the_committed_notebooks_are_what_the_generator_writes(tmp_path):
    _generator().build(tmp_path)
    for name in SECTIONS:
        written = (tmp_path / f"{name}.ipynb").read_text(encoding="utf-8")
        assert written == (ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"), (
            f"{name}: run python tools/build_notebooks.py"
        )


def test_a_builder_found_at_generation_shows_the_sections_model_data(tmp_path, monkeypatch):
    def waits(ctx):
        """Where contacts wait longest, by channel and hour. The rest of the docstring stays out."""

    monkeypatch.setitem(report_model.BUILDERS, "03.bottlenecks", waits)
    _generator().build(tmp_path)
    assert _cell(tmp_path / "03_service_quality.ipynb", "bottlenecks") == (
        'data = ctx.section_data("03.bottlenecks")  # Where contacts wait longest, by channel and hour\n'
        "chapter.bottlenecks(ctx)"
    )
    assert _cell(tmp_path / "06_outlook.ipynb", "staffing") == (
        f'data = ctx.section_data("06.staffing")  # {descriptions.DESCRIPTIONS["staffing"].holds}\n'
        "chapter.staffing(ctx)"
    )


def test_a_section_without_a_builder_keeps_its_data_line():
    line = descriptions.DESCRIPTIONS["service_level"].data
    assert line and descriptions.code("service_level", {}) == f"{line}\nchapter.service_level(ctx)"
    assert descriptions.code("method_notes", {}) == "chapter.method_notes(ctx)"  # no data line, no builder


def test_section_names_are_the_chapter_number_and_the_function():
    assert descriptions.section_name("staffing") == "06.staffing"
    assert descriptions.section_name("bottlenecks") == "03.bottlenecks"
    with pytest.raises(KeyError, match="not a section"):
        descriptions.section_name("staffingg")
    assert descriptions.first_sentence("Agents per half hour. More.\n\n    Detail.") == "Agents per half hour"
    assert descriptions.first_sentence(None) == ""


def test_a_comment_that_fits_stays_behind_the_call_and_a_longer_one_is_wrapped_above_it():
    call = 'data = ctx.section_data("04.staffing")'
    fits = "x" * (120 - len(call) - 4)  # call + "  # " + comment = 120 characters exactly
    assert descriptions.commented(call, fits) == f"{call}  # {fits}"
    assert descriptions.commented(call, "") == call
    words = " ".join(["word"] * 60)  # 60 × 5 − 1 = 299 characters: 23 words (114 chars) fill a 118-wide comment line
    wrapped = descriptions.commented(call, fits + "x").splitlines()
    assert wrapped == [f"# {fits}x", call]
    lines = descriptions.commented(call, words).splitlines()
    assert lines == [
        f"# {' '.join(['word'] * 23)}",
        f"# {' '.join(['word'] * 23)}",
        f"# {' '.join(['word'] * 14)}",
        call,
    ]


def test_every_generated_line_fits_the_line_length(tmp_path):
    _generator().build(tmp_path)
    for name in SECTIONS:
        for cell in nbformat.read(tmp_path / f"{name}.ipynb", as_version=4).cells:
            if cell.cell_type == "code":
                too_long = [line for line in cell.source.splitlines() if len(line) > descriptions.LINE_LENGTH]
                assert not too_long, f"{name}: {too_long}"
