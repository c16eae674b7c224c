"""The report model (csreport/report/chapters/model.py): every section renders from the kept model alone, with the
store taken away, and writes exactly what it writes in a normal context."""

from __future__ import annotations

import importlib

import pytest

from csreport.report.chapters import SECTIONS, open_report
from csreport.report.chapters.model import builders, rendering


def _render(module, names, ctx):
    out = []
    for name in ["title", *names]:
        section = getattr(module, name)(ctx)
        out.append((name, section.heading, list(section.sentences), [t.to_dict("split") for t in section.tables],
                    list(section.captions)))  # fmt: skip
    return out


@pytest.fixture(scope="module")
def east(sample_dir, sample_truth, tmp_path_factory):
    return open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path_factory.mktemp("model") / "validated")


def test_every_builder_is_named_after_a_section_of_its_chapter():
    sections = {f"{notebook[:2]}.{name}" for notebook, (_, names) in SECTIONS.items() for name in names}
    assert set(builders()) <= sections


@pytest.mark.parametrize("notebook", list(SECTIONS))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_chapter_renders_from_the_kept_model_alone(notebook, lang, east, shown):
    module_name, names = SECTIONS[notebook]
    module = importlib.import_module(f"csreport.report.chapters.{module_name}")
    work = east.store.path.parent
    ctx = open_report(east.period, east.unit, lang, None, work, fingerprint=east.ingest_report.fingerprint)
    expected = _render(module, names, ctx)
    assert _render(module, names, rendering(ctx)) == expected
