"""Loyalty index against tests/fixtures/customers_loyalty.csv, worked by hand.

Period 2026-10, so the 12 months start on 1 Nov 2025. Active then: A (signed 2024), B (churned March 2026) and
E (no dates); C signed up later, D churned before. Still active: A and E → retention 2/3.
NPS answers 10, 8, 6, 3, 7 → non-detractors (7–10) 3/5 = 0.6. Index = 0.5 × 2/3 + 0.5 × 0.6 = 0.6333…;
se = √(0.25 × (2/3 · 1/3) / 3 + 0.25 × (0.6 · 0.4) / 5) = √0.0305185 = 0.17470.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from csreport.metrics.kpis import PeriodData, compute_kpis
from csreport.metrics.loyalty import advocacy, loyalty_by_group, loyalty_index, retention_12m
from csreport.metrics.measure import Measure
from csreport.metrics.targets import Parameters

FIXTURES = Path(__file__).parent / "fixtures"

PARAMS = Parameters()
NPS = [10, 8, 6, 3, 7]


@pytest.fixture
def customers():
    return pd.read_csv(FIXTURES / "customers_loyalty.csv", parse_dates=["signup_date", "churn_date"])


def _surveys(scores, customers=None) -> pd.DataFrame:
    ids = customers or [f"x{i}" for i in range(len(scores))]
    return pd.DataFrame(
        {
            "survey_id": [f"s{i}" for i in range(len(scores))],
            "responded_at": pd.Timestamp("2026-10-10"),
            "business_unit": "east",
            "customer_id": ids,
            "nps": scores,
        }
    )


def test_retention_and_advocacy_parts(customers):
    kept = retention_12m(customers, "2026-10", PARAMS)
    assert (kept.numerator, kept.n) == (2, 3)
    said = advocacy(_surveys(NPS), PARAMS)
    assert (said.value, said.n) == (0.6, 5)


def test_index_value_interval_and_sample(customers):
    index = loyalty_index(retention_12m(customers, "2026-10", PARAMS), advocacy(_surveys(NPS), PARAMS), PARAMS)
    se = math.sqrt(0.25 * (2 / 3 * 1 / 3) / 3 + 0.25 * 0.6 * 0.4 / 5)
    assert index.value == pytest.approx(0.5 * 2 / 3 + 0.5 * 0.6)
    assert (index.low, index.high) == (
        pytest.approx(index.value - 1.959964 * se),
        pytest.approx(index.value + 1.959964 * se),
    )
    assert index.n == 3 and index.std == pytest.approx(se * math.sqrt(3))  # a Welch comparison sees se
    assert index.unit == "ratio" and "12-month retention" in index.method


def test_weights_come_from_the_parameters(customers):
    params = Parameters(loyalty_retention_weight=0.8, loyalty_advocacy_weight=0.2)
    index = loyalty_index(retention_12m(customers, "2026-10", params), advocacy(_surveys(NPS), params), params)
    assert index.value == pytest.approx(0.8 * 2 / 3 + 0.2 * 0.6)


@pytest.mark.parametrize(
    ("retention", "advocacy_", "missing"),
    [
        (Measure.unavailable("r", "ratio", "no churn_date"), Measure("a", 0.6, 5, "ratio"), "retention"),
        (Measure("r", 0.6, 5, "ratio"), Measure.unavailable("a", "ratio", "no nps"), "advocacy"),
    ],
)
def test_a_missing_part_is_named(retention, advocacy_, missing):
    index = loyalty_index(retention, advocacy_, PARAMS)
    assert not index.available and missing in index.reason
    other = {"retention", "advocacy"} - {missing}
    assert other.pop() not in index.reason


def test_scorecard_kpi_equals_the_parts(customers):
    data = PeriodData("2026-10", "east", pd.DataFrame(), _surveys(NPS), customers, pd.DataFrame(), pd.DataFrame())
    kpis = compute_kpis(data, PARAMS)
    assert kpis["retention_rate_12m"].value == pytest.approx(2 / 3)
    assert kpis["nps_non_detractor"].value == pytest.approx(0.6)
    assert kpis["loyalty_index"].value == pytest.approx(0.5 * 2 / 3 + 0.5 * 0.6)


def test_without_surveys_the_scorecard_says_which_part_is_missing(customers):
    data = PeriodData("2026-10", "east", pd.DataFrame(), pd.DataFrame(), customers, pd.DataFrame(), pd.DataFrame())
    index = compute_kpis(data, PARAMS)["loyalty_index"]
    assert not index.available and "advocacy (needs surveys with nps)" in index.reason


def test_by_segment(customers):
    # retail: active A, B → retention 1/2; its answers (A: 10, B: 6) → 1/2. business: E only → 1/1; D: 3, E: 7 → 1/2
    surveys = _surveys([10, 6, 3, 7], ["A", "B", "D", "E"])
    table = loyalty_by_group(customers, surveys, "2026-10", PARAMS).set_index("group")
    assert table.loc["retail", "loyalty_index"] == pytest.approx(0.5)
    assert table.loc["business", "loyalty_index"] == pytest.approx(0.5 * 1 + 0.5 * 0.5)
    assert (table.loc["business", "customers"], table.loc["business", "responses"]) == (1, 2)
    assert loyalty_by_group(customers.drop(columns="segment"), surveys, "2026-10", PARAMS).empty
