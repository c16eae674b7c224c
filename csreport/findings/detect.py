"""Detection rules: pure functions from KPI tables and analysis results to :class:`Finding` records.

Each rule states its test; thresholds come from :class:`~csreport.findings.rules.Rules`. None reads files or plots.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from csreport.analyses.churn_groups import ChurnGroups, flagged_groups
from csreport.comparisons import two_proportion_z
from csreport.findings.record import Finding
from csreport.findings.rules import Rules, grade, poisson_upper_p


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


def churn_rises(churn: pd.DataFrame, period: str, unit: str, rules: Rules) -> list[Finding]:
    """``churn``: columns period, segment, active (at month start), churned. A segment whose churn rate in
    ``period`` is at least ``churn_ratio`` × its pooled rate over the previous ``baseline_months`` months, with a
    one-sided Poisson p < alpha on the churned count, is a ``churn_rise``; impact = excess churned customers.
    A rise from a baseline of 0 (no churn in those months) is a rise: its ratio is infinite and its test is a
    one-sided Fisher exact test of the month's churned / active against the history's 0 / active."""
    months = [str(pd.Period(period, "M") - k) for k in range(rules.baseline_months, 0, -1)]
    found = []
    for segment, rows in churn.groupby("segment"):
        rows = rows.set_index("period")
        if period not in rows.index:
            continue
        hist = rows.reindex(months).dropna()
        if len(hist) < 3 or hist["active"].sum() == 0:
            continue
        base = float(hist["churned"].sum() / hist["active"].sum())
        active, churned = float(rows.at[period, "active"]), float(rows.at[period, "churned"])
        if active < rules.min_sample or churned == 0:
            continue
        now = churned / active
        ratio = now / base if base > 0 else math.inf
        expected = base * active
        if base > 0:
            p = poisson_upper_p(churned, expected)
        else:  # no churn before: the Poisson mean 0 would make any churn "certain"; compare the two months' counts
            table = [[churned, active - churned], [0, float(hist["active"].sum())]]
            p = float(stats.fisher_exact(table, alternative="greater").pvalue)
        if ratio < rules.churn_ratio:
            continue
        severity = grade(p, ratio, rules.churn_ratio, rules.high_churn_ratio, rules)
        if severity == "low":
            continue
        found.append(
            Finding(
                kind="churn_rise",
                unit=unit,
                period=period,
                metric="churn_rate",
                value=now,
                baseline=base,
                change=now - base,
                relative_change=ratio - 1 if math.isfinite(ratio) else None,
                p_value=p,
                significant=True,
                severity=severity,
                impact=max(0.0, churned - expected),
                impact_unit="customers",
                segment=str(segment),
                evidence={
                    "n": int(active),
                    "churned": int(churned),
                    "test": "one-sided Poisson",
                    "baseline_label": f"pooled rate of {len(hist)} previous months",
                },
            )
        )
    return found


def churn_groups_found(groups: ChurnGroups, period: str, unit: str, rules: Rules) -> list[Finding]:
    """From :func:`csreport.analyses.churn_groups.churn_groups`: each group (at most one per attribute, see
    :func:`~csreport.analyses.churn_groups.flagged_groups`) whose churn is significantly (Holm-adjusted
    two-proportion z-test p < alpha) and materially (≥ ``group_churn_ratio`` × the rest's rate) above the rest
    of the customers is a ``churn_group``; impact = customers lost beyond the rest's rate. Severity is medium:
    a standing difference between groups, not a change in the month; the loss orders it among its peers."""
    found = []
    for row in flagged_groups(groups, rules.alpha, rules.group_churn_ratio, rules.min_sample).itertuples(index=False):
        ratio = float(row.ratio)
        found.append(
            Finding(
                kind="churn_group",
                unit=unit,
                period=period,
                metric="churn_rate",
                value=float(row.churn_rate),
                baseline=float(row.rest_rate),
                change=float(row.churn_rate - row.rest_rate),
                relative_change=ratio - 1 if math.isfinite(ratio) else None,
                p_value=float(row.p_adjusted),
                significant=True,
                severity="medium",
                impact=max(0.0, float(row.excess)),
                impact_unit="customers",
                segment=f"{row.attribute}: {row.level}",
                evidence={
                    "attribute": str(row.attribute),
                    "level": str(row.level),
                    "n": int(row.customers),
                    "churned": int(row.churned),
                    "low": float(row.low),
                    "high": float(row.high),
                    "ratio": ratio if math.isfinite(ratio) else None,
                    "months": groups.months,
                    "lookback_days": groups.lookback_days,
                    "test": "two-proportion z, Holm-adjusted over all groups",
                    "baseline_label": "rest of the customers",
                    "unit": "ratio",
                    **({"monthly_spend": float(row.monthly_spend)} if math.isfinite(row.monthly_spend) else {}),
                },
            )
        )
    return found


def segment_churn(customers: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Per period × segment: customers active at the month's start (signed up before it, not churned before
    it) and those of them whose churn_date falls in the month."""
    if not {"segment", "churn_date"} <= set(customers.columns):
        return pd.DataFrame(columns=["period", "segment", "active", "churned"])
    signup = customers["signup_date"] if "signup_date" in customers.columns else pd.Series(pd.NaT, customers.index)
    rows = []
    for period in periods:
        month = pd.Period(period, "M")
        start, stop = month.start_time, (month + 1).start_time
        active = (signup.isna() | (signup < start)) & (
            customers["churn_date"].isna() | (customers["churn_date"] >= start)
        )
        churned = active & (customers["churn_date"] < stop)
        frame = pd.DataFrame({"segment": customers["segment"], "active": active, "churned": churned})
        sums = frame.groupby("segment", dropna=True)[["active", "churned"]].sum().reset_index()
        rows.append(sums.assign(period=period))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return out.astype({"active": np.int64, "churned": np.int64})
