"""Detection rules on churn: a customer segment's churn rising above its history, and customer groups churning
more than the rest. Pure functions from aggregates and analysis results to :class:`Finding` records."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from csreport.analyses.churn_groups import ChurnGroups, flagged_groups
from csreport.findings.calibrate import count_test
from csreport.findings.record import Finding
from csreport.findings.rules import Rules
from csreport.findings.signals import Signal, test_evidence
from csreport.findings.signals import standing_signal as _standing
from csreport.findings.structural import Effect


def churn_rises(churn: pd.DataFrame, periods: list[str], unit: str, rules: Rules) -> list[Signal]:
    """``churn``: columns period, segment, active (at month start), churned; ``periods``: the baseline months
    and the report's month (last). A segment whose churned customers are unusually many against its own
    history, per customer active at the month's start (Laney's u′ chart with the active customers as exposure,
    one-sided, exact negative binomial tail for small expectations; :func:`~csreport.findings.calibrate.
    count_test`), that rose unusually from the month before and whose churn rate is at least ``churn_ratio`` ×
    its usual rate, is a ``churn_rise``; impact = churned customers beyond the usual rate. A segment churning
    for the first time after months without any churn is tested against half a churned customer spread over
    its history (a rise from nothing is a rise, not a division by zero)."""
    period = periods[-1]
    found = []
    for segment, rows in churn.groupby("segment"):
        rows = rows.set_index("period").reindex(periods)
        if pd.isna(rows.at[period, "active"]):
            continue
        active, churned = float(rows.at[period, "active"]), float(rows.at[period, "churned"])
        if active < rules.min_sample or churned == 0:
            continue
        counts = [None if pd.isna(v) else float(v) for v in rows["churned"]]
        exposure = [None if pd.isna(v) else float(v) for v in rows["active"]]

        def test_at(i: int, counts=counts, exposure=exposure):
            return count_test(counts[: i + 1], exposure[: i + 1], one_sided=True)

        test = test_at(len(periods) - 1)
        if test is None or test.direction <= 0:
            continue
        expected = test.centre
        now, base = churned / active, expected / active
        ratio = now / base if base > 0 else math.inf
        finding = Finding(
            kind="churn_rise",
            unit=unit,
            period=period,
            metric="churn_rate",
            value=now,
            baseline=base,
            change=now - base,
            relative_change=ratio - 1 if math.isfinite(ratio) else None,
            p_value=test.p,
            significant=False,
            severity="low",
            impact=max(0.0, churned - expected),
            impact_unit="customers",
            segment=str(segment),
            evidence={
                **test_evidence(test),
                "n": int(active),
                "churned": int(churned),
                "unit": "ratio",
                "limits": [x / active for x in test.limits],
                "previous": None if test.previous is None else test.previous / active,
            },  # fmt: skip
        )
        signal = Signal(finding, test.p, ratio, rules.churn_ratio, rules.high_churn_ratio)
        found.append(_standing(signal, test_at, periods, 1, test, rules.alpha))
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
                    "window_months": groups.months,
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


def _difference_se(x: float, n: float, rest_x: float, rest_n: float) -> float:
    """Standard error of a group's churn rate minus the rest's (independent binomials; half a churned customer
    where a side has none, so an empty side still has a spread)."""
    p = max(x, 0.5) / n if n else 0.0
    q = max(rest_x, 0.5) / rest_n if rest_n else 0.0
    return math.sqrt(p * (1 - p) / n + q * (1 - q) / rest_n) if n and rest_n else math.nan


def churn_group_effects(groups: ChurnGroups, period: str, unit: str, rules: Rules) -> dict[tuple, Effect]:
    """Every customer group's churn rate minus the rest's in one window (:class:`Effect`, keyed by attribute
    and level; the contact bands by their flagged top group only, whose lowest band moves between windows),
    with the :func:`churn_groups_found` finding of the groups flagged."""
    if not groups.available or groups.groups.empty:
        return {}
    effects: dict[tuple, Effect] = {}
    for row in groups.groups.itertuples(index=False):
        if row.attribute == "contacts":
            continue
        rest_n, rest_x = groups.customers - row.customers, groups.churned - row.churned
        effects[(row.attribute, str(row.level))] = Effect(
            (row.attribute, str(row.level)), float(row.churn_rate - row.rest_rate),
            _difference_se(row.churned, row.customers, rest_x, rest_n))  # fmt: skip
    for finding in churn_groups_found(groups, period, unit, rules):
        ev = finding.evidence
        key = ("contacts", "top") if ev["attribute"] == "contacts" else (ev["attribute"], ev["level"])
        rest_n, rest_x = groups.customers - ev["n"], groups.churned - ev["churned"]
        effects[key] = Effect(key, finding.change, _difference_se(ev["churned"], ev["n"], rest_x, rest_n), finding)
    return effects
