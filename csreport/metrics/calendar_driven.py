"""Is a business-hour change the calendar's doing? A month with public holidays changes business-hour times by
itself.

Business-hour response and resolution times (``*_business_*``, :mod:`csreport.metrics.business`) count only the
working time of the unit's calendar. In a month with public holidays, contacts that arrive during the holiday
and are handled after it (or during it) have business times of nearly 0 s, so the month's business-hour median
falls although nobody worked faster: East's business-hour resolution median "fell significantly" from 289 s to
105 s in the October of the National Day holiday.

A significant change of a business-hour median against the previous month is *calendar-driven* when

1. either month has irregular days in the calendar of a unit it covers (:func:`irregular_days`: a day whose
   hours differ from the weekly hours: a public holiday or closure on a working weekday, an adjusted working
   weekend, an extra working day), and
2. the same median of the contacts created on working days only (local days with working hours in the unit's
   calendar: the KPI pass's ``*_business_workday_median_s``, helper column ``_workday``) did not change
   significantly between the same two months (the same test at the same confidence, against the same baseline:
   at the same age when the month is maturing).

The working-day medians come from the KPI pass itself (one more value list each), so the check reads nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

import pandas as pd

from csreport.data.calendars import Calendar, Calendars, HolidayInfo
from csreport.data.periods import parse_period
from csreport.data.store import ALL_UNITS
from csreport.metrics.comparisons import compare
from csreport.metrics.measure import Measure
from csreport.metrics.targets import Parameters

#: business-hour median on the scorecard → the same median of the contacts created on working days
WORKDAY_TWINS = {
    "first_response_business_median_s": "first_response_business_workday_median_s",
    "resolution_business_median_s": "resolution_business_workday_median_s",
}


def irregular_days(calendar: Calendar | None, period: str) -> list[dt.date]:
    """The days of ``period`` whose working hours differ from ``calendar``'s weekly hours: public holidays and
    closures on working weekdays, adjusted working weekends (China's 调休) and extra working days. None for a
    unit without a calendar or open 24/7."""
    if calendar is None or calendar.always_open:
        return []
    return list(_irregular(calendar, period))


@lru_cache(maxsize=1024)
def _irregular(calendar: Calendar, period: str) -> tuple[dt.date, ...]:
    month = parse_period(period)
    holiday = HolidayInfo(calendar.holidays)
    days = [month.start_time.date() + dt.timedelta(days=k) for k in range(month.days_in_month)]
    return tuple(d for d in days if calendar.spans(d, holiday) != calendar.week[d.weekday()])


def has_irregular_days(calendars: Calendars, unit: str, periods: list[str]) -> bool:
    """True when a month of ``periods`` has irregular days in the calendar of ``unit`` (of any unit: "all")."""
    units = list(calendars.units) if unit == ALL_UNITS else [unit]
    return any(irregular_days(calendars.of(u), p) for u in units for p in periods)


def calendar_driven(current: Measure, baseline: Measure, irregular: bool, params: Parameters) -> bool:
    """True when the change of a business-hour median is calendar-driven: ``irregular`` (either month has
    irregular days) and the working-day median's change, ``current`` against ``baseline`` (the two months'
    ``*_business_workday_median_s``), is not significant. A working-day median that cannot be compared (n/a on
    either side) cannot clear the change: False."""
    if not irregular or not current.available or not baseline.available:
        return False
    return not compare(current, baseline, params).significant


def calendar_driven_column(
    card: pd.DataFrame,
    current: dict[str, Measure],
    baseline_of: Callable[[str], Measure],
    period: str,
    unit: str,
    params: Parameters,
) -> list[bool]:
    """The scorecard's ``calendar_driven`` column: per row of ``card`` (columns kpi, significant_vs_previous),
    True for a business-hour median whose significant change against the previous month is calendar-driven.
    ``current``: the period's KPIs; ``baseline_of(kpi)``: the previous month's KPI as the scorecard compares it
    (at the same age when the month is maturing); ``params``: with the business clock
    (:attr:`csreport.metrics.scorecard.KpiCache.params`)."""
    significant = card["significant_vs_previous"].astype(bool) & card["kpi"].isin(list(WORKDAY_TWINS))
    if not significant.any() or params.business is None:
        return [False] * len(card)
    months = [period, str(parse_period(period) - 1)]
    irregular = has_irregular_days(params.business.calendars, unit, months)
    out = []
    for kpi, changed in zip(card["kpi"], significant, strict=True):
        twin = WORKDAY_TWINS.get(kpi)
        now = current.get(twin) if twin else None
        out.append(bool(changed and now is not None and calendar_driven(now, baseline_of(twin), irregular, params)))
    return out
