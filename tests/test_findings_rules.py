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
    kpi_signals,
    segment_churn,
    staffing_gaps,
    training_gaps,
)
from csreport.findings.news import decide
from csreport.findings.record import Finding, ordered
from csreport.findings.rules import Rules, load_rules
from csreport.metrics.measure import Measure, rate

RULES = Rules()
MONTHS = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]  # the six months before 2026-10
PERIODS = [*MONTHS, "2026-10"]


def _card(**rows) -> pd.DataFrame:
    base = {
        "unit": "ratio", "n": 1000, "small_sample": False, "test": "two-proportion z", "target": 0.8,
        "status": "met", "direction": "higher", "significant_vs_previous": False, "p_vs_previous": None,
        "partial": False, "previous_partial": False, "maturing": False, "same_age": False,
    }  # fmt: skip
    return pd.DataFrame([{**base, "kpi": kpi, **values} for kpi, values in rows.items()])


def _rates(name: str, successes: list[int], n: int = 1000) -> list[Measure]:
    return [rate(name, x, n) for x in successes]


def _graded(signals, rules=RULES):
    return decide(signals, rules)


def test_kpi_deterioration_beyond_its_own_variation_with_missed_target_is_high():
    # service level 800, 810, 790, 805, 795, 800 of 1,000, then 700: p̄ 0.8, se = √(0.16 / 1,000) = 0.012649;
    # z = 0, 0.79057, −0.79057, 0.39528, −0.39528, 0: mean moving range 0.94868 / 1.128 = 0.841 → σz floored at 1;
    # level z = −0.1 / 0.012649 = −7.906 → p = 2 · t.sf(7.906, 4) = 0.00138 (the month before was usual, so the
    # level test alone decides); one test in the report: q = p < alpha_high 0.01, −12.5 % ≥ 10 % and the target
    # missed → high
    history = {"service_level": _rates("service_level", [800, 810, 790, 805, 795, 800, 700])}
    card = _card(service_level={"value": 0.70, "previous": 0.80, "status": "missed"})
    signals = kpi_signals(card, history, PERIODS, "east", RULES, last_data_month=False)
    # the target, met the month before, is missed: a low target_missed beside the deterioration
    [f, missed] = _graded(signals).findings
    assert missed.kind == "target_missed" and missed.severity == "low"
    assert f.kind == "deterioration" and f.severity == "high"
    assert f.baseline == pytest.approx(0.8) and f.p_value == pytest.approx(0.00138, abs=5e-5)
    assert f.impact == pytest.approx(100)  # |−0.1| × n 1,000 contacts
    assert f.evidence["limits"] == pytest.approx([0.8 - 3 * 0.012649, 0.8 + 3 * 0.012649], abs=1e-5)


def test_kpi_within_its_usual_variation_is_no_finding():
    # the same 700 after months that swung between 650 and 850: σz ≈ 8.9, the fall is inside the usual range
    history = {"service_level": _rates("service_level", [650, 850, 700, 840, 660, 800, 700])}
    card = _card(service_level={"value": 0.70, "previous": 0.80, "status": "missed"})
    found = _graded(kpi_signals(card, history, PERIODS, "east", RULES, last_data_month=False))
    assert [f for f in found.findings if f.kind == "deterioration"] == []


def test_a_level_that_moved_last_month_and_stayed_is_standing_not_news():
    # 800 ± 10 of 1,000 for eleven months, then 700 last month and 700 again now: an unusual level (the month
    # before was unusual against its own eleven months too), no unusual move → standing since September
    periods = [str(pd.Period("2026-10", "M") - k) for k in range(12, -1, -1)]
    history = {"service_level": _rates("service_level", [800, 810, 790, 805, 795, 800, 810, 790, 805, 795, 800,
                                                          700, 700])}  # fmt: skip
    card = _card(service_level={"value": 0.70, "previous": 0.70, "status": "missed"})
    found = _graded(kpi_signals(card, history, periods, "east", RULES, last_data_month=False))
    assert [f for f in found.findings if f.kind == "deterioration"] == []
    [standing] = found.standing
    assert standing.first_seen == "2026-09" and standing.kind == "deterioration"
    assert [v for _, v in standing.trend] == pytest.approx([0.70, 0.70])


