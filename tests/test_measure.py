"""Quantiles (csreport/measure.py) against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from csreport.measure import quantiles


def test_quantiles_equal_interpolated_sorted_values():
    # 0 … 99 shuffled: median 49.5 between the 50th and 51st values, p90 at 89.1
    values = np.random.default_rng(3).permutation(np.arange(100, dtype=float))
    median, p90 = quantiles([("m", 0.5, "median", ""), ("p", 0.9, "p90", "")], values, "s", confidence=0.95)
    assert median.value == pytest.approx(49.5) and p90.value == pytest.approx(89.1)
    assert median.low < 49.5 < median.high and p90.low < 89.1 < p90.high
    assert median.low == int(median.low) and p90.high == int(p90.high)  # bounds are observed values
