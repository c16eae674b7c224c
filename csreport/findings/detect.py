"""Detection rules: pure functions from KPI tables and analysis results to :class:`Finding` records.

Each rule states its test; thresholds come from :class:`~csreport.findings.rules.Rules`. None reads files or plots.
This module holds the rules on KPIs and contact counts (KPI changes and missed targets, category spikes, channel
shifts); the workforce rules are in :mod:`~csreport.findings.detect_staff`, the churn rules in
:mod:`~csreport.findings.detect_churn` (both importable from here too).
"""

from __future__ import annotations

import math

import pandas as pd

from csreport.comparisons import two_proportion_z
from csreport.findings.detect_churn import churn_groups_found, churn_rises, segment_churn
from csreport.findings.detect_staff import staffing_gaps, training_gaps
from csreport.findings.record import Finding
from csreport.findings.rules import Rules, grade, poisson_upper_p

__all__ = [
    "category_spikes",
    "channel_shifts",
    "churn_groups_found",
    "churn_rises",
    "kpi_findings",
    "segment_churn",
    "staffing_gaps",
    "training_gaps",
]


def _affected(row, change: float | None) -> float:
    """Contacts (or responses, customers) touched by a KPI change: |Δ| × n for a rate, n × |relative Δ| capped
    at n otherwise."""
    n = float(row.n or 0)
    if change is None or not math.isfinite(change):
        return 0.0
    if row.unit == "ratio":
        return abs(change) * n
    base = row.previous
    if not base:
        return 0.0
    return min(1.0, abs(change / base)) * n


def kpi_findings(card: pd.DataFrame, period: str, unit: str, rules: Rules, last_data_month: bool) -> list[Finding]:
    """From a scorecard (one row per KPI): a significant change against the previous month of at least
    ``min_relative_change`` is a deterioration or improvement by the KPI's target direction; a missed target
    without such a change is ``target_missed``. High severity needs a deterioration with p < alpha_high, a
    relative change ≥ ``high_relative_change`` and the target missed. KPIs without a direction (contacts) and
    small samples give no finding; maturing KPIs in the data's last month are capped at low, with a note."""
    found = []
    for row in card.itertuples(index=False):
        if row.direction is None or not isinstance(row.direction, str) or row.small_sample or pd.isna(row.value):
            continue
        change = None if pd.isna(row.change_vs_previous) else float(row.change_vs_previous)
        relative = change / abs(row.previous) if change is not None and row.previous else None
        if change and row.previous == 0:  # a rise (or fall) from a zero baseline is as large as changes get
            relative = math.copysign(math.inf, change)
        p = None if pd.isna(row.p_vs_previous) else float(row.p_vs_previous)
        better = change is not None and ((change > 0) == (row.direction == "higher"))
        large = relative is not None and abs(relative) >= rules.min_relative_change
        common = {
            "unit": unit,
            "period": period,
            "metric": row.kpi,
            "value": float(row.value),
            "baseline": None if pd.isna(row.previous) else float(row.previous),
            "change": change,
            "relative_change": relative,
            "p_value": p,
            "impact": _affected(row, change),
            "impact_unit": "contacts",
            "evidence": {
                "n": int(row.n),
                "test": row.test,
                "target": row.target,
                "status": row.status,
                "baseline_label": "previous month at the same age"
                if getattr(row, "same_age", False)
                else "previous month",
                "unit": row.unit,
            },
        }
        maturing = last_data_month and row.kpi in rules.maturing_metrics
        note = "maturing: contacts near the data cut-off have had less time to be resolved" if maturing else None
        if bool(row.significant_vs_previous) and large:
            if better:
                severity = "medium" if p is not None and p < rules.alpha else "low"
                kind = "improvement"
            else:
                size = abs(relative) if row.status == "missed" else 0.0
                severity = grade(p, abs(relative), rules.min_relative_change, rules.high_relative_change, rules)
                if severity == "high" and size < rules.high_relative_change:
                    severity = "medium"
                kind = "deterioration"
            found.append(
                Finding(kind=kind, significant=True, severity="low" if maturing else severity, note=note, **common)
            )
        elif row.status == "missed":
            # the test of the value against the target, never the previous month's p-value
            target_p = getattr(row, "p_vs_target", None)
            target_p = None if target_p is None or pd.isna(target_p) else float(target_p)
            target_gap = float(row.value) - float(row.target)
            found.append(
                Finding(
                    kind="target_missed",
                    significant=target_p is not None and target_p < rules.alpha,
                    severity="low",
                    note=note,
                    **{
                        **common,
                        "baseline": float(row.target),
                        "change": target_gap,
                        "relative_change": None,
                        "p_value": target_p,
                        "evidence": {
                            **common["evidence"],
                            "baseline_label": "target",
                            "test": getattr(row, "test_vs_target", "") if target_p is not None else "",
                        },
                        "impact": 0.0,
                    },
                )
            )
    return found


