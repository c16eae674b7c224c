"""Detection rules on the workforce: a staffing gap (agent hours per workload hour far below the unit's usual)
and a team × category training gap. Pure functions from aggregates to :class:`Finding` records."""

from __future__ import annotations

import math

import pandas as pd

from csreport.findings.calibrate import individuals_test
from csreport.findings.record import Finding
from csreport.findings.rules import Rules, grade
from csreport.findings.signals import Signal, test_evidence
from csreport.findings.signals import standing_signal as _standing
from csreport.findings.structural import Effect


def staffing_gaps(
    coverage: pd.DataFrame, periods: list[str], unit: str, service_level: float | None, rules: Rules,
    contacts: int = 0,
) -> list[Signal]:  # fmt: skip
    """``coverage``: columns period, available_hours, workload_hours and optionally agents (one unit);
    ``periods``: the baseline months and the report's month (last).

    Coverage = available agent hours / handle hours the month's contacts ask for (created × mean handle
    time). Hours are measured, not sampled, so coverage is tested against its own month-to-month variation
    with an individuals (XmR) chart, one-sided (a fall): a coverage unusually low, that fell unusually from the
    month before and lies at least ``staffing_coverage_drop`` below the usual level (high at
    ``high_staffing_coverage_drop``), is a ``staffing_gap``. Impact: contacts in the month × the share of
    coverage lost. Evidence: agent hours short of the usual coverage and, with ``agents``, how many agents that
    is (hours short / median available hours per agent)."""
    period = periods[-1]
    frame = coverage.set_index("period")
    if period not in frame.index:
        return []
    ratio = (frame["available_hours"] / frame["workload_hours"].where(frame["workload_hours"] > 0)).reindex(periods)
    fallen = [None if pd.isna(v) else -float(v) for v in ratio]  # a fall of coverage is a rise of −coverage

    def test_at(i: int):
        return individuals_test(fallen[: i + 1], one_sided=True)

    test = test_at(len(periods) - 1)
    if test is None or test.direction <= 0:
        return []
    now, base = -test.value, -test.centre
    drop = 1 - now / base if base > 0 else 0.0
    hours_short = base * float(frame.at[period, "workload_hours"]) - float(frame.at[period, "available_hours"])
    fte_short = None
    if "agents" in frame.columns:
        per_agent = (frame["available_hours"] / frame["agents"].where(frame["agents"] > 0)).reindex(periods[:-1])
        per_agent = per_agent.median()
        fte_short = hours_short / per_agent if per_agent and math.isfinite(per_agent) else None
    finding = Finding(
        kind="staffing_gap",
        unit=unit,
        period=period,
        metric="coverage",
        value=now,
        baseline=base,
        change=now - base,
        relative_change=-drop,
        p_value=test.p,
        significant=False,
        severity="low",
        impact=max(0.0, drop) * contacts,
        impact_unit="contacts",
        evidence={
            **test_evidence(test),
            "limits": [-test.limits[1], -test.limits[0]],
            "previous": None if test.previous is None else -test.previous,
            "hours_short": hours_short,
            "fte_short": fte_short,
            "available_hours": float(frame.at[period, "available_hours"]),
            "workload_hours": float(frame.at[period, "workload_hours"]),
            "service_level": service_level,
            "unit": "score",
        },
    )
    signal = Signal(finding, test.p, drop, rules.staffing_coverage_drop, rules.high_staffing_coverage_drop)
    return [_standing(signal, test_at, periods, 1, test, rules.alpha)]


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
                    "window_months": rules.training_months,
                },
            )
        )
    return found


def training_effects(needs: pd.DataFrame, period: str, unit: str, rules: Rules) -> dict[tuple, Effect]:
    """Every team × category's first-contact-resolution shortfall against the rest of its unit in one window
    (:class:`Effect`: rest rate − team rate, larger = worse, with the standard error of two independent
    proportions), with the :func:`training_gaps` finding of the pairs flagged."""
    if needs.empty:
        return {}
    rows = needs[needs["business_unit"] == unit]
    unit_n = rows.groupby("category")["n"].transform("sum")
    flagged = {(f.team, f.category): f for f in training_gaps(needs, period, unit, rules)}
    effects = {}
    for row, total in zip(rows.itertuples(index=False), unit_n, strict=True):
        rest_n = float(total - row.n)
        if not row.n or not rest_n or pd.isna(row.rest_rate):
            continue
        p, q = float(row.team_rate), float(row.rest_rate)
        se = math.sqrt(max(p * (1 - p), 0.25 / row.n) / row.n + max(q * (1 - q), 0.25 / rest_n) / rest_n)
        key = (str(row.team), str(row.category))
        effects[key] = Effect(key, q - p, se, flagged.get(key))
    return effects
