"""Detection rules on the workforce: a staffing gap (agent hours per workload hour far below the unit's usual)
and a team × category training gap. Pure functions from aggregates to :class:`Finding` records."""

from __future__ import annotations

import math

import pandas as pd

from csreport.findings.record import Finding
from csreport.findings.rules import Rules, grade


def staffing_gaps(
    coverage: pd.DataFrame, period: str, unit: str, service_level: float | None, rules: Rules, contacts: int = 0
) -> list[Finding]:
    """``coverage``: columns period, available_hours, workload_hours and optionally agents (one unit).

    Coverage = available agent hours / handle hours the month's contacts ask for (created × mean handle
    time). A coverage at least
    ``staffing_coverage_drop`` below the median of the previous ``baseline_months`` months is a
    ``staffing_gap`` (high at ``high_staffing_coverage_drop``). Hours are measured, not sampled, so there is
    no test: p is None and severity follows the size alone. Impact: contacts in the month × the share of
    coverage lost. Evidence: agent hours short of the usual coverage and, with ``agents``, how many agents
    that is (hours short / median available hours per agent)."""
    frame = coverage.set_index("period")
    if period not in frame.index:
        return []
    ratio = frame["available_hours"] / frame["workload_hours"].where(frame["workload_hours"] > 0)
    months = [str(pd.Period(period, "M") - k) for k in range(rules.baseline_months, 0, -1)]
    history = ratio.reindex(months).dropna()
    now = ratio.get(period)
    if len(history) < 3 or now is None or not math.isfinite(now):
        return []
    base = float(history.median())
    drop = 1 - now / base
    if drop < rules.staffing_coverage_drop:
        return []
    severity = "high" if drop >= rules.high_staffing_coverage_drop else "medium"
    hours_short = base * float(frame.at[period, "workload_hours"]) - float(frame.at[period, "available_hours"])
    fte_short = None
    if "agents" in frame.columns:
        per_agent = (frame["available_hours"] / frame["agents"].where(frame["agents"] > 0)).reindex(months).median()
        fte_short = hours_short / per_agent if per_agent and math.isfinite(per_agent) else None
    return [
        Finding(
            kind="staffing_gap",
            unit=unit,
            period=period,
            metric="coverage",
            value=float(now),
            baseline=base,
            change=float(now) - base,
            relative_change=-drop,
            p_value=None,
            significant=True,
            severity=severity,
            impact=drop * contacts,
            impact_unit="contacts",
            evidence={
                "hours_short": hours_short,
                "fte_short": fte_short,
                "available_hours": float(frame.at[period, "available_hours"]),
                "workload_hours": float(frame.at[period, "workload_hours"]),
                "service_level": service_level,
                "baseline_label": f"median of {len(history)} previous months",
            },
        )
    ]


def training_gaps(needs: pd.DataFrame, period: str, unit: str, rules: Rules) -> list[Finding]:
    """From :func:`csreport.analyses.agents.training_needs` (one unit): a team × category whose FCR is at least
    ``training_gap_points`` below the rest of the unit with a significant shortfall is a ``training_gap``;
    impact = contacts of the pair × the gap (first-contact resolutions lost)."""
    if needs.empty:
        return []
    found = []
    for row in needs[needs["business_unit"] == unit].itertuples(index=False):
        gap = -float(row.gap)
        if not bool(row.significant_shortfall) or gap < rules.training_gap_points:
            continue
        severity = grade(float(row.p_value), gap, rules.training_gap_points, rules.high_training_gap_points, rules)
        found.append(
            Finding(
                kind="training_gap",
                unit=unit,
                period=period,
                metric="fcr_rate",
                value=float(row.team_rate),
                baseline=float(row.rest_rate),
                change=float(row.gap),
                relative_change=float(row.gap) / row.rest_rate,
                p_value=float(row.p_value),
                significant=True,
                severity=severity,
                impact=gap * float(row.n),
                impact_unit="contacts",
                team=str(row.team),
                category=str(row.category),
                evidence={
                    "n": int(row.n),
                    "test": "two-proportion z",
                    "baseline_label": f"rest of the unit, {rules.training_months} months",
                    "months": rules.training_months,
                },
            )
        )
    return found
