"""Detection rules on churn: a customer segment's churn rising above its history, and customer groups churning
more than the rest. Pure functions from aggregates and analysis results to :class:`Finding` records."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from csreport.analyses.churn_groups import ChurnGroups, flagged_groups
from csreport.findings.record import Finding
from csreport.findings.rules import Rules, grade, poisson_upper_p


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
