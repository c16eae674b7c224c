"""The value lists of the grouped KPI pass read from kept sorted files instead of collected by DuckDB.

A quantile needs every value of its (month, unit) group. Collecting them with DuckDB's ``list()`` per group
and selecting the order statistics in Python took ≈ 4 CPU-s over ten million contacts, on every pass. Kept
beside the store sorted by month, unit and value (:func:`csreport.derived.kept_sorted`, written on the first
pass), a group's values are one contiguous slice, already in order: the slices are views of one array and the
order statistics are read by index (:func:`csreport.measure.quantiles` with ``presorted``).
"""

from __future__ import annotations

import numpy as np

from csreport.sql import connect, literal, quote

#: sort order of a kept value list (its columns: _month, _unit, _v)
ORDER = "_month, _unit, _v"


def sorted_select(source: str, time_column: str, expression: str) -> str:
    """SELECT of the non-null values of ``expression`` over ``source`` (a FROM item) with their store month
    and unit, over the whole store (every pass reads its months of the same kept file)."""
    month = f"date_trunc('month', {quote(time_column)})"
    return (
        f"SELECT {month} AS _month, business_unit AS _unit, {expression} AS _v FROM {source} "
        f"WHERE {expression} IS NOT NULL"
    )


def read_sorted(relation: str, start: str, stop: str) -> dict[tuple[str, str], np.ndarray]:
    """``(period, unit) → values`` in ascending order for the months from ``start`` to ``stop`` (month starts)
    of the kept sorted list ``relation``: one read of the values and one of the group sizes. Each slice is
    checked to be in order (and sorted should a reader ever return the rows out of the file's order)."""
    where = f"_month >= {literal(start)}::TIMESTAMP AND _month < {literal(stop)}::TIMESTAMP"
    with connect() as con:
        groups = con.sql(
            f"SELECT strftime(_month, '%Y-%m') AS period, _unit AS unit, count(*) AS n FROM {relation} "
            f"WHERE {where} GROUP BY _month, _unit ORDER BY _month, _unit"
        ).fetchall()
        values = con.sql(f"SELECT _v FROM {relation} WHERE {where}").to_arrow_table().column(0).to_numpy()
    sizes = [n for _, _, n in groups]
    if sum(sizes) != len(values):  # a kept file changed under the pass (it is written once, then only read)
        raise RuntimeError(
            f"{relation}: {len(values)} values read for {sum(sizes)} counted. Delete the work folder's derived/ "
            "subfolder (kept helper columns and value lists, rewritten on the next run) and run again."
        )
    out, first = {}, 0
    for (period, unit, _), end in zip(groups, np.cumsum(sizes), strict=True):
        part = values[first:end]
        if len(part) > 1 and not (part[1:] >= part[:-1]).all():
            part = np.sort(part)
        out[(period, unit)] = part
        first = end
    return out
