"""A business-hour change in a month with irregular days (holidays, closures) is marked calendar-driven unless it
holds on working days alone (issue 24). Hand-built: east works Mon-Fri 09:00-18:00 and is closed on Thursday 1
and Friday 2 October 2026. September: 40 contacts on its first 20 weekdays (10:00 and 14:00), each resolved 2 h
later (7200 business seconds). October: the same on its 20 working weekdays, plus 40 contacts on the two closed
days resolved an hour later (0 business seconds) -> the business-hour resolution median falls from 7200 to
(0 + 7200) / 2 = 3600, significantly; on working days alone it is 7200 in both months: calendar-driven. A last
contact on 15 December keeps October from maturing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csreport.data.calendars import Calendars, parse_calendar
from csreport.data.ingest import ingest
from csreport.data.store import open_store
from csreport.metrics.calendar_driven import calendar_driven, has_irregular_days, irregular_days
from csreport.metrics.kpis import compute_many
from csreport.metrics.measure import quantile
from csreport.metrics.scorecard import KpiCache, scorecard
from csreport.metrics.targets import Parameters, load_targets

SPEC = {"hours": {"mon-fri": ["09:00-18:00"]}, "closed": ["2026-10-01", "2026-10-02"]}
CALENDARS = Calendars({"east": parse_calendar("east", SPEC, "calendars.yml", "Asia/Shanghai")})


def _weekdays(month: str, skip: set[str] = frozenset()) -> list[pd.Timestamp]:
    days = pd.date_range(month + "-01", periods=pd.Period(month, "M").days_in_month, freq="D")
    return [d for d in days if d.weekday() < 5 and str(d.date()) not in skip][:20]


def _contacts(october_hours: float = 2.0, closed_days: bool = True) -> pd.DataFrame:
    rows = []
    for month, hours, skip in [("2026-09", 2.0, set()), ("2026-10", october_hours, {"2026-10-01", "2026-10-02"})]:
        for day in _weekdays(month, skip):
            for start in (10, 14):
                created = day + pd.Timedelta(hours=start)
                rows.append((created, created + pd.Timedelta(hours=hours)))
    if closed_days:
        for day in ("2026-10-01", "2026-10-02"):
            for k in range(20):
                created = pd.Timestamp(day) + pd.Timedelta(hours=10, minutes=k)
                rows.append((created, created + pd.Timedelta(hours=1)))
    rows.append((pd.Timestamp("2026-12-15 10:00"), pd.Timestamp("2026-12-15 11:00")))
    frame = pd.DataFrame(rows, columns=["created_at", "resolved_at"])
    return frame.assign(contact_id=[f"k{i:03d}" for i in range(len(frame))], business_unit="east", channel="email")


def _store(tmp_path: Path, contacts: pd.DataFrame):
    data = tmp_path / "data"
    data.mkdir()
    contacts.to_csv(data / "contacts.csv", index=False)
    ingest(data, tmp_path / "validated")
    store = open_store(tmp_path / "validated")
    targets = load_targets()
    return store, KpiCache(store, targets, CALENDARS), targets


def test_irregular_days():
    calendar = CALENDARS.of("east")
    assert irregular_days(calendar, "2026-10") == [pd.Timestamp("2026-10-01").date(), pd.Timestamp("2026-10-02").date()]
    assert irregular_days(calendar, "2026-09") == [] and irregular_days(None, "2026-10") == []
    assert has_irregular_days(CALENDARS, "east", ["2026-09", "2026-10"]) and not has_irregular_days(
        CALENDARS, "east", ["2026-08", "2026-09"]
    )
    # China's National Day week and its adjusted working Saturday (调休) are irregular days of October 2026
    china = parse_calendar("x", {"hours": {"mon-fri": "09:00-18:00"}, "holidays": "CN"}, "c.yml", "Asia/Shanghai")
    national_day = irregular_days(china, "2026-10")
    assert pd.Timestamp("2026-10-01").date() in national_day and pd.Timestamp("2026-10-10").date() in national_day


def test_the_kpi_pass_measures_the_working_days_median(tmp_path):
    # October: 40 closed-day contacts at 0 s and 40 working-day contacts at 7200 s; on working days alone 7200
    store, cache, _ = _store(tmp_path, _contacts())
    kpis = compute_many(store, ["2026-09", "2026-10"], ["east", "all"], cache.params)
    october = kpis[("2026-10", "east")]
    assert (october["resolution_business_median_s"].value, october["resolution_business_median_s"].n) == (3600, 80)
    workday = october["resolution_business_workday_median_s"]
    assert (workday.value, workday.n) == (7200, 40)
    assert kpis[("2026-10", "all")]["resolution_business_workday_median_s"].n == 40
    assert kpis[("2026-09", "east")]["resolution_business_workday_median_s"].n == 40
    # without a working calendar every day is a working day: the same as the business-hour median
    plain = compute_many(store, ["2026-10"], ["east"], KpiCache(store, load_targets(), Calendars()).params)
    assert plain[("2026-10", "east")]["resolution_business_workday_median_s"].n == 80


def test_a_holiday_driven_fall_is_marked_calendar_driven(tmp_path):
    store, cache, targets = _store(tmp_path, _contacts())
    card = scorecard(store, "2026-10", "east", targets, cache).set_index("kpi")
    row = card.loc["resolution_business_median_s"]
    assert (row["value"], row["previous"]) == (3600, 7200) and row["significant_vs_previous"]
    assert row["calendar_driven"]
    assert not card.loc["resolution_median_s", "calendar_driven"]  # an elapsed-time KPI is never marked
    assert not card["calendar_driven"].drop("resolution_business_median_s").any()


def test_a_change_that_holds_on_working_days_is_not_calendar_driven(tmp_path):
    # October's working-day contacts take 4 h: 14400 s against 7200 s on working days alone too
    store, cache, targets = _store(tmp_path, _contacts(october_hours=4.0, closed_days=False))
    card = scorecard(store, "2026-10", "east", targets, cache).set_index("kpi")
    row = card.loc["resolution_business_median_s"]
    assert (row["value"], row["significant_vs_previous"], row["calendar_driven"]) == (14400, True, False)


@pytest.mark.parametrize(
    ("now", "before", "irregular", "driven"),
    [
        ([7200.0] * 40, [7200.0] * 40, True, True),  # the working-day median did not move: the calendar did it
        ([7200.0] * 40, [7200.0] * 40, False, False),  # no irregular day: a real change
        ([14400.0] * 40, [7200.0] * 40, True, False),  # it moved on working days too
        ([], [7200.0] * 40, True, False),  # no working-day contact this month: nothing clears the change
    ],
)
def test_calendar_driven(now, before, irregular, driven):
    current = quantile("resolution_business_workday_median_s", np.array(now), 0.5, "s", empty_reason="none")
    baseline = quantile("resolution_business_workday_median_s", np.array(before), 0.5, "s")
    assert calendar_driven(current, baseline, irregular, Parameters()) is driven


def test_a_maturing_month_is_checked_against_the_baseline_at_the_same_age(tmp_path):
    # the data end on 31 October: October is maturing and September is read as it stood on 30 September
    # 17:xx; every contact was resolved 2 h after it was created, so the baseline is the same and the fall
    # is still the holidays'
    contacts = _contacts()
    contacts = contacts[contacts["created_at"] < "2026-11-01"]
    store, cache, targets = _store(tmp_path, contacts)
    card = scorecard(store, "2026-10", "east", targets, cache).set_index("kpi")
    row = card.loc["resolution_business_median_s"]
    assert row["same_age"] and row["significant_vs_previous"] and row["calendar_driven"]
