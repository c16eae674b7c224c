"""The KPI specs the aggregation engine evaluates (:mod:`csreport.metrics.aggregate`): each names a KPI, the
columns it needs and the SQL of what it aggregates. :class:`Count`, :class:`Sum`, :class:`Proportion` (Wilson
interval), :class:`Mean` (t interval), :class:`Quantile` (order-statistic interval) and :class:`Promoters` (NPS).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    """A KPI: its name, the columns it ``needs`` (else it is not available, saying which are missing), how it is
    computed (``method``, shown in the report) and the reason given when it has no rows (``empty``)."""

    name: str
    needs: tuple[str, ...]
    method: str
    empty: str
    table: str = "contacts"


@dataclass(frozen=True)
class Count(Spec):
    """Number of rows where ``where`` holds (no interval: a count of the whole period, not a sample)."""

    where: str = "TRUE"
    unit: str = "count"


@dataclass(frozen=True)
class Sum(Spec):
    """Σ ``value`` over the rows, in ``unit`` (e.g. handle time in s)."""

    value: str = "NULL"
    unit: str = "s"


@dataclass(frozen=True)
class Proportion(Spec):
    """x / n: rows where ``success`` holds among the n where ``among`` holds, with a Wilson interval."""

    success: str = "FALSE"
    among: str = "TRUE"


@dataclass(frozen=True)
class Mean(Spec):
    """Σ v / n of ``value`` over the rows where ``where`` holds, in ``unit``, with a t interval (from n, Σ v, Σ v²)."""

    value: str = "NULL"
    where: str = "TRUE"
    unit: str = "s"


@dataclass(frozen=True)
class Quantile(Spec):
    """The ``q`` quantile of ``value`` where ``where`` holds, in ``unit`` (linear between order statistics), with a
    distribution-free order-statistic interval; its values are kept for comparisons."""

    value: str = "NULL"
    where: str = "TRUE"
    q: float = 0.5
    unit: str = "s"


@dataclass(frozen=True)
class Promoters(Spec):
    """NPS in points: 100 × (share of ``column`` ≥ 9 − share ≤ 6) of the rows with a score, with a normal interval."""

    column: str = "nps"


def columns_missing(spec: Spec, columns: set[str]) -> str | None:
    absent = [c for c in spec.needs if c not in columns]
    return f"{spec.table} has no {', '.join(absent)} column" if absent else None


def where_value(value: str, where: str) -> str:
    """``value`` as DOUBLE where ``where`` holds, else NULL (aggregates skip NULLs)."""
    cast = f"CAST({value} AS DOUBLE)"
    return cast if where == "TRUE" else f"CASE WHEN {where} THEN {cast} END"


def list_name(spec: Quantile) -> str:
    """Column name of a quantile's value list: shared by quantiles of the same values and filter."""
    return "values_" + hashlib.sha1(f"{spec.value}|{spec.where}".encode()).hexdigest()[:10]
