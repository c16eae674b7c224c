"""Any subset of optional data (BRIEF §2, issue 11): every section of every chapter and every detection rule
runs with any optional column dropped (one at a time, every optional column of every table of the schemas),
with any optional table absent and with the required contact columns alone. Each says what it lacks (naming
the column or table) instead of failing, no heading is left empty, and the Chinese report holds no English
sentence."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from csreport.data.schemas import SCHEMAS
from csreport.data.sql import quote
from csreport.data.store import Store
from csreport.language import i18n
from csreport.metrics.targets import load_targets
from csreport.report.chapters import SECTIONS, ReportContext
from csreport.report.chapters import output as chapter_output
from tests.optional_data import optional_columns, optional_tables, required_only, variant

PERIOD = "2026-10"
CASES = (
    [pytest.param(("column", t, c), id=f"no-{t}.{c}") for t, c in optional_columns()]
    + [pytest.param(("table", t), id=f"no-{t}") for t in optional_tables()]
    + [pytest.param(("required",), id="required-only")]
)
CASES_BY_ID = [c.values[0] for c in CASES]


@pytest.fixture
def validated(small_export):
    return small_export


def _run(ctx: ReportContext) -> None:
    for module, sections in SECTIONS.values():
        chapter = importlib.import_module(f"csreport.report.chapters.{module}")
        chapter.title(ctx)._ipython_display_()  # a section returns its Section, which displays itself
        for section in sections:
            getattr(chapter, section)(ctx)._ipython_display_()


def _markdown(outputs) -> list[str]:
    return [o if isinstance(o, str) else getattr(o, "data", "") or "" for o in outputs]


def empty_headings(blocks: list[str]) -> list[str]:
    """Section headings (###) followed by another heading or by nothing."""
    empty = []
    for i, block in enumerate(blocks):
        if block.startswith("### ") and (i + 1 == len(blocks) or blocks[i + 1].startswith("#")):
            empty.append(block)
    return empty


# three English words in a row (generated sentences, reasons); quoted customer comments are data
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){2,}\b")
QUOTED = re.compile(r"“[^”]*”")


def english_in(text: str, data: set[str] = frozenset()) -> list[str]:
    """English phrases in ``text`` other than quoted comments and text values of the data (``data``)."""
    text = QUOTED.sub("", text)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, "")
    return ENGLISH.findall(text)


def data_text(store: Store) -> set[str]:
    """Every text value of the store with a space in it (feature names, categories, comments ...), as the
    report shows it (escaped)."""
    values = set()
    for table in store.tables:
        kinds = SCHEMAS[table].columns
        text_columns = [c for c in store.columns(table) if kinds[c].metadata["kind"] in ("text", "code")]
        for column in text_columns:
            found = store.query(
                f"SELECT DISTINCT {quote(column)} AS v FROM {{{table}}} WHERE {quote(column)} LIKE '% %'"
            )
            values |= {chapter_output.escape(v) for v in found["v"]}
    return values


def _context(validated, case, tmp_path, lang: str, unit: str) -> ReportContext:
    if case[0] == "column":
        report = variant(validated, tmp_path, drop_column=case[1:])
    elif case[0] == "table":
        report = variant(validated, tmp_path, drop_table=case[1])
    else:
        report = variant(validated, tmp_path, keep_only=required_only())
    return ReportContext(PERIOD, unit, lang, Store(Path(report.store_dir)), load_targets(), report)


@pytest.mark.parametrize("case", CASES)
def test_every_section_and_rule_with_part_of_the_data_missing(validated, case, tmp_path, shown):
    # the report of all units and of one unit take different paths (roll-ups, agents of the unit): alternate
    unit = "all" if CASES_BY_ID.index(case) % 2 == 0 else "east"
    ctx = _context(validated, case, tmp_path, "zh", unit)
    i18n.MISSING.clear()
    _run(ctx)
    blocks = _markdown(shown)
    text = "\n".join(blocks)
    assert not i18n.MISSING, sorted(i18n.MISSING)
    assert not empty_headings(blocks)
    english = english_in(text, data_text(ctx.store))
    assert not english, english
    if case[0] == "column":
        assert chapter_output.escape(case[2]) in text  # the report names the missing column
    elif case[0] == "table":
        assert chapter_output.escape(case[1]) in text
    assert isinstance(ctx.findings, list)  # every detection rule ran (collect_findings) for the unit
