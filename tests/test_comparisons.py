import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csreport.metrics.comparisons import compare
from csreport.metrics.measure import Measure, mean, quantile, rate


def test_large_real_difference_in_a_rate_is_significant():
    # 80 % of 1,000 against 70 % of 1,000: z = 5.1, p < 0.001
    c = compare(rate("service_level", 800, 1000), rate("service_level", 700, 1000))
    assert c.significant and c.p_value < 0.001 and c.test == "two-proportion z-test"
    assert c.change == pytest.approx(0.1) and c.relative_change == pytest.approx(0.1 / 0.7)


def test_small_sample_difference_is_flagged_not_significant():
    # 9 of 10 against 2 of 10 gives p < 0.05, but n = 10 is below the minimum of 30: flagged, not significant
    c = compare(rate("fcr_rate", 9, 10), rate("fcr_rate", 2, 10))
    assert c.p_value < 0.05 and c.small_sample and not c.significant


def test_same_rate_is_not_significant():
    c = compare(rate("x", 500, 1000), rate("x", 250, 500))
    assert c.change == 0 and c.p_value == pytest.approx(1.0) and not c.significant


def test_welch_for_means():
    rng = np.random.default_rng(0)
    a, b = rng.normal(300, 50, 400), rng.normal(320, 50, 400)
    c = compare(mean("aht_s", a, "s"), mean("aht_s", b, "s"))
    assert c.test == "Welch t-test" and c.significant


def test_mann_whitney_for_medians():
    rng = np.random.default_rng(1)
    fast, slow = rng.exponential(100, 300), rng.exponential(200, 300)
    c = compare(quantile("first_response_median_s", fast, 0.5, "s"), quantile("x", slow, 0.5, "s"))
    assert c.test == "Mann–Whitney U" and c.significant and c.change < 0


def test_an_unchanged_median_is_not_a_significant_change():
    # both medians 0 s (most contacts answered at once), but the slower tail doubled: Mann–Whitney finds the
    # distributions differ (p = 0.02); the KPI shown, the median, did not change, so no change is claimed
    rng = np.random.default_rng(2)
    now = np.concatenate([np.zeros(600), rng.exponential(200, 400)])
    before = np.concatenate([np.zeros(600), rng.exponential(100, 400)])
    c = compare(quantile("first_response_median_s", now, 0.5, "s"), quantile("x", before, 0.5, "s"))
    assert c.change == 0 and c.p_value < 0.05 and not c.significant
    assert c.reason.startswith("the median did not change")
    p90 = compare(quantile("first_response_p90_s", now, 0.9, "s"), quantile("x", before, 0.9, "s"))
    assert p90.change > 0 and p90.significant and p90.reason is None


def test_counts_use_a_poisson_test():
    # 1,200 against 1,000 contacts: exact conditional test, p about 1e-5
    c = compare(
        Measure("contacts", 1200.0, 1200, "count", kind="count"),
        Measure("contacts", 1000.0, 1000, "count", kind="count"),
    )
    assert c.test == "Poisson (equal exposure)" and c.significant


def test_unavailable_side_gives_reason():
    c = compare(rate("x", 1, 10), Measure.unavailable("x", "ratio", "no contacts"))
    assert c.change is None and not c.significant and "baseline value not available (no contacts)" in c.reason


@given(st.integers(0, 500), st.integers(1, 500), st.integers(0, 500), st.integers(1, 500))
def test_rates_stay_in_unit_interval_and_p_in_0_1(x1, n1, x2, n2):
    x1, x2 = min(x1, n1), min(x2, n2)
    a, b = rate("x", x1, n1), rate("x", x2, n2)
    assert 0 <= a.low <= a.value <= a.high <= 1
    c = compare(a, b)
    assert c.p_value is None or 0 <= c.p_value <= 1


def test_a_ratio_that_is_not_a_proportion_gets_no_proportion_test():
    # annualised attrition can exceed 1: it carries a numerator but is not a share of trials
    a = Measure("attrition_annualised", 1.2, 40, "ratio", numerator=4.0)
    b = Measure("attrition_annualised", 0.3, 40, "ratio", numerator=1.0)
    c = compare(a, b)
    assert c.test == "no test for this KPI" and c.p_value is None and not c.significant


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mann_whitney_on_sorted_samples_matches_scipy(seed):
    from scipy.stats import mannwhitneyu

    from csreport.metrics.comparisons import mann_whitney_sorted

    rng = np.random.default_rng(seed)
    a = np.sort(np.round(rng.exponential(100, 500)))  # rounding makes ties
    b = np.sort(np.round(rng.exponential(110 + 20 * seed, 700)))
    expected = mannwhitneyu(a, b, alternative="two-sided", method="asymptotic").pvalue
    assert mann_whitney_sorted(a, b) == pytest.approx(expected, rel=1e-9)


def test_order_statistic_ranks_normal_approximation_agrees_with_binomial():
    from scipy import stats

    from csreport.metrics.measure import _order_statistic_ranks

    n, q = 10_001, 0.5  # just above the switch to the normal approximation
    lo, hi = _order_statistic_ranks(n, q, 0.95)
    assert abs(lo - (int(stats.binom.ppf(0.025, n, q)) - 1)) <= 1
    assert abs(hi - int(stats.binom.ppf(0.975, n, q))) <= 1


