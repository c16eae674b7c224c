"""Daily contact-volume forecast with a weekday pattern, for histories too short for a monthly model.

Under two years of months a monthly model cannot learn the year's season (nor be backtested against the same
month a year before), but a few months of days hold dozens of weeks. Candidates, on contacts per day:
- ``weekly_naive`` (the baseline): each day = the same weekday one week before the forecast origin;
- ``weekly_smoothing``: exponential smoothing with an additive 7-day season and no trend (statsmodels'
  Holt–Winters), i.e. a level that learns and a weekday pattern that learns.
Rolling-origin backtest: ``origins`` origins one week apart, the last one ``horizon_days`` before the data's end;
each fits on the days before it (at least ``min_train_days``) and forecasts ``horizon_days`` days. The model
with the lower mean MASE is chosen (MASE: mean absolute error over the training days' mean absolute
difference at lag 7); its MAPE is over days with contacts. Monthly totals are sums of the daily forecast;
their prediction interval comes from the chosen model's backtest errors of ``horizon_days``-day totals on the
log scale, widening with the square root of the month's distance.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tsa.holtwinters import ExponentialSmoothing

WEEK = 7


def daily_volume(contacts: pd.DataFrame) -> pd.Series:
    """Contacts per calendar day (indexed by day) from the first to the last day with data, missing days 0."""
    days = contacts["created_at"].dt.normalize()
    counts = days.value_counts().sort_index()
    full = pd.date_range(counts.index.min(), counts.index.max(), freq="D")
    return counts.reindex(full, fill_value=0).astype(float)


def weekly_naive(history: pd.Series, horizon: int) -> np.ndarray:
    """The same weekday of the last week, for each of the next ``horizon`` days."""
    from csreport.analyses.forecast import seasonal_naive  # forecast imports this module at its top

    return seasonal_naive(history, horizon, season=WEEK)


def weekly_smoothing(history: pd.Series, horizon: int) -> np.ndarray:
    """Exponential smoothing with an additive weekly season (statsmodels Holt–Winters), floored at 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes on short or flat series
        fit = ExponentialSmoothing(
            history.to_numpy(float), trend=None, seasonal="add", seasonal_periods=WEEK,
            initialization_method="estimated",
        ).fit()  # fmt: skip
    return np.maximum(fit.forecast(horizon), 0.0)


DAILY_MODELS = {"weekly_naive": weekly_naive, "weekly_smoothing": weekly_smoothing}


def daily_backtest(series: pd.Series, horizon_days: int = 28, origins: int = 6, min_train_days: int = 56):
    """One row per model × origin × day ahead: actual, forecast, abs_error and the origin's MASE scale."""
    values = series.to_numpy(float)
    last = len(values) - horizon_days
    rows = []
    for origin in range(last, max(min_train_days, last - WEEK * (origins - 1)) - 1, -WEEK):
        train = series.iloc[:origin]
        scale = float(np.mean(np.abs(_lag_diff(train))))
        for name, model in DAILY_MODELS.items():
            predicted = model(train, horizon_days)
            for h in range(horizon_days):
                actual = values[origin + h]
                rows.append(
                    {
                        "model": name,
                        "origin": str(series.index[origin].date()),
                        "horizon": h + 1,
                        "actual": actual,
                        "forecast": float(predicted[h]),
                        "abs_error": abs(actual - predicted[h]),
                        "mase_scale": scale,
                    }
                )
    return pd.DataFrame(rows)


def _lag_diff(train: pd.Series) -> np.ndarray:
    values = train.to_numpy(float)
    return values[WEEK:] - values[:-WEEK]


def mape(tests: pd.DataFrame) -> float | None:
    """Mean absolute percentage error over the days with contacts (ratio)."""
    seen = tests[tests["actual"] > 0]
    return float((seen["abs_error"] / seen["actual"]).mean()) if len(seen) else None


def forecast_daily(
    contacts: pd.DataFrame,
    horizon: int = 3,
    horizon_days: int = 28,
    origins: int = 6,
    min_train_days: int = 56,
    confidence: float = 0.8,
) -> dict | str:
    """The daily forecast for the ``horizon`` months after the data's last month: a dict of model, monthly
    (period, forecast, low, high), daily (date, forecast), backtest, mase per model and mape of the chosen
    model; or a "not enough data" reason."""
    series = daily_volume(contacts)
    need = min_train_days + horizon_days
    if len(series) < need:
        return f"not enough data: {len(series)} days of history, the daily backtest needs at least {need}"
    tests = daily_backtest(series, horizon_days, origins, min_train_days)
    mase = {name: float((g["abs_error"] / g["mase_scale"]).mean()) for name, g in tests.groupby("model")}
    model = min(mase, key=mase.get)
    chosen = tests[tests["model"] == model]
    totals = chosen.groupby("origin")[["actual", "forecast"]].sum()
    totals = totals[(totals["actual"] > 0) & (totals["forecast"] > 0)]
    log_errors = np.log(totals["actual"] / totals["forecast"]).to_numpy()
    spread = float(np.std(log_errors, ddof=1)) if len(log_errors) > 1 else 0.0
    last_day = series.index[-1]
    last_month = last_day.to_period("M")
    periods = [last_month + h for h in range(1, horizon + 1)]
    end = periods[-1].end_time.normalize()
    days = pd.date_range(last_day + pd.Timedelta(days=1), end, freq="D")
    daily = pd.DataFrame({"date": days, "forecast": DAILY_MODELS[model](series, len(days))})
    month_of = daily["date"].dt.to_period("M")
    z = stats.norm.ppf(0.5 + confidence / 2)
    point = np.array([daily.loc[month_of == p, "forecast"].sum() for p in periods])
    widen = np.sqrt(np.arange(1, horizon + 1))
    monthly = pd.DataFrame(
        {
            "period": [str(p) for p in periods],
            "forecast": point,
            "low": point * np.exp(-z * spread * widen),
            "high": point * np.exp(z * spread * widen),
        }
    )
    return {
        "model": model,
        "monthly": monthly,
        "daily": daily,
        "backtest": tests,
        "mase": mase,
        "mape": mape(chosen),
        "days": len(series),
        "origins": int(chosen["origin"].nunique()),
    }
