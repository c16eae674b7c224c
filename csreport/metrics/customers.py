"""Customer KPIs: active customers, churn and retention (monthly and 12-month rolling)."""

from __future__ import annotations

import pandas as pd

from csreport.measure import Measure, rate
from csreport.metrics.service import DEFAULT, missing
from csreport.store import parse_period
from csreport.targets import Parameters


def _window(period: str, months: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    end = parse_period(period)
    return (end - (months - 1)).start_time, (end + 1).start_time


def active_customers(customers: pd.DataFrame, period: str) -> int:
    """Customers signed up before the period ends and not churned before it starts."""
    start, stop = _window(period, 1)
    signed = customers["signup_date"] < stop if "signup_date" in customers.columns else True
    churn = customers["churn_date"] if "churn_date" in customers.columns else pd.Series(pd.NaT, customers.index)
    return int((signed & (churn.isna() | (churn >= start))).sum())


def churn_rate(customers: pd.DataFrame, period: str, months: int = 1, params: Parameters = DEFAULT) -> Measure:
    """Customers whose churn_date falls in the window / customers active at the window's start (ratio).

    ``months`` = 1 gives the monthly rate, 12 the rolling 12-month rate ending with ``period``. Active at the
    start: signed up before it (or no signup date) and not churned before it.
    """
    name = "churn_rate" if months == 1 else f"churn_rate_{months}m"
    reason = missing(customers, "churn_date", table="customers")
    if reason:
        return Measure.unavailable(name, "ratio", reason)
    start, stop = _window(period, months)
    signed = customers["signup_date"] < start if "signup_date" in customers.columns else True
    churn = customers["churn_date"]
    at_start = signed & (churn.isna() | (churn >= start))
    churned = at_start & (churn >= start) & (churn < stop)
    return rate(
        name,
        int(churned.sum()),
        int(at_start.sum()),
        confidence=params.confidence,
        method=f"churned in {months} month(s) / active at start",
        empty_reason="no customers active at start",
    )


def retention_rate(customers: pd.DataFrame, period: str, months: int = 1, params: Parameters = DEFAULT) -> Measure:
    """Retention = 1 − churn over the same window (ratio), interval mirrored from churn's."""
    churn = churn_rate(customers, period, months, params)
    name = "retention_rate" if months == 1 else f"retention_rate_{months}m"
    if not churn.available:
        return Measure.unavailable(name, "ratio", churn.reason or "")
    return Measure(
        name,
        1 - churn.value,
        churn.n,
        "ratio",
        1 - churn.high,
        1 - churn.low,
        numerator=churn.n - churn.numerator,
        method="1 − churn",
    )
