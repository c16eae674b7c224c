"""Does a unit's calendar describe its real hours? The share of its agents' activity outside its working hours.

Business-hour KPIs (:mod:`csreport.metrics.business`) count only the working time of the unit's calendar
(``params/calendars.yml``). When the calendar does not match the hours the unit really works, those KPIs mislead:
a unit whose calendar says Mon–Fri 09:00–18:00 but which answers calls until 22:00 every day shows business-hour
times far below its elapsed ones. Activity is agent work with a time stamp:

- queued contacts (the channels of ``service_level_threshold_s``, phone and chat) created, since they are
  answered as they arrive;
- first responses sent on the written channels (``first_response_channels``: email, ticket, social).

share outside = activities at a time the calendar has no working hours / activities (ratio). At or above
``calendar_outside_share`` (params/targets.yml, default 0.30) on at least ``min_sample`` activities the
data-quality section says the calendar may not match the unit's real hours. A unit without a calendar, or open
24/7, has nothing outside its hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csreport.data.calendars import Calendar, Calendars, working_intervals
from csreport.data.store import ALL_UNITS, Store
from csreport.metrics.business import business_clock
from csreport.metrics.targets import Parameters


@dataclass(frozen=True)
class CalendarFit:
    """A unit's activity against its calendar in one period: ``activities`` (queued contacts created and
    written first responses sent), ``outside`` of them at a closed time, ``share`` = outside / activities
    (None without activities or without a working calendar), and the ``threshold`` share and ``min_sample``
    from which the calendar is called implausible."""

    unit: str
    activities: int
    outside: int
    share: float | None
    threshold: float
    min_sample: int

    @property
    def implausible(self) -> bool:
        """True when enough activity (``min_sample``) falls outside the working hours (share ≥ threshold)."""
        return self.share is not None and self.activities >= self.min_sample and self.share >= self.threshold


def inside_hours(calendar: Calendar, stamps: pd.Series, store_zone: str) -> np.ndarray:
    """Per time stamp (naive, in ``store_zone``): True when ``calendar`` has working hours at that instant
    (spans are half-open: 18:00 is outside a span ending at 18:00). A missing stamp is False."""
    values = pd.to_datetime(pd.Series(stamps)).astype("datetime64[s]")
    known = values.notna().to_numpy()
    if calendar.always_open:
        return known
    if not known.any():
        return np.zeros(len(values), dtype=bool)
    first = values.min().date() - dt.timedelta(days=2)  # local days may lie a day either side of the store's
    last = values.max().date() + dt.timedelta(days=2)
    intervals = working_intervals(calendar, first, last, store_zone)
    seconds = values.to_numpy().astype("datetime64[s]").astype(np.int64)
    if not len(intervals):
        return np.zeros(len(values), dtype=bool)
    idx = np.searchsorted(intervals[:, 0], seconds, side="right") - 1
    inside = (idx >= 0) & (seconds < intervals[np.maximum(idx, 0), 1])
    return inside & known


def activity_stamps(contacts: pd.DataFrame, params: Parameters) -> pd.Series:
    """The time stamps of agent activity among ``contacts``: created_at of the queued channels' contacts and
    first_response_at of the written channels' contacts that have one."""
    if "channel" not in contacts.columns or "created_at" not in contacts.columns:
        return pd.Series([], dtype="datetime64[ns]")
    channel = contacts["channel"].astype("string")
    queued = contacts.loc[channel.isin(list(params.service_level_threshold_s)).fillna(False), "created_at"]
    parts = [queued]
    if "first_response_at" in contacts.columns:
        written = channel.isin(list(params.first_response_channels)).fillna(False)
        parts.append(contacts.loc[written, "first_response_at"].dropna())
    return pd.concat(parts, ignore_index=True)


def calendar_fit(
    contacts: pd.DataFrame, calendar: Calendar | None, store_zone: str, params: Parameters, unit: str
) -> CalendarFit:
    """The share of ``unit``'s activity (:func:`activity_stamps` of its ``contacts``, time stamps naive in
    ``store_zone``) outside the working hours of ``calendar`` (ratio); share None when the unit has no working
    calendar (none, or 24/7) or no activity."""
    stamps = activity_stamps(contacts, params)
    threshold, minimum = params.calendar_outside_share, params.min_sample
    if calendar is None or calendar.always_open or stamps.empty:
        return CalendarFit(unit, len(stamps), 0, None, threshold, minimum)
    outside = int((~inside_hours(calendar, stamps, store_zone)).sum())
    return CalendarFit(unit, len(stamps), outside, outside / len(stamps), threshold, minimum)


def calendar_fits(
    store: Store, period: str, unit: str, params: Parameters, calendars: Calendars | None = None
) -> list[CalendarFit]:
    """:func:`calendar_fit` of ``period`` for ``unit``, or for every unit with a working calendar when ``unit``
    is "all" (``calendars``: default, those of the business-hour KPIs,
    :func:`~csreport.metrics.business.business_clock`)."""
    if "contacts" not in store.tables:
        return []
    calendars = business_clock(store, calendars).calendars
    have = set(store.columns("contacts"))
    columns = [c for c in ("business_unit", "channel", "created_at", "first_response_at") if c in have]
    units = sorted(u for u, c in calendars.units.items() if not c.always_open) if unit == ALL_UNITS else [unit]
    out = []
    for name in units:
        if calendars.of(name) is None or (unit == ALL_UNITS and name not in store.units()):
            continue
        contacts = store.read("contacts", period, name, columns=columns)
        out.append(calendar_fit(contacts, calendars.of(name), store.run_zone, params, name))
    return out
