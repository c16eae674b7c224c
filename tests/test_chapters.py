"""Every chapter section runs in both languages on the sample data with no untranslated catalogue key and no
missing glyph, and says what is missing (instead of failing) when only the contacts table exists."""

from __future__ import annotations

import importlib
import re
import shutil
import warnings

import pytest

from csreport.language import i18n
from csreport.report.chapters import SECTIONS, open_report
from csreport.report.chapters import section as chapter_section


@pytest.fixture
def shown(monkeypatch):
    """Collect what the sections display instead of sending it to a notebook."""
    outputs = []
    monkeypatch.setattr(chapter_section, "display", outputs.append)
    return outputs


def _run_all_sections(ctx) -> list:
    written = []
    for module, sections in SECTIONS.values():
        chapter = importlib.import_module(f"csreport.report.chapters.{module}")
        written.append(chapter.title(ctx))
        for section in sections:
            written.append(getattr(chapter, section)(ctx))
    for section in written:
        section._ipython_display_()  # a section returns its Section, which displays itself
    return written


def _chart_text(sections) -> list[str]:
    """Every piece of text of the sections' charts: titles, axis labels, tick labels, legends."""
    from matplotlib.text import Text

    return [t.get_text() for s in sections for fig in s.figures for t in fig.findobj(Text) if t.get_text().strip()]


def data_codes(store) -> set[str]:
    """The codes of the data's named columns (units, channels, categories, segments, regions, genders, teams,
    features, competitors): words a Chinese report must show by their Chinese names."""
    columns = {"contacts": ["business_unit", "channel", "category"], "customers": ["segment", "region", "gender"],
               "agents": ["team"], "competitor_features": ["feature", "source"]}  # fmt: skip
    codes = set()
    for table, names in columns.items():
        for column in (c for c in names if table in store.tables and c in store.columns(table)):
            found = store.query(f"SELECT DISTINCT {column} AS v FROM {{{table}}} WHERE {column} IS NOT NULL")
            codes |= set(found["v"])
    return codes


def _text(outputs) -> str:
    return "\n".join(getattr(o, "data", "") or "" for o in outputs if isinstance(getattr(o, "data", None), str))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_section_in_both_languages(sample_dir, sample_truth, tmp_path, shown, lang):
    ctx = open_report(sample_truth["end"], "east", lang, sample_dir, tmp_path / "validated")
    i18n.MISSING.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sections = _run_all_sections(ctx)
    assert not i18n.MISSING, f"untranslated keys: {sorted(i18n.MISSING)}"
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert not glyphs, glyphs
    text = _text(shown)
    images = [o for o in shown if type(o).__name__ == "Image"]
    assert len(images) >= 11  # the chart types of the report
    for section_title in ("ch1.title", "ch2.title", "ch3.title", "ch4.title", "ch5.title", "ch6.title"):
        assert i18n.text(section_title, lang) in text
    # where a standard or rule is configured is said in the method notes (the last section), not in the text
    before_notes = text.split(i18n.text("ch6.method_notes", lang))[0]
    assert "params/" not in before_notes and "params/" in text
    if lang == "zh":  # no data value left in English: every code shown by its Chinese name (params/labels.yml)
        from csreport.language.labels import default_label
        from csreport.report.chapters.output import escape

        terms = i18n.text("ch2.col.terms", lang)  # the comment classifier's terms: words of the customers' comments
        blocks = [o.data for o in shown if isinstance(getattr(o, "data", None), str) and terms not in o.data]
        scanned = re.sub(r"“[^”]*”", "", "\n".join([*blocks, *_chart_text(sections)]))  # quoted comments
        left = sorted(
            code
            for code in data_codes(ctx.store) - {"us"}  # "us" is the report's own column, named 我们
            if any(
                re.search(rf"(?<![\w/]){re.escape(shown_as)}(?![\w/])", scanned)
                for shown_as in {code, escape(code), default_label(code)}
            )
        )
        assert not left, left


def test_only_contacts_each_section_says_what_is_missing(sample_dir, sample_truth, tmp_path, shown):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(sample_dir / "contacts.parquet", data / "contacts.parquet")
    ctx = open_report(sample_truth["end"], "all", "en", data, tmp_path / "validated")
    _run_all_sections(ctx)
    text = _text(shown)
    assert "This section is skipped: the data lack the customers table" in text
    # Markdown output: the underscores of column names are escaped
    assert (
        r"This section is skipped: the data lack the agents table (agents: agent\_id, business\_unit, team, hire"
        in text
    )
    assert "the data lack benchmark values (benchmarks table)" in text


