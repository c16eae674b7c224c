"""Money on findings and recommendations (csreport.findings.money), worked by hand; horizon 12 months."""

from __future__ import annotations

import pandas as pd
import pytest

from csreport.findings.money import Economics, estimate
from csreport.findings.recommend import RecommendationRule, recommend
from csreport.findings.record import Finding
from csreport.targets import Parameters

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


def test_lost_customers_are_priced_at_their_monthly_spend():
    money = estimate(_finding("churn_rise", "churn_rate", 10, "customers"), ECONOMICS)
    assert money.value_at_stake == pytest.approx(10 * 100 * 12)
    assert money.action_cost is None and money.benefit_cost_ratio is None
    assert "about 10 customers" in money.assumptions and "12 months" in money.assumptions


def test_a_segment_spend_in_the_evidence_wins_over_the_unit_average():
    f = _finding("process_churn", "churn_after_contact", 4, "customers", evidence={"monthly_spend": 250.0})
    assert estimate(f, ECONOMICS).value_at_stake == pytest.approx(4 * 250 * 12)


def test_lost_first_contact_resolutions_cost_one_contact_each():
    assert estimate(_finding(impact=10), ECONOMICS).value_at_stake == pytest.approx(10 * 5 * 12)


def test_training_gap_impact_is_spread_over_its_months():
    f = _finding("training_gap", impact=30, evidence={"n": 200, "months": 3})
    assert estimate(f, ECONOMICS).value_at_stake == pytest.approx(30 / 3 * 5 * 12)


def test_longer_handling_is_priced_in_agent_hours():
    f = _finding(metric="aht_s", change=30.0, evidence={"n": 1200, "unit": "s"})
    money = estimate(f, ECONOMICS)  # 30 s × 1,200 contacts = 10 hours a month
    assert money.value_at_stake == pytest.approx(10 * 32 * 12)


def test_a_costly_process_is_priced_at_its_excess_over_the_median():
    f = _finding("process_cost", "cost_per_resolved", 40, evidence={"resolved": 40, "excess_per_resolved": 14.5})
    assert estimate(f, ECONOMICS).value_at_stake == pytest.approx(14.5 * 40 * 12)


def test_staffing_carries_the_cost_of_the_action():
    f = _finding("staffing_gap", "coverage", 500, evidence={"hours_short": 160, "n": 3000})
    money = estimate(f, ECONOMICS)
    assert money.action_cost == pytest.approx(160 * 32 * 12)
    assert money.value_at_stake is None and money.benefit_cost_ratio is None
    assert "not priced" in money.assumptions and "160 agent hours" in money.assumptions


def test_a_target_gap_is_priced_on_the_distance_to_the_target():
    f = _finding("target_missed", value=0.65, baseline=0.72, impact=0.0, evidence={"n": 1000, "unit": "ratio"})
    assert estimate(f, ECONOMICS).value_at_stake == pytest.approx(0.07 * 1000 * 5 * 12)


@pytest.mark.parametrize(
    ("economics", "reason"),
    [
        (Economics(None, 100.0, 32.0, 12), "cost per contact is not available"),
        (Economics(5.0, None, 32.0, 12), "no monthly_spend"),
    ],
)
def test_missing_money_inputs_are_named(economics, reason):
    kind = (
        ("deterioration", "fcr_rate", 10, "contacts")
        if "cost" in reason
        else ("churn_rise", "churn_rate", 5, "customers")
    )
    money = estimate(_finding(*kind), economics)
    assert money.value_at_stake is None and reason in money.assumptions


def test_assumptions_are_written_in_chinese():
    money = estimate(_finding("churn_rise", "churn_rate", 10, "customers"), ECONOMICS, "zh")
    assert "位客户" in money.assumptions and "个月" in money.assumptions


def test_economics_from_the_scorecard_and_customers():
    card = pd.DataFrame({"kpi": ["cost_per_contact"], "value": [4.5]})
    customers = pd.DataFrame({"monthly_spend": [100.0, 200.0, None]})
    economics = Economics.of(card, customers, Parameters(agent_hour_cost=40.0, value_horizon_months=6))
    assert economics == Economics(4.5, 150.0, 40.0, 6)
    assert Economics.of(card, None, Parameters()).monthly_spend is None


def test_recommendations_are_ordered_by_value_within_a_severity():
    rule = RecommendationRule(
        kind="deterioration", owner={"en": "o", "zh": "o"}, action={"en": "a", "zh": "a"}, expected={"en": "", "zh": ""}
    )
    churn_rule = RecommendationRule(
        kind="churn_rise", owner={"en": "o", "zh": "o"}, action={"en": "c", "zh": "c"}, expected={"en": "", "zh": ""}
    )
    small = _finding(impact=50)  # 50 × 5 × 12 = 3,000
    large = _finding("churn_rise", "churn_rate", 5, "customers")  # 5 × 100 × 12 = 6,000
    unpriced = _finding(metric="csat_mean", impact=900, evidence={"n": 900, "unit": "score"})
    high = _finding(impact=1, severity="high")
    recs = recommend([small, unpriced, large, high], "en", [rule, churn_rule], ECONOMICS)
    assert [r.finding for r in recs] == [high, large, small, unpriced]
    assert recs[1].to_json()["value_at_stake"] == pytest.approx(6000)
    assert recs[3].to_json()["value_at_stake"] is None and "not priced" in recs[3].to_json()["assumptions"]
    # without economics: severity, then impact, as before
    assert [r.finding for r in recommend([small, unpriced, large, high], "en", [rule, churn_rule])] == [
        high,
        unpriced,
        small,
        large,
    ]


def test_assumptions_round_money_and_counts_for_a_sentence():
    """112.2 lost customers at 196.07 a month → "about 112 customers × CN¥196 monthly spend"; 63.2 contacts a
    month at 5.41 → "about 63 contacts a month × CN¥5.41 per contact" (cents kept below 100); the value at
    stake keeps full precision (112.2 × 196.07 × 12 = 263,988.65)."""
    economics = Economics(cost_per_contact=5.41, monthly_spend=196.07, agent_hour_cost=32.0, horizon_months=12)
    lost = estimate(_finding("churn_rise", "churn_rate", 112.2, "customers"), economics)
    assert lost.value_at_stake == pytest.approx(112.2 * 196.07 * 12)
    assert lost.assumptions == "about 112 customers × CN¥196 monthly spend × 12 months"
    contacts = estimate(_finding(impact=63.2), economics)
    assert contacts.assumptions == "about 63 contacts a month × CN¥5.41 per contact × 12 months"
    zh = estimate(_finding(impact=63.2), economics, "zh")
    assert zh.assumptions == "每月约 63 次联络 × 每次联络成本 ¥5.41 × 12 个月"
    zh_lost = estimate(_finding("churn_rise", "churn_rate", 112.2, "customers"), economics, "zh")
    assert zh_lost.assumptions == "约 112 位客户 × 月消费 ¥196 × 12 个月"


def test_action_cost_is_a_separate_clause_in_chinese():
    """Value and action cost are two clauses: "; " in English, "；" in Chinese."""
    f = _finding("staffing_gap", "coverage", 100, evidence={"hours_short": 10.0, "n": 100})
    en, zh = estimate(f, ECONOMICS), estimate(f, ECONOMICS, "zh")
    assert "; action: 10 agent hours a month × CN¥32.00 × 12 months" in en.assumptions
    assert "；行动成本：每月 10 坐席小时 × ¥32.00 × 12 个月" in zh.assumptions
