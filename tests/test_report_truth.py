"""Sentences, tables and charts of the report are true on data shaped like real exports (not the generator's):
required columns only, a month cut off mid-way with a short history, a foreign export. Each test runs one
section on a tiny readable fixture and checks what it says against numbers worked out by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

from csreport.chapters import customers, open_report

FIXTURES = Path(__file__).parent / "fixtures"


def _context(tmp_path: Path, lang: str = "en", period: str = "2026-10", unit: str = "east", **tables: str):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for table, fixture in tables.items():
        shutil.copy(FIXTURES / fixture, data / f"{table}.csv")
    return open_report(period, unit, lang, data, tmp_path / "validated")


def test_needs_without_complaint_flags_shows_no_complaint_share(tmp_path):
    """Categories without is_complaint: the table had a complaint share of 100 % for every category (it counted
    contacts as complaints); now the column is left out. billing 3 of 4 contacts = 75.0 %."""
    ctx = _context(tmp_path, contacts="contacts_category_no_complaint_flag.csv")
    section = customers.needs(ctx)
    [table] = section.tables
    assert list(table.columns) == ["Category", "Contacts", "Share"]
    assert table.iloc[0].tolist() == ["billing", "3", "75.0%"]
    assert section.sentences == [
        "billing is the most common reason for contact (75.0% of 4 contacts across 2 categories)."
    ]