def category_spikes(
    counts: pd.DataFrame,
    period: str,
    unit: str,
    rules: Rules,
    what: str = "complaints",
    days: dict[str, int] | None = None,
) -> list[Finding]:
    """``counts``: columns period, category, count (one unit). A category whose count in ``period`` is at least
    ``spike_ratio`` × its mean over the previous ``baseline_months`` months (months without any count as 0)
    and at least ``min_spike_count``, with a one-sided Poisson p < alpha, is a ``category_spike``; impact =
    observed − expected. ``days``: days with data per month (:class:`csreport.store.Coverage`); then the
    expectation is the history's count per day with data × the period's days with data (a month cut off on its
    24th expects 24 days' worth) and the history is the months with data."""
    months = [str(pd.Period(period, "M") - k) for k in range(rules.baseline_months, 0, -1)]
    table = counts.pivot_table(index="category", columns="period", values="count", aggfunc="sum", fill_value=0)
    if period not in table.columns:
        return []
    history = table.reindex(columns=months, fill_value=0)
    if days is not None:
        with_data = [m for m in months if days.get(m, 0) > 0]
        months_seen, exposure = len(with_data), sum(days[m] for m in with_data)
        if months_seen < 3 or days.get(period, 0) <= 0:
            return []
        expected = history[with_data].sum(axis=1) / exposure * days[period]
    else:
        seen = (counts["period"].isin(months)).groupby(counts["period"]).any()
        months_seen = int(seen.sum()) if len(seen) else 0
        if months_seen < 3:
            return []
        expected = history.sum(axis=1) / months_seen
    found = []
    for category, observed in table[period].items():
        base = float(expected.get(category, 0.0))
        ratio = observed / base if base > 0 else math.inf
        if observed < rules.min_spike_count or ratio < rules.spike_ratio:
            continue
        p = poisson_upper_p(float(observed), base)
        severity = grade(p, ratio, rules.spike_ratio, rules.high_spike_ratio, rules)
        if severity == "low":
            continue
        found.append(
            Finding(
                kind="category_spike",
                unit=unit,
                period=period,
                metric=what,
                value=float(observed),
                baseline=base,
                change=float(observed) - base,
                relative_change=(ratio - 1) if base > 0 else None,
                p_value=p,
                significant=True,
                severity=severity,
                impact=max(0.0, float(observed) - base),
                impact_unit="contacts",
                category=str(category),
                evidence={
                    "test": "one-sided Poisson",
                    "baseline_label": f"mean of {months_seen} previous months"
                    + (" per day with data" if days is not None else ""),
                    "ratio": ratio,
                    **(
                        {"days": int(days[period]), "month_days": pd.Period(period, "M").days_in_month}
                        if days is not None
                        else {}
                    ),  # fmt: skip
                },
            )
        )
    return found


def channel_shifts(counts: pd.DataFrame, period: str, unit: str, rules: Rules) -> list[Finding]:
    """``counts``: columns period, channel, count (one unit). The channel whose share of contacts fell most
    and the one that rose most against the previous month; a fall of at least ``channel_shift_points`` with a
    two-proportion z-test p < alpha is a ``channel_shift`` "from → to"; impact = contacts moved (Δshare × n)."""
    previous = str(pd.Period(period, "M") - 1)
    table = counts.pivot_table(index="channel", columns="period", values="count", aggfunc="sum", fill_value=0)
    if period not in table.columns or previous not in table.columns:
        return []
    now, before = table[period], table[previous]
    n1, n0 = float(now.sum()), float(before.sum())
    if n1 < rules.min_sample or n0 < rules.min_sample:
        return []
    delta = now / n1 - before / n0
    source, target = delta.idxmin(), delta.idxmax()
    drop = -float(delta[source])
    x1, x0 = float(now[source]), float(before[source])
    p = two_proportion_z(x1, n1, x0, n0)
    p = 1.0 if p is None else p
    severity = grade(p, drop, rules.channel_shift_points, rules.high_channel_shift_points, rules)
    if severity == "low":
        return []
    return [
        Finding(
            kind="channel_shift",
            unit=unit,
            period=period,
            metric="channel_share",
            value=x1 / n1,
            baseline=x0 / n0,
            change=-drop,
            relative_change=-drop / (x0 / n0) if x0 else None,
            p_value=p,
            significant=True,
            severity=severity,
            impact=drop * n1,
            impact_unit="contacts",
            category=f"{source}→{target}",
            evidence={
                "from": str(source),
                "to": str(target),
                "to_share": float(now[target] / n1),
                "to_share_before": float(before[target] / n0),
                "n": int(n1),
                "test": "two-proportion z",
                "baseline_label": "previous month",
            },
        )
    ]
