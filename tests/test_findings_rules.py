"""Detection rules on tiny hand-made inputs; expected numbers worked out beside each assertion."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from csreport.errors import ParameterError
from csreport.findings.detect import (
    category_spikes,
    channel_shifts,
    churn_rises,
    kpi_findings,
    segment_churn,
    staffing_gaps,
    training_gaps,
)
from csreport.findings.record import Finding, ordered
from csreport.findings.rules import Rules, load_rules

RULES = Rules()
MONTHS = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]  # the six months before 2026-10


def _card(**rows) -> pd.DataFrame:
    base = {
        "unit": "ratio", "n": 1000, "small_sample": False, "test": "two-proportion z", "target": 0.8,
        "status": "met", "direction": "higher", "significant_vs_previous": False, "p_vs_previous": None,
    }  # fmt: skip
    return pd.DataFrame([{**base, "kpi": kpi, **values} for kpi, values in rows.items()])


def test_kpi_deterioration_with_missed_target_is_high():
    card = _card(
        service_level={"value": 0.70, "previous": 0.85, "change_vs_previous": -0.15, "p_vs_previous": 1e-5,
                       "significant_vs_previous": True, "status": "missed"},
    )  # fmt: skip
    [f] = kpi_findings(card, "2026-10", "east", RULES, last_data_month=False)
    assert f.kind == "deterioration" and f.severity == "high"
    assert f.relative_change == pytest.approx(-0.15 / 0.85)  # −17.6 % ≥ 10 %, p 1e-5 < 0.01, target missed
    assert f.impact == pytest.approx(150)  # |−0.15| × n 1000 contacts


def test_kpi_rules_small_changes_improvements_targets_and_maturing():
    card = _card(
        # −2.4 % relative: below min_relative_change 5 % → no finding even though significant
        csat_mean={"value": 4.0, "previous": 4.1, "change_vs_previous": -0.1, "p_vs_previous": 1e-4,
                   "significant_vs_previous": True, "unit": "score", "target": 4.2, "status": "at risk"},
        # +20 % in the good direction, p 0.02 < 0.05 → medium improvement
        fcr_rate={"value": 0.6, "previous": 0.5, "change_vs_previous": 0.1, "p_vs_previous": 0.02,
                  "significant_vs_previous": True, "status": "missed"},
        # no significant change but missed → target_missed, low
        nps={"value": 20.0, "previous": 21.0, "change_vs_previous": -1.0, "p_vs_previous": 0.6,
             "unit": "points", "target": 40, "status": "missed"},
        # maturing KPI in the data's last month: capped at low, with a note
        resolution_rate={"value": 0.7, "previous": 0.9, "change_vs_previous": -0.2, "p_vs_previous": 1e-9,
                         "significant_vs_previous": True, "status": "missed"},
        contacts={"value": 900.0, "previous": 1200.0, "change_vs_previous": -300.0, "p_vs_previous": 1e-9,
                  "significant_vs_previous": True, "direction": None, "unit": "count"},
    )  # fmt: skip
    found = {f.metric: f for f in kpi_findings(card, "2026-10", "east", RULES, last_data_month=True)}
    assert set(found) == {"fcr_rate", "nps", "resolution_rate"}
    assert (found["fcr_rate"].kind, found["fcr_rate"].severity) == ("improvement", "medium")
    assert (found["nps"].kind, found["nps"].severity, found["nps"].change) == ("target_missed", "low", -20.0)
    assert found["resolution_rate"].severity == "low" and found["resolution_rate"].note


def _counts(history: dict[str, int], now: int, category: str = "delivery") -> pd.DataFrame:
    rows = [{"period": m, "category": category, "count": history.get(m, 0)} for m in MONTHS]
    return pd.DataFrame([*rows, {"period": "2026-10", "category": category, "count": now}])


def test_category_spike_against_own_history():
    counts = pd.concat(
        [
            _counts({m: 10 for m in MONTHS}, 30),  # mean 10, 30 now: ratio 3, P(X ≥ 30 | 10) = 2.5e-7 → high
            _counts({m: 6 for m in MONTHS}, 12, "billing"),  # ratio 2, P(X ≥ 12 | 6) = 0.020 → medium
            _counts({m: 10 for m in MONTHS}, 14, "returns"),  # ratio 1.4 < 1.5 → none
        ]
    )
    found = {f.category: f for f in category_spikes(counts, "2026-10", "east", RULES)}
    assert set(found) == {"delivery", "billing"}
    assert found["delivery"].severity == "high" and found["delivery"].impact == pytest.approx(20)  # 30 − 10
    assert found["delivery"].p_value == pytest.approx(2.51e-7, rel=1e-2)
    assert found["billing"].severity == "medium" and found["billing"].p_value == pytest.approx(0.0201, rel=1e-2)


def test_category_spike_needs_history():
    counts = pd.DataFrame(
        [("2026-09", "delivery", 1), ("2026-10", "delivery", 30)], columns=["period", "category", "count"]
    )
    assert category_spikes(counts, "2026-10", "east", RULES) == []  # one month of history < 3


def test_channel_shift_two_proportion_test():
    counts = pd.DataFrame(
        [("2026-09", "phone", 50), ("2026-09", "chat", 50), ("2026-10", "phone", 30), ("2026-10", "chat", 70)],
        columns=["period", "channel", "count"],
    )
    [f] = channel_shifts(counts, "2026-10", "south", RULES)
    # phone 50 % → 30 %: pooled 0.4, se = √(0.4·0.6·(1/100 + 1/100)) = 0.0693, z = 2.887, p = 0.0039
    assert (f.evidence["from"], f.evidence["to"]) == ("phone", "chat")
    assert f.p_value == pytest.approx(0.00389, rel=1e-2) and f.severity == "high"
    assert f.impact == pytest.approx(20)  # 0.20 × 100 contacts moved


def test_staffing_gap_from_coverage_drop():
    coverage = pd.DataFrame(
        {
            "period": [*MONTHS, "2026-10"],
            "available_hours": [300.0] * 6 + [150.0],
            "workload_hours": [100.0] * 7,
            "agents": [10] * 7,
        }
    )
    [f] = staffing_gaps(coverage, "2026-10", "west", 0.6, RULES, contacts=1000)
    # coverage 3.0 → 1.5: drop 50 % ≥ 30 % → high; short 3.0 × 100 − 150 = 150 h = 5 agents of 30 h
    assert f.severity == "high" and f.relative_change == pytest.approx(-0.5)
    assert f.evidence["hours_short"] == pytest.approx(150) and f.evidence["fte_short"] == pytest.approx(5)
    assert f.impact == pytest.approx(500)  # 1000 contacts × 0.5
    steady = coverage.assign(available_hours=[300.0] * 6 + [270.0])  # 10 % lower: no finding
    assert staffing_gaps(steady, "2026-10", "west", 0.8, RULES) == []


def test_training_gap_from_training_needs_table():
    needs = pd.DataFrame(
        [
            ("south", "south-2", "technical", 0.45, 0.75, -0.30, 400, 1e-20, True),
            ("south", "south-1", "billing", 0.70, 0.75, -0.05, 400, 0.04, True),  # 5 points: below 10
        ],
        columns=["business_unit", "team", "category", "team_rate", "rest_rate", "gap", "n", "p_value",
                 "significant_shortfall"],
    )  # fmt: skip
    [f] = training_gaps(needs, "2026-10", "south", RULES)
    assert (f.team, f.category, f.severity) == ("south-2", "technical", "high")
    assert f.impact == pytest.approx(120)  # 0.30 × 400 first-contact resolutions lost


def test_churn_rise_by_segment():
    rows = [(m, s, 1000, 10) for m in MONTHS for s in ("basic", "plus")]
    rows += [("2026-10", "basic", 1000, 40), ("2026-10", "plus", 1000, 15)]
    churn = pd.DataFrame(rows, columns=["period", "segment", "active", "churned"])
    [f] = churn_rises(churn, "2026-10", "all", RULES)
    # basic: base 60/6000 = 1 %, now 4 %: ratio 4, P(X ≥ 40 | 10) = 7e-13 → high; plus: P(X ≥ 15 | 10) = 0.083
    assert (f.segment, f.severity) == ("basic", "high")
    assert f.value == pytest.approx(0.04) and f.baseline == pytest.approx(0.01) and f.impact == pytest.approx(30)


def test_segment_churn_counts_active_at_start():
    customers = pd.DataFrame(
        {
            "segment": ["basic", "basic", "basic", "plus"],
            "signup_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2026-10-05", None]),
            "churn_date": pd.to_datetime([None, "2026-10-20", None, "2026-09-30"]),
        }
    )
    out = segment_churn(customers, ["2026-10"]).set_index("segment")
    # basic: 2 active at 1 Oct (the 5 Oct signup is not), 1 churned; plus: churned in September → not active
    assert out.loc["basic", ["active", "churned"]].tolist() == [2, 1]
    assert out.loc["plus", ["active", "churned"]].tolist() == [0, 0]


def test_severity_order_and_json():
    def make(severity, impact):
        return Finding("deterioration", "east", "2026-10", "service_level", 0.7, 0.8, -0.1, -0.125, math.nan,
                       True, severity, impact, "contacts")  # fmt: skip

    ranked = ordered([make("medium", 900), make("high", 10), make("high", 50)])
    assert [(f.severity, f.impact) for f in ranked] == [("high", 50), ("high", 10), ("medium", 900)]
    assert ranked[0].to_json()["p_value"] is None  # NaN → null in findings.json
    with pytest.raises(ValueError):
        make("urgent", 1)


def test_rules_file_rejects_unknown_keys(tmp_path):
    path = tmp_path / "findings.yml"
    path.write_text("spike_ratio: 2.0\nspikey: 3\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="spikey"):
        load_rules(path)
    path.write_text("spike_ratio: 2.0\n", encoding="utf-8")
    assert load_rules(path, confidence=0.9).spike_ratio == 2.0
    assert load_rules(path, confidence=0.9).alpha == pytest.approx(0.1)


def test_project_rules_file_loads_with_documented_defaults():
    assert load_rules() == Rules()


def test_churn_from_a_zero_previous_month_is_a_deterioration_not_a_missed_target():
    # churn 14 % against 0 % the month before (n = 1,000; p < 1e-100): the change is infinite in relative terms
    card = _card(
        churn_rate={"value": 0.14, "previous": 0.0, "change_vs_previous": 0.14, "p_vs_previous": 1e-100,
                    "significant_vs_previous": True, "status": "missed", "direction": "lower", "target": 0.01},
    )  # fmt: skip
    [f] = kpi_findings(card, "2026-10", "all", RULES, last_data_month=False)
    assert (f.kind, f.severity) == ("deterioration", "high")
    assert f.relative_change == math.inf and f.to_json()["relative_change"] is None
    assert f.impact == pytest.approx(140)  # 14 points × 1,000 customers


def test_churn_rise_from_a_zero_baseline_is_a_rise():
    # 6 months of 1,000 active and 0 churned, then 140 of 1,000: Fisher exact (one-sided) instead of Poisson(0)
    rows = [(m, "basic", 1000, 0) for m in MONTHS] + [("2026-10", "basic", 1000, 140)]
    churn = pd.DataFrame(rows, columns=["period", "segment", "active", "churned"])
    [f] = churn_rises(churn, "2026-10", "all", RULES)
    assert (f.kind, f.severity, f.segment) == ("churn_rise", "high", "basic")
    assert f.value == 0.14 and f.baseline == 0.0 and f.relative_change is None
    assert f.p_value < 1e-100 and f.impact == 140
    # one churner of 1,000 after 6,000 without any is not significant (Fisher p = 1/7)
    rows[-1] = ("2026-10", "basic", 1000, 1)
    assert churn_rises(pd.DataFrame(rows, columns=churn.columns), "2026-10", "all", RULES) == []
