"""Alarms calibrated on a unit's own history: is this month's value beyond what the unit's month-to-month
variation explains? (Statistical process control with overdispersion; the data dictionary names the method.)

Sampling noise alone (a binomial or Poisson test) understates how much a contact centre's monthly figures move:
staffing, campaigns, weather and clustered repeat contacts add variation between months. The tests here are
**Laney's p′/u′ charts**, generalised to any estimate with a standard error:

- each month *i* of the baseline (the ``k`` months before the current one) is standardised against the
  baseline's centre *c* (its median): ``z_i = (v_i − c) / se_i``, with ``se_i`` the month's own sampling
  standard error (a proportion's ``√(c(1 − c)/n_i)``, a count's ``√(c·d_i)`` for ``d_i`` days with data, a
  mean's ``s/√n``, a quantile's from its interval);
- the between-month variation is σ_z = mean |z_i − z_{i−1}| / 1.128 (Laney's average moving range), floored at
  1 so a calibrated limit is never tighter than sampling noise alone;
- the **level test**: ``z = (v_t − c) / (se_t · σ_z)``; the **change test** (month on month):
  ``(z_t − z_{t−1}) / (√2 · σ_z)``. Both use Student's t with ``max(2, round(0.7 (k − 1)))`` degrees of freedom,
  which keeps the test calibrated although σ_z is estimated from a few months (simulated, 200,000 series of
  normal months: with 12 baseline months 5.6 % of null months fall below p = 0.05, 1.1 % below 0.01 and 0.10 %
  below 0.001; with 6, 5.8 %, 1.2 % and 0.09 %);
- a month is **news** when its level is unusual and the month before was not (the level test's p); when the
  month before was unusual too, only when it also moved unusually from it (the larger of the two p-values,
  an intersection–union test). An unusual level that did not move is a standing condition
  (:func:`csreport.findings.signals.standing_signal`); a large move back to the usual level is a recovery, not
  news.
- counts with a small expectation (below :data:`EXACT_BELOW`) keep an exact tail: negative binomial with
  variance σ_z² × the expectation (Poisson when σ_z = 1).

Every report's news tests are then adjusted together with Benjamini–Hochberg (:func:`benjamini_hochberg`), which
keeps the expected share of false alarms among a report's findings at the confidence level's alpha.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

MIN_BASELINE = 6  # months of history a calibrated test needs (5 moving ranges)
EXACT_BELOW = 20.0  # expected counts below this get an exact (negative binomial / Poisson) tail
D2 = 1.128  # E|X1 − X2| / σ for two independent normal values (the d2 constant of a moving range of 2)


@dataclass(frozen=True)
class ControlTest:
    """The calibrated test of the last value of a series against its own baseline.

    ``centre`` and ``limits`` (lower, upper; ±3 calibrated standard errors around the centre) are in the
    series' unit; ``sigma`` is the overdispersion factor σ_z (1 = sampling noise explains the variation);
    ``p_level`` and ``p_change`` the two tests' p-values, ``p`` their conjunction (the larger)."""

    value: float
    centre: float
    previous: float | None
    limits: tuple[float, float]
    sigma: float
    z_level: float
    z_change: float | None
    p_level: float
    p_change: float | None
    baseline_months: int
    method: str
    one_sided: bool = False

    @property
    def p(self) -> float:
        """p of "unusual level and unusual change" (the larger p; 1 when there is no previous month): the news
        test of a month whose month before was unusual too."""
        return max(self.p_level, self.p_change if self.p_change is not None else 1.0)

    @property
    def direction(self) -> int:
        """+1 above the centre, −1 below, 0 at it."""
        return int(np.sign(self.value - self.centre))

    def to_json(self) -> dict:
        return {
            "centre": self.centre,
            "limits": list(self.limits),
            "sigma": self.sigma,
            "p_level": self.p_level,
            "p_change": self.p_change,
            "baseline_months": self.baseline_months,
            "method": self.method,
        }


def _df(k: int) -> int:
    return max(2, round(0.7 * (k - 1)))


def _t_p(z: float, df: int, one_sided: bool) -> float:
    if not math.isfinite(z):
        return 0.0 if (z > 0 or not one_sided) else 1.0
    return float(stats.t.sf(z, df)) if one_sided else float(2 * stats.t.sf(abs(z), df))


