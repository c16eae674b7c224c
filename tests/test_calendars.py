"""Business hours: calendars from params/calendars.yml and business seconds computed by DuckDB, against cases
worked out by hand (store timestamps are naive times in the run's zone, Asia/Shanghai unless said)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csreport.data.calendars import Calendars, load_calendars, parse_calendar
from csreport.errors import ParameterError
from csreport.metrics.business import BusinessClock, business_seconds
from csreport.metrics.service import contact_kpis
from csreport.metrics.targets import Parameters

# weekdays 09:00-12:00 and 13:00-18:00 (8 working hours, a lunch break), China's holidays and 调休
OFFICE = {"hours": {"mon-fri": ["09:00-12:00", "13:00-18:00"]}, "holidays": "CN"}


def clock_of(spec: dict, unit: str = "east", zone: str = "Asia/Shanghai") -> BusinessClock:
    return BusinessClock(Calendars({unit: parse_calendar(unit, spec, "calendars.yml", zone)}), zone)


def seconds(clock: BusinessClock, start: str, end: str | None, unit: str = "east") -> float | None:
    value = business_seconds(clock, unit, pd.Series([pd.Timestamp(start)]), pd.Series([pd.Timestamp(end)]))[0]
    return None if pd.isna(value) else float(value)


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2026-11-02 10:00", "2026-11-02 11:00", 1),  # inside hours, Monday
        ("2026-11-02 17:00", "2026-11-03 10:00", 2),  # overnight: 17-18 Mon, 09-10 Tue
        ("2026-11-06 17:00", "2026-11-09 10:00", 2),  # across a weekend: 17-18 Fri, 09-10 Mon
        ("2026-11-02 11:30", "2026-11-02 13:30", 1),  # across the lunch break: 11:30-12, 13-13:30
        ("2026-11-01 20:00", "2026-11-02 09:30", 0.5),  # created outside hours (Sunday evening)
        ("2026-11-07 10:00", "2026-11-07 15:00", 0),  # created and answered on a Saturday
        # Spring Festival 2026: Sat 14 Feb is an adjusted working day (8 h), 15-23 Feb are holidays
        ("2026-02-13 17:00", "2026-02-24 10:00", 1 + 8 + 1),
        # National Day 2026: 1-7 Oct holidays; Thu 8, Fri 9 and the adjusted Sat 10 Oct worked
        ("2026-09-30 17:00", "2026-10-10 10:00", 1 + 8 + 8 + 1),
    ],
)
def test_business_seconds_in_an_office_calendar(start, end, hours):
    assert seconds(clock_of(OFFICE), start, end) == hours * 3600


def test_unresolved_contact_has_no_business_time():
    assert seconds(clock_of(OFFICE), "2026-11-02 10:00", None) is None


def test_unit_in_another_zone_across_daylight_saving_change():
    # Berlin 09:00-17:00 weekdays; summer time begins Sun 29 Mar 2026. Fri 16:00 CET = 23:00 Shanghai; Mon 10:00
    # CEST = 16:00 Shanghai. Business: 16-17 Fri + 09-10 Mon = 2 h (a fixed winter offset would give 1 h).
    clock = clock_of({"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-17:00"}})
    assert seconds(clock, "2026-03-27 23:00", "2026-03-30 16:00") == 2 * 3600


def test_unit_without_a_calendar_is_open_around_the_clock():
    clock = clock_of(OFFICE)  # only east has a calendar
    assert seconds(clock, "2026-11-07 10:00", "2026-11-07 15:00", unit="west") == 5 * 3600
    always = clock_of({"hours": "24/7", "holidays": "CN"})
    assert seconds(always, "2026-10-01 10:00", "2026-10-02 10:00") == 24 * 3600


def test_quarter_hour_break_and_extra_dates():
    spec = {
        "hours": {"mon-fri": ["09:00-12:15", "12:45-18:00"]},
        "closed": ["2026-11-03"],
        "working": ["2026-11-07"],
        "adjusted_day_hours": ["10:00-12:00"],
    }
    clock = clock_of(spec)
    assert seconds(clock, "2026-11-02 12:00", "2026-11-02 13:00") == 30 * 60  # 12:00-12:15 and 12:45-13:00
    assert seconds(clock, "2026-11-02 18:00", "2026-11-04 09:30") == 30 * 60  # Tue 3 Nov closed
    assert seconds(clock, "2026-11-06 18:00", "2026-11-09 09:00") == 2 * 3600  # Sat 7 Nov worked 10-12


def test_other_countries_use_the_holidays_package():
    clock = clock_of({"timezone": "America/New_York", "hours": {"mon-fri": "09:00-17:00"}, "holidays": "US"})
    # Wed 25 Nov 16:00 New York = Thu 26 Nov 05:00 Shanghai; Thanksgiving (Thu) closed; Fri 27 Nov 10:00 NY
    # = Fri 23:00 Shanghai. Business: 16-17 Wed + 09-10 Fri = 2 h.
    assert seconds(clock, "2026-11-26 05:00", "2026-11-27 23:00") == 2 * 3600


def test_business_kpis_beside_elapsed_ones():
    contacts = pd.DataFrame(
        {
            "contact_id": ["a", "b", "c", "d"],
            "business_unit": "east",
            "channel": "email",
            "created_at": pd.to_datetime(
                ["2026-11-02 10:00", "2026-11-02 17:00", "2026-11-06 17:00", "2026-11-02 11:00"]
            ),
            "first_response_at": pd.to_datetime(
                ["2026-11-02 11:00", "2026-11-03 10:00", "2026-11-09 10:00", "2026-11-02 14:00"]
            ),
            "resolved_at": pd.to_datetime(["2026-11-02 12:00", None, None, None]),
        }
    )
    kpis = contact_kpis(contacts, Parameters(business=clock_of(OFFICE)))
    # business first responses 1, 2, 2, 2 h (11-12 and 13-14 around lunch); elapsed 1, 17, 65, 3 h
    assert kpis["first_response_business_median_s"].value == 2 * 3600
    assert kpis["first_response_median_s"].value == (3 + 17) / 2 * 3600
    assert kpis["resolution_business_median_s"].value == 2 * 3600 and kpis["resolution_business_median_s"].n == 1
    assert "business hours" in kpis["first_response_business_median_s"].method
    plain = contact_kpis(contacts)  # no calendars: business time is elapsed time
    assert plain["first_response_business_median_s"].value == plain["first_response_median_s"].value


def test_resolution_long_after_the_data_ends_is_measured_in_business_time(data_dir, tmp_path):
    """contacts_resolved_years_later.csv: Y001 created 5 Oct 2026 and resolved 5 Jan 2028 (457 days, more
    than a year after the last contact, beyond the business-hour table first built), Y002 resolved after 2 h.
    East works every day around the clock on a calendar (not '24/7'), so business time = elapsed time:
    median of 2 h and 457 days."""
    from csreport.data.ingest import ingest
    from csreport.data.store import Store
    from csreport.metrics.scorecard import KpiCache
    from csreport.metrics.targets import load_targets

    report = ingest(data_dir(contacts="contacts_resolved_years_later.csv"), tmp_path / "work")
    store = Store(Path(report.store_dir))
    calendars = Calendars(
        {"east": parse_calendar("east", {"hours": {"mon-sun": "00:00-24:00"}}, "c.yml", store.run_zone)}
    )
    cache = KpiCache(store, load_targets(), calendars)
    cache.preload(["2026-10"], ["east", "all"])
    for unit in ("east", "all"):
        business = cache.kpis("2026-10", unit)["resolution_business_median_s"]
        assert business.n == 2 and business.value == (2 * 3600 + 457 * 86400) / 2


def test_calendars_file_is_checked(tmp_path):
    path = tmp_path / "calendars.yml"
    path.write_text("units:\n  east:\n    hours: {mon-fri: ['09:00-18:00']}\n    holidays: CN\n", encoding="utf-8")
    calendars = load_calendars(path)
    assert calendars.of("east").week[0] == ((9 * 3600, 18 * 3600),) and calendars.of("west") is None
    for body, message in [
        ("units:\n  east: {opens: 9}\n", "unknown keys \\['opens'\\]"),
        ("units:\n  east: {hours: {mon: '18:00-09:00'}}\n", "ends before it starts"),
        ("units:\n  east: {hours: {mon: ['09:00-12:00', '11:00-13:00']}}\n", "overlap"),
        ("units:\n  east: {hours: {monday: '09:00-12:00'}}\n", "not a weekday"),
        ("units:\n  east: {timezone: Mars/Olympus}\n", "unknown time zone 'Mars/Olympus'"),
        ("units:\n  east: {holidays: XX}\n", "'XX' is not a country code"),
        ("units:\n  east: {hours: {mon: '9am-5pm'}}\n", "not a span like"),
        ("weeks: {}\n", "unknown keys \\['weeks'\\]"),
    ]:
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ParameterError, match=message):
            load_calendars(path)


def test_project_calendars_file_loads():
    calendars = load_calendars()
    assert calendars.units, "params/calendars.yml documents the sample units' calendars"


def test_service_standard_basis_chooses_the_kpi(tmp_path):
    from csreport.metrics.targets import load_targets

    path = tmp_path / "targets.yml"
    path.write_text(
        "targets:\n"
        "  first_response_median_s: {target: 3600, direction: lower, basis: business}\n"
        "  resolution_median_s: {target: 86400, direction: lower}\n",
        encoding="utf-8",
    )
    targets = load_targets(path)
    assert targets.get("first_response_median_s") is None  # the elapsed KPI has no standard now
    assert targets.get("first_response_business_median_s").target == 3600
    assert targets.get("resolution_median_s").target == 86400 and targets.get("resolution_business_median_s") is None
    path.write_text("targets:\n  aht_s: {target: 400, direction: lower, basis: business}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="'business' applies only to"):
        load_targets(path)


def test_foreign_files_in_the_shared_bucket_folder_are_ignored(tmp_path, monkeypatch):
    """The bucket tables are kept in a temp folder that other csreport versions share: a file there whose name
    does not end in a bucket size is passed over, not parsed into a crash."""
    import tempfile

    from csreport.metrics import business

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    business._table_file.cache_clear()
    clock = clock_of(OFFICE, unit="east-foreign")
    (tmp_path / "csreport-calendars").mkdir()
    first = business._table_file(clock, (2026, 2026))[0]
    stray = tmp_path / "csreport-calendars" / (first.rsplit("/", 1)[1].split("-")[0] + "-3600.packed.parquet")
    stray.write_bytes(b"not ours")
    Path(first).unlink()
    business._table_file.cache_clear()
    path, size = business._table_file(clock, (2026, 2026))
    assert path == first and size > 0
    assert seconds(clock, "2026-11-02 10:00", "2026-11-02 11:00", unit="east-foreign") == 3600
