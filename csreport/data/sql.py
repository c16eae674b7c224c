"""Quoting for the SQL that csreport builds for DuckDB (identifiers and literals, never raw user text), the
connections it uses and the thread budget they share."""

from __future__ import annotations

import contextlib
import os
import threading

import duckdb


def quote(name: str) -> str:
    """A DuckDB identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    """A DuckDB literal for None, a str, number or bool."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection as csreport uses them: no progress bar on stdout (csreport shows its own)."""
    con = duckdb.connect()
    # inside Jupyter without ipywidgets DuckDB refuses the setting; it shows no bar there anyway
    with contextlib.suppress(duckdb.InvalidInputException):
        con.execute("SET enable_progress_bar = false")
    if _batch_threads():
        con.execute(f"SET threads = {_batch_threads()}")
    return con


_KEPT = threading.local()


def kept_connection() -> duckdb.DuckDBPyConnection:
    """This thread's kept connection (:func:`connect`), opened on first use in each process and thread.

    Opening one starts an in-memory database with its own thread pool, ~0.08 s of CPU each time: a report's
    store reads (~80 queries between the run and its chapters) paid that per query. Only read-only queries on
    the store's files run on it (nothing registered or created stays behind); a DuckDB connection is not
    shared between threads, and one inherited through ``fork`` is not reused. A changed ``CSREPORT_THREADS``
    opens a new one."""
    wanted = (os.getpid(), _batch_threads())
    if getattr(_KEPT, "key", None) != wanted:
        _KEPT.connection, _KEPT.key = connect(), wanted
    return _KEPT.connection


def forget_kept_connection() -> None:
    """Drop this thread's kept connection (after an error, the next query opens a fresh one)."""
    _KEPT.key = None


def _batch_threads() -> int | None:
    """``CSREPORT_THREADS``, set by a parallel batch so that its runs share the cores; None when unset."""
    threads = os.environ.get("CSREPORT_THREADS", "")
    return int(threads) if threads.isdigit() and int(threads) > 0 else None


def thread_budget() -> int:
    """Threads csreport's own parallel work may use: a batch's share of the cores, or all of them."""
    return _batch_threads() or os.cpu_count() or 1
