"""The KPI aggregation engine: each KPI is an aggregate spec evaluated by DuckDB.

The same SQL runs over one period's DataFrame (``evaluate``) or over the whole store grouped by month and
unit (``query_grouped``, then ``GroupedQuery.finish``), so a KPI has one definition. "All units" adds up the
units' additive statistics (counts, sums, sums of squares, value lists), which equals computing from the rows.
Specs: :class:`Proportion` (Wilson interval), :class:`Mean` (t interval), :class:`Quantile` (order-statistic
interval, sample kept for comparisons), :class:`Count`, :class:`Sum` and :class:`Promoters` (NPS).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from csreport.measure import Measure, quantiles, rate
from csreport.metrics.sorted_lists import read_sorted, sorted_select
from csreport.sql import connect, literal, quote, thread_budget


@dataclass(frozen=True)
class Spec:
    name: str
    needs: tuple[str, ...]
    method: str
    empty: str
    table: str = "contacts"


@dataclass(frozen=True)
class Count(Spec):
    where: str = "TRUE"
    unit: str = "count"


@dataclass(frozen=True)
class Sum(Spec):
    value: str = "NULL"
    unit: str = "s"


@dataclass(frozen=True)
class Proportion(Spec):
    success: str = "FALSE"
    among: str = "TRUE"


@dataclass(frozen=True)
class Mean(Spec):
    value: str = "NULL"
    where: str = "TRUE"
    unit: str = "s"


@dataclass(frozen=True)
class Quantile(Spec):
    value: str = "NULL"
    where: str = "TRUE"
    q: float = 0.5
    unit: str = "s"


@dataclass(frozen=True)
class Promoters(Spec):
    column: str = "nps"


def _columns_missing(spec: Spec, columns: set[str]) -> str | None:
    absent = [c for c in spec.needs if c not in columns]
    return f"{spec.table} has no {', '.join(absent)} column" if absent else None


class _Plan:
    """The SQL of a set of specs in two layers: an inner SELECT projecting each distinct condition or value
    once (``_c0``, ``_c1`` …) and outer aggregates over those plain columns. Aggregating projected columns is
    markedly cheaper in DuckDB than one ``FILTER (…)`` clause per aggregate, and equal expressions of
    different specs (e.g. "offered" for service level and abandonment) are computed once."""

    def __init__(self) -> None:
        self.columns: dict[str, str] = {}  # expression → projected column name
        self.aggregates: list[str] = []

    def column(self, expression: str) -> str:
        return self.columns.setdefault(expression, f"_c{len(self.columns)}")

    def count_if(self, condition: str) -> str:
        # count_if over no rows is NULL, not 0
        return "count(*)" if condition == "TRUE" else f"coalesce(count_if({self.column(condition)}), 0)"

    def add(self, item: str) -> None:
        if item not in self.aggregates:
            self.aggregates.append(item)

    def projection(self) -> str:
        return ", ".join(f"{expression} AS {name}" for expression, name in self.columns.items())


def _aggregates(spec: Spec, i: int, plan: _Plan, lists: bool = True) -> list[str]:
    """Outer SELECT items computing the sufficient statistics of ``spec`` (prefixed ``k<i>_``), registering
    the expressions they aggregate in ``plan``; ``lists=False``: none for quantiles (their values are read
    from kept sorted lists, :mod:`csreport.metrics.sorted_lists`)."""
    p = f"k{i}_"
    if isinstance(spec, Count):
        return [f"{plan.count_if(spec.where)} AS {p}n"]
    if isinstance(spec, Sum):
        v = plan.column(f"CAST({spec.value} AS DOUBLE)")
        return [f"coalesce(fsum({v}), 0) AS {p}total", f"count({v}) AS {p}n"]
    if isinstance(spec, Proportion):
        success = spec.success if spec.among == "TRUE" else f"({spec.among}) AND ({spec.success})"
        return [f"{plan.count_if(success)} AS {p}x", f"{plan.count_if(spec.among)} AS {p}n"]
    if isinstance(spec, Mean):
        v = plan.column(_where_value(spec.value, spec.where))
        # fsum (compensated): a plain sum of doubles depends on the order DuckDB's threads add them in, so two
        # runs over the same rows differed in the 15th digit; fsum gave the same result every time, as fast
        return [f"count({v}) AS {p}n", f"fsum({v}) AS {p}s", f"fsum({v} * {v}) AS {p}ss"]
    if isinstance(spec, Quantile):
        if not lists:
            return []
        v = plan.column(_where_value(spec.value, spec.where))
        return [f"list({v}) FILTER ({v} IS NOT NULL) AS {_list_name(spec)}"]
    if isinstance(spec, Promoters):
        c = quote(spec.column)
        return [
            f"count({plan.column(c)}) AS {p}n",
            f"{plan.count_if(f'{c} >= 9')} AS {p}promoters",
            f"{plan.count_if(f'{c} <= 6')} AS {p}detractors",
        ]
    raise TypeError(spec)


def _where_value(value: str, where: str) -> str:
    """``value`` as DOUBLE where ``where`` holds, else NULL (aggregates skip NULLs)."""
    cast = f"CAST({value} AS DOUBLE)"
    return cast if where == "TRUE" else f"CASE WHEN {where} THEN {cast} END"


def _list_name(spec: Quantile) -> str:
    """Column name of a quantile's value list: shared by quantiles of the same values and filter."""
    import hashlib

    return "values_" + hashlib.sha1(f"{spec.value}|{spec.where}".encode()).hexdigest()[:10]


