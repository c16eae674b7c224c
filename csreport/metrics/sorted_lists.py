"""The value lists of the grouped KPI pass read from kept sorted files instead of collected by DuckDB.

A quantile needs every value of its (month, unit) group. Collecting them with DuckDB's ``list()`` per group
and selecting the order statistics in Python took ≈ 4 CPU-s over ten million contacts, on every pass. Kept
beside the store sorted by month, unit and value (:func:`csreport.metrics.derived.kept_sorted`, written on the first
pass), a group's values are one contiguous slice, already in order: the slices are views of one array and the
order statistics are read by index (:func:`csreport.metrics.measure.quantiles` with ``presorted``).

A kept list is two files: the values as a NumPy array (``.npy``, float64 in the list's order), read by memory
mapping so that a pass pays only for the pages its order statistics touch, and beside it the list's groups in
order, ``[[period, unit, count], …]`` (``.groups.json``). Reading a list as Parquet decoded every value on every
pass (≈ 0.25 s per list for ten million contacts, a quarter of a 60-scorecard run); mapping it takes a
millisecond.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from csreport.data.sql import connect, quote

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


def groups_path(values_path: Path) -> Path:
    """The groups file beside the values file ``values_path`` of a kept list."""
    return values_path.with_name(values_path.name.removesuffix(".npy") + ".groups.json")


def write_sorted(select: str, values_path: Path, groups_file: Path) -> None:
    """Write the rows of ``select`` (columns _month, _unit, _v) as a kept list sorted by :data:`ORDER`: the
    values to ``values_path`` and their groups to ``groups_file``. Each group's slice is checked to be in
    order (and sorted if a reader ever returned it otherwise), so a reader needs no check."""
    with connect() as con:
        groups = con.sql(
            f"SELECT strftime(_month, '%Y-%m') AS period, _unit AS unit, count(*) AS n FROM ({select}) AS s "
            "GROUP BY _month, _unit ORDER BY _month, _unit"
        ).fetchall()
        values = con.sql(f"SELECT _v FROM ({select}) AS s ORDER BY {ORDER}").to_arrow_table().column(0)
    values = np.array(values.to_numpy(), dtype=np.float64)  # one writable array
    if sum(n for _, _, n in groups) != len(values):  # the source changed between the two reads
        raise OSError(f"{len(values)} values read for {sum(n for _, _, n in groups)} counted")
    first = 0
    for _, _, n in groups:
        part = values[first : first + n]
        if n > 1 and not (part[1:] >= part[:-1]).all():
            part.sort()  # NaN, should there be any, go last as in DuckDB's order
        first += n
    with groups_file.open("w") as out:
        json.dump([[period, unit, n] for period, unit, n in groups], out)
    with values_path.open("wb") as out:
        np.save(out, values)


def read_sorted(values_path: Path, start: str, stop: str) -> dict[tuple[str, str], np.ndarray]:
    """``(period, unit) → values`` in ascending order for the months from ``start`` to ``stop`` (month starts,
    "YYYY-MM-DD …") of the kept list at ``values_path``: read-only views of the memory-mapped values."""
    with groups_path(values_path).open() as source:
        groups = json.load(source)
    values = np.load(values_path, mmap_mode="r")
    if sum(n for _, _, n in groups) != len(values):  # a kept file changed under the pass
        raise RuntimeError(
            f"{values_path}: {len(values)} values kept for {sum(n for _, _, n in groups)} counted. Delete the work "
            "folder's derived/ subfolder (kept helper columns and value lists, rewritten on the next run) and run "
            "again."
        )
    low, high = start[:7], stop[:7]
    out, first = {}, 0
    for period, unit, n in groups:
        if low <= period < high:
            out[(period, unit)] = values[first : first + n]
        first += n
    return out
