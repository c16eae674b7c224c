"""Service hours of the simulated units: the sample works the hours its calendars say (issue 24).

The report measures business-hour times with the units' calendars (``params/calendars.yml``) and checks that the
agents' activity falls inside them (:mod:`csreport.metrics.calendar_fit`). The scenario names the calendars its
units work (``calendars:`` in the scenario file); the generator then

- lets phone and chat contacts arrive only while the unit is open (a closed queue takes no calls): arrivals are
  drawn as before (weekday and hour-of-day profile) and those falling in closed time are drawn again;
- sends written first responses after a delay counted in working time (the agents answer from their queue
  while on duty), so a message that arrives at night or on a holiday is answered after the opening;
- resolves contacts at working times: written ones a handle time of working time after the first response,
  the others at the first opening after their resolution time.

A unit without a calendar (or 24/7) is always open: its times are as they were.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csreport.data.calendars import Calendars, working_intervals


@dataclass(frozen=True)
class ServiceHours:
    """Opening intervals per unit as ``(n, 2)`` float arrays of epoch seconds of the scenario's naive timeline
    ([open, close), sorted, merged); a unit absent from ``intervals`` is always open."""

    intervals: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def of(
        cls, calendars: Calendars | None, units: list[str], first: pd.Timestamp, last: pd.Timestamp, zone: str
    ) -> ServiceHours:
        """The hours of ``units`` from ``calendars`` from ``first`` to well after ``last`` (resolutions and
        responses may fall after the data's end: they are then cut off as before)."""
        out = {}
        for unit in units:
            calendar = calendars.of(unit) if calendars is not None else None
            if calendar is None or calendar.always_open:
                continue
            start, stop = first.date() - dt.timedelta(days=2), last.date() + dt.timedelta(days=120)
            out[unit] = working_intervals(calendar, start, stop, zone).astype(float)
        return cls(out)

    def is_open(self, unit: str, stamps) -> np.ndarray:
        """Per time stamp: True while ``unit`` is open (always for a unit without hours)."""
        seconds = _seconds(stamps)
        spans = self.intervals.get(unit)
        if spans is None or not len(spans):
            return np.ones(len(seconds), dtype=bool) if spans is None else np.zeros(len(seconds), dtype=bool)
        k = np.searchsorted(spans[:, 0], seconds, side="right") - 1
        return (k >= 0) & (seconds < spans[np.maximum(k, 0), 1])

    def add_working(self, unit: str, stamps, seconds) -> np.ndarray:
        """``stamps`` + ``seconds`` of ``unit``'s working time (datetime64[us]): the instant at which that much
        opening time has passed; with 0 s, the stamp itself when open, else the next opening."""
        start = _seconds(stamps)
        add = np.broadcast_to(np.asarray(seconds, dtype=float), start.shape)
        spans = self.intervals.get(unit)
        if spans is None or not len(spans):
            return _stamps(start + add)
        length = spans[:, 1] - spans[:, 0]
        before = np.cumsum(length) - length  # working seconds before each opening
        k = np.searchsorted(spans[:, 0], start, side="right") - 1
        done = np.where(k >= 0, before[np.maximum(k, 0)] + np.clip(start - spans[np.maximum(k, 0), 0], 0,
                                                                  length[np.maximum(k, 0)]), 0.0)  # fmt: skip
        target = done + add
        j = np.searchsorted(before + length, target, side="right")  # the opening in which the target is reached
        inside = j < len(spans)
        j = np.minimum(j, len(spans) - 1)
        return _stamps(np.where(inside, spans[j, 0] + (target - before[j]), start + add))

    def next_open(self, unit: str, stamps) -> np.ndarray:
        """Each stamp if ``unit`` is open then, else its next opening (datetime64[us])."""
        return self.add_working(unit, stamps, 0.0)


ALWAYS_OPEN = ServiceHours()
QUEUED = ["phone", "chat"]  # answered in a queue while the unit is open


def open_days(units, days: pd.DatetimeIndex, hours: ServiceHours) -> pd.DataFrame | None:
    """Per (unit, weekend, hour): the days of the month on which the unit is open at the middle of that hour;
    None when every unit is always open."""
    if not any(u in hours.intervals for u in units):
        return None
    rows = []
    for unit in units:
        for hour in range(24):
            at = days + pd.Timedelta(minutes=60 * hour + 30)
            opened = hours.is_open(unit, at)
            for weekend in (False, True):
                rows.append((unit, weekend, hour, int((opened & ((days.day_of_week >= 5) == weekend)).sum())))
    return pd.DataFrame(rows, columns=["business_unit", "weekend", "hour", "days"])


def by_unit(units: np.ndarray, compute) -> np.ndarray:
    """``compute(unit, rows)`` (a datetime64 array for the rows of the unit) for every unit, in row order."""
    out = np.full(len(units), np.datetime64("NaT", "us"))
    for unit in pd.unique(units):
        rows = units == unit
        out[rows] = compute(unit, rows)
    return out


def open_queued(units: np.ndarray, channel: np.ndarray, created: np.ndarray, hours: ServiceHours) -> np.ndarray:
    """``created``, with the phone and chat contacts of a closed unit moved to its next opening."""
    queued = np.isin(channel, QUEUED)
    if not queued.any():
        return created
    moved = by_unit(units, lambda u, rows: hours.next_open(u, created[rows]))
    return np.where(queued, moved, created).astype(created.dtype)  # the unit the times came in


def _seconds(stamps) -> np.ndarray:
    """Epoch seconds (float) of naive time stamps; NaN for a missing one."""
    index = pd.DatetimeIndex(pd.Series(stamps).to_numpy()).as_unit("ns")
    return np.where(index.isna(), np.nan, index.asi8 / 1e9)


def _stamps(seconds: np.ndarray) -> np.ndarray:
    """datetime64[us] of epoch seconds (the contract's resolution; nanoseconds would overflow the far-future
    dates the generator compares times with); NaT for NaN."""
    seconds = np.asarray(seconds, dtype=float)
    micros = np.round(np.nan_to_num(seconds) * 1e6).astype(np.int64)
    return np.where(np.isnan(seconds), np.datetime64("NaT", "us"), micros.astype("datetime64[us]"))
