"""The sample generator works the hours of the calendars it names (issue 24): calls and chats arrive only while
a unit is open, written first responses and resolutions are sent in working time, so the business-hour KPIs of
the sample mean what they say and the data-quality check finds nothing outside the hours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csreport.data.calendars import Calendars, load_calendars, parse_calendar
from csreport.errors import ParameterError
from csreport.metrics.calendar_fit import calendar_fit
from csreport.metrics.targets import Parameters
from csreport.sample.generate import generate
from csreport.sample.hours import ServiceHours
from csreport.sample.scenario import load_scenario

ROOT = Path(__file__).parents[1]
DEFAULT = ROOT / "params" / "scenarios" / "default.yml"
# Monday to Friday 09:00-18:00; 7 October 2026 (a Wednesday) closed
OFFICE = {"hours": {"mon-fri": ["09:00-18:00"]}, "closed": ["2026-10-07"]}


@pytest.fixture
def hours() -> ServiceHours:
    calendars = Calendars({"east": parse_calendar("east", OFFICE, "calendars.yml", "Asia/Shanghai")})
    return ServiceHours.of(calendars, ["east", "west"], pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31"),
                           "Asia/Shanghai")  # fmt: skip


STAMPS = pd.to_datetime(["2026-10-05 10:00", "2026-10-05 17:30", "2026-10-06 20:00", "2026-10-10 11:00"])


def test_open_next_opening_and_working_time_by_hand(hours):
    assert hours.is_open("east", STAMPS).tolist() == [True, True, False, False]
    # + 1 h of working time: Mon 11:00; Mon 17:30 -> 30 min on Monday, 30 on Tuesday: Tue 09:30; Tue 20:00 ->
    # Wednesday is closed: Thu 10:00; Sat 11:00 -> Mon 12 Oct 10:00
    assert pd.DatetimeIndex(hours.add_working("east", STAMPS, 3600)).strftime("%m-%d %H:%M").tolist() == [
        "10-05 11:00", "10-06 09:30", "10-08 10:00", "10-12 10:00"]  # fmt: skip
    assert pd.DatetimeIndex(hours.next_open("east", STAMPS)).strftime("%m-%d %H:%M").tolist() == [
        "10-05 10:00", "10-05 17:30", "10-08 09:00", "10-12 09:00"]  # fmt: skip
    # a unit without hours is always open: plain addition; a missing time stays missing
    assert (hours.add_working("west", STAMPS, 3600) == (STAMPS + pd.Timedelta(hours=1)).to_numpy()).all()
    assert np.isnat(hours.next_open("east", pd.to_datetime([None]))).all()


def test_the_default_sample_works_its_calendars_hours(sample_dir):
    contacts = pd.read_parquet(sample_dir / "contacts.parquet")
    calendars = load_calendars(ROOT / "params" / "calendars.yml")
    for unit in ("east", "north", "south"):
        fit = calendar_fit(contacts[contacts["business_unit"] == unit], calendars.of(unit), "Asia/Shanghai",
                           Parameters(), unit)  # fmt: skip
        assert fit.activities > 1000 and fit.outside == 0, fit
    # north is closed on Sundays: no call or chat then; written contacts still arrive and wait for Monday
    north = contacts[contacts["business_unit"] == "north"]
    sunday = north["created_at"].dt.day_of_week == 6
    assert not north.loc[sunday, "channel"].isin(["phone", "chat"]).any() and sunday.sum() > 0
    # written first responses and resolutions come in working time, elapsed times are longer than business ones
    written = north[north["channel"].isin(["email", "ticket"]) & (north["resolved_at"] >= north["created_at"])]
    # (a resolution before its contact is a planted defect, quarantined on validation)
    assert not written["resolved_at"].dt.day_of_week.eq(6).any()
    assert written["resolved_at"].dt.hour.between(8, 21).all()


def test_a_holiday_calendar_closes_the_queue_and_defers_written_work(tmp_path):
    (tmp_path / "calendars.yml").write_text(
        "units:\n  east:\n    hours: {mon-sun: ['08:00-22:00']}\n    holidays: CN\n", encoding="utf-8"
    )
    text = DEFAULT.read_text(encoding="utf-8").replace("calendars: ../calendars.yml", "calendars: calendars.yml")
    (tmp_path / "scenario.yml").write_text(text, encoding="utf-8")
    generate(load_scenario(tmp_path / "scenario.yml").with_overrides(contacts=6_000), tmp_path / "data")
    contacts = pd.read_parquet(tmp_path / "data" / "contacts.parquet")
    east = contacts[contacts["business_unit"] == "east"]
    national_day = east["created_at"].between("2026-10-01", "2026-10-07 23:59:59")
    assert not east.loc[national_day, "channel"].isin(["phone", "chat"]).any()
    answered = east["first_response_at"].dropna()
    assert not answered.between("2026-10-01", "2026-10-07 23:59:59").any()  # nobody answers during the holiday
    # west has no calendar there: always open, its calls come at any day of the holiday too
    west = contacts[(contacts["business_unit"] == "west") & contacts["created_at"].between("2026-10-01", "2026-10-07")]
    assert west["channel"].isin(["phone", "chat"]).any()


def test_a_calendars_file_that_is_not_there_is_named(tmp_path):
    text = DEFAULT.read_text(encoding="utf-8").replace("calendars: ../calendars.yml", "calendars: nowhere.yml")
    (tmp_path / "scenario.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match="calendars: nowhere.yml not found"):
        load_scenario(tmp_path / "scenario.yml")
    without = text.replace("calendars: nowhere.yml", "")
    (tmp_path / "scenario.yml").write_text(without, encoding="utf-8")
    assert load_scenario(tmp_path / "scenario.yml").calendars is None  # units always open, as before
