"""Customer KPIs: active customers, churn and retention (monthly and 12-month rolling)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csreport.measure import Measure, rate
from csreport.metrics.dates import micros, micros_of
from csreport.metrics.service import DEFAULT
from csreport.store import parse_period
from csreport.targets import Parameters


def _window(period: str, months: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    end = parse_period(period)
    return (end - (months - 1)).start_time, (end + 1).start_time


_NEVER = np.iinfo(np.int64).max  # churn date of a customer who has not churned
_ALWAYS = np.iinfo(np.int64).min  # signup date of a customer whose signup is unknown


@dataclass(frozen=True)
class CustomerDates:
    """Signup and churn dates as int64 microseconds, converted once for many periods; an unknown signup
    counts as long ago and a missing churn date as never."""

    signup: np.ndarray
    churn: np.ndarray
    has_churn: bool

    @classmethod
    def of(cls, customers: pd.DataFrame | CustomerDates) -> CustomerDates:
        if isinstance(customers, CustomerDates):
            return customers
        return cls(
            micros(customers, "signup_date", _ALWAYS),
            micros(customers, "churn_date", _NEVER),
            "churn_date" in customers.columns,
        )


def active_customers(customers: pd.DataFrame | CustomerDates, period: str) -> int:
    """Customers signed up before the period ends and not churned before it starts."""
    dates = CustomerDates.of(customers)
    start, stop = (micros_of(t) for t in _window(period, 1))
    return int(((dates.signup < stop) & (dates.churn >= start)).sum())


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
    start, stop = (micros_of(t) for t in _window(period, months))
    at_start = (dates.signup < start) & (dates.churn >= start)
    churned = at_start & (dates.churn < stop)
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
