"""The KPI aggregation engine: each KPI is an aggregate spec evaluated by DuckDB.

The same SQL runs over one period's DataFrame (``evaluate``) or over the whole store grouped by month and
unit (``query_grouped``, then ``GroupedQuery.finish``), so a KPI has one definition. "All units" adds up the
units' additive statistics (counts, sums, sums of squares, value lists), which equals computing from the rows.
The specs are in :mod:`csreport.metrics.specs`, the Measures made of the aggregates in
:mod:`csreport.metrics.finishing`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from csreport.data.sql import connect, literal, quote, thread_budget
from csreport.metrics.finishing import finish_row, pooled_by_period, rows_with_arrays, unavailable
from csreport.metrics.measure import Measure
from csreport.metrics.sorted_lists import read_sorted, sorted_select
from csreport.metrics.specs import (
    Count,
    Mean,
    Promoters,
    Proportion,
    Quantile,
    Spec,
    Sum,
    columns_missing,
    list_name,
    where_value,
)

__all__ = ["Count", "GroupedQuery", "Mean", "Promoters", "Proportion", "Quantile", "Spec", "Sum", "evaluate",
           "query_grouped"]  # fmt: skip


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
        v = plan.column(where_value(spec.value, spec.where))
        # fsum (compensated): a plain sum of doubles depends on the order DuckDB's threads add them in, so two
        # runs over the same rows differed in the 15th digit; fsum gave the same result every time, as fast
        return [f"count({v}) AS {p}n", f"fsum({v}) AS {p}s", f"fsum({v} * {v}) AS {p}ss"]
    if isinstance(spec, Quantile):
        if not lists:
            return []
        v = plan.column(where_value(spec.value, spec.where))
        return [f"list({v}) FILTER ({v} IS NOT NULL) AS {list_name(spec)}"]
    if isinstance(spec, Promoters):
        c = quote(spec.column)
        return [
            f"count({plan.column(c)}) AS {p}n",
            f"{plan.count_if(f'{c} >= 9')} AS {p}promoters",
            f"{plan.count_if(f'{c} <= 6')} AS {p}detractors",
        ]
    raise TypeError(spec)


def _plan(usable: list[tuple[int, Spec]], lists: bool = True) -> _Plan:
    plan = _Plan()
    for i, spec in usable:
        for item in _aggregates(spec, i, plan, lists):
            plan.add(item)
    return plan


def _list_expressions(usable: list[tuple[int, Spec]]) -> dict[str, str]:
    """``value list column → the expression whose non-null values it holds`` of the quantile specs."""
    return {list_name(s): where_value(s.value, s.where) for _, s in usable if isinstance(s, Quantile)}


def _select(specs: list[Spec], columns: set[str]) -> tuple[list[tuple[int, Spec]], dict[str, Measure]]:
    usable, missing = [], {}
    for i, spec in enumerate(specs):
        reason = columns_missing(spec, columns)
        if reason:
            missing[spec.name] = unavailable(spec, reason)
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
        out.update(finish_row(usable, row, confidence))
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
            lists = self.values[list_name(spec)]
            keys = zip(self.table.column("_period").to_pylist(), self.table.column("_unit").to_pylist(), strict=True)
            return [len(lists.get(key, ())) for key in keys]
        return pc.list_value_length(self.table.column(list_name(spec))).fill_null(0).to_pylist()

    def finish(self, confidence: float) -> dict[tuple[str, str], dict[str, Measure]]:
        rows = rows_with_arrays(self.table)
        for column, lists in (self.values or {}).items():
            for row in rows:
                row[column] = lists.get((row["_period"], row["_unit"]))
        if self.pool and not any(row["_unit"] == "all" for row in rows):  # DuckDB's when units have own zones
            rows += pooled_by_period(rows)
        presorted = self.values is not None

        def measures_of(row: dict) -> dict[str, Measure]:
            measures = {**self.missing, **finish_row(self.usable, row, confidence, presorted)}
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
    ``stop`` (exclusive) timestamps. ``local_month`` (:meth:`csreport.data.store.Store.month_sql`): the units'
    months in their own time zones; "all units" then keeps the store's months and is aggregated in the same
    pass (grouping sets) instead of pooled from the units' rows.

    ``scenarios``: ``source`` carries a ``_scenario`` key and a ``_scenario_stop`` timestamp per row (several
    slices of the store in one pass, e.g. :func:`csreport.metrics.maturing.same_age_many`); the specs run per scenario
    over its rows before its stop, keyed ``(scenario, "")``.

    ``keep_sorted(select)``: the kept list of ``select`` sorted by month, unit and value (or None), e.g.
    :func:`csreport.metrics.derived.kept_sorted`; with it, a pass in store months over whole months reads the
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
