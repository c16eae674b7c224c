"""Detection rules over the cost-benefit table (:mod:`csreport.analyses.cost_benefit`): a service process that
costs significantly and materially more per resolved contact than the unit's median, or whose customers churn
significantly and materially more often than the rest of the unit's contacted customers."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from csreport.analyses.churn_groups import holm
from csreport.analyses.cost_benefit import ProcessCosts
from csreport.findings.record import Finding
from csreport.findings.rules import Rules, grade
from csreport.findings.structural import Effect
from csreport.metrics.comparisons import two_proportion_z


def _process(row) -> str:
    return f"{row.channel} · {row.category}"


def process_cost_findings(costs: ProcessCosts, period: str, unit: str, rules: Rules) -> list[Finding]:
    """``process_cost``: cost per resolved contact R ≥ ``process_cost_ratio`` × the median M of the unit's
    processes (those with ≥ min_sample contacts), with a one-sided z-test of R − M using R's delta-method
    standard error, p < alpha. Impact = the process's resolved contacts; evidence the excess per resolved
    contact (currency), which :mod:`csreport.findings.money` prices."""
    median = costs.median_cost_per_resolved
    if not costs.available or not median:
        return []
    tested = []
    for row in costs.table.itertuples(index=False):
        r, se = row.cost_per_resolved, row.cost_per_resolved_se
        if row.contacts < rules.min_sample or r is None or math.isnan(r) or not se or math.isnan(se):
            continue
        tested.append((row, float(stats.norm.sf((r - median) / se))))
    adjusted = holm(np.array([p for _, p in tested])) if tested else []
    found = []
    for (row, _), p in zip(tested, adjusted, strict=True):
        r = row.cost_per_resolved
        ratio = r / median
        p = float(p)
        if ratio < rules.process_cost_ratio or p >= rules.alpha:
            continue
        found.append(
            Finding(
                kind="process_cost",
                unit=unit,
                period=period,
                metric="cost_per_resolved",
                value=float(r),
                baseline=float(median),
                change=float(r - median),
                relative_change=float(ratio - 1),
                p_value=p,
                significant=True,
                severity=grade(p, ratio, rules.process_cost_ratio, rules.high_process_cost_ratio, rules),
                impact=float(row.resolved),
                impact_unit="contacts",
                evidence={
                    "n": int(row.contacts),
                    "test": "one-sided z-test of the ratio estimate against the median, Holm-adjusted over processes",
                    "unit": "currency",
                    "process": _process(row),
                    "channel": row.channel,
                    "ratio": float(ratio),
                    "resolved": float(row.resolved),
                    "excess_per_resolved": float(r - median),
                    "repeat_contacts": int(row.repeat_contacts),
                    "window_months": 1,
                },
                category=row.category,
            )
        )
    return found


def process_churn_findings(
    costs: ProcessCosts, period: str, unit: str, rules: Rules, churn_window_days: int
) -> list[Finding]:
    """``process_churn``: churn after a process's contacts p₁ ≥ ``process_churn_ratio`` × the churn p₀ of the
    rest of the unit's contacted customers (a rise from p₀ = 0 counts), one-sided two-proportion z-test with a
    pooled variance (Fisher's exact test when an expected cell count is below 5), p < alpha, at least min_sample
    customers. Impact = excess churned customers (p₁ − p₀) × n."""
    table = costs.table.dropna(subset=["customers"]) if costs.available else costs.table
    if table.empty or table["customers"].sum() == 0:
        return []
    all_customers, all_churned = float(table["customers"].sum()), float(table["churned"].sum())
    tested = []
    for row in table.itertuples(index=False):
        n1, x1 = float(row.customers), float(row.churned)
        n0, x0 = all_customers - n1, all_churned - x1
        if n1 < rules.min_sample or n0 < rules.min_sample:
            continue
        pooled = (x1 + x0) / (n1 + n0)
        if min(pooled * n1, pooled * n0, (1 - pooled) * n1, (1 - pooled) * n0) < 5:
            # too few expected churners for the normal approximation (one churned customer gave p < 0.001):
            # one-sided Fisher exact test
            p = float(stats.fisher_exact([[x1, n1 - x1], [x0, n0 - x0]], alternative="greater").pvalue)
        else:
            p = two_proportion_z(x1, n1, x0, n0, alternative="larger")
        if p is not None:
            tested.append((row, p))
    adjusted = holm(np.array([p for _, p in tested])) if tested else []
    found = []
    for (row, _), p in zip(tested, adjusted, strict=True):
        p = float(p)
        n1, x1 = float(row.customers), float(row.churned)
        n0, x0 = all_customers - n1, all_churned - x1
        p1, p0 = x1 / n1, x0 / n0
        ratio = p1 / p0 if p0 > 0 else math.inf
        if ratio < rules.process_churn_ratio or p >= rules.alpha:
            continue
        spend = row.revenue_at_risk / x1 if x1 and row.revenue_at_risk == row.revenue_at_risk else None
        found.append(
            Finding(
                kind="process_churn",
                unit=unit,
                period=period,
                metric="churn_after_contact",
                value=p1,
                baseline=p0,
                change=p1 - p0,
                relative_change=None if p0 == 0 else ratio - 1,
                p_value=p,
                significant=True,
                severity=grade(p, ratio, rules.process_churn_ratio, rules.high_process_churn_ratio, rules),
                impact=(p1 - p0) * n1,
                impact_unit="customers",
                evidence={
                    "n": int(n1),
                    "churned": int(x1),
                    "rest_n": int(n0),
                    "rest_churned": int(x0),
                    "test": "one-sided two-proportion z-test against the rest of the unit, "
                    "Holm-adjusted over processes",
                    "unit": "ratio",
                    "process": _process(row),
                    "channel": row.channel,
                    "days": churn_window_days,
                    "revenue_at_risk": None if spend is None else float(row.revenue_at_risk),
                    "monthly_spend": spend,
                    "window_months": 1,
                },
                category=row.category,
            )
        )
    return found


def process_cost_effects(costs: ProcessCosts, period: str, unit: str, rules: Rules) -> dict[tuple, Effect]:
    """Every process's cost per resolved contact above the unit's median in one month (:class:`Effect`, keyed
    by channel and category; the median taken as known), with the :func:`process_cost_findings` finding of the
    processes flagged."""
    median = costs.median_cost_per_resolved
    if not costs.available or not median:
        return {}
    flagged = {(f.evidence["channel"], f.category): f for f in process_cost_findings(costs, period, unit, rules)}
    effects = {}
    for row in costs.table.itertuples(index=False):
        r, se = row.cost_per_resolved, row.cost_per_resolved_se
        if row.contacts < rules.min_sample or r is None or math.isnan(r) or not se or math.isnan(se):
            continue
        key = (row.channel, row.category)
        effects[key] = Effect(key, float(r - median), float(se), flagged.get(key))
    return effects


def process_churn_effects(
    costs: ProcessCosts, period: str, unit: str, rules: Rules, churn_window_days: int
) -> dict[tuple, Effect]:
    """Every process's churn after contact minus the rest of the unit's contacted customers' in one month
    (:class:`Effect`), with the :func:`process_churn_findings` finding of the processes flagged."""
    table = costs.table.dropna(subset=["customers"]) if costs.available else costs.table
    if table.empty or table["customers"].sum() == 0:
        return {}
    found = process_churn_findings(costs, period, unit, rules, churn_window_days)
    flagged = {(f.evidence["channel"], f.category): f for f in found}
    all_customers, all_churned = float(table["customers"].sum()), float(table["churned"].sum())
    effects = {}
    for row in table.itertuples(index=False):
        n1, x1 = float(row.customers), float(row.churned)
        n0, x0 = all_customers - n1, all_churned - x1
        if n1 < rules.min_sample or n0 < rules.min_sample:
            continue
        p1, p0 = max(x1, 0.5) / n1, max(x0, 0.5) / n0
        key = (row.channel, row.category)
        se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        effects[key] = Effect(key, x1 / n1 - x0 / n0, se, flagged.get(key))
    return effects