def _plan(usable: list[tuple[int, Spec]], lists: bool = True) -> _Plan:
    plan = _Plan()
    for i, spec in usable:
        for item in _aggregates(spec, i, plan, lists):
            plan.add(item)
    return plan


def _list_expressions(usable: list[tuple[int, Spec]]) -> dict[str, str]:
    """``value list column → the expression whose non-null values it holds`` of the quantile specs."""
    return {_list_name(s): _where_value(s.value, s.where) for _, s in usable if isinstance(s, Quantile)}


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


def _finish_row(
    usable: list[tuple[int, Spec]], row: dict, confidence: float, presorted: bool = False
) -> dict[str, Measure]:
    """Measures of every usable spec from one result row; quantiles of the same values share one selection
    of order statistics (``presorted``: the value lists are in ascending order)."""
    out = {spec.name: _finish(spec, row, i, confidence) for i, spec in usable if not isinstance(spec, Quantile)}
    samples: dict[tuple[str, str], list[Quantile]] = {}
    for _, spec in usable:
        if isinstance(spec, Quantile):
            samples.setdefault((_list_name(spec), spec.unit), []).append(spec)
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


def _unavailable(spec: Spec, reason: str) -> Measure:
    return Measure.unavailable(spec.name, _unit_of(spec), reason, method=spec.method)


def _select(specs: list[Spec], columns: set[str]) -> tuple[list[tuple[int, Spec]], dict[str, Measure]]:
    usable, missing = [], {}
    for i, spec in enumerate(specs):
        reason = _columns_missing(spec, columns)
        if reason:
            missing[spec.name] = _unavailable(spec, reason)
        else:
            usable.append((i, spec))
    return usable, missing


def evaluate(
    frame: pd.DataFrame, specs: list[Spec], derived: str, confidence: float, later: pd.DataFrame | None = None
) -> dict[str, Measure]:
    """Every spec over one DataFrame; ``derived`` is a SELECT over ``source`` adding helper columns.

    ``later`` rows (e.g. contacts after the period) are visible to window expressions in ``derived`` but are
    not counted.
    """
    usable, out = _select(specs, set(frame.columns))
    if usable:
        plan = _plan(usable)
        source = frame.assign(_later=False)
        if later is not None:
            source = pd.concat([source, later.assign(_later=True)], ignore_index=True)
        with connect() as con:
            con.register("source", source)
            inner = f"SELECT {plan.projection() or 'NULL AS _none'} FROM ({derived}) AS d0 WHERE NOT _later"
            sql = f"SELECT {', '.join(plan.aggregates)} FROM ({inner}) AS d"
            row = con.execute(sql).fetchdf().iloc[0].to_dict()
        out.update(_finish_row(usable, row, confidence))
    return {spec.name: out[spec.name] for spec in specs}


@dataclass(frozen=True)
class GroupedQuery:
    """The aggregates of many specs per (period, unit), as DuckDB returned them; :meth:`finish` turns them into
    Measures. Split in two so that the Python finishing of one query can overlap DuckDB running the next."""

    specs: list[Spec]
    usable: list[tuple[int, Spec]]
    missing: dict[str, Measure]
    table: object  # pyarrow.Table
    pool: bool = True  # add the "all units" row of each period (False: rows are scenarios, see query_grouped)
    # the value lists read from kept sorted files (list column → (period, unit) → ascending values), or None
    # when the table holds them as list columns
    values: dict[str, dict[tuple[str, str], np.ndarray]] | None = None

    def value_counts(self, name: str) -> list[int] | None:
        """Per result row, how many values quantile spec ``name`` collected (None when it is not computed)."""
        import pyarrow.compute as pc

        spec = next((s for _, s in self.usable if s.name == name and isinstance(s, Quantile)), None)
        if spec is None:
            return None
        if self.values is not None:
            lists = self.values[_list_name(spec)]
            keys = zip(self.table.column("_period").to_pylist(), self.table.column("_unit").to_pylist(), strict=True)
            return [len(lists.get(key, ())) for key in keys]
        return pc.list_value_length(self.table.column(_list_name(spec))).fill_null(0).to_pylist()

    def finish(self, confidence: float) -> dict[tuple[str, str], dict[str, Measure]]:
        rows = _rows_with_arrays(self.table)
        for column, lists in (self.values or {}).items():
            for row in rows:
                row[column] = lists.get((row["_period"], row["_unit"]))
        if self.pool and not any(row["_unit"] == "all" for row in rows):  # DuckDB's when units have own zones
            rows += _pooled_by_period(rows)
        presorted = self.values is not None

        def measures_of(row: dict) -> dict[str, Measure]:
            measures = {**self.missing, **_finish_row(self.usable, row, confidence, presorted)}
            return {spec.name: measures[spec.name] for spec in self.specs}

        # selecting order statistics among millions of values releases the GIL: rows run in parallel
        with ThreadPoolExecutor(max_workers=thread_budget()) as pool:
            finished = list(pool.map(measures_of, rows))
        return {(row["_period"], row["_unit"]): measures for row, measures in zip(rows, finished, strict=True)}


