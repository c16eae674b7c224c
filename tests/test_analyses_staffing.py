import pandas as pd
import pytest

from csreport.analyses.staffing import interval_loads, staffing_need


def one_busy_interval() -> pd.DataFrame:
    # 100 phone contacts between 10:00 and 10:30 on every weekday of October 2026 (22 weekdays), AHT 180 s:
    # 100 arrivals per interval per weekday, load 100 * 180 / 1800 = 10 Erlangs (the reference example)
    days = [d for d in pd.date_range("2026-10-01", "2026-10-31") if d.day_of_week < 5]
    created = [d + pd.Timedelta(hours=10, seconds=17 * i) for d in days for i in range(100)]
    return pd.DataFrame({"channel": "phone", "created_at": created, "handle_s": 180.0})


def test_reference_example_through_the_interval_pipeline():
    need = staffing_need(one_busy_interval(), "2026-10", target_level=0.8, threshold_s=20, shrinkage=0.3)
    row = need.intervals.iloc[0]
    assert (row["day_type"], row["interval"], row["arrivals"], row["load"]) == ("weekday", 600, 100, 10)
    assert row["required"] == 14 and row["scheduled"] == 20
    assert round(row["service_level"], 3) == 0.888 and round(row["asa_s"], 1) == 7.8
    assert round(row["occupancy"], 3) == 0.714


def test_gap_against_staff_on_hand():
    need = staffing_need(one_busy_interval(), "2026-10", agents_on_hand=12)
    assert need.summary.loc[0, "gap"] == pytest.approx(12 - 20)


def test_weekend_days_are_averaged_over_weekend_days():
    frame = pd.DataFrame(
        {"channel": "chat", "created_at": pd.to_datetime(["2026-10-03 09:05", "2026-10-04 09:10"]), "handle_s": 300.0}
    )
    loads = interval_loads(frame, "2026-10")
    # October 2026 has 9 weekend days: 2 contacts in the 09:00 interval -> 2 / 9 arrivals per weekend interval
    assert loads.loc[0, "day_type"] == "weekend" and loads.loc[0, "arrivals"] == pytest.approx(2 / 9)


def test_not_enough_data():
    assert "handle_s" in staffing_need(pd.DataFrame({"channel": [], "created_at": []}), "2026-10").reason
    email_only = pd.DataFrame({"channel": ["email"], "created_at": [pd.Timestamp("2026-10-01")], "handle_s": [60.0]})
    assert staffing_need(email_only, "2026-10").reason == "not enough data: no handled phone or chat contacts"