def test_kpi_rules_improvements_targets_and_maturing():
    history = {
        "fcr_rate": _rates("fcr_rate", [500, 505, 495, 500, 502, 498, 600]),  # +10 points beyond its variation
        "nps": [None] * 7,
        "resolution_rate": _rates("resolution_rate", [900] * 6 + [700]),
    }
    card = _card(
        fcr_rate={"value": 0.6, "previous": 0.498, "status": "missed"},
        # missed this month and met the month before → target_missed, low
        nps={"value": 20.0, "previous": 45.0, "unit": "points", "target": 40, "status": "missed"},
        # maturing KPI in the data's last month (the scorecard's maturing column): the same-age comparison, low,
        # with a note
        resolution_rate={"value": 0.7, "previous": 0.9, "change_vs_previous": -0.2, "p_vs_previous": 1e-9,
                         "significant_vs_previous": True, "status": "missed", "maturing": True},
        contacts={"value": 900.0, "previous": 1200.0, "direction": None, "unit": "count"},
    )  # fmt: skip
    found = {f.metric: f for f in _graded(kpi_signals(card, history, PERIODS, "east", RULES, True)).findings}
    assert set(found) == {"fcr_rate", "nps", "resolution_rate"}
    assert (found["fcr_rate"].kind, found["fcr_rate"].severity) == ("improvement", "medium")  # never high
    assert (found["nps"].kind, found["nps"].severity, found["nps"].change) == ("target_missed", "low", -20.0)
    assert found["resolution_rate"].severity == "low" and found["resolution_rate"].note
    # the same-age test is one of the report's two tests and the smaller p: q = 1e-9 × 2 / 1
    assert found["resolution_rate"].q_value == pytest.approx(2e-9)
    still = _card(nps={"value": 20.0, "previous": 21.0, "unit": "points", "target": 40, "status": "missed"})
    assert _graded(kpi_signals(still, {"nps": [None] * 7}, PERIODS, "east", RULES, False)).findings == []


def _counts(history: dict[str, int], now: int, category: str = "delivery") -> pd.DataFrame:
    rows = [{"period": m, "category": category, "count": history.get(m, 0)} for m in MONTHS]
    return pd.DataFrame([*rows, {"period": "2026-10", "category": category, "count": now}])


def test_category_spike_against_own_history():
    counts = pd.concat(
        [
            # 10, 12, 8, 11, 9, 10 then 30: σz floored at 1, exact Poisson P(X ≥ 30 | 10) = 2.5e-7 (the month
            # before was usual: the level test decides)
            _counts(dict(zip(MONTHS, [10, 12, 8, 11, 9, 10], strict=True)), 30),
            # overdispersed history (10, 20, 5, 18, 7, 12) then 30: NB tail p = 0.057 → no spike
            _counts(dict(zip(MONTHS, [10, 20, 5, 18, 7, 12], strict=True)), 30, "billing"),
            _counts(dict(zip(MONTHS, [10, 12, 8, 11, 9, 10], strict=True)), 14, "returns"),  # ratio 1.4
        ]
    )
    signals = category_spikes(counts, PERIODS, "east", RULES)
    graded = {f.category: f for f in _graded(signals).findings}
    assert set(graded) == {"delivery"}
    spike = graded["delivery"]
    # three tests: delivery 2.5e-7, billing 0.057, returns 0.14; q(delivery) = 2.5e-7 × 3 = 7.5e-7; ratio 3 ≥ 2
    # → high
    assert spike.p_value == pytest.approx(2.51e-7, rel=1e-2) and spike.q_value == pytest.approx(7.53e-7, rel=1e-2)
    assert spike.severity == "high" and spike.impact == pytest.approx(20)  # 30 − 10


def test_category_spike_needs_history():
    counts = pd.DataFrame(
        [("2026-09", "delivery", 1), ("2026-10", "delivery", 30)], columns=["period", "category", "count"]
    )
    assert category_spikes(counts, PERIODS, "east", RULES) == []  # one month of history < 6


def test_channel_shift_against_each_channels_own_share():
    # phone 500 of 1,000 for six months (± 10), then 300: its share fell 20 points, far beyond its variation
    shares = [500, 510, 490, 505, 495, 500]
    rows = [(m, "phone", x) for m, x in zip(MONTHS, shares, strict=True)]
    rows += [(m, "chat", 1000 - x) for m, x in zip(MONTHS, shares, strict=True)]
    rows += [("2026-10", "phone", 300), ("2026-10", "chat", 700)]
    counts = pd.DataFrame(rows, columns=["period", "channel", "count"])
    [signal] = channel_shifts(counts, PERIODS, "south", RULES)
    f = signal.finding
    assert (f.evidence["from"], f.evidence["to"]) == ("phone", "chat")
    assert f.baseline == pytest.approx(0.5) and f.value == pytest.approx(0.3)
    assert f.impact == pytest.approx(200)  # 0.20 × 1,000 contacts moved
    # se = √(0.25 / 1,000) = 0.015811; the baseline's moving ranges give σz 0.67 → floored at 1;
    # level z = −0.2 / 0.015811 = −12.649 → p = 2 · t.sf(12.649, 4) = 0.000225 < 0.01, and 20 points ≥ 10 → high
    assert signal.p == pytest.approx(0.000225, abs=1e-6)
    assert _graded([signal]).findings[0].severity == "high"


