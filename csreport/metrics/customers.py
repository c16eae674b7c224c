"""Customer KPIs: active customers, churn and retention (monthly and 12-month rolling)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from csreport.measure import Measure, rate
from csreport.metrics.dates import micros
from csreport.metrics.service import DEFAULT
from csreport.store import parse_period
from csreport.targets import Parameters

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

    @cached_property
    def _months(self) -> _MonthTable:
        return _MonthTable.of(self.signup, self.churn)

    def count(self, signed_up_before: int, churned_from: int, churned_before: int | None = None) -> int:
        """Customers whose signup month < ``signed_up_before`` and whose churn month is ≥ ``churned_from``
        (and < ``churned_before`` when given); months as counted by :func:`month_number`."""
        return self._months.count(signed_up_before, churned_from, churned_before)


def month_number(period: str | pd.Period) -> int:
    """Months since 1970-01 (the month numbering of :meth:`CustomerDates.count`)."""
    month = parse_period(period) if isinstance(period, str) else period
    return (month.year - 1970) * 12 + month.month - 1


@dataclass(frozen=True)
class _MonthTable:
    """Customers counted by (signup month, churn month), cumulated in both directions, so that a count over
    month ranges is four look-ups instead of a pass over every customer. Row 0 holds unknown signups
    (before every month) and the last column "never churned" (after every month).

    Exact for the month-aligned windows of the KPIs: a date is before the first instant of month m exactly
    when its month is before m."""

    first: int  # month number of row/column 1
    cumulative: np.ndarray  # cumulative[i, j] = customers with signup bin < i and churn bin < j

    @classmethod
    def of(cls, signup: np.ndarray, churn: np.ndarray) -> _MonthTable:
        known_signup, known_churn = signup != _ALWAYS, churn != _NEVER
        signup_m = _months_of(signup[known_signup])
        churn_m = _months_of(churn[known_churn])
        known = np.concatenate([signup_m, churn_m])
        first, last = (int(known.min()), int(known.max())) if len(known) else (0, 0)
        size = last - first + 3  # unknown-signup bin, the months, never-churned bin
        signup_bin = np.zeros(len(signup), dtype=np.int64)
        signup_bin[known_signup] = signup_m - first + 1
        churn_bin = np.full(len(churn), size - 1, dtype=np.int64)
        churn_bin[known_churn] = churn_m - first + 1
        counts = np.bincount(signup_bin * size + churn_bin, minlength=size * size).reshape(size, size)
        cumulative = np.zeros((size + 1, size + 1), dtype=np.int64)
        cumulative[1:, 1:] = counts.cumsum(axis=0).cumsum(axis=1)
        return cls(first, cumulative)

    def _bin(self, month: int) -> int:
        # months before the data count like its first month, after it like its last (nothing lies there)
        return int(np.clip(month - self.first + 1, 1, self.cumulative.shape[0] - 2))

    def count(self, signed_up_before: int, churned_from: int, churned_before: int | None) -> int:
        size = self.cumulative.shape[0] - 1
        rows = self._bin(signed_up_before)
        low = self._bin(churned_from)
        high = size if churned_before is None else self._bin(churned_before)
        return int(self.cumulative[rows, high] - self.cumulative[rows, low]) if high > low else 0


def _months_of(micros: np.ndarray) -> np.ndarray:
    """Month numbers (:func:`month_number`) of int64 microsecond timestamps."""
    if len(micros) == 0:
        return np.empty(0, dtype=np.int64)
    # a search among the month starts is much faster than NumPy's calendar conversion to datetime64[M]
    first, last = (
        int(m)
        for m in micros[[micros.argmin(), micros.argmax()]]
        .astype("datetime64[us]")
        .astype("datetime64[M]")
        .astype(np.int64)
    )
    starts = np.arange(first, last + 2).astype("datetime64[M]").astype("datetime64[us]").astype(np.int64)
    return first + np.searchsorted(starts, micros, side="right") - 1


def active_customers(customers: pd.DataFrame | CustomerDates, period: str) -> int:
    """Customers signed up before the period ends and not churned before it starts."""
    month = month_number(period)
    return CustomerDates.of(customers).count(month + 1, month)


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
    end = month_number(period)
    start = end - (months - 1)
    return rate(
        name,
        dates.count(start, start, end + 1),
        dates.count(start, start),
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
