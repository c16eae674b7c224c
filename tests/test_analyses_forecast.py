import numpy as np
import pandas as pd
import pytest

from csreport.analyses.forecast import forecast_volume, monthly_volume, seasonal_naive, yoy_smoothing
from csreport.analyses.forecast_daily import daily_volume, weekly_naive


def contacts_from_monthly(counts: dict[str, int]) -> pd.DataFrame:
    rows = []
    for period, n in counts.items():
        start = pd.Period(period, "M").start_time
        rows += [start + pd.Timedelta(minutes=7 * i) for i in range(n)]
    return pd.DataFrame({"created_at": pd.to_datetime(rows)})


def growing_seasonal(months: int = 24) -> dict[str, int]:
    # 100 × season × 1.01 per month: a 12.7 % year-over-year growth on a fixed seasonal shape
    shape = [0.9, 0.85, 0.95, 1.0, 1.0, 1.1, 1.0, 1.0, 1.0, 1.05, 1.3, 1.1]
    periods = pd.period_range("2024-11", periods=months, freq="M")
    return {str(p): int(round(1000 * shape[p.month - 1] * 1.01**i)) for i, p in enumerate(periods)}


def test_seasonal_naive_by_hand():
    history = pd.Series(np.arange(1.0, 25.0), index=pd.period_range("2024-11", periods=24, freq="M"))
    # next three months = the values 12 months earlier: positions 12, 13, 14 -> 13, 14, 15
    assert seasonal_naive(history, 3).tolist() == [13.0, 14.0, 15.0]


def test_yoy_smoothing_learns_a_constant_growth():
    history = pd.Series([100.0] * 12 + [110.0] * 12, index=pd.period_range("2024-11", periods=24, freq="M"))
    assert yoy_smoothing(history, 2) == pytest.approx([121.0, 121.0], rel=1e-6)  # 110 × 1.1


def test_growth_is_learned_and_beats_seasonal_naive():
    result = forecast_volume(contacts_from_monthly(growing_seasonal()))
    assert result.model == "yoy_smoothing"
    assert result.mase["yoy_smoothing"] < result.mase["seasonal_naive"]
    assert list(result.monthly["period"]) == ["2026-11", "2026-12", "2027-01"]
    assert (result.monthly["low"] <= result.monthly["forecast"]).all()
    assert (result.monthly["forecast"] <= result.monthly["high"]).all()
    # the daily forecast adds up to the monthly one
    daily = result.daily.groupby(result.daily["date"].dt.to_period("M").astype(str))["forecast"].sum()
    assert daily.to_numpy() == pytest.approx(result.monthly["forecast"].to_numpy())


def test_not_enough_history():
    # two months whose contacts fall on their first days (1,300 and 1,111 seven minutes apart): 1 November to
    # 6 December, 36 days
    short = forecast_volume(contacts_from_monthly(growing_seasonal(2)))
    assert not short.available and "36 days of history, the daily backtest needs at least 84" in short.reason
    assert forecast_volume(pd.DataFrame({"created_at": pd.Series(dtype="datetime64[us]")})).reason


def test_monthly_volume_fills_empty_months():
    counts = monthly_volume(contacts_from_monthly({"2026-01": 3, "2026-03": 2}))
    assert counts.tolist() == [3.0, 0.0, 2.0]


def test_chosen_model_beats_seasonal_naive_on_the_sample(sample_dir):
    contacts = pd.read_parquet(sample_dir / "contacts.parquet", columns=["created_at"])
    result = forecast_volume(contacts)
    assert result.available and result.mase[result.model] <= result.mase["seasonal_naive"]
    assert result.model == "yoy_smoothing"  # the sample grows 6 % a year, which seasonal naive cannot see


WEEKDAY = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.6, 0.5])  # Monday … Sunday


def eight_months_of_days(level: float = 200.0) -> pd.DataFrame:
    """1 March – 31 October 2026 (245 days): Poisson(level × weekday factor) contacts a day, seed 1."""
    days = pd.date_range("2026-03-01", "2026-10-31", freq="D")
    counts = np.random.default_rng(1).poisson(level * WEEKDAY[days.day_of_week])
    created = [d + pd.Timedelta(seconds=30 * i) for d, n in zip(days, counts, strict=True) for i in range(n)]
    return pd.DataFrame({"created_at": pd.to_datetime(created)})


def test_weekly_naive_by_hand():
    history = pd.Series(np.arange(1.0, 15.0), index=pd.date_range("2026-10-01", periods=14, freq="D"))
    # the next 3 days = the same weekdays one week before the end: positions 7, 8, 9 -> 8, 9, 10
    assert weekly_naive(history, 3).tolist() == [8.0, 9.0, 10.0]


def test_eight_months_of_days_give_a_daily_forecast_with_measured_accuracy():
    contacts = eight_months_of_days()
    result = forecast_volume(contacts)
    assert result.available and result.granularity == "day" and result.history_days == 245
    assert set(result.mase) == {"weekly_naive", "weekly_smoothing"} and result.origins == 6
    # Poisson noise of ±7 % a day: smoothing averages it, the naive copy of last week carries it twice
    assert result.model == "weekly_smoothing" and result.mase["weekly_smoothing"] < result.mase["weekly_naive"]
    assert 0.02 < result.mape < 0.10
    assert list(result.monthly["period"]) == ["2026-11", "2026-12", "2027-01"]
    november = pd.date_range("2026-11-01", "2026-11-30", freq="D")
    expected = 200 * WEEKDAY[november.day_of_week].sum()  # 5,260 contacts
    assert result.monthly["forecast"].iloc[0] == pytest.approx(expected, rel=0.03)
    assert (result.monthly["low"] < result.monthly["forecast"]).all()
    daily = result.daily.set_index("date")["forecast"]
    # the weekday pattern is learnt: Monday / Sunday = 1.2 / 0.5
    assert daily[daily.index.day_of_week == 0].mean() / daily[daily.index.day_of_week == 6].mean() == pytest.approx(
        2.4, rel=0.1
    )


def test_daily_volume_counts_days_without_contacts_as_zero():
    created = ["2026-10-01 09:00", "2026-10-01 10:00", "2026-10-03 08:00"]
    contacts = pd.DataFrame({"created_at": pd.to_datetime(created)})
    assert daily_volume(contacts).tolist() == [2.0, 0.0, 1.0]
