"""Calibrated alarms (csreport/findings/calibrate.py): Laney's charts and Benjamini–Hochberg on hand-worked
numbers, and a simulation showing the tests stay calibrated on overdispersed months."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from csreport.findings.calibrate import (
    benjamini_hochberg,
    count_test,
    estimate_test,
    individuals_test,
    negative_binomial_upper,
    proportion_test,
)


def test_laney_p_chart_by_hand():
    # six months of 1,000 contacts with 100, 110, 90, 105, 95, 100 successes, then 150:
    # p̄ = 600 / 6,000 = 0.1; se = √(0.1 · 0.9 / 1,000) = 0.0094868
    # z = 0, 1.05409, −1.05409, 0.52705, −0.52705, 0; moving ranges sum 6.32456 → mean 1.26491; σz = /1.128 = 1.12138
    # level: 0.05 / (0.0094868 · 1.12138) = 4.700; change: (5.27046 − 0) / (√2 · 1.12138) = 3.3234;
    # df = round(0.7 · 5) = 4 → p_level = 2 · t.sf(4.700, 4) = 0.009308, p_change = 2 · t.sf(3.3234, 4) = 0.02929
    test = proportion_test([100, 110, 90, 105, 95, 100, 150], [1000] * 7)
    assert test.centre == pytest.approx(0.1) and test.sigma == pytest.approx(1.12138, abs=1e-5)
    assert test.z_level == pytest.approx(4.700, abs=1e-3) and test.z_change == pytest.approx(3.3234, abs=1e-4)
    assert test.p_level == pytest.approx(0.009308, abs=1e-5) and test.p_change == pytest.approx(0.02929, abs=1e-5)
    assert test.p == test.p_change  # the conjunction: the larger p
    assert test.limits == pytest.approx((0.1 - 3 * 0.0094868 * 1.12138, 0.1 + 3 * 0.0094868 * 1.12138), abs=1e-6)


def test_steady_counts_keep_the_exact_poisson_tail():
    # 10, 12, 8, 11, 9, 10 in 30-day months, then 30: 1/3 a day, expected 10; the u-scores' moving ranges give
    # σz = 0.673 < 1 → floored at 1, so the exact tail is Poisson: P(X ≥ 30 | 10) = 2.51e-7
    test = count_test([10, 12, 8, 11, 9, 10, 30], [30] * 7)
    assert test.sigma == 1.0 and test.centre == pytest.approx(10.0)
    assert test.p_level == pytest.approx(2.51e-7, rel=1e-2)
    assert test.p_change == pytest.approx(stats.t.sf(20 / np.sqrt(10) / np.sqrt(2), 4), rel=1e-6)  # 0.00553


def test_an_overdispersed_history_absorbs_a_count_that_poisson_would_star():
    # 10, 20, 5, 18, 7, 12: mean 12 but the months vary far more than Poisson (σz = 2.764); 30 now is 2.5× the
    # mean. Poisson alone: P(X ≥ 30 | 12) = 1.1e-5. With the variance σz² × 12 = 91.7 (negative binomial):
    # P = 0.057, no alarm
    test = count_test([10, 20, 5, 18, 7, 12, 30], [30] * 7)
    assert test.sigma == pytest.approx(2.76391, abs=1e-4)
    assert stats.poisson.sf(29, 12) < 2e-5
    assert test.p_level == pytest.approx(0.0574, abs=1e-3) and test.p > 0.05
    assert test.limits[0] == 0.0  # a count's lower limit is never below zero


def test_a_month_cut_off_expects_its_days_only():
    # 1 complaint a day for six 30-day months; 20 in the first 10 days of the month: expected 10 (not 30)
    test = count_test([30] * 6 + [20], [30] * 6 + [10])
    assert test.centre == pytest.approx(10.0) and test.value == 20.0
    assert test.p_level == pytest.approx(stats.poisson.sf(19, 10), rel=1e-6)  # 0.00345


def test_negative_binomial_tail_is_poisson_without_overdispersion():
    assert negative_binomial_upper(30, 10, 1.0) == pytest.approx(stats.poisson.sf(29, 10))
    assert negative_binomial_upper(30, 10, 3.0) > negative_binomial_upper(30, 10, 1.0)
    assert negative_binomial_upper(1, 0, 2.0) == 0.0 and negative_binomial_upper(0, 0, 2.0) == 1.0


def test_individuals_chart_of_a_measured_series():
    # −coverage: −3.0, −3.1, −2.9, −3.0, −3.05, −2.95 (median −3.0), moving ranges 0.1, 0.2, 0.1, 0.05, 0.1 →
    # mean 0.11, σ = 0.11 / 1.128 = 0.097518; now −1.5: z = 1.5 / 0.097518 = 15.382 (one-sided, df 4)
    test = individuals_test([-3.0, -3.1, -2.9, -3.0, -3.05, -2.95, -1.5], one_sided=True)
    assert test.sigma == pytest.approx(0.097518, abs=1e-6) and test.z_level == pytest.approx(15.382, abs=1e-3)
    assert test.p_level == pytest.approx(stats.t.sf(15.382, 4), rel=1e-3)
    assert individuals_test([1.0] * 7) is None  # a series that never moved has no variation to test against


@pytest.mark.parametrize(
    "values",
    [[None] * 6 + [1.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, None]],
)
def test_too_little_history_gives_no_test(values):
    assert estimate_test(values, [0.1] * len(values)) is None


def test_months_without_data_are_left_out_of_the_baseline():
    # two months outside the data (None) among eight: six remain, enough for a test
    test = proportion_test([None, None, 10, 11, 9, 10, 10, 11, 30], [None, None] + [100] * 7)
    assert test is not None and test.baseline_months == 6


def test_benjamini_hochberg_by_hand():
    # sorted 0.005, 0.01, 0.03, 0.04 × 4 / rank = 0.02, 0.02, 0.04, 0.04 (already monotone)
    assert benjamini_hochberg([0.01, 0.04, 0.03, 0.005]).tolist() == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert benjamini_hochberg([]).size == 0
    assert benjamini_hochberg([0.9, 0.95]).tolist() == pytest.approx([0.95, 0.95])


def test_null_months_rarely_alarm_even_when_overdispersed():
    # 2,000 simulated series of 13 months, counts with variance 2.5× their mean (negative binomial): a test at
    # p < 0.01 must fire in at most 1 % of them (Poisson alone fires far more often)
    rng = np.random.default_rng(7)
    fired = poisson = 0
    for _ in range(2000):
        counts = rng.poisson(rng.gamma(40 / 1.5, 1.5, 13))
        test = count_test(list(counts), [30] * 13)
        fired += test.p < 0.01
        poisson += stats.poisson.sf(counts[-1] - 1, counts[:-1].mean()) < 0.01
    assert fired / 2000 <= 0.01
    assert poisson / 2000 > 0.03
