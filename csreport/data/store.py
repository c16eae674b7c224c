"""Slices of the validated store: one table, a window of months, one business unit (or all), via DuckDB.

A table in the store is either a Parquet copy sorted by time (CSV, Excel and database sources, or Parquet
needing text parsing) or, for an already typed Parquet source, a stored query that reads the source itself,
types it and skips the quarantined rows. Either way DuckDB filters to the window and unit while reading, so a
month × unit slice of a ten-million-row table is cheap. A referenced source must not change after ingestion;
every run calls ``ingest`` first, which re-validates when the source bytes changed.

Time zones: the store's timestamps are naive times of the run's zone (``--timezone``, recorded in
``ingest.json``). A store given the units' calendars (:meth:`Store.with_calendars`) slices a unit's months at
the unit's local midnight (its calendar's ``timezone``) and, asked for ``local=True``, gives its timestamps in
that zone, so hour-of-day views show the unit's own hours. "All units" and a unit without a calendar use the
run's zone, as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from csreport.data.calendars import Calendars
from csreport.data.periods import parse_period  # noqa: F401 - re-exported: older callers import it from here
from csreport.data.schemas import SCHEMAS
from csreport.data.sql import forget_kept_connection, kept_connection, literal, quote
from csreport.errors import ParameterError, UnusableInputError

ALL_UNITS = "all"
DEFAULT_ZONE = "Asia/Shanghai"  # the run's zone when a manifest does not record one (as csreport.data.ingest)


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
    """The validated tables of one ingest, read-only; ``calendars`` give the units' time zones (none: every
    unit in the run's zone)."""

    path: Path
    calendars: Calendars | None = None

    def with_calendars(self, calendars: Calendars | None) -> Store:
        """This store with the units' calendars (their time zones slice months and give local hours)."""
        return replace(self, calendars=calendars)

    @property
    def run_zone(self) -> str:
        """The time zone of the stored (naive) timestamps: the run's ``--timezone`` recorded in ``ingest.json``."""
        return _run_zone(Path(self.path).parent / "ingest.json", _stamp(Path(self.path).parent / "ingest.json"))

    def zone(self, unit: str = ALL_UNITS) -> str:
        """The zone of ``unit``'s months and hours: its calendar's ``timezone``; the run's zone for "all units"
        and for a unit without a calendar."""
        calendar = self.calendars.of(unit) if self.calendars is not None and unit != ALL_UNITS else None
        return calendar.timezone if calendar is not None else self.run_zone

    def window(self, period: str, unit: str = ALL_UNITS, months: int = 1) -> tuple[pd.Timestamp, pd.Timestamp]:
        """``[start, stop)`` of the ``months`` months ending with ``period`` at ``unit``'s local midnight, as
        naive times of the store's zone. E.g. October for a unit in Asia/Shanghai in a UTC store starts at
        2026-09-30 16:00."""
        end = parse_period(period)
        start, stop = (end - (months - 1)).start_time, (end + 1).start_time
        return to_zone(start, self.zone(unit), self.run_zone), to_zone(stop, self.zone(unit), self.run_zone)

    def local(self, values: pd.Series, unit: str = ALL_UNITS) -> pd.Series:
        """Naive timestamps of the store's zone as naive local times of ``unit`` (unchanged in the same zone)."""
        return to_zone(values, self.run_zone, self.zone(unit))

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
            return kept_connection().execute(sql, params or []).df()
        except duckdb.Error as exc:
            forget_kept_connection()
            if not isinstance(exc, duckdb.IOException):
                raise
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
        local: bool = False,
    ) -> pd.DataFrame:
        """Rows of ``table`` in the ``months`` months ending with ``period`` (all rows when ``period`` is None)
        for business unit ``unit`` (``"all"`` for every unit); a unit's months start at its local midnight
        (:meth:`window`). ``local``: timestamps (not dates) as the unit's local times, for hour-of-day views.
        Missing table → empty frame with no columns."""
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
                low, high = self.window(period, unit, months)
                where.append(f"{col} >= {literal(str(low))}::TIMESTAMP AND {col} < {literal(str(high))}::TIMESTAMP")
        if unit != ALL_UNITS and meta["unit_column"]:
            where.append(f"{quote(meta['unit_column'])} = {literal(unit)}")
        select = ", ".join(quote(c) for c in columns) if columns else "*"
        sql = f"SELECT {select} FROM {self.relation(table, ordered=True)}" + (
            f" WHERE {' AND '.join(where)}" if where else ""
        )
        frame = self._run(sql)
        if local and self.zone(unit) != self.run_zone:
            for name, column in SCHEMAS[table].columns.items():
                if column.metadata["kind"] == "timestamp" and name in frame.columns:
                    frame[name] = self.local(frame[name], unit)
        return frame

    def month_sql(self, column: str, start: pd.Timestamp, stop: pd.Timestamp) -> str | None:
        """DuckDB expression: the first instant of the local month of ``column`` (a quoted timestamp of the
        store's zone) in its row's unit's zone, for rows from ``start`` to ``stop``; None when every unit's
        months are the store's (no unit's zone moves a month boundary). A zone's offset from the store's zone
        is taken at each month boundary; where it changes (daylight saving) the offset switches mid-month,
        far from any boundary, so each row is shifted by its nearest boundary's offset."""
        cases = []
        for unit, calendar in sorted((self.calendars.units if self.calendars else {}).items()):
            shift = _month_shifts(calendar.timezone, self.run_zone, str(start), str(stop))
            if shift:
                cases.append(f"WHEN {literal(unit)} THEN {column} + to_seconds({shift.replace('{c}', column)})")
        if not cases:
            return None
        return f"date_trunc('month', CASE business_unit {' '.join(cases)} ELSE {column} END)"

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
        first, last = self.local(pd.Series([pd.Timestamp(span[0]), pd.Timestamp(span[1])]), unit)  # its own days
        return Coverage(unit, pd.Timestamp(first), pd.Timestamp(last))

    def units(self) -> list[str]:
        """Business units present in contacts, sorted: those of the coverage recorded at validation (every
        accepted contact has a unit and a creation time), or read from the store when it lacks contacts' coverage."""
        spans = _coverage(self, _stamp(Path(self.path).parent / "ingest.json"))
        if spans:
            return sorted(u for u in spans if u != ALL_UNITS)
        return self.query("SELECT DISTINCT business_unit FROM {contacts} ORDER BY 1")["business_unit"].tolist()


