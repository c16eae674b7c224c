"""Periods and business units as run parameters: a month ``YYYY-MM`` and a unit name that is safe as one path
component. The one place that checks them, shared by the store, the analyses, the CLI, the pipeline and the chapter
notebooks (periods and units become directory names)."""

from __future__ import annotations

import re

import pandas as pd

from csreport.errors import ParameterError

PERIOD_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
UNIT_PATTERN = re.compile(r"^[\w][\w.\- ]{0,63}$")


def check_period(period: str) -> str:
    """``period`` when it is a month ``YYYY-MM``, else a :class:`ParameterError`."""
    if not isinstance(period, str) or not PERIOD_PATTERN.match(period):
        raise ParameterError(f"period {period!r} is not a month in the form YYYY-MM (e.g. 2026-10).")
    return period


def parse_period(period: str) -> pd.Period:
    """A ``YYYY-MM`` string as a monthly :class:`pandas.Period`; anything else is a :class:`ParameterError`."""
    return pd.Period(check_period(period), freq="M")


def check_unit(unit: str) -> str:
    """A business unit name that is safe as one path component: letters, digits, ``_ - . space``, no
    separators and no ``..``; else a :class:`ParameterError`."""
    if not isinstance(unit, str) or not UNIT_PATTERN.match(unit) or ".." in unit:
        raise ParameterError(
            f"business unit {unit!r} cannot be used: use letters, digits, '_', '-', '.' or spaces "
            "(no path separators, no '..'), at most 64 characters."
        )
    return unit


def expand_periods(text: str) -> list[str]:
    """``2026-01:2026-10`` → every month in between; ``2026-09,2026-10`` → those months (each checked)."""
    periods: list[str] = []
    for part in str(text).split(","):
        part = part.strip()
        if ":" in part:
            start, stop = part.split(":", 1)
            try:
                months = pd.period_range(parse_period(start.strip()), parse_period(stop.strip()), freq="M")
            except (ValueError, ParameterError):
                raise ParameterError(f"periods {part!r}: use YYYY-MM:YYYY-MM.") from None
            if len(months) == 0:
                raise ParameterError(f"periods {part!r}: the start is after the end.")
            periods += [str(m) for m in months]
        elif part:
            periods.append(check_period(part))
    return periods
