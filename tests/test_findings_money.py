"""Money on findings and recommendations (csreport.findings.money), worked by hand; horizon 12 months."""

from __future__ import annotations

import pandas as pd
import pytest

from csreport.findings.effects import EffectGroup
from csreport.findings.evidence import Evidence
from csreport.findings.money import Economics, estimate, row_values, total_value, union_value
from csreport.findings.recommend import RecommendationRule, recommend_effects
from csreport.findings.record import Finding
from csreport.metrics.targets import Parameters

ECONOMICS = Economics(cost_per_contact=5.0, monthly_spend=100.0, agent_hour_cost=32.0, horizon_months=12)


def _finding(kind="deterioration", metric="fcr_rate", impact=10.0, impact_unit="contacts", **kw) -> Finding:
    base = dict(
        kind=kind,
        unit="east",
        period="2026-10",
        metric=metric,
        value=0.6,
        baseline=0.7,
        change=-0.1,
        relative_change=-0.14,
        p_value=0.001,
        significant=True,
        severity="medium",
        impact=impact,
        impact_unit=impact_unit,
        evidence={"n": 100, "unit": "ratio"},
    )
    base.update(kw)
    return Finding(**base)


def _customers(ids: list[str], spend: list[float] | None = None) -> Evidence:
    rows = pd.DataFrame({"customer_id": ids})
    if spend is not None:
        rows["monthly_spend"] = spend
    return Evidence("f01", "customer_id", rows)


def _contacts(ids: list[str], cost: list[float] | None = None) -> Evidence:
    rows = pd.DataFrame({"contact_id": ids, "channel": "phone"})
    if cost is not None:
        rows["cost"] = cost
    return Evidence("f02", "contact_id", rows)


def test_lost_customers_are_priced_at_their_own_monthly_spend():
    # 4 churned customers spending 50, 100, 150, 200 a month; 2 of them beyond the usual rate → share 0.5:
    # 0.5 × 500 = 250 a month × 12 = 3,000 (at the unit's average of 100 it would have been 2,400)
    f = _finding("churn_rise", "churn_rate", 2, "customers")
    values = row_values(f, _customers(list("ABCD"), [50.0, 100.0, 150.0, 200.0]), ECONOMICS)
    assert values.to_dict() == pytest.approx({"A": 25.0, "B": 50.0, "C": 75.0, "D": 100.0})
    money = estimate([f], [values], ECONOMICS)
    assert money.value_at_stake == pytest.approx(3000.0)
    assert "4 churned customers" in money.assumptions and "12 months" in money.assumptions


def test_spend_comes_from_the_customers_table_else_the_unit_average():
    f = _finding("churn_rise", "churn_rate", 2, "customers")
    spend = pd.Series({"A": 300.0, "B": 100.0})
    values = row_values(f, _customers(["A", "B", "C"]), ECONOMICS, spend=spend)
    # share 2 / 3; C has no spend → the unit's 100
    assert values.to_dict() == pytest.approx({"A": 200.0, "B": 200 / 3, "C": 200 / 3})


def test_a_three_month_group_is_priced_per_month():
    # 6 customers lost beyond the others' rate in 3 months among 4 churned (share capped at 1), 100 each:
    # 400 over 3 months = 133.33 a month × 12 = 1,600, not 4,800
    f = _finding("churn_group", "churn_rate", 6, "customers", evidence={"window_months": 3, "unit": "ratio"})
    values = row_values(f, _customers(list("ABCD"), [100.0] * 4), ECONOMICS)
    assert estimate([f], [values], ECONOMICS).value_at_stake == pytest.approx(1600.0)


def test_overlapping_findings_count_each_customer_once():
    # a segment's churn (A, B, C: 0.5 share, spend 100 → 50 each) and a group of the same customers (B, C, D: full
    # share over 3 months → 33.33 each): B and C count once, at their larger value (50); A 50, D 33.33
    # → 183.33 a month; adding the two findings would give 150 + 100 = 250
    rise = _finding("churn_rise", "churn_rate", 1.5, "customers")
    group = _finding("churn_group", "churn_rate", 3, "customers", evidence={"window_months": 3, "unit": "ratio"})
    a = row_values(rise, _customers(list("ABC"), [100.0] * 3), ECONOMICS)
    b = row_values(group, _customers(list("BCD"), [100.0] * 3), ECONOMICS)
    assert union_value([a, b]) == (pytest.approx(183.333, abs=1e-3), 4)
    assert estimate([rise, group], [a, b], ECONOMICS).value_at_stake == pytest.approx(183.333 * 12, abs=0.01)
    assert total_value([[a], [b]], ECONOMICS) == pytest.approx(183.333 * 12, abs=0.01)


def test_contacts_are_priced_at_their_own_cost():
    # 4 complaints costing 2, 4, 6, 8; 2 beyond the usual count → share 0.5: 10 a month × 12 = 120
    f = _finding("category_spike", "complaints", 2)
    values = row_values(f, _contacts(list("wxyz"), [2.0, 4.0, 6.0, 8.0]), ECONOMICS, params=Parameters())
    assert estimate([f], [values], ECONOMICS).value_at_stake == pytest.approx(120.0)
    # without a cost column or handle time: the unit's cost per contact (5): 0.5 × 4 × 5 = 10 a month
    values = row_values(f, _contacts(list("wxyz")), ECONOMICS, params=Parameters())
    assert values.sum() == pytest.approx(10.0)


