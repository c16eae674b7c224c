"""Contact-volume forecast per month (and per day) chosen by a rolling-origin backtest against seasonal-naive.

Candidates, for monthly volume with annual seasonality:
- ``seasonal_naive``: next year's month = the same month last year;
- ``yoy_smoothing``: the same month last year × the year-over-year ratio smoothed by simple exponential
  smoothing (statsmodels), i.e. seasonal naive that learns the growth. A Holt–Winters model with a 12-month
  season needs two full years before every backtest origin, which 24 months of history do not give.
The model with the lower mean MASE over the backtest origins is chosen (MASE: mean absolute error over the
in-sample mean absolute seasonal difference). Prediction intervals come from the chosen model's backtest
errors on the log scale, widening with the square root of the horizon. Daily volumes spread each month's
forecast over its days by the weekday profile of the last eight weeks.

With under two years of months (``MONTHLY_MIN_MONTHS``) the forecast is daily instead
(:mod:`csreport.analyses.forecast_daily`): weekday seasonality, backtested against the weekly seasonal naive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tsa.holtwinters import SimpleExpSmoothing

from csreport.analyses.forecast_daily import forecast_daily
from csreport.analyses.result import AnalysisResult
from csreport.metrics.calls import counted

SEASON = 12
MONTHLY_MIN_MONTHS = 2 * SEASON  # under two years of months the year's season cannot be learnt: forecast daily


@dataclass(frozen=True)
class VolumeForecast(AnalysisResult):
    """The chosen model, its forecast with intervals, the backtest behind the choice, or why there is none."""

    model: str
    monthly: pd.DataFrame  # period, forecast, low, high
    daily: pd.DataFrame  # date, forecast
    backtest: pd.DataFrame  # model, origin, horizon, actual, forecast, abs_error, mase_scale
    mase: dict[str, float]
    granularity: str = "month"  # "month": monthly models; "day": daily models with a weekday season
    mape: float | None = None  # the chosen model's backtest MAPE (ratio), daily models
    history_days: int = 0  # days of history behind a daily forecast
    origins: int = 0  # backtest origins of a daily forecast
    reason: str | None = None


def monthly_volume(contacts: pd.DataFrame) -> pd.Series:
    """Contacts per calendar month (a Series indexed by monthly Period), months without contacts as 0."""
    months = contacts["created_at"].dt.to_period("M")
    counts = months.value_counts().sort_index()
    full = pd.period_range(counts.index.min(), counts.index.max(), freq="M")
    return counts.reindex(full, fill_value=0).astype(float)


def seasonal_naive(history: pd.Series, horizon: int, season: int = SEASON) -> np.ndarray:
    """The same position one ``season`` earlier (default 12 months), for each of the next ``horizon`` steps."""
    values = history.to_numpy(float)
    return np.array([values[len(values) - season + (h % season)] for h in range(horizon)])


def yoy_smoothing(history: pd.Series, horizon: int) -> np.ndarray:
    """Seasonal naive × the year-over-year ratio smoothed by simple exponential smoothing (statsmodels)."""
    values = history.to_numpy(float)
    ratios = values[SEASON:] / np.where(values[:-SEASON] > 0, values[:-SEASON], np.nan)
    ratios = ratios[np.isfinite(ratios)]
    if len(ratios) < 2:
        growth = float(ratios[-1]) if len(ratios) else 1.0
    else:
        fit = SimpleExpSmoothing(np.log(ratios), initialization_method="estimated").fit()
        growth = float(np.exp(fit.forecast(1)[0]))
    return seasonal_naive(history, horizon) * growth


MODELS = {"seasonal_naive": seasonal_naive, "yoy_smoothing": yoy_smoothing}


def backtest(series: pd.Series, horizon: int = 3, origins: int = 6) -> pd.DataFrame:
    """Rolling-origin backtest: for each of the last ``origins`` origins, fit on the months before it and
    forecast ``horizon`` months; one row per model × origin × horizon step with the MASE scale of its fit."""
    rows = []
    values = series.to_numpy(float)
    first_origin = len(values) - origins - horizon + 1
    for origin in range(max(first_origin, SEASON + 2), len(values) - horizon + 1):
        train = series.iloc[:origin]
        scale = float(np.mean(np.abs(train.to_numpy()[SEASON:] - train.to_numpy()[:-SEASON])))
        for name, model in MODELS.items():
            predicted = model(train, horizon)
            for h in range(horizon):
                actual = values[origin + h]
                rows.append(
                    {
                        "model": name,
                        "origin": str(series.index[origin]),
                        "horizon": h + 1,
                        "actual": actual,
                        "forecast": float(predicted[h]),
                        "abs_error": abs(actual - predicted[h]),
                        "mase_scale": scale,
                    }
                )
    return pd.DataFrame(rows)


def _daily(monthly: pd.DataFrame, contacts: pd.DataFrame) -> pd.DataFrame:
    last = contacts["created_at"].max().normalize()
    recent = contacts[contacts["created_at"] > last - pd.Timedelta(weeks=8)]
    weights = recent["created_at"].dt.day_of_week.value_counts().reindex(range(7), fill_value=0).astype(float)
    weights = weights / weights.mean() if weights.sum() else pd.Series(1.0, index=range(7))
    rows = []
    for period, volume in zip(monthly["period"], monthly["forecast"], strict=True):
        days = pd.date_range(pd.Period(period, "M").start_time, pd.Period(period, "M").end_time, freq="D")
        share = weights.reindex(days.day_of_week).to_numpy()
        share = share / share.sum()
        rows += [{"date": d, "forecast": float(volume * s)} for d, s in zip(days, share, strict=True)]
    return pd.DataFrame(rows)


@counted("forecast")
def forecast_volume(
    contacts: pd.DataFrame, horizon: int = 3, origins: int = 6, confidence: float = 0.8
) -> VolumeForecast:
    """Monthly (and daily) contact volume for the ``horizon`` months after the data, by the model with the
    lower backtest MASE, with ``confidence`` prediction intervals."""
    empty = pd.DataFrame()
    if contacts.empty or "created_at" not in contacts.columns:
        return VolumeForecast("", empty, empty, empty, {}, reason="not enough data: no contacts")
    series = monthly_volume(contacts)
    if len(series) < max(MONTHLY_MIN_MONTHS, SEASON + 2 + horizon):
        daily = forecast_daily(contacts, horizon, confidence=confidence)
        if isinstance(daily, str):
            return VolumeForecast("", empty, empty, empty, {}, granularity="day", reason=daily)
        return VolumeForecast(
            daily["model"],
            daily["monthly"],
            daily["daily"],
            daily["backtest"],
            daily["mase"],
            granularity="day",
            mape=daily["mape"],
            history_days=daily["days"],
            origins=daily["origins"],
        )
    tests = backtest(series, horizon, origins)
    mase = {name: float((g["abs_error"] / g["mase_scale"]).mean()) for name, g in tests.groupby("model")}
    model = min(mase, key=mase.get)
    chosen = tests[tests["model"] == model]
    log_errors = np.log(chosen["actual"] / chosen["forecast"]).to_numpy()
    spread = float(np.std(log_errors, ddof=1)) if len(log_errors) > 1 else 0.0
    z = stats.norm.ppf(0.5 + confidence / 2)
    point = MODELS[model](series, horizon)
    periods = [str(series.index[-1] + h) for h in range(1, horizon + 1)]
    widen = np.sqrt(np.arange(1, horizon + 1))
    monthly = pd.DataFrame(
        {
            "period": periods,
            "forecast": point,
            "low": point * np.exp(-z * spread * widen),
            "high": point * np.exp(z * spread * widen),
        }
    )
    return VolumeForecast(model, monthly, _daily(monthly, contacts), tests, mase)