def query_grouped(
    source: str,
    columns: set[str],
    specs: list[Spec],
    derived: str,
    time_column: str,
    start: str,
    stop: str,
    local_month: str | None = None,
    scenarios: bool = False,
    keep_sorted: Callable[[str], Path | None] | None = None,
) -> GroupedQuery:
    """Run every spec per (period, unit) over the store relation ``source`` from ``start`` (inclusive) to
    ``stop`` (exclusive) timestamps. ``local_month`` (:meth:`csreport.store.Store.month_sql`): the units'
    months in their own time zones; "all units" then keeps the store's months and is aggregated in the same
    pass (grouping sets) instead of pooled from the units' rows.

    ``scenarios``: ``source`` carries a ``_scenario`` key and a ``_scenario_stop`` timestamp per row (several
    slices of the store in one pass, e.g. :func:`csreport.maturing.same_age_many`); the specs run per scenario
    over its rows before its stop, keyed ``(scenario, "")``.

    ``keep_sorted(select)``: the kept list of ``select`` sorted by month, unit and value (or None), e.g.
    :func:`csreport.derived.kept_sorted`; with it, a pass in store months over whole months reads the
    quantiles' values from kept sorted lists (:mod:`csreport.metrics.sorted_lists`) instead of collecting
    them, with the same results."""
    usable, missing = _select(specs, columns)
    kept_lists = None
    whole_months = all(pd.Timestamp(x) == pd.Timestamp(x).to_period("M").start_time for x in (start, stop))
    if keep_sorted is not None and not scenarios and not local_month and whole_months:
        source_select = f"({derived.replace('FROM source', f'FROM {source}')}) AS d0"
        kept_lists = {
            column: keep_sorted(sorted_select(source_select, time_column, expression))
            for column, expression in _list_expressions(usable).items()
        }
        kept_lists = kept_lists if all(kept_lists.values()) else None
    plan = _plan(usable, lists=kept_lists is None)
    t = quote(time_column)
    low, high = f"{literal(start)}::TIMESTAMP", f"{literal(stop)}::TIMESTAMP"
    month = f"date_trunc('month', {t})"
    if local_month:  # a unit's local months reach up to a day beyond the store's: read them whole
        low, high = f"{low} - INTERVAL 2 DAY", f"{high} + INTERVAL 2 DAY"
    # grouping by the month's timestamp is cheaper than by its formatted string; the few groups are formatted
    inner = (
        f"SELECT {local_month or month} AS _month, business_unit AS _unit"
        f"{', ' + month + ' AS _store_month' if local_month else ''}"
        f"{''.join(', ' + e for e in [plan.projection()] if e)} "
        f"FROM ({derived.replace('FROM source', f'FROM {source}')}) AS d0 "
        f"WHERE {t} >= {low} AND {t} < {high}"
    )
    aggregates = ", ".join(plan.aggregates or ["count(*) AS _rows"])
    if scenarios:
        inner = inner.replace("SELECT ", "SELECT _scenario, ", 1) + f" AND {t} < _scenario_stop"
        grouped = f"SELECT _scenario AS _period, '' AS _unit, {aggregates} FROM ({inner}) AS d GROUP BY ALL"
        with connect() as con:
            return GroupedQuery(specs, usable, missing, con.sql(grouped).to_arrow_table(), pool=False)
    if local_month:
        grouped = (
            f"SELECT coalesce(_month, _store_month) AS _month, CASE WHEN grouping(_unit) = 1 THEN 'all' "
            f"ELSE _unit END AS _unit, {aggregates} FROM ({inner}) AS d "
            f"GROUP BY GROUPING SETS ((_month, _unit), (_store_month))"
        )
    else:
        grouped = f"SELECT _month, _unit, {aggregates} FROM ({inner}) AS d GROUP BY ALL"
    sql = f"SELECT strftime(_month, '%Y-%m') AS _period, * EXCLUDE (_month) FROM ({grouped}) AS g"
    with connect() as con:
        table = con.sql(sql).to_arrow_table()
    values = {column: read_sorted(r, start, stop) for column, r in kept_lists.items()} if kept_lists else None
    return GroupedQuery(specs, usable, missing, table, values=values)


def _pooled_by_period(rows: list[dict]) -> list[dict]:
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


def _rows_with_arrays(table) -> list[dict]:
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
