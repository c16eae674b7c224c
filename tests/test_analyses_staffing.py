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
    chats = pd.DataFrame(
        {"channel": "chat", "created_at": pd.to_datetime(["2026-10-03 09:05", "2026-10-04 09:10"]), "handle_s": 300.0}
    )
    emails = pd.DataFrame({"channel": "email", "created_at": pd.date_range("2026-10-01 12:00", periods=31, freq="D")})
    loads = interval_loads(pd.concat([chats, emails], ignore_index=True), "2026-10")
    # every day of October 2026 has data, 9 of them weekend days: 2 chats at 09:00 -> 2 / 9 per weekend interval
    assert loads.loc[0, "day_type"] == "weekend" and loads.loc[0, "arrivals"] == pytest.approx(2 / 9)


def test_a_month_with_missing_days_is_averaged_over_the_days_with_data():
    # November 2026 (21 weekdays, 9 weekend days), but data only on 2–6 and 9–13 November (10 weekdays) and
    # Saturday 7 November: 30 phone contacts at 09:00 on each of those weekdays, AHT 300 s, and 4 on the Saturday.
    # Per weekday with data: 300 / 10 = 30 arrivals (not 300 / 21 = 14.3); load 30 × 300 / 1800 = 5 Erlangs.
    days = list(pd.date_range("2026-11-02", "2026-11-06")) + list(pd.date_range("2026-11-09", "2026-11-13"))
    created = [d + pd.Timedelta(hours=9, seconds=50 * i) for d in days for i in range(30)]
    created += [pd.Timestamp("2026-11-07 09:00") + pd.Timedelta(minutes=i) for i in range(4)]
    loads = interval_loads(pd.DataFrame({"channel": "phone", "created_at": created, "handle_s": 300.0}), "2026-11")
    weekday, weekend = loads.set_index("day_type").loc["weekday"], loads.set_index("day_type").loc["weekend"]
    assert (weekday["days"], weekday["contacts"], weekday["arrivals"], weekday["load"]) == (10, 300, 30, 5)
    assert (weekend["days"], weekend["arrivals"]) == (1, 4)
    # Erlang C for 5 Erlangs at 80 % in 20 s with AHT 300 s: 8 agents; calendar weekdays (2.38 Erlangs) ask for 5
    need = staffing_need(pd.DataFrame({"channel": "phone", "created_at": created, "handle_s": 300.0}), "2026-11")
    assert need.intervals.set_index("day_type").loc["weekday", "required"] == 8


def test_not_enough_data():
    assert "handle_s" in staffing_need(pd.DataFrame({"channel": [], "created_at": []}), "2026-10").reason
    email_only = pd.DataFrame({"channel": ["email"], "created_at": [pd.Timestamp("2026-10-01")], "handle_s": [60.0]})
    assert staffing_need(email_only, "2026-10").reason == "not enough data: no handled phone or chat contacts"
