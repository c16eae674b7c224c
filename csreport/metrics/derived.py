"""A table of the store with its KPI helper columns, computed once and kept beside the store.

The contact KPIs read the contacts through a SELECT that adds helper columns
(:func:`csreport.metrics.helper_columns.contacts_derived`): business seconds from the units' calendars (two
joins of the bucket table per contact), the repeat flag of the FCR rule (a window over every customer's
contacts) and a few cheap flags. Over ten million contacts that SELECT costs more than the aggregation itself,
and a batch or a benchmark evaluates it again on every pass. :func:`kept_derived` writes its result once as
``<work_dir>/derived/<table>-<store key>-<sql key>.parquet`` and returns the relation reading it, so a later pass
only scans (and skips the row groups outside its months: they keep the store's time order).

The file is keyed by the store's files (a new validation gives new keys; files of an earlier validation are
removed when a new one is written) and by the text of the SELECT, which carries every parameter it depends on
(the calendar table's file name is a digest of the calendars, the FCR window is a literal). Writers of the same
file wait for one another (an flock), so two workers of a batch do not both compute it. A store whose folder
cannot be written (or a disk that fills up while writing) is read as before, without a kept file.

The value lists of the quantiles (first response and resolution times, elapsed and business) are kept too,
one list each, sorted by month, unit and value (:func:`kept_sorted`, ``<table>-<store key>-<key>.sorted.npy`` and
its ``.sorted.groups.json``): a pass maps each group's values as one ordered slice instead of collecting and
selecting them (:mod:`csreport.metrics.sorted_lists`).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from csreport.data.sql import connect, literal
from csreport.metrics.sorted_lists import groups_path, write_sorted

FORMAT = 3  # bump when the kept files' layout changes (2: LZ4 pages, 3: sorted lists as NumPy files)
#: the ``derived`` SELECT :func:`kept_derived` returns with the kept file: its helper columns are there already
KEPT = "SELECT * FROM source"


def _kept_path(store, table: str, derived: str) -> Path:
    """Where the kept result of ``derived`` over ``table`` of ``store`` lives (whether or not written yet)."""
    return _folder(store) / f"{table}-{_store_key(store, table)}-{_digest(str(FORMAT), derived)}.parquet"


def kept_derived(store, table: str, derived: str) -> tuple[str, str]:
    """``(relation, derived)`` to pass to :func:`csreport.metrics.aggregate.query_grouped` instead of the store's
    relation of ``table`` and ``derived`` (a SELECT … FROM source): the kept file, written on first use, and a
    SELECT that only reads it. When the folder cannot be written, the store's relation and ``derived`` as given."""
    path = _kept_path(store, table, derived)
    if not path.exists():
        try:
            select = derived.replace("FROM source", f"FROM {store.relation(table)}")
            _write(path, lambda partial: _copy(_copy_sql(select, partial)), table)
        except OSError:
            return store.relation(table), derived
    return f"read_parquet({literal(str(path))})", KEPT


def kept_sorted(store, table: str, select: str) -> Path | None:
    """The values file of ``select`` (a SELECT over kept files of ``table`` giving _month, _unit, _v) kept
    beside the store as a list sorted by month, unit and value (:func:`csreport.metrics.sorted_lists.write_sorted`),
    written on first use; None when it cannot be written. For the value lists of the grouped KPI pass
    (:func:`csreport.metrics.aggregate.query_grouped`): a sorted list is read as contiguous, ordered slices, with
    no grouping and no selection of order statistics left to do."""
    path = _folder(store) / f"{table}-{_store_key(store, table)}-{_digest(str(FORMAT), select)}.sorted.npy"
    if not path.exists():
        try:
            _write(path, lambda partial: _write_sorted(select, partial, path), table)
        except OSError:
            return None
    return path


def _write_sorted(select: str, partial: Path, path: Path) -> None:
    """Write a sorted list to ``partial`` with its groups file already in place beside ``path`` (the values
    file, moved there last, is what marks the list as written)."""
    groups, partial_groups = groups_path(path), groups_path(partial)
    try:
        write_sorted(select, partial, partial_groups)
        os.replace(partial_groups, groups)
    except duckdb.Error as exc:
        raise OSError(str(exc).splitlines()[0]) from None
    finally:
        partial_groups.unlink(missing_ok=True)


def _write(path: Path, produce: Callable[[Path], None], table: str) -> None:
    """Write a kept file at ``path`` once: ``produce(partial)`` writes it to a partial path in the same folder,
    moved to ``path`` when complete; writers of the same file wait for one another."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the process dies
        try:
            if path.exists():  # another process wrote it while this one waited
                return
            partial = path.with_name(f".{path.name}.{os.getpid()}")
            try:
                produce(partial)
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
            _remove_stale(path, table)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _copy_sql(select: str, partial: Path) -> str:
    # no ORDER BY: sorting ten million rows held 3.4 GB where the copy streams in 0.6 GB, and DuckDB keeps the
    # store's time order within each thread's row groups, so a month's pass still skips the others.
    # LZ4 pages: every later pass decodes them, and LZ4 decodes faster than DuckDB's default Snappy (the
    # 10M-contact KPI pass took 3.9 CPU-s instead of 4.5) at the same size
    return f"COPY ({select}) TO {literal(str(partial))} (FORMAT parquet, COMPRESSION lz4_raw, ROW_GROUP_SIZE 100000)"


def _copy(sql: str) -> None:
    """Run the COPY; a DuckDB error (a full disk, a source that moved since validation) is an OSError, so the
    pass reads the store as before and the store's own query gives its clear error if there is one."""
    try:
        with connect() as con:
            con.execute(sql)
    except duckdb.Error as exc:
        raise OSError(str(exc).splitlines()[0]) from None


def _remove_stale(path: Path, table: str) -> None:
    """Remove kept files of ``table`` from an earlier validation of the store (another store key) and sorted lists
    of the layout before NumPy files (``.sorted.parquet``, no longer read), with their lock files (a reader that
    mapped a removed list keeps its pages)."""
    current = path.name.split("-")[1]
    for kept in path.parent.glob(f"{table}-*"):
        if kept.name.split("-")[1] != current or ".sorted.parquet" in kept.name:
            kept.unlink(missing_ok=True)


def _folder(store) -> Path:
    return Path(store.path).parent / "derived"


def _store_key(store, table: str) -> str:
    """Digest of the store's files that ``table`` is read from and of the validation's manifest (a new
    validation rewrites them; a referenced source that changed is re-validated before it is read)."""
    files = [Path(store.path) / f"{table}.parquet", Path(store.path) / f"{table}.sql",
             Path(store.path).parent / "ingest.json"]  # fmt: skip
    stamps = [f"{f.name}:{f.stat().st_mtime_ns}:{f.stat().st_size}" for f in files if f.exists()]
    return _digest(str(Path(store.path).resolve()), *stamps)[:12]


def _digest(*parts: str) -> str:
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]
