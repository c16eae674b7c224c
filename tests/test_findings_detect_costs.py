"""Process findings from the cost-benefit table (csreport.findings.detect_costs), worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from csreport.analyses.cost_benefit import COLUMNS, ProcessCosts
from csreport.findings.detect_costs import process_churn_findings, process_cost_findings
from csreport.findings.rules import Rules

RULES = Rules(min_sample=30)


def _costs(rows: list[dict], median: float | None = 10.0) -> ProcessCosts:
    table = pd.DataFrame([{c: row.get(c, 0) for c in COLUMNS} for row in rows])
    return ProcessCosts(table, median, "flag", "column")


def test_a_process_twice_the_median_is_a_high_finding():
    costs = _costs(
        [
            dict(
                channel="phone",
                category="billing",
                contacts=100,
                resolved=80,
                cost_per_resolved=20.0,
                cost_per_resolved_se=2.0,
            ),
            dict(
                channel="chat",
                category="billing",
                contacts=100,
                resolved=90,
                cost_per_resolved=12.0,
                cost_per_resolved_se=0.5,
            ),
            dict(
                channel="email",
                category="billing",
                contacts=10,
                resolved=5,
                cost_per_resolved=40.0,
                cost_per_resolved_se=1.0,
            ),
        ]
    )
    found = process_cost_findings(costs, "2026-10", "east", RULES)
    # phone: ratio 2.0 ≥ 1.5, z = (20 − 10) / 2 = 5 → p = 2.9e-7, Holm-adjusted over the 2 processes tested
    # (email has 10 contacts) → 5.7e-7 → high; chat: ratio 1.2 < 1.5
    assert [f.category for f in found] == ["billing"] and found[0].evidence["channel"] == "phone"
    f = found[0]
    assert f.severity == "high" and f.p_value == pytest.approx(2 * 2.866515e-7, rel=1e-4)
    assert (f.value, f.baseline, f.change, f.impact) == (20.0, 10.0, 10.0, 80.0)
    assert f.evidence["excess_per_resolved"] == 10.0


def test_no_median_no_cost_finding():
    costs = _costs(
        [dict(channel="phone", category="x", contacts=100, cost_per_resolved=20.0, cost_per_resolved_se=1.0)], None
    )
    assert process_cost_findings(costs, "2026-10", "east", RULES) == []


def test_a_process_whose_customers_churn_four_times_as_often():
    costs = _costs(
        [
            dict(channel="phone", category="billing", customers=100, churned=20, revenue_at_risk=2000.0),
            dict(channel="chat", category="billing", customers=300, churned=15, revenue_at_risk=900.0),
        ]
    )
    found = process_churn_findings(costs, "2026-10", "east", RULES, 90)
    # p1 = 0.20, p0 = 15 / 300 = 0.05, pooled 35 / 400; se = √(0.0875 × 0.9125 × (1/100 + 1/300)) = 0.032628
    assert len(found) == 1 and found[0].evidence["channel"] == "phone"
    f = found[0]
    z = 0.15 / math.sqrt(0.0875 * 0.9125 * (1 / 100 + 1 / 300))
    assert f.p_value == pytest.approx(2 * 0.5 * math.erfc(z / math.sqrt(2)))  # Holm over the 2 processes
    assert f.impact == pytest.approx(15.0) and f.severity == "high"
    assert f.evidence["monthly_spend"] == pytest.approx(100.0) and f.evidence["days"] == 90


def test_a_rise_from_zero_churn_is_a_finding():
    costs = _costs(
        [
            dict(channel="phone", category="billing", customers=50, churned=5, revenue_at_risk=500.0),
            dict(channel="chat", category="billing", customers=300, churned=0, revenue_at_risk=0.0),
        ]
    )
    found = process_churn_findings(costs, "2026-10", "east", RULES, 90)
    assert len(found) == 1 and found[0].baseline == 0.0 and found[0].relative_change is None


def test_one_churned_customer_is_not_a_significant_process_churn():
    """1 of 31 customers churned after phone · delivery, 0 of 438 after the rest (data cut 12 days into the month).
    The z-test gave p < 0.001 (a high-severity finding and the top recommendation); with expected churners
    (1/469 × 31 = 0.07) far below 5 the test is Fisher's exact: p = 31/469 = 0.066, not significant."""
    costs = _costs(
        [
            dict(channel="phone", category="delivery", customers=31, churned=1, revenue_at_risk=1745.0),
            dict(channel="chat", category="billing", customers=438, churned=0, revenue_at_risk=0.0),
        ]
    )
    assert process_churn_findings(costs, "2026-10", "east", RULES, 90) == []
    from scipy import stats

    assert stats.fisher_exact([[1, 30], [0, 438]], alternative="greater").pvalue == pytest.approx(31 / 469)
