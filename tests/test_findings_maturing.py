"""Maturing KPIs in the data's last month (csreport/findings/detect.py ``_maturing_signal``, news.py ``decide``):
their same-age comparisons with the previous month are news tests of the report like the others, adjusted together
with Benjamini–Hochberg (q_(i) = min over j ≥ i of p_(j) · m / j), and kept only when they pass the same rule
(q < alpha 0.05 and a change of at least 5 %); a kept one is reported low with its "not final" note."""

from __future__ import annotations

import pandas as pd
import pytest

from csreport.findings.detect import kpi_signals
from csreport.findings.narrative import finding_sentence
from csreport.findings.news import decide
from csreport.findings.record import Finding
from csreport.findings.rules import Rules
from csreport.findings.signals import Signal

RULES = Rules()  # alpha 0.05, alpha_high 0.01, min_relative_change 0.05
PERIODS = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]


def _maturing_card(**rows) -> pd.DataFrame:
    """Scorecard rows of KPIs maturing in the data's last month, compared with September at the same age."""
    base = {
        "unit": "ratio", "n": 1000, "small_sample": False, "test": "two-proportion z-test", "target": 0.8,
        "status": "met", "direction": "higher", "partial": False, "previous_partial": False, "maturing": True,
        "same_age": True,
    }  # fmt: skip
    return pd.DataFrame([{**base, "kpi": kpi, **values} for kpi, values in rows.items()])


def _maturing_signals(card: pd.DataFrame) -> list[Signal]:
    return kpi_signals(card, {}, PERIODS, "north", RULES, last_data_month=True)


def _other_test(p: float) -> Signal:
    """Another rule's news test with raw p ``p`` and a size (100 %) well above both thresholds."""
    finding = Finding("deterioration", "north", "2026-10", "aht_s", 1.0, 0.5, 0.5, 1.0, p, False, "low", 10,
                      "contacts")  # fmt: skip
    return Signal(finding, p, 1.0, 0.05, 0.10)


# resolution rate 90 % → 85 % at the same age: −5 points, |−0.05| / 0.90 = 5.6 % ≥ 5 %, p 0.04 just under alpha
WEAK = {"value": 0.85, "previous": 0.90, "change_vs_previous": -0.05, "p_vs_previous": 0.04,
        "significant_vs_previous": True}  # fmt: skip
# first response median 1,200 s → 900 s at the same age: −25 %, p 0.0001
STRONG = {"value": 900.0, "previous": 1200.0, "change_vs_previous": -300.0, "p_vs_previous": 1e-4, "unit": "s",
          "target": 3600, "direction": "lower", "significant_vs_previous": True, "test": "z-test"}  # fmt: skip
# resolution median 1,000 s → 1,100 s: +10 %, p 0.60, not significant alone (still one of the family's tests)
CHANCE = {"value": 1100.0, "previous": 1000.0, "change_vs_previous": 100.0, "p_vs_previous": 0.60, "unit": "s",
          "target": 7200, "direction": "lower", "significant_vs_previous": False, "test": "z-test"}  # fmt: skip


def test_a_maturing_change_just_under_alpha_is_kept_alone_with_its_q():
    # the only test of its report: m = 1, q = p = 0.04 < 0.05 and 5.6 % ≥ 5 % → kept, low, with its note
    found = decide(_maturing_signals(_maturing_card(resolution_rate=WEAK)), RULES)
    [f] = found.findings
    assert (f.kind, f.metric, f.severity) == ("deterioration", "resolution_rate", "low")
    assert f.p_value == 0.04 and f.q_value == pytest.approx(0.04) and f.significant
    assert f.note.startswith("maturing") and f.evidence["baseline_label"] == "previous month at the same age"
    assert found.tests == 1 and found.threshold == 0.04
    assert "the change is significant (q = 0.040, n = 1,000)" in finding_sentence(f, "en")
    # the same p with a change below 5 % (0.90 → 0.88: 2.2 %) fails the size rule, as any other test would
    small = {**WEAK, "value": 0.88, "change_vs_previous": -0.02}
    assert decide(_maturing_signals(_maturing_card(resolution_rate=small)), RULES).findings == []


def test_maturing_changes_are_adjusted_with_the_reports_other_tests():
    # six tests: three maturing (p 0.0001, 0.04, 0.60) and three of other rules (p 0.003, 0.30, 0.90).
    # Sorted p with m / j: 0.0001 × 6/1 = 0.0006, 0.003 × 6/2 = 0.009, 0.04 × 6/3 = 0.08, 0.30 × 6/4 = 0.45,
    # 0.60 × 6/5 = 0.72, 0.90 × 6/6 = 0.90; each already at most every later one, so these are the q-values.
    maturing = _maturing_signals(
        _maturing_card(first_response_median_s=STRONG, resolution_rate=WEAK, resolution_median_s=CHANCE)
    )
    assert len(maturing) == 3  # the non-significant one is a test of the family too
    found = decide([*maturing, _other_test(0.003), _other_test(0.30), _other_test(0.90)], RULES)
    assert found.tests == 6
    by_metric = {f.metric: f for f in found.findings}
    assert set(by_metric) == {"first_response_median_s", "aht_s"}  # p 0.04 → q 0.08 ≥ 0.05: dropped
    strong = by_metric["first_response_median_s"]
    assert strong.q_value == pytest.approx(0.0006) and strong.p_value == 1e-4
    # q < alpha_high and −25 % ≥ 10 % would grade it high; maturing, it is reported low with its note
    assert (strong.kind, strong.severity, strong.significant) == ("improvement", "low", True)
    assert strong.note.startswith("maturing")
    assert by_metric["aht_s"].q_value == pytest.approx(0.009)
    assert found.standing == []
    assert found.threshold == 0.003  # the largest raw p with q < 0.05
    assert "the change is significant (q < 0.001, n = 1,000)" in finding_sentence(strong, "en")