def _sigma(z: np.ndarray, floor: float = 1.0) -> float:
    """Laney's σ_z: the average moving range of consecutive z-scores / 1.128, at least ``floor``."""
    ranges = np.abs(np.diff(z))
    return max(floor, float(ranges.mean() / D2)) if len(ranges) else floor


def estimate_test(
    values: Sequence[float | None],
    ses: Sequence[float | None],
    one_sided: bool = False,
    min_baseline: int = MIN_BASELINE,
    method: str = "Laney-adjusted control chart (individual estimates)",
) -> ControlTest | None:
    """The calibrated test of ``values[-1]`` against ``values[:-1]`` (oldest first), each with its sampling
    standard error. Months without a value or standard error are left out of the baseline; None when fewer than
    ``min_baseline`` remain or the current month has none. ``one_sided``: only a rise is tested."""
    if not values or values[-1] is None or ses[-1] is None or not math.isfinite(values[-1]) or not ses[-1] > 0:
        return None
    pairs = [(float(v), float(s)) for v, s in zip(values[:-1], ses[:-1], strict=True)
             if v is not None and s is not None and math.isfinite(v) and s > 0]  # fmt: skip
    if len(pairs) < min_baseline:
        return None
    base = np.array([v for v, _ in pairs])
    se = np.array([s for _, s in pairs])
    centre = float(np.median(base))
    return _test(float(values[-1]), float(ses[-1]), base, se, centre, one_sided, method,
                 previous=(float(values[-2]), float(ses[-2])) if _usable(values[-2], ses[-2]) else None)  # fmt: skip


def _usable(value, se) -> bool:
    return value is not None and se is not None and math.isfinite(value) and se > 0


def _test(value, se_now, base, se, centre, one_sided, method, previous, floor: float = 1.0) -> ControlTest:
    z = (base - centre) / se
    sigma = _sigma(z, floor)
    k, df = len(base), _df(len(base))
    z_level = (value - centre) / (se_now * sigma)
    p_level = _t_p(z_level, df, one_sided)
    z_change = p_change = None
    prev_value = None
    if previous is not None:
        prev_value, prev_se = previous
        z_change = ((value - centre) / se_now - (prev_value - centre) / prev_se) / (math.sqrt(2) * sigma)
        p_change = _t_p(z_change, df, one_sided)
    half = 3 * se_now * sigma
    return ControlTest(value, centre, prev_value, (centre - half, centre + half), sigma, z_level, z_change,
                       p_level, p_change, k, method, one_sided)  # fmt: skip


def individuals_test(
    values: Sequence[float | None], one_sided: bool = False, min_baseline: int = MIN_BASELINE
) -> ControlTest | None:
    """Shewhart's individuals (XmR) chart for a measured series without sampling error (hours, ratios of
    hours): centre the baseline's median, σ the average moving range / 1.128; the same level and change tests
    as :func:`estimate_test`. A baseline that never moved gives no test."""
    if not values or values[-1] is None or not math.isfinite(values[-1]):
        return None
    base = np.array([float(v) for v in values[:-1] if v is not None and math.isfinite(v)])
    if len(base) < min_baseline or not np.abs(np.diff(base)).mean() > 0:
        return None
    ones = np.ones(len(base))
    previous = (float(values[-2]), 1.0) if values[-2] is not None and math.isfinite(values[-2]) else None
    return _test(float(values[-1]), 1.0, base, ones, float(np.median(base)), one_sided,
                 "individuals (XmR) chart", previous, floor=0.0)  # fmt: skip


def proportion_test(
    successes: Sequence[float | None],
    trials: Sequence[float | None],
    one_sided: bool = False,
    min_baseline: int = MIN_BASELINE,
) -> ControlTest | None:
    """Laney's p′ chart for the last month's proportion ``successes[-1] / trials[-1]`` (oldest first).

    The centre is the baseline's pooled proportion p̄ (a median of months would ignore their sizes) and each
    month's standard error √(p̄(1 − p̄)/n_i); a baseline without any success or failure uses p̄ from the counts
    plus one half (so a first complaint after months of none is tested, not divided by zero)."""
    pairs = [(float(x), float(n)) for x, n in zip(successes[:-1], trials[:-1], strict=True)
             if x is not None and n is not None and n > 0]  # fmt: skip
    if len(pairs) < min_baseline or not trials[-1] or successes[-1] is None:
        return None
    x = np.array([a for a, _ in pairs])
    n = np.array([b for _, b in pairs])
    centre = float(x.sum() / n.sum())
    spread = centre if 0 < centre < 1 else float((x.sum() + 0.5) / (n.sum() + 1))
    spread = min(spread, 1 - 0.5 / (n.sum() + 1))

    def se(count: float) -> float:
        return math.sqrt(spread * (1 - spread) / count)

    value = float(successes[-1]) / float(trials[-1])
    previous = None
    if successes[-2] is not None and trials[-2]:
        previous = (float(successes[-2]) / float(trials[-2]), se(float(trials[-2])))
    return _test(value, se(float(trials[-1])), x / n, np.array([se(b) for b in n]), centre, one_sided,
                 "Laney p′ chart", previous)  # fmt: skip


