"""Date columns as int64 microseconds, for fast comparisons over many rows and periods."""

from __future__ import annotations

import numpy as np
import pandas as pd


def micros(frame: pd.DataFrame, column: str, missing_as: int) -> np.ndarray:
    """``frame[column]`` as int64 microseconds, with ``missing_as`` for missing values or a missing column."""
    if column not in frame.columns:
        return np.full(len(frame), missing_as, dtype=np.int64)
    values = frame[column].to_numpy(dtype="datetime64[us]", na_value=np.datetime64("NaT"))
    return np.where(np.isnat(values), missing_as, values.astype(np.int64))


def micros_of(t: pd.Timestamp) -> int:
    """One timestamp as int64 microseconds."""
    return int(np.datetime64(t, "us").astype(np.int64))
