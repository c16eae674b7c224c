"""Business-hour calendars per business unit (``params/calendars.yml``) and business seconds in DuckDB.

A calendar is a time zone, weekly working hours (several intervals a day, or 24/7), a holiday calendar by
country code (China: ``chinese-calendar``, which knows the adjusted working weekends, 调休; any other country:
``holidays``) and extra dates (closures, special working days). A unit without a calendar is open 24/7, so its
business time equals its elapsed time.

Business seconds between two instants are ``cum(end) − cum(start)``, where ``cum(t)`` is the working seconds
of the unit's calendar before ``t``. ``cum`` is tabulated once per unit as fixed-size buckets of the store's
(naive, run-time-zone) timeline: each bucket holds the working seconds before it and the one working span
inside it, so ``cum(t) = cum_start + clamp(t − bucket_start − span_start, 0, span_end − span_start)``, an
equality join on (unit, bucket number) instead of a per-row search. The bucket is an hour, or 15 or 1 minute
when a calendar's boundaries (after conversion between zones) need it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from csreport.errors import ParameterError
from csreport.params_file import read_params_file

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_UNIT_KEYS = {"timezone", "hours", "holidays", "adjusted_day_hours", "closed", "working"}
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
BUCKETS_S = (3600, 900, 60)


@dataclass(frozen=True)
class Calendar:
    """One unit's working time. ``week[i]`` are the working spans of weekday ``i`` (Monday 0) in seconds from
    local midnight; ``always_open`` is 24/7 (holidays then do not apply)."""

    unit: str
    timezone: str
    week: tuple[tuple[tuple[int, int], ...], ...]
    holidays: str | None = None
    adjusted_day_hours: tuple[tuple[int, int], ...] = ()
    closed: frozenset[dt.date] = frozenset()
    working: frozenset[dt.date] = frozenset()
    always_open: bool = False

    def spans(self, day: dt.date, holiday: HolidayInfo) -> tuple[tuple[int, int], ...]:
        """Working spans (seconds from local midnight) of ``day``: closures, then special working days, then
        the country's holidays and adjusted working days, then the weekly hours."""
        if self.always_open:
            return ((0, 86400),)
        weekly = self.week[day.weekday()]
        adjusted = self.adjusted_day_hours or next((w for w in self.week if w), ())
        if day in self.closed:
            return ()
        if day in self.working:
            return weekly or adjusted
        if holiday.closed(day):
            return ()
        if holiday.adjusted_working(day):
            return weekly or adjusted
        return weekly


@dataclass(frozen=True)
class HolidayInfo:
    """Public holidays and adjusted working days of one country (ISO code) or of none."""

    country: str | None

    def closed(self, day: dt.date) -> bool:
        if not self.country:
            return False
        if self.country == "CN":
            detail = _cn_detail(day)
            if detail is not None:
                on_holiday, name = detail
                return bool(on_holiday and name)  # a named holiday; plain weekends are the weekly hours' business
        return day in _country_holidays(self.country, day.year)

    def adjusted_working(self, day: dt.date) -> bool:
        """A weekend day worked in place of a holiday (China's 调休)."""
        if self.country != "CN" or day.weekday() < 5:
            return False
        detail = _cn_detail(day)
        return detail is not None and not detail[0]


@lru_cache(maxsize=4096)
def _cn_detail(day: dt.date) -> tuple[bool, str | None] | None:
    """``(is_holiday, holiday name)`` from chinese-calendar, None outside the years it knows."""
    import chinese_calendar

    try:
        return chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None


def _known_country(country: str) -> bool:
    import holidays

    try:
        holidays.country_holidays(country)
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=256)
def _country_holidays(country: str, year: int):
    import holidays

    return holidays.country_holidays(country, years=year)


@dataclass(frozen=True)
class Calendars:
    """Every unit's calendar; units without one are open 24/7."""

    units: dict[str, Calendar] = field(default_factory=dict)
    source: str = ""

    def of(self, unit: str) -> Calendar | None:
        return self.units.get(unit)

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.units.items())), self.source))


NO_CALENDARS = Calendars()


def _seconds(hours: str, minutes: str, where: str) -> int:
    h, m = int(hours), int(minutes)
    if h > 24 or m > 59 or (h == 24 and m):
        raise ParameterError(f"{where}: {hours}:{minutes} is not a time of day (00:00 to 24:00).")
    return h * 3600 + m * 60


