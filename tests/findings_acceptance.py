"""Scoring a scenario's reports against its ground truth (shared by the acceptance tests and
``benchmarks/findings.py``). The truth is read only here, to score the findings, never by the analysis."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from csreport.data.calendars import load_calendars
from csreport.data.ingest import ingest
from csreport.data.periods import parse_period
from csreport.data.store import open_store
from csreport.findings.recommend import recommend_effects
from csreport.findings.record import Finding
from csreport.findings.rules import load_rules
from csreport.metrics.targets import load_targets
from csreport.report.computed import ComputedReport, compute
from csreport.settings import packaged

# The finding kind that reports each planted event kind, and the fields that must agree.
EXPECTED_KIND = {
    "staffing_shortfall": "staffing_gap",
    "complaint_spike": "category_spike",
    "csat_drop": "deterioration",
    "training_gap": "training_gap",
    "channel_shift": "channel_shift",
    "churn_wave": "churn_rise",
}
SATISFACTION = {"csat_mean", "csat_top2", "nps", "ces_mean"}


def finds(event: dict, finding: Finding) -> bool:
    """True when ``finding`` reports ``event``: right kind, unit, period and category, team or segment."""
    if finding.kind != EXPECTED_KIND[event["kind"]]:
        return False
    if "unit" in event and finding.unit != event["unit"]:
        return False
    kind = event["kind"]
    if "period" in event and finding.period != event["period"] and kind != "training_gap":
        return False
    if kind == "complaint_spike":
        return finding.category == event["category"]
    if kind == "csat_drop":
        return finding.metric in SATISFACTION
    if kind == "training_gap":
        return finding.team == event["team"] and finding.category == event["category"]
    if kind == "channel_shift":
        return finding.evidence.get("from") == event["from"] and finding.evidence.get("to") == event["to"]
    if kind == "churn_wave":
        return finding.segment == event["segment"]
    return True


def explains(event: dict, finding: Finding) -> bool:
    """True when the planted ``event`` accounts for ``finding``: anything in the event's unit-month (a
    staffing shortfall also moves waits and abandonment); a training gap its team's findings in any month; a
    churn wave the churn findings of its month in any unit; a channel shift its unit's findings from its month."""
    if event["kind"] == "training_gap":
        return finding.team == event["team"]
    if event["kind"] == "churn_wave":
        return finding.period == event["period"] and (
            finding.metric in ("churn_rate", "retention_rate", "churn_rate_12m", "churn_after_contact")
        )
    if event["kind"] == "channel_shift":
        return finding.unit == event["unit"] and finding.period >= event["period"]
    return finding.unit == event["unit"] and finding.period == event["period"]


@dataclass(frozen=True)
class Report:
    """One period × unit as a report computes it, with its recommendations (English)."""

    period: str
    unit: str
    computed: ComputedReport
    recommendations: list

    def members(self, recommendation) -> list[Finding]:
        """The findings (news or standing) of one recommendation's effect."""
        ids = {e.finding_id: f for f, e in zip(self.computed.items, self.computed.item_evidence, strict=True)}
        return [ids[i] for i in recommendation.finding_ids if i in ids]


def reports(data: Path, work: Path, months: int = 6, units: list[str] | None = None) -> Iterator[Report]:
    """The reports of the last ``months`` months of ``data`` for each unit (validated into ``work``), computed
    as a run computes them (:func:`csreport.report.computed.compute`) with the packaged parameter files."""
    ingest(data, work)
    store = open_store(work)
    store = store.with_calendars(load_calendars(packaged("params/calendars.yml"), default_zone=store.run_zone))
    targets = load_targets(packaged("params/targets.yml"))
    rules = load_rules(packaged("params/findings.yml"), targets.parameters.confidence, targets.parameters.min_sample)
    end = parse_period(store.last_month())
    for k in range(months - 1, -1, -1):
        period = str(end - k)
        for unit in units or store.units():
            computed = compute(store, period, unit, targets, rules, "test", "test")
            recs = recommend_effects(computed.items, computed.effects, "en", None, computed.economics,
                                     computed.money_rows, [e.finding_id for e in computed.item_evidence])  # fmt: skip
            yield Report(period, unit, computed, recs)


def truth_of(data: Path) -> dict:
    return json.loads((data / "_scenario_truth.json").read_text(encoding="utf-8"))


def loud(report: Report) -> list[Finding]:
    """The report's high- and medium-severity news."""
    return [f for f in report.computed.findings if f.severity in ("high", "medium")]


def event_reports(event: dict, all_reports: list[Report]) -> list[Report]:
    """The reports in which ``event`` must be found: its unit-month (a churn wave: its month, every unit;
    a training gap: every report of the team's unit)."""
    if event["kind"] == "training_gap":
        unit = event["team"].rsplit("-", 1)[0]
        return [r for r in all_reports if r.unit == unit]
    if event["kind"] == "churn_wave":
        return [r for r in all_reports if r.period == event["period"]]
    return [r for r in all_reports if r.unit == event["unit"] and r.period == event["period"]]


def recommendations_for(event: dict, report: Report) -> int:
    """How many of the report's recommendations tell ``event`` (one of their findings reports it)."""
    return sum(any(finds(event, f) for f in report.members(r)) for r in report.recommendations)
