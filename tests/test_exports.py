"""Exports: per-run CSV files and report.xlsx with numbers as numbers; one scorecards.csv across runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd

from csreport.pipeline.exports import quarantine_summary, write_batch_exports, write_run_exports
from csreport.report.chapters.context import open_report

FIXTURE = Path(__file__).parent / "fixtures" / "evidence"


def test_run_exports_hold_numbers_and_every_sheet(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for name in ("contacts.csv", "surveys.csv"):
        shutil.copy(FIXTURE / name, data / name)
    ctx = open_report("2026-10", "east", "en", data, tmp_path / "work")
    written = write_run_exports(tmp_path / "run", ctx, ctx.evidence)
    assert {p.name for p in written} == {"scorecard.csv", "findings.csv", "quarantine.csv", "report.xlsx"}
    card = pd.read_csv(tmp_path / "run" / "exports" / "scorecard.csv", encoding="utf-8-sig")
    contacts = card.set_index("kpi").loc["contacts"]
    assert contacts["value"] == 6 and contacts["measure_unit"] == "count"  # c1 … c6 are east's October contacts
    assert card.set_index("kpi").loc["first_response_business_median_s", "time_basis"] == "business"
    assert set(card["period"].astype(str)) == {"2026-10"} and set(card["business_unit"]) == {"east"}
    book = openpyxl.load_workbook(tmp_path / "run" / "report.xlsx")
    assert book.sheetnames == [
        "scorecard",
        "service standards",
        "findings",
        "recommendations",
        "contacts by channel",
        "quarantine",
    ]
    sheet = book["scorecard"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("kpi")].value == "contacts")
    assert row[header.index("value")].data_type == "n" and row[header.index("value")].value == 6


def test_quarantine_summary_by_table_column_rule_and_month(tmp_path):
    (tmp_path / "contacts.csv").write_text(
        "source_file,source_row,column,rule,value,time_raw,month\n"
        "c.csv,2,channel,isin,fax,2026-10-01 09:00,2026-10\n"
        "c.csv,3,channel,isin,telex,2026-10-02 09:00,2026-10\n"
        "c.csv,4,channel,isin,telex,2026-09-30 09:00,2026-09\n"
        "c.csv,9,created_at,type:timestamp,yesterday,yesterday,unknown\n",
        encoding="utf-8",
    )
    (tmp_path / "surveys.csv").write_text("source_file,source_row,column,rule,value\n", encoding="utf-8")
    # a quarantine file written before files carried the month: its rows count under "unknown"
    (tmp_path / "agents.csv").write_text("source_file,source_row,column,rule,value\na.csv,2,team,required,\n")
    summary = quarantine_summary(tmp_path)
    assert summary.to_dict("records") == [
        {"table": "agents", "column": "team", "rule": "required", "month": "unknown", "rows": 1},
        {"table": "contacts", "column": "channel", "rule": "isin", "month": "2026-10", "rows": 2},
        {"table": "contacts", "column": "channel", "rule": "isin", "month": "2026-09", "rows": 1},
        {"table": "contacts", "column": "created_at", "rule": "type:timestamp", "month": "unknown", "rows": 1},
    ]


def test_quarantine_export_gives_the_month_of_each_rejected_row(data_dir, tmp_path):
    """contacts_bad_rows.csv: lines 3-11 are rejected; their created_at is 2026-10-01 except line 8 (empty) and
    line 11 ("not a date"), whose month is unknown. agent_months_bad_period.csv: line 3's period 2026-13 does
    not parse (unknown), lines 4 and 5 are of 2026-10."""
    from csreport.data.ingest import ingest

    out = tmp_path / "out"
    ingest(data_dir(contacts="contacts_bad_rows.csv", agent_months="agent_months_bad_period.csv"), out)
    rows = pd.read_csv(out / "quarantine" / "contacts.csv", dtype=str, keep_default_na=False)
    by_line = {int(r.source_row): (r.time_raw, r.month) for r in rows.itertuples()}
    assert by_line[3] == ("2026-10-01 09:05:00", "2026-10")
    assert by_line[8] == ("", "unknown")
    assert by_line[11] == ("not a date", "unknown")
    summary = quarantine_summary(out / "quarantine")
    months = summary.groupby(["table", "month"])["rows"].sum().to_dict()
    assert months == {
        ("agent_months", "2026-10"): 2,
        ("agent_months", "unknown"): 1,
        ("contacts", "2026-10"): 7,
        ("contacts", "unknown"): 2,
    }
    periods = pd.read_csv(out / "quarantine" / "agent_months.csv", dtype=str, keep_default_na=False)
    assert periods.loc[periods["source_row"] == "3", "time_raw"].item() == "2026-13"


def test_batch_scorecards_in_one_long_table(tmp_path):
    for period, unit, value in [("2026-09", "east", 0.8), ("2026-10", "east", 0.7), ("2026-10", "west", 0.9)]:
        run = tmp_path / period / unit
        (run / "exports").mkdir(parents=True)
        (run / "manifest.json").write_text(json.dumps({"lang": "en"}), encoding="utf-8")
        pd.DataFrame({"period": [period], "business_unit": [unit], "kpi": ["service_level"], "value": [value]}).to_csv(
            run / "exports" / "scorecard.csv", index=False
        )
    failed = tmp_path / "2026-10" / "north.failed" / "exports"
    failed.mkdir(parents=True)
    (failed / "scorecard.csv").write_text("period,business_unit,kpi,value\n2026-10,north,service_level,0.1\n")
    target = write_batch_exports(tmp_path)
    table = pd.read_csv(target, encoding="utf-8-sig", dtype={"period": str})
    assert table[["period", "business_unit", "value"]].values.tolist() == [
        ["2026-09", "east", 0.8],
        ["2026-10", "east", 0.7],
        ["2026-10", "west", 0.9],
    ]
