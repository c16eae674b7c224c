"""Exports for Excel and BI tools: numbers as numbers, units in the headers or in a column of their own.

Each run writes ``exports/scorecard.csv``, ``exports/findings.csv``, ``exports/quarantine.csv`` and
``report.xlsx`` (sheets: scorecard, service standards, findings, recommendations, monthly contacts by channel,
quarantine). The index step writes ``<out>/exports/scorecards.csv``: every run's scorecard in one long table
(period × business unit × KPI), the shape a pivot table wants. CSV files are UTF-8 with BOM so that Excel
opens Chinese text correctly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from csreport.language.i18n import DEFAULT

SCORECARD_COLUMNS = {
    "kpi": "kpi",
    "basis": "time_basis",
    "unit": "measure_unit",
    "value": "value",
    "n": "n",
    "low": "low",
    "high": "high",
    "small_sample": "small_sample",
    "previous": "previous",
    "change_vs_previous": "change_vs_previous",
    "p_vs_previous": "p_vs_previous",
    "significant_vs_previous": "significant_vs_previous",
    "calendar_driven": "calendar_driven",  # a business-hour change the month's holidays explain (issue 24)
    "last_year": "last_year",
    "change_vs_last_year": "change_vs_last_year",
    "p_vs_last_year": "p_vs_last_year",
    "significant_vs_last_year": "significant_vs_last_year",
    "target": "target",
    "direction": "direction",
    "status": "status",
    "industry_average": "industry_average",
    "best_competitor": "best_competitor",
    "method": "method",
    "reason": "reason",
}


def scorecard_export(card: pd.DataFrame, period: str, unit: str) -> pd.DataFrame:
    """The scorecard in long form: one row per KPI with period and business unit; ``measure_unit`` is the
    unit of value, previous, last_year, target and the benchmarks (ratio = fraction, s = seconds …)."""
    frame = card[[c for c in SCORECARD_COLUMNS if c in card.columns]].rename(columns=SCORECARD_COLUMNS)
    frame.insert(0, "business_unit", unit)
    frame.insert(0, "period", period)
    return frame


def findings_export(findings: list, evidence: list, standing: int = 0) -> pd.DataFrame:
    """One row per finding with the count of rows behind it and the file that lists them; the last ``standing``
    rows are standing issues (``status``: news or standing, with the month first seen)."""
    rows = []
    for i, finding in enumerate(findings):
        proof = evidence[i] if i < len(evidence) else None
        measure_unit = finding.evidence.get("unit") if isinstance(finding.evidence, dict) else None
        rows.append(
            {
                "finding_id": proof.finding_id if proof else None,
                "kind": finding.kind,
                "period": finding.period,
                "business_unit": finding.unit,
                "metric": finding.metric,
                "measure_unit": measure_unit,
                "value": finding.value,
                "baseline": finding.baseline,
                "change": finding.change,
                "relative_change": finding.relative_change,
                "p_value": finding.p_value,
                "significant": finding.significant,
                "severity": finding.severity,
                "impact": finding.impact,
                "impact_unit": finding.impact_unit,
                "category": finding.category,
                "team": finding.team,
                "segment": finding.segment,
                "note": finding.note,
                "status": "standing" if i >= len(findings) - standing else "news",
                "q_value": finding.q_value,
                "first_seen": finding.first_seen,
                "evidence_id_column": proof.id_column if proof else None,
                "evidence_rows": proof.count if proof else None,
                "evidence_examples": " ".join(proof.examples[:5]) if proof else None,
                "evidence_file": f"evidence/{proof.finding_id}.csv" if proof else None,
            }
        )
    return pd.DataFrame(rows)


def recommendations_export(recommendations: list) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "rank": r.rank,
                "action": r.action,
                "owner": r.owner,
                "severity": r.severity,
                "evidence": r.evidence,
                "expected": r.expected,
                "impact": r.impact,
                "metric": r.finding.metric,
                "business_unit": r.finding.unit,
                "status": "standing" if r.standing else "news",
                "value_at_stake": r.money.value_at_stake if r.money else None,
                "finding_ids": " ".join(r.finding_ids),
                "evidence_rows": sum(len(v) for v in r.evidence_ids.values()),
            }
            for r in recommendations
        ]
    )


def quarantine_summary(quarantine_dir: Path) -> pd.DataFrame:
    """Quarantined rows per table, column, rule and month (from ``<work>/quarantine/<table>.csv``), largest
    first within a table: the view for whoever owns the source system.

    ``month`` is the YYYY-MM of the row's time column (created_at, responded_at, period; in the run's time
    zone), ``unknown`` when the row has none or it does not parse (the raw text is in the quarantine file's
    ``time_raw``). A row breaking two rules counts once under each."""
    columns = ["table", "column", "rule", "month", "rows"]
    frames = []
    for path in sorted(Path(quarantine_dir).glob("*.csv")):
        rows = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=lambda c: c in ("column", "rule", "month"))
        if rows.empty:
            continue
        if "month" not in rows.columns:  # written before quarantine files carried the month
            rows["month"] = "unknown"
        rows["month"] = rows["month"].replace("", "unknown")
        counts = rows.groupby(["column", "rule", "month"], dropna=False).size().rename("rows").reset_index()
        counts.insert(0, "table", path.stem)
        frames.append(counts)
    if not frames:
        return pd.DataFrame(columns=columns)
    out = pd.concat(frames, ignore_index=True)[columns]
    return out.sort_values(["table", "rows", "column", "rule", "month"], ascending=[True, False, True, True, True],
                           ignore_index=True)  # fmt: skip


def channel_months(ctx) -> pd.DataFrame:
    """Contacts per month × channel over the 13 months ending with the period (the chapter 1 volume chart)."""
    contacts = ctx.read("contacts", 13, ["created_at", "channel"])
    if contacts.empty:
        return pd.DataFrame(columns=["month", "channel", "contacts (count)"])
    months = contacts["created_at"].dt.strftime("%Y-%m")
    table = contacts.assign(month=months).groupby(["month", "channel"], observed=True).size()
    return table.rename("contacts (count)").reset_index()


def _csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8-sig")


def write_run_exports(folder: Path, ctx, evidence: list) -> list[Path]:
    """Write the exports of one report run into ``folder`` (the run directory); returns the files written. Every
    number comes from the report computed once (scorecard, findings, attainment) and its kept recommendations;
    only the monthly contacts by channel are read here."""
    folder = Path(folder)
    card = scorecard_export(ctx.scorecard, ctx.period, ctx.unit)
    findings = findings_export([*ctx.findings, *ctx.standing], ctx.report.item_evidence, len(ctx.standing))
    recommendations = recommendations_export(ctx.recommendations)
    quarantine = quarantine_summary(Path(ctx.ingest_report.quarantine_dir))
    standards = ctx.report.attainment
    written = []
    for name, frame in [("scorecard", card), ("findings", findings), ("quarantine", quarantine)]:
        _csv(frame, folder / "exports" / f"{name}.csv")
        written.append(folder / "exports" / f"{name}.csv")
    sheets = {
        "scorecard": card,
        "service standards": standards.rename(columns={"value": "value (see metric's unit)", "n": "n (count)"}),
        "findings": findings,
        "recommendations": recommendations,
        "contacts by channel": channel_months(ctx),
        "quarantine": quarantine.rename(columns={"rows": "rows (count)"}),
    }
    with pd.ExcelWriter(folder / "report.xlsx", engine="openpyxl") as book:
        for sheet, frame in sheets.items():
            _plain_for_excel(frame).to_excel(book, sheet_name=sheet, index=False)
    written.append(folder / "report.xlsx")
    return written


def _plain_for_excel(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cells hold no time zones and no NaN: timestamps are made naive and missing values left empty."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    return out


def write_batch_exports(out_dir: Path) -> Path | None:
    """``<out_dir>/exports/scorecards.csv``: the scorecards of every successful run under ``out_dir`` in one
    long table (period × business unit × KPI); None when no run has exports."""
    out_dir = Path(out_dir)
    frames = []
    for path in sorted(out_dir.glob("*/*/exports/scorecard.csv")):
        run = path.parent.parent
        if run.name.startswith(".") or run.name.endswith(".failed"):
            continue
        manifest = run / "manifest.json"
        lang = json.loads(manifest.read_text(encoding="utf-8")).get("lang", DEFAULT) if manifest.is_file() else DEFAULT
        if lang != DEFAULT and (run.parent / run.name.rsplit(".", 1)[0]).is_dir():
            continue  # the same numbers as the run of the unit in the default language
        frames.append(pd.read_csv(path, encoding="utf-8-sig", dtype={"period": str, "business_unit": str}))
    if not frames:
        return None
    table = pd.concat(frames, ignore_index=True).sort_values(["period", "business_unit", "kpi"], kind="stable")
    table = table.drop_duplicates(["period", "business_unit", "kpi"])
    target = out_dir / "exports" / "scorecards.csv"
    partial = target.with_suffix(".csv.tmp")
    _csv(table, partial)
    partial.replace(target)
    return target
