"""Calendar plausibility (issue 24): the share of a unit's agent activity outside the working hours of its
calendar, worked by hand on tests/fixtures/calendar_fit/ (east, Mon-Fri 09:00-18:00, October 2026; 5 October is
a Monday). Activity: queued contacts created (p1 Mon 10:00 in, p2 Mon 20:00 out, c1 Sat 11:00 out, p3 Tue 18:00
out: a span ends at 18:00) and written first responses sent (e1 Mon 09:30 in, created on a Sunday night; e2 Mon
19:00 out; s1 Tue 09:00 in: a span starts at 09:00; t1 has none) -> 4 of 7 outside = 0.571."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from csreport.data.calendars import load_calendars, parse_calendar
from csreport.errors import ParameterError
from csreport.metrics.calendar_fit import calendar_fit, inside_hours
from csreport.metrics.targets import Parameters, load_targets
from csreport.report.chapters import background, open_report
from csreport.report.chapters import output as out

FIXTURE = Path(__file__).parent / "fixtures" / "calendar_fit"
OFFICE = parse_calendar("east", {"hours": {"mon-fri": ["09:00-18:00"]}}, "calendars.yml", "Asia/Shanghai")


@pytest.fixture
def contacts() -> pd.DataFrame:
    return pd.read_csv(FIXTURE / "contacts.csv", parse_dates=["created_at", "first_response_at"])


def test_share_of_activity_outside_the_hours(contacts):
    fit = calendar_fit(contacts, OFFICE, "Asia/Shanghai", Parameters(min_sample=5), "east")
    assert (fit.activities, fit.outside) == (7, 4) and fit.share == pytest.approx(4 / 7)
    assert fit.implausible  # 57% >= 30% on 7 >= 5 activities
    # the same share on fewer activities than the minimum sample is not called implausible
    assert not calendar_fit(contacts, OFFICE, "Asia/Shanghai", Parameters(), "east").implausible
    # a share under the threshold is not either
    higher = Parameters(min_sample=5, calendar_outside_share=0.6)
    assert not calendar_fit(contacts, OFFICE, "Asia/Shanghai", higher, "east").implausible


def test_no_calendar_24_7_or_no_activity_has_no_share(contacts):
    always = parse_calendar("east", {"hours": "24/7"}, "calendars.yml", "Asia/Shanghai")
    for calendar, frame in [(None, contacts), (always, contacts), (OFFICE, contacts.iloc[0:0])]:
        fit = calendar_fit(frame, calendar, "Asia/Shanghai", Parameters(min_sample=5), "east")
        assert fit.share is None and not fit.implausible and fit.outside == 0


def test_hours_are_the_units_local_hours():
    # Berlin 09:00-17:00 is 15:00-23:00 in Shanghai on Monday 5 October 2026 (summer time, UTC+2)
    berlin = parse_calendar("east", {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-17:00"}}, "c.yml",
                            "Asia/Shanghai")  # fmt: skip
    stamps = pd.Series(pd.to_datetime(["2026-10-05 10:00", "2026-10-05 16:00", "2026-10-05 23:00", None]))
    assert inside_hours(berlin, stamps, "Asia/Shanghai").tolist() == [False, True, False, False]


def test_the_share_is_a_documented_parameter(tmp_path):
    assert load_targets().parameters.calendar_outside_share == 0.30
    path = tmp_path / "targets.yml"
    path.write_text("parameters: {calendar_outside_share: 1.5}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="calendar_outside_share must be a share above 0 and at most 1"):
        load_targets(path)


def test_data_quality_section_says_the_calendar_may_not_match(tmp_path, monkeypatch):
    monkeypatch.setattr(out, "markdown", lambda source: None)
    data, params = tmp_path / "data", tmp_path / "params"
    data.mkdir()
    params.mkdir()
    shutil.copy(FIXTURE / "contacts.csv", data / "contacts.csv")
    shutil.copy(FIXTURE / "calendars.yml", params / "calendars.yml")
    (params / "targets.yml").write_text("parameters: {min_sample: 5}\n", encoding="utf-8")
    assert load_calendars(params / "calendars.yml").of("east") is not None
    ctx = open_report("2026-10", "east", "en", data, tmp_path / "validated", params_dir=params)
    text = " ".join(background.data_quality(ctx).sentences)
    assert "The business-hour calendar of east may not match its real hours: 57% of its agents' activity" in text
    assert "(4 of 7:" in text
    zh = open_report("2026-10", "east", "zh", data, tmp_path / "validated", params_dir=params)
    assert "可能与其实际工作时间不符" in " ".join(background.data_quality(zh).sentences)
