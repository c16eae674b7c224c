"""Matching findings against a scenario's ground truth (shared by the acceptance tests and the benchmark)."""

from __future__ import annotations

from csreport.findings.record import Finding

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
    if "period" in event and finding.period != event["period"]:
        return False
    kind = event["kind"]
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
    staffing shortfall also moves waits and abandonment); a training gap its team's training gaps in any
    month; a churn wave the churn findings of its month in any unit."""
    if event["kind"] == "training_gap":
        return finding.kind == "training_gap" and finding.team == event["team"]
    if event["kind"] == "churn_wave":
        return finding.period == event["period"] and finding.metric == "churn_rate"
    return finding.unit == event["unit"] and finding.period == event["period"]
