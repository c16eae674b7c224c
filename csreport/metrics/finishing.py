"""Measures from the aggregates of :mod:`csreport.metrics.aggregate`: the sufficient statistics DuckDB returned
per spec (counts, sums, sums of squares, value lists) turned into values with intervals, and "all units" pooled
from the units' rows.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from csreport.metrics.measure import Measure, quantiles, rate
from csreport.metrics.specs import Count, Mean, Promoters, Proportion, Quantile, Spec, Sum, list_name


def _mean_from_sums(spec: Mean, n: int, total: float, squares: float, confidence: float) -> Measure:
    if n == 0:
        return Measure.unavailable(spec.name, spec.unit, spec.empty, method=spec.method)
    m = total / n
    if n == 1:
        return Measure(spec.name, m, 1, spec.unit, std=0.0, method=spec.method, kind="mean")
    sd = math.sqrt(max(squares - total * total / n, 0.0) / (n - 1))
    half = special.stdtrit(n - 1, 0.5 + confidence / 2) * sd / math.sqrt(n)
    return Measure(spec.name, m, n, spec.unit, m - half, m + half, std=sd, method=spec.method, kind="mean")


def _nps(spec: Promoters, n: int, promoters: int, detractors: int, confidence: float) -> Measure:
    if n == 0:
        return Measure.unavailable(spec.name, "points", spec.empty, method=spec.method)
    p, d = promoters / n, detractors / n
    value = p - d
    sd = math.sqrt(max(p + d - value**2, 0.0))
    half = special.ndtri(0.5 + confidence / 2) * sd / math.sqrt(n)
    return Measure(
        spec.name,
        100 * value,
        n,
        "points",
        100 * max(value - half, -1),
        100 * min(value + half, 1),
        std=100 * sd,
        method=spec.method,
        kind="nps",
    )


def _finish(spec: Spec, row: dict, i: int, confidence: float) -> Measure:
    p = f"k{i}_"
    if isinstance(spec, Count):
        n = int(row[p + "n"] or 0)
        return Measure(spec.name, float(n), n, spec.unit, method=spec.method, kind="count")
    if isinstance(spec, Sum):
        return Measure(spec.name, float(row[p + "total"] or 0.0), int(row[p + "n"] or 0), spec.unit, method=spec.method)
    if isinstance(spec, Proportion):
        return rate(
            spec.name,
            int(row[p + "x"] or 0),
            int(row[p + "n"] or 0),
            confidence=confidence,
            method=spec.method,
            empty_reason=spec.empty,
        )
    if isinstance(spec, Mean):
        return _mean_from_sums(
            spec, int(row[p + "n"] or 0), float(row[p + "s"] or 0.0), float(row[p + "ss"] or 0.0), confidence
        )
    if isinstance(spec, Promoters):
        return _nps(
            spec, int(row[p + "n"] or 0), int(row[p + "promoters"] or 0), int(row[p + "detractors"] or 0), confidence
        )
    raise TypeError(spec)


def finish_row(
    usable: list[tuple[int, Spec]], row: dict, confidence: float, presorted: bool = False
) -> dict[str, Measure]:
    """Measures of every usable spec from one result row; quantiles of the same values share one selection
    of order statistics (``presorted``: the value lists are in ascending order)."""
    out = {spec.name: _finish(spec, row, i, confidence) for i, spec in usable if not isinstance(spec, Quantile)}
    samples: dict[tuple[str, str], list[Quantile]] = {}
    for _, spec in usable:
        if isinstance(spec, Quantile):
            samples.setdefault((list_name(spec), spec.unit), []).append(spec)
    for (column, unit), specs in samples.items():
        values = row[column]
        # a read-only view of Arrow's buffer, the units' views of a pooled row, or a list (a DataFrame's cell)
        if values is None:
            values = np.empty(0)
        elif not isinstance(values, np.ndarray) and not (values and isinstance(values[0], np.ndarray)):
            values = np.array(values, dtype=float)
        wanted = [(spec.name, spec.q, spec.method, spec.empty) for spec in specs]
        out.update({m.name: m for m in quantiles(wanted, values, unit, confidence=confidence, presorted=presorted)})
    return out


def _unit_of(spec: Spec) -> str:
    if isinstance(spec, Proportion):
        return "ratio"
    if isinstance(spec, Promoters):
        return "points"
    return spec.unit


def unavailable(spec: Spec, reason: str) -> Measure:
    return Measure.unavailable(spec.name, _unit_of(spec), reason, method=spec.method)


def pooled_by_period(rows: list[dict]) -> list[dict]:
    """The "all units" row of each period, pooled from the unit rows: every statistic here is additive
    (counts, sums, sums of squares) or a list of values (kept as the units' arrays, joined when finished), so
    pooling equals computing from all the rows."""
    pooled: dict[str, dict] = {}
    for row in rows:
        target = pooled.setdefault(row["_period"], {"_period": row["_period"], "_unit": "all"})
        for key, value in row.items():
            if key in ("_period", "_unit"):
                continue
            if value is None:  # e.g. a sum over no values: kept as None unless another unit has values
                target.setdefault(key, None)
            elif isinstance(value, np.ndarray):
                target[key] = [*(target.get(key) or []), value]
            else:
                target[key] = (target.get(key) or 0) + value
    return list(pooled.values())


def rows_with_arrays(table) -> list[dict]:
    """Rows of an Arrow table as dicts; list columns become read-only NumPy views of Arrow's buffers, without
    passing through Python objects or copying (a month of ten million contacts holds millions of values)."""
    import pyarrow as pa

    rows = [dict() for _ in range(table.num_rows)]
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_list(column.type):
            first = 0
            for chunk in column.chunks:  # chunk by chunk: combining them would copy every value
                # the child values as a view (flatten() then to_numpy() copied) and the offsets into them
                # (absolute: they index the child, not a flattened slice)
                values = chunk.values.to_numpy(zero_copy_only=False)
                offsets = chunk.offsets.to_numpy()
                valid = chunk.is_valid().to_numpy(zero_copy_only=False)
                for i in range(len(chunk)):
                    rows[first + i][name] = values[offsets[i] : offsets[i + 1]] if valid[i] else None
                first += len(chunk)
        else:
            for i, value in enumerate(column.to_pylist()):
                rows[i][name] = value
    return rows