def test_staffing_gap_from_coverage_drop():
    coverage = pd.DataFrame(
        {
            "period": PERIODS,
            "available_hours": [300.0, 310.0, 290.0, 300.0, 305.0, 295.0, 150.0],
            "workload_hours": [100.0] * 7,
            "agents": [10] * 7,
        }
    )
    [signal] = staffing_gaps(coverage, PERIODS, "west", 0.6, RULES, contacts=1000)
    f = signal.finding
    # coverage 3.0 (median) → 1.5: drop 50 %; short 3.0 × 100 − 150 = 150 h = 5 agents of 30 h
    assert f.relative_change == pytest.approx(-0.5) and signal.size == pytest.approx(0.5)
    assert f.evidence["hours_short"] == pytest.approx(150) and f.evidence["fte_short"] == pytest.approx(5)
    assert f.impact == pytest.approx(500)  # 1,000 contacts × 0.5
    assert _graded([signal]).findings[0].severity in ("high", "medium")
    steady = coverage.assign(available_hours=[300.0, 310.0, 290.0, 300.0, 305.0, 295.0, 270.0])  # 10 % lower
    assert _graded(staffing_gaps(steady, PERIODS, "west", 0.8, RULES)).findings == []


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
    rows = [(m, s, 1000, x) for m, x in zip(MONTHS, [10, 12, 8, 11, 9, 10], strict=True) for s in ("basic", "plus")]
    rows += [("2026-10", "basic", 1000, 40), ("2026-10", "plus", 1000, 15)]
    churn = pd.DataFrame(rows, columns=["period", "segment", "active", "churned"])
    found = _graded(churn_rises(churn, PERIODS, "all", RULES)).findings
    # basic: usual 10 of 1,000 (1 %), now 40: Poisson tail 7e-13, change z = 30/√10/√2 = 6.71 → p = 0.0034;
    # plus: 15, change p = 0.16 → no finding
    [f] = found
    assert (f.segment, f.kind) == ("basic", "churn_rise")
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


def test_churn_rise_from_a_zero_baseline_is_a_rise():
    # 6 months of 1,000 active and 0 churned, then 140 of 1,000: half a churner spread over the history gives an
    # expectation of 0.083; the exact tail is tiny, the change far beyond the (floored) variation
    rows = [(m, "basic", 1000, 0) for m in MONTHS] + [("2026-10", "basic", 1000, 140)]
    churn = pd.DataFrame(rows, columns=["period", "segment", "active", "churned"])
    [f] = _graded(churn_rises(churn, PERIODS, "all", RULES)).findings
    assert (f.kind, f.segment) == ("churn_rise", "basic")
    assert f.value == 0.14 and f.p_value < 1e-3
    # one churner of 1,000 after 6,000 without any is not news
    rows[-1] = ("2026-10", "basic", 1000, 1)
    assert _graded(churn_rises(pd.DataFrame(rows, columns=churn.columns), PERIODS, "all", RULES)).findings == []


def test_many_tests_raise_the_bar_benjamini_hochberg():
    # one test at p = 0.004 alone is news (q 0.004 → high size → high); among 26 others at p 0.5 its q is
    # 0.004 × 27 = 0.108 → not news
    from csreport.findings.signals import Signal

    def signal(p):
        finding = Finding("deterioration", "east", "2026-10", "aht_s", 1.0, 0.5, 0.5, 1.0, p, False, "low", 10,
                          "contacts")  # fmt: skip
        return Signal(finding, p, 1.0, 0.05, 0.10)

    assert _graded([signal(0.004)]).findings[0].severity == "high"
    crowd = _graded([signal(0.004)] + [signal(0.5)] * 26)
    assert crowd.findings == [] and crowd.tests == 27


def test_a_calendar_driven_business_hour_change_is_low_with_its_note():
    # the business-hour resolution median fell from 289 s (±10) to 105 s in a month with public holidays, but on
    # working days alone the change is not significant: the scorecard marks it calendar-driven
    from csreport.findings.narrative import finding_sentence

    values = [289.0, 299.0, 279.0, 294.0, 284.0, 289.0, 105.0]
    history = {
        "resolution_business_median_s": [
            Measure("resolution_business_median_s", v, 1000, "s", v - 10, v + 10, kind="quantile") for v in values
        ]
    }
    card = _card(resolution_business_median_s={"value": 105.0, "previous": 289.0, "unit": "s", "direction": "lower",
                                                "target": 3600, "calendar_driven": True})  # fmt: skip
    [f] = _graded(kpi_signals(card, history, PERIODS, "east", RULES, last_data_month=False)).findings
    assert (f.kind, f.severity) == ("improvement", "low") and f.note.startswith("calendar-driven")
    assert "on working days alone it is not significant" in finding_sentence(f, "en")


def test_a_trailing_window_kpi_is_shown_not_alarmed():
    history = {"attrition_annualised": _rates("attrition_annualised", [200, 210, 190, 205, 195, 200, 400])}
    card = _card(attrition_annualised={"value": 0.4, "previous": 0.2, "direction": "lower", "target": 0.25,
                                       "status": "missed"})  # fmt: skip
    found = _graded(kpi_signals(card, history, PERIODS, "east", RULES, last_data_month=False))
    assert [f.kind for f in found.findings] == ["target_missed"]  # newly missed, low; no deterioration alarm
