"""A business-hour change in a month with irregular days (holidays, closures) is marked calendar-driven unless it
holds on working days alone (issue 24). Hand-built: east works Mon-Fri 09:00-18:00 and is closed on Thursday 1
and Friday 2 October 2026. September: 40 contacts on its first 20 weekdays (10:00 and 14:00), each resolved 2 h
later (7200 business seconds). October: the same on its 20 working weekdays, plus 40 contacts on the two closed
days resolved an hour later (0 business seconds) -> the business-hour resolution median falls from 7200 to
(0 + 7200) / 2 = 3600, significantly; on working days alone it is 7200 in both months: calendar-driven. A last
contact on 15 December keeps October from maturing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from csreport.calendar_driven import calendar_driven, irregular_days, working_day, working_days_changes
from csreport.calendars import Calendars, parse_calendar
from csreport.ingest import ingest
from csreport.scorecard import KpiCache, scorecard
from csreport.store import open_store
from csreport.targets import load_targets

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


def test_irregular_days_and_working_days():
    calendar = CALENDARS.of("east")
    assert irregular_days(calendar, "2026-10") == [pd.Timestamp("2026-10-01").date(), pd.Timestamp("2026-10-02").date()]
    assert irregular_days(calendar, "2026-09") == [] and irregular_days(None, "2026-10") == []
    created = pd.Series(pd.to_datetime(["2026-10-01 10:00", "2026-10-03 10:00", "2026-10-05 23:00"]))
    assert working_day(calendar, created, "Asia/Shanghai").tolist() == [False, False, True]  # closed, Sat, Mon
    # China's National Day week and its adjusted working Saturday (调休) are irregular days of October 2026
    china = parse_calendar("x", {"hours": {"mon-fri": "09:00-18:00"}, "holidays": "CN"}, "c.yml", "Asia/Shanghai")
    assert pd.Timestamp("2026-10-01").date() in irregular_days(china, "2026-10")


def test_a_holiday_driven_fall_is_marked_calendar_driven(tmp_path):
    store, cache, targets = _store(tmp_path, _contacts())
    card = scorecard(store, "2026-10", "east", targets, cache).set_index("kpi")
    row = card.loc["resolution_business_median_s"]
    assert (row["value"], row["previous"]) == (3600, 7200) and row["significant_vs_previous"]
    assert row["calendar_driven"]
    assert not card.loc["resolution_median_s", "calendar_driven"]  # an elapsed-time KPI is never marked
    changes = working_days_changes(store, ["resolution_business_median_s"], "2026-10", "east", cache.params)
    change = changes["resolution_business_median_s"]
    assert (change.baseline, change.change, change.significant) == (7200, 0, False)


def test_a_change_that_holds_on_working_days_is_not_calendar_driven(tmp_path):
    # October's working-day contacts take 4 h: 14400 s against 7200 s on working days alone too
    store, cache, targets = _store(tmp_path, _contacts(october_hours=4.0, closed_days=False))
    card = scorecard(store, "2026-10", "east", targets, cache).set_index("kpi")
    row = card.loc["resolution_business_median_s"]
    assert (row["value"], row["significant_vs_previous"], row["calendar_driven"]) == (14400, True, False)


def test_no_irregular_day_no_calendar_or_no_business_kpi_is_never_calendar_driven(tmp_path):
    store, cache, _ = _store(tmp_path, _contacts())
    kpis = ["resolution_business_median_s"]
    assert calendar_driven(store, kpis, "2026-09", "east", cache.params) == {kpis[0]: False}  # nor in August
    plain = KpiCache(store, load_targets(), Calendars())
    assert calendar_driven(store, kpis, "2026-10", "east", plain.params) == {kpis[0]: False}
    assert calendar_driven(store, ["resolution_median_s"], "2026-10", "east", cache.params) == {
        "resolution_median_s": False
    }


def test_the_baseline_at_the_same_age_is_read_as_the_data_stood(tmp_path):
    # at 15 September 23:59 the September baseline holds the contacts of its first 11 weekdays (22 contacts)
    store, cache, _ = _store(tmp_path, _contacts())
    at = pd.Timestamp("2026-09-15 23:59")
    change = working_days_changes(store, ["resolution_business_median_s"], "2026-10", "east", cache.params, at)
    assert change["resolution_business_median_s"].baseline_n == 22
