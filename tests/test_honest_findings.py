"""Findings you can act on: a missed target carries the test of the value against the target (never the
previous month's p-value), and a group below the minimum sample is never a headline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csreport.findings.detect import category_spikes, kpi_signals
from csreport.findings.narrative import finding_sentence
from csreport.findings.news import decide
from csreport.findings.rules import Rules
from csreport.metrics.comparisons import against_target
from csreport.metrics.measure import Measure, mean, quantile, rate
from csreport.report.chapters.service_quality import longest_wait_cell


def test_rate_against_target_is_a_one_sided_binomial_test():
    # 70 of 100 against a target of 80% (higher is better): P(X ≤ 70 | n 100, p 0.8) = 0.01125
    p, test = against_target(rate("fcr_rate", 70, 100), 0.8, "higher")
    assert p == pytest.approx(0.011249, abs=1e-6)
    assert test == "one-sided binomial test against the target"
    # 79 of 100: below the target, but within chance, P(X ≤ 79) = 0.44
    assert against_target(rate("fcr_rate", 79, 100), 0.8, "higher")[0] > 0.4


def test_mean_against_target_is_a_one_sample_t_test():
    # mean 450 s, s = 100 s, n = 100 against 420 s (lower is better): t = 30 / (100 / 10) = 3.0, df 99, p = 0.00171
    values = np.r_[np.full(50, 350.0), np.full(50, 550.0)] * 1.0
    values = (values - values.mean()) / values.std(ddof=1) * 100 + 450
    p, test = against_target(mean("aht_s", values, "s"), 420, "lower")
    assert p == pytest.approx(0.0017078, abs=1e-6)
    assert test == "one-sample t-test against the target"


def test_median_against_target_is_a_sign_test():
    # values 1 … 100 s, median 50.5 s, against 40 s (lower is better): 40 values ≤ 40, P(X ≤ 40 | 100, ½) = 0.0284
    p, test = against_target(quantile("resolution_median_s", np.arange(1.0, 101.0), 0.5, "s"), 40, "lower")
    assert p == pytest.approx(0.028444, abs=1e-6)
    assert test == "sign test of the quantile against the target"


def test_count_has_no_test_against_a_target():
    assert against_target(Measure("contacts", 10.0, 10, "count", kind="count"), 5, "lower") == (None, "")


def kpi_findings(card: pd.DataFrame, period: str, unit: str, rules: Rules, last_data_month: bool):
    """The KPI rule's findings of a one-row scorecard without history (only the missed-target rule can fire)."""
    periods = [str(pd.Period(period, "M") - 1), period]
    return decide(kpi_signals(card, {}, periods, unit, rules, last_data_month), rules).findings


def _row(**values) -> pd.DataFrame:
    # met the month before (0.81 ≥ 0.8), missed now: a target missed this month
    base = {"kpi": "fcr_rate", "unit": "ratio", "n": 100, "small_sample": False, "test": "two-proportion z-test",
            "target": 0.8, "direction": "higher", "status": "missed", "value": 0.79, "previous": 0.81,
            "partial": False, "previous_partial": False, "same_age": False,
            "change_vs_previous": 0.005, "significant_vs_previous": True, "p_vs_previous": 1e-9,
            "p_vs_target": 0.44, "test_vs_target": "one-sided binomial test against the target"}  # fmt: skip
    return pd.DataFrame([{**base, **values}])


def test_target_missed_carries_its_own_test_not_the_previous_months():
    [finding] = kpi_findings(_row(), "2026-10", "east", Rules(), last_data_month=False)
    assert finding.kind == "target_missed"
    assert finding.p_value == 0.44 and not finding.significant  # not the 1e-9 of the month-over-month test
    assert finding.evidence["test"] == "one-sided binomial test against the target"
    assert finding.evidence["baseline_label"] == "target"
    assert "within what chance can explain (p = 0.440, n = 100)" in finding_sentence(finding, "en")
    [tested] = kpi_findings(_row(p_vs_target=0.0112), "2026-10", "east", Rules(), last_data_month=False)
    assert tested.significant and "差距显著（p = 0.011，n = 100）" in finding_sentence(tested, "zh")


def test_target_missed_without_a_test_claims_none():
    [finding] = kpi_findings(_row(p_vs_target=None, test_vs_target=""), "2026-10", "east", Rules(), False)
    assert finding.p_value is None and not finding.significant and finding.evidence["test"] == ""


def test_a_two_contact_hour_cell_is_never_the_headline():
    # Friday 11:00: 2 contacts waiting 900 s; Monday 09:00: 30 contacts waiting 60 s; Tuesday 10:00: 29 at 300 s
    frame = pd.DataFrame(
        {
            "weekday": [4] * 2 + [0] * 30 + [1] * 29,
            "hour": [11] * 2 + [9] * 30 + [10] * 29,
            "wait": [900.0] * 2 + [60.0] * 30 + [300.0] * 29,
        }
    )
    assert longest_wait_cell(frame, 30) == (0, 9, 60.0, 30)
    assert longest_wait_cell(frame, 29) == (1, 10, 300.0, 29)
    assert longest_wait_cell(frame.iloc[:2], 30) is None


def test_complaint_spike_in_a_month_cut_off_on_its_10th_expects_10_days():
    # one complaint a day in April–September (183 days, 183 complaints); October has data to the 10th only and
    # 20 complaints: expected 183 / 183 × 10 = 10, ratio 2.0; σz floored at 1 (steady history), so the exact tail
    # is P(X ≥ 20 | Poisson 10) = 0.00345
    months = {"2026-04": 30, "2026-05": 31, "2026-06": 30, "2026-07": 31, "2026-08": 31, "2026-09": 30}
    counts = pd.DataFrame(
        [{"period": m, "category": "delivery", "count": d} for m, d in months.items()]
        + [{"period": "2026-10", "category": "delivery", "count": 20}]
    )
    periods = [*months, "2026-10"]
    [spike] = category_spikes(counts, periods, "east", Rules(), days={**months, "2026-10": 10})
    f = spike.finding
    assert f.baseline == pytest.approx(10.0) and f.evidence["ratio"] == pytest.approx(2.0)
    assert f.evidence["p_level"] == pytest.approx(0.003454, abs=1e-6)
    assert f.evidence["baseline_label"] == "usual level per day with data"
    # as whole months the expectation would be 183 / 6 = 30.5 and 20 complaints no spike at all
    assert [s for s in category_spikes(counts, periods, "east", Rules()) if s.finding.value > s.finding.baseline] == []