def count_test(
    counts: Sequence[float | None],
    exposures: Sequence[float | None],
    one_sided: bool = True,
    min_baseline: int = MIN_BASELINE,
) -> ControlTest | None:
    """Laney's u′ chart for the last month's count against its baseline, per unit of exposure (days with data).

    Centre: the baseline's count per day × the month's days; σ_z from the moving ranges of the baseline's
    u-scores. An expectation below :data:`EXACT_BELOW` gets the exact upper tail of a negative binomial with
    variance σ_z² × expectation (Poisson when σ_z = 1) instead of Student's t."""
    pairs = [(float(c), float(d)) for c, d in zip(counts[:-1], exposures[:-1], strict=True)
             if c is not None and d is not None and d > 0]  # fmt: skip
    if len(pairs) < min_baseline or counts[-1] is None or not exposures[-1]:
        return None
    c = np.array([a for a, _ in pairs])
    d = np.array([b for _, b in pairs])
    rate = float(c.sum() / d.sum())
    spread = rate if rate > 0 else float(0.5 / d.sum())
    observed, days = float(counts[-1]), float(exposures[-1])
    previous = None
    if counts[-2] is not None and exposures[-2]:
        previous = (float(counts[-2]) / float(exposures[-2]), math.sqrt(spread / float(exposures[-2])))
    test = _test(observed / days, math.sqrt(spread / days), c / d, np.sqrt(spread / d), rate, one_sided,
                 "Laney u′ chart", previous)  # fmt: skip
    expected = rate * days
    if expected < EXACT_BELOW and one_sided:
        # a history without any count expects half a count over its exposure (a first event is tested, not
        # certain)
        p_exact = negative_binomial_upper(observed, max(expected, spread * days), test.sigma**2)
        test = ControlTest(**{**test.__dict__, "p_level": p_exact,
                              "method": "Laney u′ chart, exact negative binomial tail"})  # fmt: skip
    # in counts, not per day
    return ControlTest(**{**test.__dict__, "value": observed, "centre": expected,
                          "previous": None if previous is None else previous[0] * days,
                          "limits": (max(0.0, test.limits[0] * days), test.limits[1] * days)})  # fmt: skip


def negative_binomial_upper(observed: float, expected: float, dispersion: float) -> float:
    """P(X ≥ observed) for X with mean ``expected`` and variance ``dispersion`` × mean: negative binomial when
    the dispersion exceeds 1, Poisson otherwise."""
    if expected <= 0:
        return 0.0 if observed > 0 else 1.0
    if dispersion <= 1.0 + 1e-9:
        return float(stats.poisson.sf(observed - 1, expected))
    size = expected / (dispersion - 1)
    return float(stats.nbinom.sf(observed - 1, size, size / (size + expected)))


def se_of(measure, confidence: float) -> float | None:
    """The sampling standard error of a :class:`~csreport.metrics.measure.Measure`: a proportion's √(p(1 − p)/n), a
    mean's s/√n, otherwise its interval's half-width / z (quantiles, NPS); None without one."""
    if measure is None or measure.value is None or not measure.n:
        return None
    if measure.kind == "proportion":
        p = measure.value
        return math.sqrt(max(p * (1 - p), 0.25 / measure.n) / measure.n)
    if measure.kind == "mean" and measure.std is not None and measure.n > 1:
        return measure.std / math.sqrt(measure.n) or None
    if measure.low is not None and measure.high is not None and measure.high > measure.low:
        return (measure.high - measure.low) / (2 * float(special.ndtri(0.5 + confidence / 2)))
    return None


def benjamini_hochberg(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values): a test is a discovery at false-discovery rate α when its
    q < α. Step-up: q_(i) = min over j ≥ i of p_(j) · m / j, capped at 1."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out
