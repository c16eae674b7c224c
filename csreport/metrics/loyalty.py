"""Customer loyalty index (客户忠诚度指数): how much of the customer base stays, and would recommend us.

    loyalty index = w_r × R + w_a × A          (ratio 0–1; weights from params/targets.yml, w_r + w_a = 1)

- R, retention: customers active at the start of the 12 months ending with the period who had not churned by
  its end (= 1 − rolling 12-month churn; needs ``customers.churn_date``);
- A, advocacy: share of the period's NPS responses that are not detractors (score 7–10; needs ``surveys.nps``).

The two parts are independent samples, so the index's standard error is √(w_r² R(1−R)/n_r + w_a² A(1−A)/n_a)
and its interval is normal. It carries ``n`` = the smaller of the two samples (for the small-sample flag) and a
``std`` chosen so that a comparison of means (Welch) uses exactly that standard error. Without one part the
index is not available and its reason names the missing part.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from csreport.metrics.dates import month_number, month_numbers
from csreport.metrics.measure import Measure, rate
from csreport.metrics.targets import Parameters


def loyalty_index(retention: Measure, advocacy: Measure, params: Parameters) -> Measure:
    """The index from 12-month retention and the non-detractor share (both ratios with their samples)."""
    missing = [
        part
        for part, measure in (
            ("retention (needs customers with churn_date)", retention),
            ("advocacy (needs surveys with nps)", advocacy),
        )
        if not measure.available or measure.n <= 0
    ]
    if missing:
        return Measure.unavailable(
            "loyalty_index", "ratio", "cannot compute " + " and ".join(missing), method=_method(params)
        )
    w_r, w_a = params.loyalty_retention_weight, params.loyalty_advocacy_weight
    value = w_r * retention.value + w_a * advocacy.value
    variance = w_r**2 * _variance(retention) + w_a**2 * _variance(advocacy)
    se = math.sqrt(variance)
    z = float(special.ndtri(0.5 + params.confidence / 2))
    n = int(min(retention.n, advocacy.n))
    return Measure(
        "loyalty_index",
        value,
        n,
        "ratio",
        max(0.0, value - z * se),
        min(1.0, value + z * se),
        std=se * math.sqrt(n),
        method=_method(params),
        kind="mean",
    )


def _variance(measure: Measure) -> float:
    p = measure.value
    return p * (1 - p) / measure.n


def _method(params: Parameters) -> str:
    return (
        f"{params.loyalty_retention_weight:g} × 12-month retention + "
        f"{params.loyalty_advocacy_weight:g} × share of NPS responses 7–10"
    )


def advocacy(surveys: pd.DataFrame, params: Parameters) -> Measure:
    """Share of NPS responses scoring 7–10 (not detractors), ratio with a Wilson interval."""
    if "nps" not in surveys.columns:
        return Measure.unavailable("nps_non_detractor", "ratio", "surveys has no nps column")
    scores = pd.to_numeric(surveys["nps"], errors="coerce").dropna()
    return rate(
        "nps_non_detractor",
        int((scores >= 7).sum()),
        len(scores),
        confidence=params.confidence,
        method="NPS responses 7–10 / NPS responses",
        empty_reason="no NPS responses",
    )


def retention_12m(customers: pd.DataFrame, period: str, params: Parameters) -> Measure:
    """Customers active at the start of the 12 months ending with ``period`` and not churned by its end /
    customers active at that start (ratio)."""
    if "churn_date" not in customers.columns:
        return Measure.unavailable("retention_rate_12m", "ratio", "customers has no churn_date column")
    start = month_number(period) - 11
    signup = month_numbers(customers, "signup_date")
    churn = month_numbers(customers, "churn_date")
    active = (np.isnan(signup) | (signup < start)) & (np.isnan(churn) | (churn >= start))
    stayed = active & (np.isnan(churn) | (churn > start + 11))
    return rate(
        "retention_rate_12m",
        int(stayed.sum()),
        int(active.sum()),
        confidence=params.confidence,
        method="active 12 months ago and not churned since / active 12 months ago",
        empty_reason="no customers active 12 months ago",
    )


def loyalty_by_group(
    customers: pd.DataFrame, surveys: pd.DataFrame, period: str, params: Parameters, column: str = "segment"
) -> pd.DataFrame:
    """The loyalty index per value of the customers' ``column`` (surveys joined by customer_id): columns
    ``group``, ``retention``, ``advocacy``, ``loyalty_index``, ``low``, ``high``, ``customers``, ``responses``.
    Surveys of customers not in the table count for no group. Empty when the column is absent."""
    columns = ["group", "retention", "advocacy", "loyalty_index", "low", "high", "customers", "responses"]
    if column not in customers.columns or customers.empty:
        return pd.DataFrame(columns=columns)
    answers = surveys
    if "customer_id" in surveys.columns and "customer_id" in customers.columns:
        groups = customers[["customer_id", column]].drop_duplicates("customer_id")
        answers = surveys.merge(groups, on="customer_id", how="inner")
    rows = []
    for group, members in customers.groupby(column, observed=True, sort=True):
        responses = answers[answers[column] == group] if column in answers.columns else answers.iloc[0:0]
        kept = retention_12m(members, period, params)
        said = advocacy(responses, params)
        index = loyalty_index(kept, said, params)
        rows.append(
            [group, kept.value, said.value, index.value, index.low, index.high, kept.n, said.n if said.available else 0]
        )
    return pd.DataFrame(rows, columns=columns)