def test_generated_sentences_follow_the_data(sample_dir, sample_truth, tmp_path, shown):
    """The same section for two units reads differently, with each unit's own numbers."""
    first = open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path / "validated")
    importlib.import_module("csreport.report.chapters.background").overview(first)._ipython_display_()
    east = _text(shown)
    shown.clear()
    second = open_report(sample_truth["end"], "west", "en", sample_dir, tmp_path / "validated")
    importlib.import_module("csreport.report.chapters.background").overview(second)._ipython_display_()
    west = _text(shown)
    contacts = lambda ctx: f"{int(ctx.scorecard.set_index('kpi').loc['contacts', 'value']):,}"  # noqa: E731
    assert contacts(first) in east and contacts(second) in west and east != west


def test_a_section_is_a_value_that_displays_what_it_wrote(sample_dir, sample_truth, tmp_path, shown):
    """``sl = chapter.service_level(ctx)`` displays nothing; ``sl`` holds the heading, the sentences, the KPI
    table as a DataFrame, and displays the same Markdown outputs in the same order."""
    from csreport.report.chapters import service_quality

    ctx = open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path / "validated")
    sl = service_quality.service_level(ctx)
    assert shown == []
    assert sl.heading == i18n.text("ch3.service", "en")
    # the service-level sentence, then how FCR and maturing outcomes were measured (method sentences)
    assert sl.sentences[0].startswith("Service level was") and sl.tables and sl.figure is None
    assert any(s.startswith("First-contact resolution is measured") for s in sl.sentences[1:])
    kpis = sl.tables[0]
    assert list(kpis.columns)[0] == i18n.text("ch3.col.kpi", "en")
    assert i18n.label("kpi", "service_level", "en") in set(kpis.iloc[:, 0])
    sl._ipython_display_()
    assert [o.data for o in shown] == [p.data for p in sl.parts]
    assert shown[0].data == f"### {i18n.text('ch3.service', 'en')}"
    assert any(o.data.startswith("| " + i18n.text("ch3.col.kpi", "en")) for o in shown[1:])  # then the methods


def test_a_section_keeps_its_figures_and_a_section_inside_a_section_adds_to_it(shown):
    import matplotlib.pyplot as plt

    from csreport.report.chapters import output

    @output.section
    def inner() -> None:
        fig, _ = plt.subplots()
        output.figure(fig, "inner chart")

    @output.section
    def outer() -> None:
        output.heading("Outer")
        inner()
        output.say("after")

    sec = outer()
    assert shown == []
    assert sec.heading == "Outer" and sec.captions == ["inner chart"] and sec.sentences == ["after"]
    assert sec.figure is not None and type(sec.parts[1]).__name__ == "Image"
    assert [type(p).__name__ for p in sec.parts] == ["Markdown", "Image", "Markdown", "Markdown"]
    bundle = sec._repr_mimebundle_()
    assert bundle["text/markdown"].startswith("## Outer\n\n![](data:image/png;base64,")


def test_money_is_rounded_in_sentences_and_exact_in_tables(sample_dir, sample_truth, tmp_path, shown):
    """The cost-and-benefit section of east: its sentences give amounts of 100 or more in whole units (no
    cents), its table keeps the cents; the sentence opening with a process name starts with a capital."""
    ctx = open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path / "validated")
    importlib.import_module("csreport.report.chapters.service_quality").cost_benefit(ctx)._ipython_display_()
    importlib.import_module("csreport.report.chapters.customers").needs(ctx)._ipython_display_()
    lines = _text(shown).splitlines()
    sentences = [line for line in lines if "is the dearest process" in line or "is the most common reason" in line]
    rows = [line for line in lines if line.startswith("|") and "CN¥" in line]
    assert len(sentences) == 2 and all(s[0].isupper() for s in sentences), sentences
    assert not re.search(r"CN¥\d{1,3}(,\d{3})*\d{3}\.\d\d|CN¥[1-9]\d{2}\.\d\d", " ".join(sentences))
    assert rows and all(re.findall(r"CN¥[\d,]+\.\d\d", row) for row in rows)  # every money cell with cents


def test_the_processes_the_cost_sentences_name_are_rows_of_its_table(sample_dir, sample_truth, tmp_path, shown):
    """The cheapest process and the one with the most revenue at risk, which the sentences name, are in the
    table under them even when they are not among the dearest."""
    from csreport.findings.narrative import process_label
    from csreport.report.chapters import service_quality

    ctx = open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path / "validated")
    [table] = service_quality.cost_benefit(ctx).tables
    rows = set(table.iloc[:, 0])
    costs = ctx.process_costs.table
    costs = costs[costs["contacts"] >= ctx.targets.parameters.min_sample].dropna(subset=["cost_per_resolved"])
    cheapest = costs.iloc[-1]
    riskiest = costs.loc[costs["revenue_at_risk"].idxmax()]
    for row in (costs.iloc[0], cheapest, riskiest):
        assert process_label(row["channel"], row["category"], "en", ctx.labels) in rows
    assert len(table) <= service_quality.PROCESSES_SHOWN + 2
