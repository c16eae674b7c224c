"""Business time in DuckDB: the SQL that turns two timestamps into business seconds of the row's unit.

``cum(t)``, the working seconds of the unit's calendar before ``t``, comes from the bucket table of
:mod:`csreport.data.calendars` written once as Parquet; business seconds = ``cum(end) − cum(start)``, one equality
join per timestamp column on (unit, bucket number). A unit without a calendar (or 24/7) is not joined: its
business time is its elapsed time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from csreport.data.calendars import NO_CALENDARS, Calendars, bucket_size, bucket_table, working_days, working_intervals
from csreport.data.sql import literal, quote

#: timestamp columns measured from created_at in business time
BUSINESS_PAIRS = {"_first_response_bs": "first_response_at", "_resolution_bs": "resolved_at"}
#: helper column: the contact was created on a local day with working hours in its unit's calendar (TRUE for a
#: unit without a working calendar); for the calendar-driven check (csreport.metrics.calendar_driven)
WORKDAY = "_workday"
LAYOUT = 2  # of the bucket table files


@dataclass(frozen=True)
class BusinessClock:
    """The calendars of the units and the time zone of the store's naive timestamps."""

    calendars: Calendars = NO_CALENDARS
    zone: str = "Asia/Shanghai"

    @property
    def units(self) -> list[str]:
        """Units whose business time differs from elapsed time (a calendar that is not 24/7)."""
        return sorted(u for u, c in self.calendars.units.items() if not c.always_open)

    def zone_of(self, unit: str) -> str:
        """The unit's time zone (its calendar's, else the store's)."""
        calendar = self.calendars.of(unit)
        return calendar.timezone if calendar else self.zone


def business_clock(store, calendars: Calendars | None = None) -> BusinessClock:
    """The clock of ``store`` (its time zone from ``ingest.json``) with ``calendars`` (default: those the store
    carries, :meth:`csreport.data.store.Store.with_calendars`; else the file the settings resolve)."""
    from csreport.data.calendars import load_calendars

    if calendars is None:
        calendars = store.calendars if store.calendars is not None else load_calendars(default_zone=store.run_zone)
    return BusinessClock(calendars, store.run_zone)


