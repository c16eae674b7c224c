"""Slices of the validated store: one table, a window of months, one business unit (or all), via DuckDB.

A table in the store is either a Parquet copy sorted by time (CSV, Excel and database sources, or Parquet
needing text parsing) or, for an already typed Parquet source, a stored query that reads the source itself,
types it and skips the quarantined rows. Either way DuckDB filters to the window and unit while reading, so a
month × unit slice of a ten-million-row table is cheap. A referenced source must not change after ingestion;
every run calls ``ingest`` first, which re-validates when the source bytes changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import pandas as pd

from csreport.errors import ParameterError, UnusableInputError
from csreport.runparams import parse_period  # noqa: F401 - re-exported: metrics and findings import it from here
from csreport.schemas import SCHEMAS
from csreport.sql import connect, literal, quote

ALL_UNITS = "all"


@dataclass(frozen=True)
class Coverage:
    """The span of one unit's data: its first and last contact (``created_at``), recorded at validation.

    Days with data are counted by calendar day: a month with data from its 1st to its 24th has 24 days of
    exposure, whatever the hour of the last contact."""

    unit: str
    first: pd.Timestamp
    last: pd.Timestamp

    @property
    def first_day(self) -> pd.Timestamp:
        return self.first.normalize()

    @property
    def last_day(self) -> pd.Timestamp:
        return self.last.normalize()

    def days(self, period: str) -> int:
        """Calendar days of ``period`` (YYYY-MM) inside the data's span (0 when the month is outside it)."""
        month = parse_period(period)
        start = max(month.start_time.normalize(), self.first_day)
        end = min(month.end_time.normalize(), self.last_day)
        return max(0, (end - start).days + 1)

    def contains(self, period: str) -> bool:
        """True when ``period`` has at least one day inside the data's span."""
        return self.days(period) > 0

    def partial(self, period: str) -> bool:
        """True when the data's start or end cuts ``period`` (some but not all of its days have data)."""
        return 0 < self.days(period) < parse_period(period).days_in_month

    def check(self, period: str) -> None:
        """A :class:`ParameterError` naming the data's range when ``period`` lies outside it."""
        if not self.contains(period):
            where = "the data" if self.unit == ALL_UNITS else f"the data of unit {self.unit}"
            raise ParameterError(
                f"period {period} is outside {where}: contacts from {self.first_day.date()} to "
                f"{self.last_day.date()}. Choose a period in that range."
            )

    def to_json(self) -> list[str]:
        return [self.first.isoformat(), self.last.isoformat()]


def coverage_query(relation: str) -> str:
    """SQL giving per business unit and for all units together the first and last ``created_at``."""
    return (
        f"SELECT business_unit, min(created_at) AS first, max(created_at) AS last FROM {relation} "
        f"WHERE created_at IS NOT NULL GROUP BY ROLLUP (business_unit)"
    )


def coverage_from_frame(frame: pd.DataFrame) -> dict[str, list[str]]:
    """``unit → [first, last]`` (ISO timestamps; the rollup row is ``"all"``) from :func:`coverage_query`."""
    out = {}
    for row in frame.itertuples(index=False):
        if pd.isna(row.first):
            continue
        unit = ALL_UNITS if row.business_unit is None or pd.isna(row.business_unit) else str(row.business_unit)
        out[unit] = [pd.Timestamp(row.first).isoformat(), pd.Timestamp(row.last).isoformat()]
    return out


