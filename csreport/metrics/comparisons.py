"""Comparing a KPI with a baseline (previous month, same month last year): change and its significance.

Tests by kind of Measure: a rate (numerator and n) → two-proportion z-test; NPS → z-test with the NPS
variance; a mean (std) → Welch's t-test from summary statistics; a median or other quantile → Mann–Whitney U
on the whole samples up to 10,000 observations a side, above that a z-test of the difference of the quantiles
with the standard errors implied by their order-statistic intervals (a Mann–Whitney test on a random subsample
depended on the order in which DuckDB happened to collect the values, so reruns differed); a count → exact
Poisson test of the two rates per day with data (``exposure``: days with data on each side; a 31-day month
against a 30-day one, or a month cut off on its 24th, is not equal exposure), conditional on the total:
k₁ ~ Binomial(k₁ + k₂, d₁ / (d₁ + d₂)). A comparison in which either side rests on fewer than ``min_sample``
observations is flagged small and never called significant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from csreport.metrics.measure import Measure
from csreport.metrics.targets import Parameters

DEFAULT = Parameters()
# quantiles of samples up to this size a side are compared with Mann–Whitney U on the whole samples, larger
# ones with the z-test of their order-statistic standard errors
MANN_WHITNEY_MAX = 10_000


@dataclass(frozen=True)
class Comparison:
    """``current`` against ``baseline``: absolute and relative change, p-value and whether it is significant."""

    baseline: float | None
    baseline_n: int
    change: float | None
    relative_change: float | None
    p_value: float | None
    significant: bool
    test: str
    small_sample: bool
    reason: str | None = None


def mann_whitney_sorted(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Mann–Whitney U p-value for two sorted samples: normal approximation with tie and
    continuity corrections, as ``scipy.stats.mannwhitneyu(method="asymptotic")``; O(n log n) via searchsorted
    instead of ranking the pooled sample (the scorecard compares samples of hundreds of thousands)."""
    n1, n2 = len(a), len(b)
    if n1 == 0 or n2 == 0:
        return float("nan")
    below = np.searchsorted(b, a, side="left")
    ties = np.searchsorted(b, a, side="right") - below
    u1 = float(below.sum() + 0.5 * ties.sum())
    n = n1 + n2
    tie_term = _tie_term(a, b)
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    if sigma == 0:
        return 1.0
    mu = n1 * n2 / 2
    z = (abs(u1 - mu) - 0.5) / sigma
    return min(1.0, _two_sided_normal(max(z, 0.0)))


def _two_sided_normal(z: float) -> float:
    """2 · P(Z > |z|) for a standard normal Z (scipy.special's ufunc: scalar calls cost microseconds, where
    scipy.stats distribution methods cost tens; the scorecard makes thousands)."""
    return float(2 * special.ndtr(-abs(z)))