@lru_cache(maxsize=64)
def _columns(store: Store, table: str, stamp: int) -> tuple[str, ...]:
    return tuple(store._run(f"DESCRIBE SELECT * FROM {store.relation(table)}")["column_name"])


def to_zone(values, source: str, target: str):
    """Naive times (a Timestamp or a Series) of zone ``source`` as naive times of ``target``; a nonexistent
    local time (daylight-saving gap) moves forward, an ambiguous one is taken as the first (as the calendars)."""
    if source == target:
        return values
    if isinstance(values, pd.Series):
        if values.empty:
            return values
        stamps = values.dt.tz_localize(source, ambiguous=np.ones(len(values), dtype=bool), nonexistent="shift_forward")
        return stamps.dt.tz_convert(target).dt.tz_localize(None)
    stamp = pd.Timestamp(values).tz_localize(source, ambiguous=True, nonexistent="shift_forward")
    return stamp.tz_convert(target).tz_localize(None)


@lru_cache(maxsize=256)
def _month_shifts(zone: str, store_zone: str, start: str, stop: str) -> str:
    """SQL (seconds, as text) shifting a store time of ``start`` … ``stop`` so that ``date_trunc('month', …)``
    gives its month in ``zone``: a constant, a CASE switching at mid-month where the offset changes, or "" when
    every boundary is the same in both zones."""
    months = pd.period_range(pd.Timestamp(start) - pd.Timedelta(days=31), pd.Timestamp(stop) + pd.Timedelta(days=31),
                             freq="M")  # fmt: skip
    shifts = [int((m.start_time - to_zone(m.start_time, zone, store_zone)).total_seconds()) for m in months]
    if not any(shifts):
        return ""
    if len(set(shifts)) == 1:
        return str(shifts[0])
    cases = [
        f"WHEN {{c}} < TIMESTAMP '{m.start_time + pd.Timedelta(days=14)}' THEN {s}"
        for m, s, following in zip(months, shifts, shifts[1:], strict=False)
        if s != following
    ]
    return "CASE " + " ".join(cases) + f" ELSE {shifts[-1]} END"


@lru_cache(maxsize=16)
def _run_zone(manifest: Path, stamp: int) -> str:
    if not stamp:
        return DEFAULT_ZONE
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("timezone") or DEFAULT_ZONE
    except (OSError, ValueError):
        return DEFAULT_ZONE


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
    """The store written by :func:`csreport.data.ingest.ingest` into ``out_dir``."""
    path = Path(out_dir) / "store"
    if not path.is_dir():
        raise ParameterError(f"{out_dir}: no validated store here. Run 'csreport validate DATA_DIR --out {out_dir}'.")
    return Store(path)