def span_years(low: pd.Timestamp | None, high: pd.Timestamp | None) -> tuple[int, int] | None:
    """The whole years covering ``low`` … ``high`` (a table per year range is reused by every query)."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return None
    return int(pd.Timestamp(low).year), int(pd.Timestamp(high).year)


def business_years(store, clock: BusinessClock | None) -> tuple[int, int] | None:
    """The years the business-hour table covers for the KPI passes over ``store``: from the data's first year
    to a year after its last contact (from the coverage recorded at validation, no scan), whatever months a
    pass reads, so that every pass and every run of a batch read one table and one kept file
    (:mod:`csreport.metrics.derived`); None when no unit has a working calendar or the store has no contacts."""
    coverage = store.coverage("all") if clock is not None and clock.units else None
    if coverage is None:
        return None
    return span_years(coverage.first, coverage.last + pd.DateOffset(years=1))


@lru_cache(maxsize=32)
def _table_file(clock: BusinessClock, years: tuple[int, int]) -> tuple[str, int]:
    """``(path, bucket size s)`` of the Parquet bucket table of every calendared unit for ``years``."""
    first, last = dt.date(years[0], 1, 1) - dt.timedelta(days=2), dt.date(years[1], 12, 31) + dt.timedelta(days=2)
    start = int(pd.Timestamp(first).timestamp()) + 86400  # the first and last local days may shift across zones
    stop = int(pd.Timestamp(last).timestamp())
    # LAYOUT 2 adds the working-day flag wd: a file of the earlier layout has another key
    spec = (LAYOUT, sorted(clock.calendars.units.items()), clock.zone, years)
    key = hashlib.sha1(repr(spec).encode()).hexdigest()[:20]
    folder = Path(tempfile.gettempdir()) / "csreport-calendars"
    for done in folder.glob(f"{key}-*.parquet"):  # built by an earlier process: its name carries the bucket size
        size = done.stem.rsplit("-", 1)[1]
        if size.isdigit():  # anything else in the shared folder (another version's file) is not ours to read
            return str(done), int(size)
    intervals = {u: working_intervals(clock.calendars.units[u], first, last, clock.zone) for u in clock.units}
    days = {u: working_days(clock.calendars.units[u], first, last, clock.zone) for u in clock.units}
    size = min((bucket_size(i, days[u].ravel()) for u, i in intervals.items() if len(i)), default=3600)
    path = folder / f"{key}-{size}.parquet"
    if not path.exists():
        frames = [bucket_table(i, start, stop, size, days[u]).assign(unit=u) for u, i in intervals.items()]
        table = pd.concat(frames, ignore_index=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        table.to_parquet(partial, index=False)
        partial.replace(path)
    return str(path), size


def _cum(alias: str, column: str) -> str:
    """``cum(t)`` from the joined bucket: working seconds before the bucket plus those of its span before ``t``
    (``base``: the span's start in epoch seconds, ``span``: its length; ``t − base`` is exact in doubles),
    clamped to 0 … span by a CASE (twice as fast in DuckDB as least(greatest(…)); NULL when the join missed)."""
    inside = f"epoch(s.{quote(column)}) - {alias}.base"
    span = f"{alias}.span"
    return f"{alias}.cum + CASE WHEN {inside} <= 0 THEN 0 WHEN {inside} >= {span} THEN {span} ELSE {inside} END"


def business_source(clock: BusinessClock | None, columns: set[str], years: tuple[int, int] | None) -> str:
    """A FROM-clause over ``source`` adding ``_first_response_bs`` and ``_resolution_bs`` (business seconds
    from created_at; elapsed seconds for units without a working calendar) and, when a unit has a working
    calendar, ``_workday`` (:data:`WORKDAY`), or plain ``source`` when there is nothing to add."""
    # a source that carries them already (e.g. a same-age pass, csreport.metrics.maturing) is not joined again
    wanted = {name: col for name, col in BUSINESS_PAIRS.items() if name not in columns}
    pairs = {name: col for name, col in wanted.items() if {"created_at", col} <= columns}
    if not pairs:
        return "source"
    if clock is None or not clock.units or years is None or "business_unit" not in columns:
        elapsed = ", ".join(f"epoch({quote(c)}) - epoch(created_at) AS {n}" for n, c in pairs.items())
        workday = "" if WORKDAY in columns else f", TRUE AS {WORKDAY}"  # no working calendar: every day works
        return f"(SELECT *, {elapsed}{workday} FROM source) AS source_b"
    path, size = _table_file(clock, years)
    # the span's start and length per bucket, computed on the table's rows rather than on every contact's
    table = f"(SELECT unit, b, cum, b * {size} + ws AS base, we - ws AS span, wd FROM read_parquet({literal(path)}))"
    joins, items = [], []
    aliases = {"created_at": "k0"} | {c: f"k{i + 1}" for i, c in enumerate(pairs.values())}
    for column, alias in aliases.items():
        joins.append(
            f"LEFT JOIN {table} AS {alias} ON {alias}.unit = s.business_unit "
            f"AND {alias}.b = CAST(floor(epoch(s.{quote(column)}) / {size}) AS BIGINT)"
        )
    calendared = ", ".join(literal(u) for u in clock.units)
    for name, column in pairs.items():
        elapsed = f"epoch(s.{quote(column)}) - epoch(s.created_at)"
        business = f"({_cum(aliases[column], column)}) - ({_cum('k0', 'created_at')})"
        items.append(f"CASE WHEN s.business_unit IN ({calendared}) THEN {business} ELSE {elapsed} END AS {name}")
    if WORKDAY not in columns:
        items.append(f"CASE WHEN s.business_unit IN ({calendared}) THEN k0.wd ELSE TRUE END AS {WORKDAY}")
    return f"(SELECT s.*, {', '.join(items)} FROM source AS s {' '.join(joins)}) AS source_b"


def business_seconds(clock: BusinessClock, unit: str, start: pd.Series, end: pd.Series) -> pd.Series:
    """Business seconds from ``start`` to ``end`` (naive timestamps of the store's zone) for ``unit``, by the
    same SQL as the KPIs (for tests and evidence tables)."""
    from csreport.data.sql import connect

    frame = pd.DataFrame({"business_unit": unit, "created_at": start, "resolved_at": end, "_row": range(len(start))})
    low, high = frame[["created_at", "resolved_at"]].min().min(), frame[["created_at", "resolved_at"]].max().max()
    source = business_source(clock, set(frame.columns), span_years(low, high))
    sql = f"SELECT _resolution_bs FROM {source} ORDER BY _row"
    with connect() as con:
        con.register("source", frame)
        return con.execute(sql).df()["_resolution_bs"].rename(None)
