"""Customer KPIs: active customers, churn and retention (monthly and 12-month rolling)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csreport.measure import Measure, rate
from csreport.metrics.service import DEFAULT
from csreport.store import parse_period
from csreport.targets import Parameters


def _window(period: str, months: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    end = parse_period(period)
    return (end - (months - 1)).start_time, (end + 1).start_time


@dataclass(frozen=True)
class CustomerDates:
    """Signup and churn dates as datetime64[us] arrays (NaT when unknown), converted once for many periods."""

    signup: np.ndarray
    churn: np.ndarray
    has_churn: bool

    @classmethod
    def of(cls, customers: pd.DataFrame | CustomerDates) -> CustomerDates:
        if isinstance(customers, CustomerDates):
            return customers
        return cls(_dates(customers, "signup_date"), _dates(customers, "churn_date"), "churn_date" in customers.columns)


def _dates(customers: pd.DataFrame, column: str) -> np.ndarray:
    if column not in customers.columns:
        return np.full(len(customers), np.datetime64("NaT"), dtype="datetime64[us]")
    return customers[column].to_numpy(dtype="datetime64[us]", na_value=np.datetime64("NaT"))


def active_customers(customers: pd.DataFrame | CustomerDates, period: str) -> int:
    """Customers signed up before the period ends and not churned before it starts."""
    dates = CustomerDates.of(customers)
    start, stop = (np.datetime64(t, "us") for t in _window(period, 1))
    signed = np.isnat(dates.signup) | (dates.signup < stop)
    return int((signed & (np.isnat(dates.churn) | (dates.churn >= start))).sum())


def churn_rate(
    customers: pd.DataFrame | CustomerDates, period: str, months: int = 1, params: Parameters = DEFAULT
) -> Measure:
    """Customers whose churn_date falls in the window / customers active at the window's start (ratio).

    ``months`` = 1 gives the monthly rate, 12 the rolling 12-month rate ending with ``period``. Active at the
    start: signed up before it (or no signup date) and not churned before it.
    """
    name = "churn_rate" if months == 1 else f"churn_rate_{months}m"
    dates = CustomerDates.of(customers)
    if not dates.has_churn:
        return Measure.unavailable(name, "ratio", "customers has no churn_date column")
    start, stop = (np.datetime64(t, "us") for t in _window(period, months))
    at_start = (np.isnat(dates.signup) | (dates.signup < start)) & (np.isnat(dates.churn) | (dates.churn >= start))
    churned = at_start & ~np.isnat(dates.churn) & (dates.churn < stop)
    return rate(
        name,
        int(churned.sum()),
        int(at_start.sum()),
        confidence=params.confidence,
        method=f"churned in {months} month(s) / active at start",
        empty_reason="no customers active at start",
    )


def retention_rate(
    customers: pd.DataFrame | CustomerDates, period: str, months: int = 1, params: Parameters = DEFAULT
) -> Measure:
    """Retention = 1 − churn over the same window (ratio), interval mirrored from churn's."""
    return retention_from_churn(churn_rate(customers, period, months, params))


def retention_from_churn(churn: Measure) -> Measure:
    """Retention = 1 − ``churn`` (ratio): numerator and interval mirrored."""
    name = churn.name.replace("churn_rate", "retention_rate")
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
        kind="proportion",
    )