def _runs(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of a sorted array and how often each occurs."""
    starts = np.flatnonzero(np.r_[True, x[1:] != x[:-1]])
    return x[starts], np.diff(np.r_[starts, len(x)])


def _tie_term(a: np.ndarray, b: np.ndarray) -> float:
    """Sum of t³ − t over the tie groups of the pooled sample, from the two sorted samples."""
    va, ca = _runs(a)
    vb, cb = _runs(b)
    idx = np.searchsorted(vb, va)
    safe = np.minimum(idx, len(vb) - 1)
    match = (idx < len(vb)) & (vb[safe] == va)
    pooled_a = ca + np.where(match, cb[safe], 0)
    b_only = np.ones(len(vb), bool)
    b_only[safe[match]] = False
    t = np.r_[pooled_a, cb[b_only]].astype(float)
    return float((t**3 - t).sum())


def two_proportion_z(x1: float, n1: float, x0: float, n0: float, alternative: str = "two-sided") -> float | None:
    """p-value of the pooled two-proportion z-test of x₁/n₁ against x₀/n₀ (as statsmodels' ``proportions_ztest``):
    z = (x₁/n₁ − x₀/n₀) / √(p̂(1 − p̂)(1/n₁ + 1/n₀)) with the pooled p̂ = (x₁ + x₀)/(n₁ + n₀), the variance under
    H₀. ``alternative``: "two-sided" (2·P(Z > |z|)) or "larger" (P(Z > z), the first proportion larger). None
    when the test is undefined: an empty side, or a pooled proportion of 0 or 1 (no variance)."""
    if n1 <= 0 or n0 <= 0:
        return None
    pooled = (x1 + x0) / (n1 + n0)
    if not 0 < pooled < 1:
        return None
    z = (x1 / n1 - x0 / n0) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if alternative == "two-sided":
        return _two_sided_normal(z)
    if alternative == "larger":
        return float(special.ndtr(-z))
    raise ValueError(f"alternative must be 'two-sided' or 'larger', not {alternative!r}")


QUANTILE_Z = "z-test, order-statistic standard errors"


def _quantile_z(current: Measure, baseline: Measure, confidence: float) -> float | None:
    """Two-sided p-value of the difference of two quantiles from independent large samples:
    z = (q₁ − q₂) / √(se₁² + se₂²), where se = (high − low) / (2·z_c) is the standard error implied by the
    quantile's distribution-free order-statistic interval at confidence c (a consistent estimate of
    √(q(1 − q)/n) / f(ξ_q), without estimating the density f). Exact ties at both quantiles (zero-width
    intervals) give p = 1 when the values are equal and 0 when not."""
    if current.low is None or baseline.low is None:
        return None
    z_c = special.ndtri(0.5 + confidence / 2)
    se = math.hypot((current.high - current.low) / (2 * z_c), (baseline.high - baseline.low) / (2 * z_c))
    if se == 0:
        return 1.0 if current.value == baseline.value else 0.0
    return _two_sided_normal((current.value - baseline.value) / se)


def _p_value(
    current: Measure, baseline: Measure, confidence: float = 0.95, exposure: tuple[int, int] | None = None
) -> tuple[float | None, str]:
    kind = current.kind if current.kind == baseline.kind else "value"
    if kind == "count":
        k1, k2 = int(current.value), int(baseline.value)
        share, test = 0.5, "Poisson (equal exposure)"
        if exposure is not None:
            share, test = exposure[0] / (exposure[0] + exposure[1]), "Poisson (rates per day with data)"
        if k1 + k2 == 0:
            return None, test
        return float(stats.binomtest(k1, k1 + k2, share).pvalue), test
    if kind == "nps":
        se = math.sqrt(current.std**2 / current.n + baseline.std**2 / baseline.n)
        if se == 0:
            return (1.0 if current.value == baseline.value else 0.0), "z-test (NPS)"
        return _two_sided_normal(abs(current.value - baseline.value) / se), "z-test (NPS)"
    if kind == "proportion":
        p = two_proportion_z(current.numerator, current.n, baseline.numerator, baseline.n)
        # both all-zero or all-one: no evidence of a difference
        return (1.0 if p is None else p), "two-proportion z-test"
    if kind == "quantile":
        if max(current.n, baseline.n) <= MANN_WHITNEY_MAX:
            return mann_whitney_sorted(current.sorted_sample, baseline.sorted_sample), "Mann–Whitney U"
        return _quantile_z(current, baseline, confidence), QUANTILE_Z
    if kind == "mean":
        if current.n < 2 or baseline.n < 2:
            return None, "Welch t-test"
        if current.std == 0 and baseline.std == 0:
            return (1.0 if current.value == baseline.value else 0.0), "Welch t-test"
        v1, v2 = current.std**2 / current.n, baseline.std**2 / baseline.n
        t = (current.value - baseline.value) / math.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1**2 / (current.n - 1) + v2**2 / (baseline.n - 1))  # Welch–Satterthwaite
        return float(2 * special.stdtr(df, -abs(t))), "Welch t-test"
    return None, "no test for this KPI"


def compare(
    current: Measure, baseline: Measure, params: Parameters = DEFAULT, exposure: tuple[int, int] | None = None
) -> Comparison:
    """Change of ``current`` from ``baseline`` with a significance test at ``params.confidence``.

    ``exposure``: days with data of the current and the baseline period. A count is then compared per day:
    ``change`` = k₁ − k₂ · d₁ / d₂ (the baseline scaled to the current period's days) and ``relative_change`` =
    (k₁ / d₁) / (k₂ / d₂) − 1, the change of the rate per day with data."""
    if not current.available or not baseline.available:
        missing = current if not current.available else baseline
        return Comparison(
            baseline.value,
            baseline.n,
            None,
            None,
            None,
            False,
            "",
            False,
            reason=f"{'current' if missing is current else 'baseline'} value not available ({missing.reason})",
        )
    per_day = exposure is not None and current.kind == baseline.kind == "count" and min(exposure) > 0
    scaled = baseline.value * exposure[0] / exposure[1] if per_day else baseline.value
    change = current.value - scaled
    relative = change / abs(scaled) if scaled else None
    small = min(current.n, baseline.n) < params.min_sample and current.kind != "count"
    p, test = _p_value(current, baseline, params.confidence, exposure if per_day else None)
    significant = p is not None and p < 1 - params.confidence and not small
    if significant and current.kind == "quantile" and change == 0:
        # Mann–Whitney compares whole distributions, which can differ while the median itself has not moved
        # (e.g. both 0 s: most contacts answered at once); a change of the KPI shown is not claimed
        reason = f"the {_quantile_label(current.name)} did not change; only the distributions differ (p = {p:.2g})"
        return Comparison(baseline.value, baseline.n, change, relative, p, False, test, small, reason=reason)
    return Comparison(baseline.value, baseline.n, change, relative, p, significant, test, small)


def _quantile_label(name: str) -> str:
    return "median" if "median" in name else "90th percentile" if "p90" in name else "quantile"


def against_target(current: Measure, target: float, direction: str) -> tuple[float | None, str]:
    """One-sided p-value that ``current`` misses ``target`` (is below it when higher is better, above it when
    lower is better) by more than chance explains, and the test's name; (None, "") for a KPI with no test.

    A rate: exact binomial test of the numerator against n × target; a mean: one-sample t-test,
    t = (mean − target) / (s / √n); NPS: z-test with its standard deviation; a quantile q: sign test, the number
    of observations at or below the target against Binomial(n, q)."""
    if not current.available or current.n == 0:
        return None, ""
    worse_low = direction == "higher"  # missing a "higher is better" target means being below it
    if current.kind == "proportion" and 0 < target < 1:
        alternative = "less" if worse_low else "greater"
        p = stats.binomtest(int(current.numerator), current.n, target, alternative=alternative).pvalue
        return float(p), "one-sided binomial test against the target"
    if current.kind in ("mean", "nps") and current.n >= 2 and current.std is not None:
        if current.std == 0:
            missed = current.value < target if worse_low else current.value > target
            return (0.0 if missed else 1.0), "one-sample t-test against the target"
        score = (current.value - target) / (current.std / math.sqrt(current.n))
        score = -score if worse_low else score  # large when the value is on the wrong side of the target
        if current.kind == "nps":
            return float(special.ndtr(-score)), "one-sided z-test (NPS) against the target"
        return float(special.stdtr(current.n - 1, -score)), "one-sample t-test against the target"
    if current.kind == "quantile" and current.sample is not None:
        q = 0.5 if current.name.endswith("median_s") else 0.9 if current.name.endswith("p90_s") else None
        if q is None:
            return None, ""
        at_or_below = current.count_at_most(target)
        # lower is better and missed: the quantile lies above the target, so fewer than n·q values are ≤ it
        alternative = "greater" if worse_low else "less"
        p = stats.binomtest(at_or_below, current.n, q, alternative=alternative).pvalue
        return float(p), "sign test of the quantile against the target"
    return None, ""
