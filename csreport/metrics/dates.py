"""Date columns as int64 microseconds or month numbers, for fast comparisons over many rows and periods."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csreport.data.periods import parse_period


def micros(frame: pd.DataFrame, column: str, missing_as: int) -> np.ndarray:
    """``frame[column]`` as int64 microseconds, with ``missing_as`` for missing values or a missing column."""
    if column not in frame.columns:
        return np.full(len(frame), missing_as, dtype=np.int64)
    values = frame[column].to_numpy(dtype="datetime64[us]", na_value=np.datetime64("NaT"))
    return np.where(np.isnat(values), missing_as, values.astype(np.int64))


def micros_of(t: pd.Timestamp) -> int:
    """One timestamp as int64 microseconds."""
    return int(np.datetime64(t, "us").astype(np.int64))


def month_number(period: str | pd.Period) -> int:
    """Months since 1970-01 (the month numbering of :meth:`csreport.metrics.customers.CustomerMonths.count`)."""
    month = parse_period(period) if isinstance(period, str) else period
    return (month.year - 1970) * 12 + month.month - 1


def month_numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Month numbers of ``frame[column]`` as floats, NaN where the date (or the column) is missing."""
    out = np.full(len(frame), np.nan)
    if column not in frame.columns or not len(frame):
        return out
    values = micros(frame, column, np.iinfo(np.int64).min)
    known = values != np.iinfo(np.int64).min
    stamps = values[known]
    if len(stamps):
        # a search among the month starts is much faster than NumPy's calendar conversion to datetime64[M]
        ends = stamps[[stamps.argmin(), stamps.argmax()]].astype("datetime64[us]").astype("datetime64[M]")
        first, last = (int(m) for m in ends.astype(np.int64))
        starts = np.arange(first, last + 2).astype("datetime64[M]").astype("datetime64[us]").astype(np.int64)
        out[known] = first + np.searchsorted(starts, stamps, side="right") - 1
    return out


def month_number_sql(column: str) -> str:
    """DuckDB expression: :func:`month_number` of a date/timestamp column (quoted name), as DOUBLE."""
    return f"CAST((year({column}) - 1970) * 12 + month({column}) - 1 AS DOUBLE)"
