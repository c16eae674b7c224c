"""Customer KPIs: active customers, churn and retention (monthly and 12-month rolling)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csreport.metrics.dates import month_number, month_numbers
from csreport.metrics.measure import Measure, rate
from csreport.metrics.service import DEFAULT
from csreport.metrics.targets import Parameters


@dataclass(frozen=True)
class CustomerMonths:
    """Customers counted by (signup month, churn month), cumulated in both directions, so that any count of
    the churn KPIs over month-aligned windows is four look-ups instead of a pass over every customer. Built once
    per unit, from customer rows (:meth:`of`) or from counts aggregated elsewhere (:meth:`from_counts`).

    An unknown signup counts as before every month (bin 0), a customer without churn date as never churned
    (the last bin). Exact: a date is before the first instant of month m exactly when its month is before m."""

    first: int  # month number of bin 1
    cumulative: np.ndarray  # cumulative[i, j] = customers with signup bin < i and churn bin < j
    customers: int
    has_churn: bool

    @classmethod
    def of(cls, customers: pd.DataFrame | CustomerMonths) -> CustomerMonths:
        if isinstance(customers, CustomerMonths):
            return customers
        return cls.from_counts(
            month_numbers(customers, "signup_date"),
            month_numbers(customers, "churn_date"),
            np.ones(len(customers), dtype=np.int64),
            "churn_date" in customers.columns,
        )

    @classmethod
    def from_counts(cls, signup: np.ndarray, churn: np.ndarray, counts: np.ndarray, has_churn: bool) -> CustomerMonths:
        """``counts[k]`` customers signed up in month ``signup[k]`` and churned in ``churn[k]`` (month numbers of
        :func:`month_number` as floats; NaN: unknown signup / not churned)."""
        signup, churn = np.asarray(signup, dtype=float), np.asarray(churn, dtype=float)
        known_signup, known_churn = ~np.isnan(signup), ~np.isnan(churn)
        known = np.concatenate([signup[known_signup], churn[known_churn]])
        first, last = (int(known.min()), int(known.max())) if len(known) else (0, 0)
        size = last - first + 3  # unknown-signup bin, the months, never-churned bin
        signup_bin = np.where(known_signup, np.nan_to_num(signup) - first + 1, 0).astype(np.int64)
        churn_bin = np.where(known_churn, np.nan_to_num(churn) - first + 1, size - 1).astype(np.int64)
        table = np.bincount(signup_bin * size + churn_bin, weights=counts, minlength=size * size)
        cumulative = np.zeros((size + 1, size + 1), dtype=np.int64)
        cumulative[1:, 1:] = table.reshape(size, size).round().astype(np.int64).cumsum(axis=0).cumsum(axis=1)
        return cls(first, cumulative, int(np.sum(counts)), has_churn)

    def _bin(self, month: int) -> int:
        # months before the data count like its first month, after it like its last (nothing lies there)
        return int(np.clip(month - self.first + 1, 1, self.cumulative.shape[0] - 2))

    def count(self, signed_up_before: int, churned_from: int, churned_before: int | None = None) -> int:
        """Customers whose signup month < ``signed_up_before`` and whose churn month is ≥ ``churned_from``
        (and < ``churned_before`` when given); months as counted by :func:`month_number`."""
        size = self.cumulative.shape[0] - 1
        rows = self._bin(signed_up_before)
        low = self._bin(churned_from)
        high = size if churned_before is None else self._bin(churned_before)
        return int(self.cumulative[rows, high] - self.cumulative[rows, low]) if high > low else 0


def active_customers(customers: pd.DataFrame | CustomerMonths, period: str) -> int:
    """Customers signed up before the period ends and not churned before it starts."""
    month = month_number(period)
    return CustomerMonths.of(customers).count(month + 1, month)


def churn_rate(
    customers: pd.DataFrame | CustomerMonths, period: str, months: int = 1, params: Parameters = DEFAULT
) -> Measure:
    """Customers whose churn_date falls in the window / customers active at the window's start (ratio).

    ``months`` = 1 gives the monthly rate, 12 the rolling 12-month rate ending with ``period``. Active at the
    start: signed up before it (or no signup date) and not churned before it.
    """
    name = "churn_rate" if months == 1 else f"churn_rate_{months}m"
    dates = CustomerMonths.of(customers)
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
    customers: pd.DataFrame | CustomerMonths, period: str, months: int = 1, params: Parameters = DEFAULT
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
