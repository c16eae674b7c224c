"""The result of every KPI: a value with its sample size, interval and method, or "not available" with why.

A rate keeps its numerator (for two-proportion tests), a mean its standard deviation (for Welch's test), a
quantile its sample and order-statistic interval (for its comparison test). Zero denominators and empty inputs
never give 0 or raise: they give ``Measure.unavailable(...)`` with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
    # a quantile's sample: one array, or the parts it was pooled from (not joined: see :func:`quantiles`)
    sample: np.ndarray | tuple[np.ndarray, ...] | None = field(default=None, repr=False, compare=False)
    kind: str = "value"  # proportion | mean | quantile | count | nps | value (no significance test)

    @cached_property
    def sorted_sample(self) -> np.ndarray | None:
        """The whole sample, sorted (for a Mann–Whitney comparison; computed once)."""
        if self.sample is None:
            return None
        return np.sort(np.concatenate(self.sample) if isinstance(self.sample, tuple) else self.sample)

    def count_at_most(self, value: float) -> int:
        """How many observations of the sample are ≤ ``value`` (a quantile's sign test)."""
        parts = self.sample if isinstance(self.sample, tuple) else (self.sample,)
        return sum(int(np.count_nonzero(part <= value)) for part in parts)

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
) -> Measure:
    """The ``q`` quantile (linear interpolation between order statistics) with a distribution-free interval
    from binomial order statistics; the sample is kept for comparisons (:mod:`csreport.metrics.comparisons`). O(n): no
    full sort, and ``values`` is neither changed nor copied."""
    return quantiles([(name, q, method, empty_reason)], values, unit, confidence=confidence)[0]


def quantiles(
    wanted: list[tuple[str, float, str, str]],
    values: np.ndarray | Sequence[np.ndarray],
    unit: str,
    *,
    confidence: float = 0.95,
    presorted: bool = False,
) -> list[Measure]:
    """Several quantiles of one sample, each as :func:`quantile` computes it, from one selection of every
    order statistic they need. ``wanted``: (name, q, method, empty reason) per quantile. ``values``: one array,
    or the parts of a pooled sample (e.g. each unit's values for "all units"), which are not joined;
    ``presorted``: each part is in ascending order."""
    parts = _float_parts(values, presorted)
    n = sum(len(part) for part in parts)
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
    at = order_statistics(parts, ranks, presorted)
    sample = parts[0] if len(parts) == 1 else tuple(parts)
    out = []
    for name, method, position, below, above, bounds in plans:
        value = float(at[below] + (position - below) * (at[above] - at[below]))
        low, high = (at[bounds[0]], at[bounds[1]]) if bounds else (None, None)
        out.append(Measure(name, value, n, unit, low, high, method=method, sample=sample, kind="quantile"))
    return out


def _float_parts(values: np.ndarray | Sequence[np.ndarray], presorted: bool = False) -> list[np.ndarray]:
    """``values`` as a list of float arrays without NaN (a part is copied only when it is not float or has NaN;
    ``presorted``: each part is in ascending order, its NaN, if any, last, and it is sliced before them)."""
    if isinstance(values, (list, tuple)) and values and all(isinstance(v, np.ndarray) for v in values):
        parts = list(values)
    else:
        parts = [values]
    parts = [np.asarray(part, dtype=float) for part in parts]
    if presorted:  # searching for NaN finds the first one: NaN sort after every number
        return [part[: np.searchsorted(part, np.nan)] if len(part) and np.isnan(part[-1]) else part for part in parts]
    return [part[~np.isnan(part)] if np.isnan(part).any() else part for part in parts]


#: below this many values the order statistics are found by partitioning a copy of the values
DIRECT_SELECTION = 20_000


def order_statistics(parts: Sequence[np.ndarray], ranks: set[int], presorted: bool = False) -> dict[int, float]:
    """The ``r``-th smallest value (0-based) of the values of ``parts`` taken together, for every ``r`` of
    ``ranks``; the parts are neither changed nor joined. ``presorted``: each part is in ascending order.

    Partitioning a copy of the values costs a copy and several passes per rank. Here a sample of the values
    (every k-th, about 2·n^⅔ of them) brackets each group of nearby ranks (the two ends of a quantile's
    interval) between two values a ≤ b chosen wide enough that the ranks fall between them; one pass counts
    the values below a and collects those from a to b, which are few, and sorts them (in sorted parts both
    are binary searches and the values between are a slice). The bracket is checked against those counts,
    and should it miss (a sample very unlike the values) the values are partitioned instead, so the result is
    exact either way (Floyd and Rivest's selection, with a deterministic sample)."""
    parts = [part for part in parts if len(part)]
    n = sum(len(part) for part in parts)
    if presorted and len(parts) == 1:
        return {r: float(parts[0][r]) for r in ranks}
    if n <= DIRECT_SELECTION:
        return _partitioned(parts, ranks)
    step = max(n // int(2 * n ** (2 / 3)), 1)
    sample = np.sort(np.concatenate([part[::step] for part in parts]))
    m, margin = len(sample), int(3 * np.sqrt(len(sample))) + 2
    out: dict[int, float] = {}
    for low, high in _rank_groups(ranks, n):
        at_low, at_high = low * m // n - margin, high * m // n + margin
        a = sample[at_low] if at_low > 0 else -np.inf
        b = sample[at_high] if at_high < m else np.inf
        if presorted:
            below = sum(int(np.searchsorted(part, a, "left")) for part in parts)
            inside = [part[np.searchsorted(part, a, "left") : np.searchsorted(part, b, "right")] for part in parts]
        else:
            below = sum(int(np.count_nonzero(part < a)) for part in parts)
            inside = [part[(part >= a) & (part <= b)] for part in parts]
        between = np.sort(np.concatenate(inside))
        if not below <= low or high >= below + len(between):
            return _partitioned(parts, ranks)
        out.update({r: float(between[r - below]) for r in ranks if low <= r <= high})
    return out


def _rank_groups(ranks: set[int], n: int) -> list[tuple[int, int]]:
    """``ranks`` in groups of nearby ranks (closer than n/50), as (lowest, highest) per group."""
    groups: list[list[int]] = []
    for rank in sorted(ranks):
        if groups and rank - groups[-1][1] <= n // 50:
            groups[-1][1] = rank
        else:
            groups.append([rank, rank])
    return [(low, high) for low, high in groups]


def _partitioned(parts: Sequence[np.ndarray], ranks: set[int]) -> dict[int, float]:
    values = np.concatenate(parts) if len(parts) > 1 else np.array(parts[0], dtype=float)
    values.partition(sorted(ranks))
    return {r: float(values[r]) for r in ranks}