def _parse_spans(value, where: str) -> tuple[tuple[int, int], ...]:
    if value in (None, "closed", []):
        return ()
    items = [value] if isinstance(value, str) else list(value)
    spans = []
    for item in items:
        match = _SPAN.match(str(item).strip())
        if not match:
            raise ParameterError(f"{where}: {item!r} is not a span like '09:00-12:00'.")
        start, end = _seconds(*match.group(1, 2), where), _seconds(*match.group(3, 4), where)
        if end <= start:
            raise ParameterError(f"{where}: {item!r} ends before it starts (a span cannot cross midnight; split it).")
        spans.append((start, end))
    spans.sort()
    if any(a[1] > b[0] for a, b in zip(spans, spans[1:], strict=False)):
        raise ParameterError(f"{where}: the spans {items} overlap.")
    return tuple(spans)


def _parse_dates(value, where: str) -> frozenset[dt.date]:
    try:
        return frozenset(pd.Timestamp(v).date() for v in (value or []))
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"{where}: dates must be YYYY-MM-DD ({exc}).") from None


def _check_zone(zone: str, where: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ParameterError(f"{where}: unknown time zone {zone!r}; use an IANA name like Asia/Shanghai.") from None
    return str(zone)


def parse_calendar(unit: str, spec: dict, where: str, default_zone: str) -> Calendar:
    """One unit's calendar from its YAML mapping (keys: timezone, hours, holidays, adjusted_day_hours,
    closed, working)."""
    if not isinstance(spec, dict):
        raise ParameterError(f"{where}: unit '{unit}' must be a mapping (timezone, hours, holidays, ...).")
    unknown = set(spec) - _UNIT_KEYS
    if unknown:
        raise ParameterError(f"{where}: unit '{unit}' has unknown keys {sorted(unknown)}; known: {sorted(_UNIT_KEYS)}.")
    zone = _check_zone(spec.get("timezone", default_zone), f"{where}: unit '{unit}'")
    hours = spec.get("hours", "24/7")
    always = hours == "24/7"
    week: list[tuple] = [()] * 7
    if not always:
        if not isinstance(hours, dict):
            raise ParameterError(f"{where}: unit '{unit}' hours must be '24/7' or a mapping of mon … sun to spans.")
        for key, value in hours.items():
            days = _weekday_keys(str(key), f"{where}: unit '{unit}'")
            for day in days:
                week[day] = _parse_spans(value, f"{where}: unit '{unit}' hours {key}")
        if not any(week):
            raise ParameterError(f"{where}: unit '{unit}' has no working hours in the week; use hours: 24/7?")
    country = spec.get("holidays")
    if country is not None:
        country = str(country).upper()
        if country != "CN" and not _known_country(country):
            raise ParameterError(
                f"{where}: unit '{unit}' holidays {country!r} is not a country code the holidays package knows "
                "(use ISO 3166 alpha-2, e.g. CN, US, DE)."
            )
    return Calendar(
        unit,
        zone,
        tuple(week),
        country,
        _parse_spans(spec.get("adjusted_day_hours"), f"{where}: unit '{unit}' adjusted_day_hours"),
        _parse_dates(spec.get("closed"), f"{where}: unit '{unit}' closed"),
        _parse_dates(spec.get("working"), f"{where}: unit '{unit}' working"),
        always,
    )


def _weekday_keys(key: str, where: str) -> list[int]:
    """``mon``, ``mon-fri`` or ``sat,sun`` as weekday numbers (Monday 0)."""
    out = []
    for part in key.lower().replace(" ", "").split(","):
        ends = part.split("-")
        if any(e not in WEEKDAYS for e in ends) or len(ends) > 2:
            raise ParameterError(f"{where}: hours key {key!r} is not a weekday (mon … sun, or a range like mon-fri).")
        a, b = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        out += list(range(a, b + 1))
    return out


def load_calendars(path: str | Path | None = None, default_zone: str = "Asia/Shanghai") -> Calendars:
    """Read and check a calendars file (default: the one :class:`csreport.settings.Settings` resolves, as for
    every parameter file: ``params/calendars.yml`` of the project, else the packaged default); a path that is not
    a file: every unit 24/7 in the run's zone."""
    if path is None:
        from csreport.settings import Settings

        path = Settings.resolve().calendars
    path = Path(path)
    if not path.is_file():
        return NO_CALENDARS
    raw = read_params_file(path, "calendars file", "Copy params/calendars.yml and edit it.")
    unknown = set(raw) - {"units"}
    if unknown:
        raise ParameterError(f"{path}: unknown keys {sorted(unknown)}; the file has one key, 'units'.")
    units = {str(u): parse_calendar(str(u), s, str(path), default_zone) for u, s in (raw.get("units") or {}).items()}
    return Calendars(units, str(path))


def working_intervals(calendar: Calendar, first: dt.date, last: dt.date, store_zone: str) -> np.ndarray:
    """Working intervals of ``calendar`` on the local days ``first`` … ``last`` as an ``(n, 2)`` array of
    epoch seconds of the store's naive timeline (local times converted to ``store_zone``; a daylight-saving
    gap or overlap is taken as the local clock: a nonexistent time moves forward, an ambiguous one is the
    first)."""
    starts, ends = [], []
    holiday = HolidayInfo(calendar.holidays)
    for day in pd.date_range(first, last, freq="D"):
        for a, b in calendar.spans(day.date(), holiday):
            starts.append(day + pd.Timedelta(seconds=a))
            ends.append(day + pd.Timedelta(seconds=b))
    if not starts:
        return np.empty((0, 2), dtype=np.int64)

    def convert(stamps: list) -> np.ndarray:
        index = pd.DatetimeIndex(stamps).tz_localize(calendar.timezone, ambiguous=True, nonexistent="shift_forward")
        return index.tz_convert(store_zone).tz_localize(None).as_unit("s").asi8

    out = np.column_stack([convert(starts), convert(ends)])
    # spans that touch (e.g. 00:00-24:00 then 00:00-…) are merged, so a bucket holds one span per opening
    keep = np.ones(len(out), dtype=bool)
    for i in range(1, len(out)):
        if out[i, 0] <= out[i - 1, 1]:
            out[i, 0] = out[i - 1, 0]
            keep[i - 1] = False
    return out[keep]


def working_days(calendar: Calendar, first: dt.date, last: dt.date, store_zone: str) -> np.ndarray:
    """The local days ``first`` … ``last`` that have working hours in ``calendar``, as an ``(n, 2)`` array of
    epoch seconds of the store's naive timeline: [local midnight, next local midnight)."""
    holiday = HolidayInfo(calendar.holidays)
    days = [d for d in pd.date_range(first, last, freq="D") if calendar.spans(d.date(), holiday)]
    if not days:
        return np.empty((0, 2), dtype=np.int64)

    def convert(stamps: list) -> np.ndarray:
        index = pd.DatetimeIndex(stamps).tz_localize(calendar.timezone, ambiguous=True, nonexistent="shift_forward")
        return index.tz_convert(store_zone).tz_localize(None).as_unit("s").asi8

    return np.column_stack([convert(days), convert([d + pd.Timedelta(days=1) for d in days])])


def bucket_size(intervals: np.ndarray, boundaries: np.ndarray | None = None) -> int:
    """The largest bucket of :data:`BUCKETS_S` (seconds) in which no bucket holds more than one working span
    and every one of ``boundaries`` (epoch seconds, e.g. local midnights) starts a bucket."""
    for size in BUCKETS_S[:-1]:
        first, last = intervals[:, 0] // size, (intervals[:, 1] - 1) // size
        # two spans share a bucket when one ends in the bucket where the next starts
        aligned = boundaries is None or not np.any(np.asarray(boundaries) % size)
        if not np.any(first[1:] <= last[:-1]) and aligned:
            return size
    return BUCKETS_S[-1]


def bucket_table(
    intervals: np.ndarray, start: int, stop: int, size: int, days: np.ndarray | None = None
) -> pd.DataFrame:
    """Per ``size``-second bucket ``b`` of ``[start, stop)`` (epoch seconds): the working seconds before it
    since ``start`` (``cum``) and its working span (``ws`` … ``we``, seconds from the bucket's start; 0 … 0
    when closed). Needs at most one span per bucket (:func:`bucket_size`). With ``days`` (:func:`working_days`,
    each boundary starting a bucket): ``wd``, whether the bucket lies in a local day with working hours."""
    lo, hi = start // size * size, -(-stop // size) * size
    n = (hi - lo) // size
    ws, we = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    for x, y in np.clip(intervals, lo, hi):
        if y <= x:
            continue
        buckets = np.arange((x - lo) // size, (y - 1 - lo) // size + 1)
        bucket_start = lo + buckets * size
        ws[buckets] = np.maximum(x - bucket_start, 0)
        we[buckets] = np.minimum(y - bucket_start, size)
    cum = np.concatenate([[0], np.cumsum(we - ws)[:-1]])
    table = pd.DataFrame({"b": lo // size + np.arange(n), "cum": cum, "ws": ws, "we": we})
    if days is not None:
        starts = lo + np.arange(n) * size
        at = np.searchsorted(days[:, 0], starts, side="right") - 1 if len(days) else np.full(n, -1)
        table["wd"] = (at >= 0) & (starts < days[np.maximum(at, 0), 1]) if len(days) else np.zeros(n, dtype=bool)
    return table
