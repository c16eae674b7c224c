"""The result of every KPI: a value with its sample size, interval and method, or "not available" with why.

A rate keeps its numerator (for two-proportion tests), a mean its standard deviation (for Welch's test), a
quantile its sample and order-statistic interval (for its comparison test). Zero denominators and empty inputs
never give 0 or raise: they give ``Measure.unavailable(...)`` with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import special, stats


@dataclass(frozen=True)
class Measure:
    """One KPI value. ``unit``: ratio (0–1), s, count, currency, points, score, per_1000 or hours."""

    name: str
    value: float | None
    n: int
    unit: str
    low: float | None = None
    high: float | None = None
    numerator: float | None = None
    std: float | None = None
    method: str = ""
    reason: str | None = None
    sample: np.ndarray | None = field(default=None, repr=False, compare=False)
    kind: str = "value"  # proportion | mean | quantile | count | nps | value (no significance test)

    @cached_property
    def sorted_sample(self) -> np.ndarray | None:
        """The whole sample, sorted (for a Mann–Whitney comparison; computed once)."""
        return None if self.sample is None else np.sort(self.sample)

    @property
    def available(self) -> bool:
        return self.value is not None

    def small(self, min_sample: int) -> bool:
        """True when the value rests on fewer than ``min_sample`` observations."""
        return self.n < min_sample

    @classmethod
    def unavailable(cls, name: str, unit: str, reason: str, n: int = 0, method: str = "") -> Measure:
        return cls(name, None, n, unit, method=method, reason=reason)


def wilson(successes: float, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of ``successes / trials``: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n),
    in closed form (equal to statsmodels' ``proportion_confint(method="wilson")``, without its per-call cost)."""
    z = special.ndtri(0.5 + confidence / 2)
    p, z2 = successes / trials, z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return centre - half, centre + half


def rate(
    name: str,
    successes: float,
    trials: int,
    *,
    confidence: float = 0.95,
    method: str = "",
    empty_reason: str = "no observations",
) -> Measure:
    """``successes / trials`` as a ratio with a Wilson score interval."""
    trials = int(trials)
    if trials <= 0:
        return Measure.unavailable(name, "ratio", empty_reason, method=method)
    value = successes / trials
    low, high = wilson(successes, trials, confidence)
    # rounding can put a bound a hair on the wrong side of 0, 1 or the estimate itself
    low, high = max(0.0, min(float(low), value)), min(1.0, max(float(high), value))
    return Measure(
        name, value, trials, "ratio", low, high, numerator=float(successes), method=method, kind="proportion"
    )


def mean(
    name: str,
    values: np.ndarray,
    unit: str,
    *,
    confidence: float = 0.95,
    method: str = "",
    empty_reason: str = "no observations",
) -> Measure:
    """Arithmetic mean with a t interval (a single value has no interval)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = len(values)
    if n == 0:
        return Measure.unavailable(name, unit, empty_reason, method=method)
    m = float(values.mean())
    if n == 1:
        return Measure(name, m, 1, unit, std=0.0, method=method, kind="mean")
    sd = float(values.std(ddof=1))
    half = special.stdtrit(n - 1, 0.5 + confidence / 2) * sd / math.sqrt(n)
    return Measure(name, m, n, unit, float(m - half), float(m + half), std=sd, method=method, kind="mean")


def _order_statistic_ranks(n: int, q: float, confidence: float) -> tuple[int, int]:
    """0-based ranks of the order statistics bounding the ``q`` quantile: binomial quantiles, or their normal
    approximation nq ± z·√(nq(1 − q)) above 10,000 observations (where the two agree to a rank or so)."""
    if n <= 10_000:
        lo = int(stats.binom.ppf((1 - confidence) / 2, n, q))
        hi = int(stats.binom.ppf(0.5 + confidence / 2, n, q))
    else:
        z = special.ndtri(0.5 + confidence / 2)
        spread = z * math.sqrt(n * q * (1 - q))
        lo, hi = int(math.floor(n * q - spread)), int(math.ceil(n * q + spread))
    return max(lo - 1, 0), min(hi, n - 1)


def quantile(
    name: str,
    values: np.ndarray,
    q: float,
    unit: str,
    *,
    confidence: float = 0.95,
    method: str = "",
    empty_reason: str = "no observations",
    copy: bool = True,
) -> Measure:
    """The ``q`` quantile (linear interpolation between order statistics) with a distribution-free interval
    from binomial order statistics; the sample is kept for comparisons (:mod:`csreport.comparisons`). O(n): no
    full sort.

    ``copy=False`` partitions ``values`` (a float array) in place: for callers that own it and do not care
    about its order."""
    return quantiles([(name, q, method, empty_reason)], values, unit, confidence=confidence, copy=copy)[0]


def quantiles(
    wanted: list[tuple[str, float, str, str]],
    values: np.ndarray,
    unit: str,
    *,
    confidence: float = 0.95,
    copy: bool = True,
) -> list[Measure]:
    """Several quantiles of one sample, each as :func:`quantile` computes it, from one partition of the sample
    around every order statistic they need. ``wanted``: (name, q, method, empty reason) per quantile."""
    values = np.array(values, dtype=float) if copy else values
    if np.isnan(values).any():
        values = values[~np.isnan(values)]
    n = len(values)
    if n == 0:
        return [Measure.unavailable(name, unit, empty, method=method) for name, _, method, empty in wanted]
    plans, ranks = [], set()
    for name, q, method, _ in wanted:
        position = q * (n - 1)
        below = int(np.floor(position))
        above = min(below + 1, n - 1)
        bounds = _order_statistic_ranks(n, q, confidence) if n >= 5 else None
        ranks |= {below, above, *(bounds or ())}
        plans.append((name, method, position, below, above, bounds))
    values.partition(sorted(ranks))  # order statistics in place; the sample's order does not matter
    out = []
    for name, method, position, below, above, bounds in plans:
        value = float(values[below] + (position - below) * (values[above] - values[below]))
        low, high = (float(values[bounds[0]]), float(values[bounds[1]])) if bounds else (None, None)
        out.append(Measure(name, value, n, unit, low, high, method=method, sample=values, kind="quantile"))
    return out