@dataclass(frozen=True)
class Store:
    """The validated tables of one ingest, read-only."""

    path: Path

    @property
    def tables(self) -> list[str]:
        """Tables present in the store, in contract order."""
        return [t for t in SCHEMAS if (self.path / f"{t}.parquet").exists() or (self.path / f"{t}.sql").exists()]

    def has(self, table: str, *columns: str) -> bool:
        """True when ``table`` is present and has every one of ``columns``."""
        return table in self.tables and set(columns) <= set(self.columns(table))

    def columns(self, table: str) -> list[str]:
        """Contract columns present in ``table`` (remembered until the table's file changes)."""
        stored = self.path / f"{table}.parquet"
        stored = stored if stored.exists() else self.path / f"{table}.sql"
        stamp = stored.stat().st_mtime_ns if stored.exists() else 0
        return list(_columns(self, table, stamp))

    def _run(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL on the store; a source file that moved or changed since validation is a clear error."""
        try:
            with connect() as con:
                return con.execute(sql, params or []).df()
        except duckdb.IOException as exc:
            raise UnusableInputError(
                f"{self.path}: the validated store cannot read its data ({str(exc).splitlines()[0]}). The data "
                f"files moved or changed since validation; run 'csreport validate DATA_DIR --out "
                f"{self.path.parent}' again."
            ) from None

    def relation(self, table: str, ordered: bool = False) -> str:
        """A DuckDB FROM-clause expression reading ``table`` (for SQL built by csreport's own modules).

        ``ordered``: rows in the order of the source file. A copied table is one Parquet file, which DuckDB scans in
        order; a referenced source is a query with an anti join (minus the quarantined rows), whose output order
        varies from one process to the next, so it gets an ``ORDER BY`` of the source row number. Only row reads
        ask for it (an analysis that samples or splits rows must see them in the same order every time: same
        inputs, same numbers); aggregations do not pay for the sort."""
        if table not in SCHEMAS:
            raise ParameterError(f"unknown table {table!r}; tables: {', '.join(SCHEMAS)}.")
        copy = self.path / f"{table}.parquet"
        if copy.exists():
            return f"read_parquet({literal(str(copy))})"
        # a typed Parquet source is referenced, not copied: the stored query types it and skips quarantined rows
        reference = (self.path / f"{table}.sql").read_text(encoding="utf-8").strip()
        # `source._row`: the row number that ingest's reference query (ingest._write_reference) keeps in scope
        return f"({reference}{' ORDER BY source._row' if ordered else ''})"

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run SQL in which ``{table}`` placeholders name the store's tables, e.g. ``SELECT * FROM {contacts}``."""
        names = {t: self.relation(t) for t in self.tables}
        return self._run(sql.format(**names), params)

    def read(
        self,
        table: str,
        period: str | None = None,
        unit: str = ALL_UNITS,
        months: int = 1,
        columns: list[str] | None = None,
    ) -> pd.DataFrame:
        """Rows of ``table`` in the ``months`` months ending with ``period`` (all rows when ``period`` is None)
        for business unit ``unit`` (``"all"`` for every unit). Missing table → empty frame with no columns."""
        if table not in self.tables:
            return pd.DataFrame()
        meta = SCHEMAS[table].metadata
        where = []
        if period is not None and meta["time_column"]:
            end = parse_period(period)
            start = end - (months - 1)
            col = quote(meta["time_column"])
            if meta["time_column"] == "period":
                where.append(f"{col} BETWEEN {literal(str(start))} AND {literal(str(end))}")
            else:
                where.append(
                    f"{col} >= {literal(str(start.start_time))}::TIMESTAMP AND "
                    f"{col} < {literal(str((end + 1).start_time))}::TIMESTAMP"
                )
        if unit != ALL_UNITS and meta["unit_column"]:
            where.append(f"{quote(meta['unit_column'])} = {literal(unit)}")
        select = ", ".join(quote(c) for c in columns) if columns else "*"
        sql = f"SELECT {select} FROM {self.relation(table, ordered=True)}" + (
            f" WHERE {' AND '.join(where)}" if where else ""
        )
        return self._run(sql)

    def last_month(self) -> str:
        """The last month (YYYY-MM) with contacts."""
        return str(self.query("SELECT strftime(max(created_at), '%Y-%m') AS m FROM {contacts}")["m"].iloc[0])

    def coverage(self, unit: str = ALL_UNITS) -> Coverage | None:
        """First and last contact of ``unit`` (``"all"``: every unit), as recorded at validation in
        ``ingest.json`` (computed from the store when an older manifest lacks it); None without contacts."""
        spans = _coverage(self, _stamp(Path(self.path).parent / "ingest.json"))
        span = spans.get(unit)
        if span is None:
            return None
        return Coverage(unit, pd.Timestamp(span[0]), pd.Timestamp(span[1]))

    def units(self) -> list[str]:
        """Business units present in contacts, sorted."""
        return self.query("SELECT DISTINCT business_unit FROM {contacts} ORDER BY 1")["business_unit"].tolist()


@lru_cache(maxsize=64)
def _columns(store: Store, table: str, stamp: int) -> tuple[str, ...]:
    return tuple(store._run(f"DESCRIBE SELECT * FROM {store.relation(table)}")["column_name"])


def _stamp(path: Path) -> int:
    return path.stat().st_mtime_ns if path.exists() else 0


@lru_cache(maxsize=64)
def _coverage(store: Store, stamp: int) -> dict[str, list[str]]:
    manifest = Path(store.path).parent / "ingest.json"
    if stamp and manifest.exists():
        recorded = json.loads(manifest.read_text(encoding="utf-8")).get("coverage")
        if recorded:
            return recorded
    if "contacts" not in store.tables:
        return {}
    return coverage_from_frame(store.query(coverage_query("{contacts}")))


def open_store(out_dir: str | Path) -> Store:
    """The store written by :func:`csreport.ingest.ingest` into ``out_dir``."""
    path = Path(out_dir) / "store"
    if not path.is_dir():
        raise ParameterError(f"{out_dir}: no validated store here. Run 'csreport validate DATA_DIR --out {out_dir}'.")
    return Store(path)