def test_training_gap_is_spread_over_its_months():
    # 30 first-contact resolutions lost in 3 months among 60 unresolved contacts at 5 each: 30 × 5 / 3 = 50 a month
    f = _finding("training_gap", impact=30, evidence={"n": 200, "months": 3})
    values = row_values(f, _contacts([f"c{i}" for i in range(60)]), ECONOMICS)
    assert values.sum() == pytest.approx(50.0)


def test_longer_handling_is_priced_in_agent_hours():
    f = _finding(metric="aht_s", change=30.0, evidence={"n": 1200, "unit": "s"})
    values = row_values(f, _contacts([f"c{i}" for i in range(100)]), ECONOMICS)  # 30 s × 1,200 = 10 h a month
    assert estimate([f], [values], ECONOMICS).value_at_stake == pytest.approx(10 * 32 * 12)


def test_a_costly_process_is_priced_at_its_excess_over_the_median():
    f = _finding("process_cost", "cost_per_resolved", 40, evidence={"resolved": 40, "excess_per_resolved": 14.5})
    values = row_values(f, _contacts([f"c{i}" for i in range(50)]), ECONOMICS)
    assert estimate([f], [values], ECONOMICS).value_at_stake == pytest.approx(14.5 * 40 * 12)


def test_staffing_carries_the_cost_of_the_action():
    f = _finding("staffing_gap", "coverage", 500, evidence={"hours_short": 160, "n": 3000})
    money = estimate([f], [None], ECONOMICS)
    assert money.action_cost == pytest.approx(160 * 32 * 12)
    assert money.value_at_stake is None and money.benefit_cost_ratio is None
    assert "not priced" in money.assumptions and "160 agent hours" in money.assumptions


def test_a_parent_told_as_its_childrens_breakdown_adds_no_money():
    f = _finding(
        "deterioration",
        "complaint_rate",
        20,
        evidence={"n": 100, "unit": "ratio", "explained_by": [["category_spike", "x", "y"]]},
    )
    assert row_values(f, _contacts(list("wxyz"), [1.0] * 4), ECONOMICS) is None


@pytest.mark.parametrize(
    ("economics", "reason"),
    [
        (Economics(None, 100.0, 32.0, 12), "cost per contact is not available"),
        (Economics(5.0, None, 32.0, 12), "no monthly_spend"),
    ],
)
def test_missing_money_inputs_are_named(economics, reason):
    if "cost" in reason:
        f, evidence = _finding("deterioration", "fcr_rate", 10, "contacts"), _contacts(["c1", "c2"])
    else:
        f, evidence = _finding("churn_rise", "churn_rate", 5, "customers"), _customers(["A", "B"])
    values = row_values(f, evidence, economics)
    money = estimate([f], [values], economics)
    assert money.value_at_stake is None and reason in money.assumptions


def test_assumptions_are_written_in_chinese():
    f = _finding("churn_rise", "churn_rate", 2, "customers")
    values = row_values(f, _customers(list("ABCD"), [100.0] * 4), ECONOMICS)
    money = estimate([f], [values], ECONOMICS, "zh")
    assert "4 位流失客户" in money.assumptions and "个月" in money.assumptions


def test_economics_from_the_scorecard_and_customers():
    card = pd.DataFrame({"kpi": ["cost_per_contact"], "value": [4.5]})
    customers = pd.DataFrame({"monthly_spend": [100.0, 200.0, None]})
    economics = Economics.of(card, customers, Parameters(agent_hour_cost=40.0, value_horizon_months=6))
    assert economics == Economics(4.5, 150.0, 40.0, 6)
    assert Economics.of(card, None, Parameters()).monthly_spend is None


def test_recommendations_put_news_first_then_value():
    rule = RecommendationRule(
        kind="deterioration", owner={"en": "o", "zh": "o"}, action={"en": "a", "zh": "a"}, expected={"en": "", "zh": ""}
    )
    churn_rule = RecommendationRule(
        kind="churn_rise", owner={"en": "o", "zh": "o"}, action={"en": "c", "zh": "c"}, expected={"en": "", "zh": ""}
    )
    small = _finding(impact=50)
    large = _finding("churn_rise", "churn_rate", 2, "customers")
    standing = _finding(impact=5000, first_seen="2026-03", standing=True)
    items = [small, large, standing]
    values = [
        row_values(small, _contacts([f"c{i}" for i in range(50)]), ECONOMICS),  # 50 × 5 = 250 a month
        row_values(large, _customers(list("ABCD"), [200.0] * 4), ECONOMICS),  # 0.5 × 800 = 400 a month
        row_values(standing, _contacts([f"s{i}" for i in range(100)]), ECONOMICS),  # 100 × 5 = 500 a month
    ]
    effects = [
        EffectGroup(0, (0,), True),
        EffectGroup(1, (1,), True, {"customer_id": frozenset("ABCD")}),
        EffectGroup(2, (2,), False),
    ]
    recs = recommend_effects(items, effects, "en", [rule, churn_rule], ECONOMICS, values, ["f01", "f02", "s01"])
    assert [r.finding for r in recs] == [large, small, standing]  # news by value, then the standing issue
    assert [r.standing for r in recs] == [False, False, True]
    assert recs[0].to_json()["value_at_stake"] == pytest.approx(400 * 12)
    assert recs[0].to_json()["finding_ids"] == ["f02"] and recs[0].to_json()["evidence_count"] == 4
