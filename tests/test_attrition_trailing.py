"""Agent attrition on the scorecard is the trailing twelve months (issue 24), with the month's leavers beside
it, on tests/fixtures/attrition/: the roster of agents_attrition.csv and one contact a month from November 2025
to 31 October 2026 (the data's span). Worked by hand in tests/test_metrics_workforce.py: 3 leavers over an
average headcount of 48 / 13 -> 0.8125 a year; a2 and a5 left in October."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from csreport.data.ingest import ingest
from csreport.data.store import open_store
from csreport.metrics.scorecard import scorecard
from csreport.report.chapters import open_report, staff
from csreport.report.chapters import section as chapter_section

FIXTURE = Path(__file__).parent / "fixtures" / "attrition"


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("attrition_data")
    for name in ("contacts.csv", "agents.csv"):
        shutil.copy(FIXTURE / name, folder / name)
    return folder


def test_scorecard_row_is_the_trailing_twelve_months_with_the_months_leavers(data, tmp_path):
    ingest(data, tmp_path / "validated")
    card = scorecard(open_store(tmp_path / "validated"), "2026-10", "east").set_index("kpi")
    attrition = card.loc["attrition_annualised"]
    assert attrition["value"] == pytest.approx(3 / (48 / 13))
    assert attrition["status"] == "missed"  # 81% a year against 25% (four agents: every leaver counts)
    # September's window (October 2025 - September 2026, one month before the data) shares eleven months with
    # October's: the change is shown, no test claimed
    assert pd.isna(attrition["p_vs_previous"]) and not attrition["significant_vs_previous"]
    assert pd.notna(attrition["change_vs_previous"])
    leavers = card.loc["leavers"]
    assert (leavers["value"], leavers["previous"], leavers["unit"]) == (2, 1, "count")  # a2 a5; a4 in September


def test_chapter_four_states_the_window(data, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(chapter_section, "display", shown.append)
    ctx = open_report("2026-10", "east", "en", data, tmp_path / "validated")
    section = staff.workforce(ctx)
    text = " ".join(section.sentences)
    assert "Agent attrition over the 12 months to October 2026 was 81.2% a year" in text
    assert "3 leavers in those months, 2 of them this month" in text
    # five months in: the window is the months with data, annualised, and the sentence says so
    short = open_report("2026-03", "east", "en", data, tmp_path / "validated2")
    text = " ".join(staff.workforce(short).sentences)
    assert "The data cover only 5 of the 12 months before the end of March 2026 (from November 2025" in text