def test_closed_form_tests_match_statsmodels_and_scipy():
    """The z and Welch p-values are computed in closed form for speed; they equal the library functions."""
    from scipy import stats
    from statsmodels.stats.proportion import proportions_ztest

    from csreport.metrics.comparisons import _p_value

    for x1, n1, x2, n2 in [(712, 1000, 640, 950), (3, 40, 9, 41), (5000, 8412, 5390, 8100)]:
        p, _ = _p_value(rate("r", x1, n1), rate("r", x2, n2))
        assert p == pytest.approx(proportions_ztest([x1, x2], [n1, n2])[1], rel=1e-9)
    a = mean("m", np.array([4.0, 5, 3, 4, 5, 2, 4]), "score")
    b = mean("m", np.array([3.0, 3, 4, 2, 1, 3, 2, 4, 3]), "score")
    p, _ = _p_value(a, b)
    expected = stats.ttest_ind_from_stats(a.value, a.std, a.n, b.value, b.std, b.n, equal_var=False).pvalue
    assert p == pytest.approx(expected, rel=1e-9)


def test_wilson_closed_form_equals_statsmodels():
    from statsmodels.stats.proportion import proportion_confint

    from csreport.metrics.measure import wilson

    for x, n, c in [(0, 25, 0.95), (7, 10, 0.9), (5000, 8412, 0.95), (25, 25, 0.99)]:
        assert wilson(x, n, c) == pytest.approx(proportion_confint(x, n, alpha=1 - c, method="wilson"), abs=1e-12)


def _quantile_measure(value, low, high, n=20_000):
    return Measure("resolution_median_s", value, n, "s", low, high, kind="quantile")


def test_large_samples_compare_quantiles_with_order_statistic_standard_errors():
    # se = (high − low) / (2 · 1.959964): 8 / 3.919928 = 2.040854 and 12 / 3.919928 = 3.061281;
    # z = (100 − 110) / √(2.040854² + 3.061281²) = −10 / 3.679202 = −2.717981; p = 2 · Φ(−2.717981) = 0.006568
    c = compare(_quantile_measure(100.0, 96.0, 104.0), _quantile_measure(110.0, 104.0, 116.0))
    assert c.test == "z-test, order-statistic standard errors"
    assert c.p_value == pytest.approx(0.006568, abs=1e-6) and c.significant


def test_zero_width_quantile_intervals():
    same = compare(_quantile_measure(60.0, 60.0, 60.0), _quantile_measure(60.0, 60.0, 60.0))
    moved = compare(_quantile_measure(60.0, 60.0, 60.0), _quantile_measure(120.0, 120.0, 120.0))
    assert same.p_value == 1.0 and not same.significant
    assert moved.p_value == 0.0 and moved.significant


def test_large_sample_quantile_comparison_is_independent_of_row_order():
    rng = np.random.default_rng(7)
    a, b = rng.exponential(100, 30_000), rng.exponential(104, 25_000)
    first = compare(quantile("m", a, 0.5, "s"), quantile("m", b, 0.5, "s"))
    again = compare(quantile("m", rng.permutation(a), 0.5, "s"), quantile("m", rng.permutation(b), 0.5, "s"))
    assert first.p_value == again.p_value and first.test == "z-test, order-statistic standard errors"


def test_large_sample_quantile_test_detects_a_real_shift_and_not_noise():
    rng = np.random.default_rng(3)
    base = quantile("m", rng.exponential(100, 40_000), 0.5, "s")
    shifted = quantile("m", rng.exponential(110, 40_000), 0.5, "s")  # median 69.3 → 76.2 s
    noise = quantile("m", rng.exponential(100, 40_000), 0.5, "s")
    assert compare(shifted, base).significant and compare(shifted, base).p_value < 1e-6
    assert not compare(noise, base).significant


def test_one_two_proportion_test_serves_the_scorecard_and_both_finding_rules():
    """30 of 100 against 20 of 100: pooled 0.25, se = √(0.25 · 0.75 · 0.02) = 0.061237, z = 1.63299;
    two-sided p = 0.10247, one-sided (first larger) p = 0.05124. The scorecard's comparison and the process-churn
    rule use this one function and get these numbers (the process-churn rule then Holm-adjusts over its
    processes: 2 × 0.05124 = 0.10247 for the smaller of two)."""
    import pandas as pd

    from csreport.analyses.cost_benefit import COLUMNS, ProcessCosts
    from csreport.findings.detect_costs import process_churn_findings
    from csreport.findings.rules import Rules
    from csreport.metrics.comparisons import two_proportion_z

    assert two_proportion_z(30, 100, 20, 100) == pytest.approx(0.10247, abs=1e-5)
    assert two_proportion_z(30, 100, 20, 100, alternative="larger") == pytest.approx(0.051235, abs=1e-5)
    assert two_proportion_z(0, 100, 0, 50) is None and two_proportion_z(5, 0, 3, 10) is None
    with pytest.raises(ValueError, match="alternative"):
        two_proportion_z(1, 2, 1, 2, alternative="less")

    assert compare(rate("x", 30, 100), rate("x", 20, 100)).p_value == pytest.approx(0.10247, abs=1e-5)
    # process churn: 30 of 100 customers churned after phone · billing, 20 of 100 after the rest (one-sided)
    rows = [dict(channel="phone", category="billing", customers=100, churned=30, revenue_at_risk=0.0),
            dict(channel="chat", category="billing", customers=100, churned=20, revenue_at_risk=0.0)]  # fmt: skip
    costs = ProcessCosts(pd.DataFrame([{c: r.get(c, 0) for c in COLUMNS} for r in rows]), 10.0, "flag", "column")
    [churn] = process_churn_findings(costs, "2026-10", "east", Rules(min_sample=30, alpha=0.11,
                                                                     process_churn_ratio=1.4), 90)  # fmt: skip
    assert churn.p_value == pytest.approx(2 * 0.051235, abs=1e-5)
