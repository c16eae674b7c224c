"""Quantiles (csreport/metrics/measure.py) against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from csreport.metrics import measure
from csreport.metrics.measure import order_statistics, quantiles


def test_quantiles_equal_interpolated_sorted_values():
    # 0 … 99 shuffled: median 49.5 between the 50th and 51st values, p90 at 89.1
    values = np.random.default_rng(3).permutation(np.arange(100, dtype=float))
    median, p90 = quantiles([("m", 0.5, "median", ""), ("p", 0.9, "p90", "")], values, "s", confidence=0.95)
    assert median.value == pytest.approx(49.5) and p90.value == pytest.approx(89.1)
    assert median.low < 49.5 < median.high and p90.low < 89.1 < p90.high
    assert median.low == int(median.low) and p90.high == int(p90.high)  # bounds are observed values


def _shapes(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Value lists shaped like the contacts' times: heavy ties, a spike at 0 (answered while closed),
    a long tail, and values in time order (a trend)."""
    return {
        "ties": rng.integers(0, 12, n).astype(float),
        "zero spike": np.where(rng.random(n) < 0.6, 0.0, np.round(rng.exponential(300, n))),
        "long tail": np.round(rng.lognormal(7, 1.6, n)),
        "trend": np.sort(rng.normal(size=n)),
    }


@pytest.mark.parametrize("n", [7, 20_001, 90_000])
def test_order_statistics_equal_sorting_the_pooled_values(n):
    rng = np.random.default_rng(n)
    for name, values in _shapes(rng, n).items():
        cuts = sorted(rng.integers(0, n, 3))
        parts = [p for p in np.split(values, cuts)]  # some parts may be empty
        for part in parts:
            part.flags.writeable = False  # read-only, as Arrow's buffers are
        ranks = {0, n - 1, *rng.integers(0, n, 6).tolist()}
        expected = np.sort(values)
        got = order_statistics(parts, ranks)
        assert got == {r: expected[r] for r in ranks}, name
        presorted = order_statistics([np.sort(part) for part in parts], ranks, presorted=True)
        assert presorted == {r: expected[r] for r in ranks}, name


def test_order_statistics_fall_back_when_the_sample_misses(monkeypatch):
    # every k-th value (the sample's stride) is 0 and all others 5: the sample sees only zeros, so its bracket
    # cannot hold the median; the values are then partitioned and the answer is still exact
    n = 100_000
    step = n // int(2 * n ** (2 / 3))
    values = np.full(n, 5.0)
    values[::step] = 0.0
    calls = []
    original = measure._partitioned
    monkeypatch.setattr(measure, "_partitioned", lambda parts, ranks: calls.append(1) or original(parts, ranks))
    assert order_statistics([values], {n // 2, 10}) == {n // 2: 5.0, 10: 0.0}
    assert calls == [1]


def test_pooled_quantiles_equal_those_of_the_joined_values():
    rng = np.random.default_rng(5)
    parts = [np.round(rng.exponential(100, size)) for size in (30_000, 12_000, 1)]
    wanted = [("m", 0.5, "median", ""), ("p", 0.9, "p90", "")]
    pooled = quantiles(wanted, parts, "s")
    joined = quantiles(wanted, np.concatenate(parts), "s")
    assert [(m.value, m.low, m.high, m.n) for m in pooled] == [(m.value, m.low, m.high, m.n) for m in joined]
    median = pooled[0]
    assert median.count_at_most(100.0) == int((np.concatenate(parts) <= 100.0).sum())
    assert np.array_equal(median.sorted_sample, np.sort(np.concatenate(parts)))
    assert all(not np.shares_memory(median.sorted_sample, p) for p in parts)


def test_quantiles_leave_the_values_unchanged_and_skip_nan():
    values = np.array([5.0, np.nan, 1.0, 3.0, 2.0, 4.0])
    before = values.copy()
    (median,) = quantiles([("m", 0.5, "median", "")], values, "s")
    assert median.value == 3.0 and median.n == 5
    assert np.array_equal(values, before, equal_nan=True)
