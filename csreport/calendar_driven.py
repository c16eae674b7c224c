"""Is a business-hour change the calendar's doing? A month with public holidays changes business-hour times by
itself.

Business-hour response and resolution times (``*_business_*``, :mod:`csreport.metrics.business`) count only the
working time of the unit's calendar. In a month with public holidays, contacts that arrive during the holiday
and are handled after it (or during it) have business times of nearly 0 s, so the month's business-hour median
falls although nobody worked faster: East's business-hour resolution median "fell significantly" from 289 s to
105 s in the October of the National Day holiday.

A significant change of a business-hour KPI against the previous month is *calendar-driven* when

1. either month has irregular days in the calendar of a unit it covers: a day whose hours differ from the
   weekly hours (a public holiday or closure on a working weekday, an adjusted working weekend, an extra
   working day), and
2. recomputed on the contacts created on working days only (days with working hours in the unit's calendar,
   local dates), the change is not significant (the same test at the same confidence).

A maturing month's baseline is read at the same age, as in the scorecard (:mod:`csreport.maturing`): the
previous month's contacts created up to the cut-off, with first responses and resolutions after it not seen.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from csreport.calendars import Calendar, Calendars, HolidayInfo
from csreport.comparisons import Comparison, compare
from csreport.maturing import cutoff
from csreport.metrics.service import contact_kpis
from csreport.store import ALL_UNITS, Coverage, Store, parse_period, to_zone
from csreport.targets import BUSINESS_TWINS, Parameters


def irregular_days(calendar: Calendar | None, period: str) -> list[dt.date]:
    """The days of ``period`` whose working hours differ from ``calendar``'s weekly hours: public holidays and
    closures on working weekdays, adjusted working weekends (China's 调休) and extra working days. None for a
    unit without a calendar or open 24/7."""
    if calendar is None or calendar.always_open:
        return []
    month = parse_period(period)
    holiday = HolidayInfo(calendar.holidays)
    days = pd.date_range(month.start_time, periods=month.days_in_month, freq="D")
    return [d.date() for d in days if calendar.spans(d.date(), holiday) != calendar.week[d.weekday()]]


def working_day(calendar: Calendar | None, created: pd.Series, store_zone: str) -> np.ndarray:
    """Per creation time (naive, ``store_zone``): True when its local day (the calendar's zone) has working
    hours; every day is a working day without a calendar or 24/7."""
    if calendar is None or calendar.always_open:
        return np.ones(len(created), dtype=bool)
    local = to_zone(pd.to_datetime(created), store_zone, calendar.timezone).dt.date
    holiday = HolidayInfo(calendar.holidays)
    open_days = {day: bool(calendar.spans(day, holiday)) for day in set(local.dropna())}
    return local.map(open_days).fillna(False).to_numpy(bool)


def _as_of(contacts: pd.DataFrame, at: pd.Timestamp | None) -> pd.DataFrame:
    """``contacts`` as the data stood at ``at`` (store time): created up to it, later outcomes not yet seen."""
    if at is None or contacts.empty:
        return contacts
    frame = contacts[contacts["created_at"] <= at].copy()
    for column in ("first_response_at", "resolved_at"):
        if column in frame.columns:
            frame[column] = frame[column].where(frame[column] <= at)
    if {"resolved", "resolved_at"} <= set(frame.columns):
        late = contacts.loc[frame.index, "resolved_at"] > at
        frame["resolved"] = frame["resolved"].astype("boolean").mask(late, False)
    return frame


def _working_days_only(contacts: pd.DataFrame, calendars: Calendars, unit: str, store_zone: str) -> pd.DataFrame:
    if contacts.empty:
        return contacts
    if unit != ALL_UNITS:
        return contacts[working_day(calendars.of(unit), contacts["created_at"], store_zone)]
    keep = np.ones(len(contacts), dtype=bool)
    units = contacts["business_unit"].astype(str).to_numpy()
    for name in np.unique(units):
        rows = units == name
        keep[rows] = working_day(calendars.of(str(name)), contacts.loc[rows, "created_at"], store_zone)
    return contacts[keep]


def working_days_changes(
    store: Store, kpis: list[str], period: str, unit: str, params: Parameters, at: pd.Timestamp | None = None
) -> dict[str, Comparison]:
    """The change of each business-hour KPI of ``kpis`` from the previous month to ``period`` on the contacts
    created on working days only (:func:`working_day`), with its test; ``at``: the previous month's cut-off
    (store time) when ``period`` is maturing and the KPIs are compared at the same age. ``params`` must carry
    the business clock (:class:`csreport.scorecard.KpiCache` ``.params``)."""
    calendars = params.business.calendars if params.business is not None else Calendars()
    zone = store.run_zone
    previous = str(parse_period(period) - 1)
    now = _working_days_only(store.read("contacts", period, unit), calendars, unit, zone)
    before = _working_days_only(_as_of(store.read("contacts", previous, unit), at), calendars, unit, zone)
    measured_now, measured_before = contact_kpis(now, params), contact_kpis(before, params)
    return {kpi: compare(measured_now[kpi], measured_before[kpi], params) for kpi in kpis}


def calendar_driven(
    store: Store,
    kpis: list[str],
    period: str,
    unit: str,
    params: Parameters,
    at: pd.Timestamp | None = None,
) -> dict[str, bool]:
    """Per business-hour KPI of ``kpis`` whose change against the previous month is significant: True when
    the change is calendar-driven (the module's two conditions: irregular days in either month, and no
    significant change on working days alone). Other KPIs are not looked at and get False."""
    out = {kpi: False for kpi in kpis}
    business = [k for k in kpis if k in BUSINESS_TWINS]
    if not business or params.business is None:
        return out
    calendars = params.business.calendars
    months = (period, str(parse_period(period) - 1))
    names = calendars.units if unit == ALL_UNITS else [unit]
    if not any(irregular_days(calendars.of(name), month) for name in names for month in months):
        return out
    changes = working_days_changes(store, business, period, unit, params, at)
    out.update({kpi: not change.significant for kpi, change in changes.items()})
    return out


def calendar_driven_column(
    store: Store,
    card: pd.DataFrame,
    period: str,
    unit: str,
    params: Parameters,
    aged: set[str],
    coverage: Coverage | None,
) -> list[bool]:
    """The scorecard's ``calendar_driven`` column: per row of ``card``, True for a business-hour KPI whose
    significant change against the previous month is calendar-driven (:func:`calendar_driven`). ``aged``: the
    KPIs the scorecard compares at the same age this month, whose baseline is then read at the cut-off of
    :func:`csreport.maturing.cutoff` (``coverage``: the unit's data span)."""
    significant = card.loc[(card["basis"] == "business") & card["significant_vs_previous"].astype(bool), "kpi"]
    if significant.empty:
        return [False] * len(card)
    same_age = coverage is not None and any(k in aged for k in significant)
    at = to_zone(cutoff(coverage, 1), store.zone(unit), store.run_zone) if same_age else None
    driven = calendar_driven(store, list(significant), period, unit, params, at)
    return [bool(driven.get(k, False)) for k in card["kpi"]]
