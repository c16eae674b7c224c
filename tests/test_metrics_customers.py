"""Churn KPIs against tests/fixtures/customers_churn.csv (5 customers), worked by hand."""

import pytest

from csreport.metrics import customers as m
from tests.kpi_fixtures import read


@pytest.fixture
def customers():
    return read("customers_churn.csv")


def test_monthly_churn_and_retention(customers):
    # active on 1 Oct: c1, c2, c5 (c3 joins 10 Oct, c4 left 30 Sep); churned in October: c2 -> 1 / 3
    churn = m.churn_rate(customers, "2026-10")
    assert (churn.value, churn.n, churn.numerator) == (1 / 3, 3, 1)
    retention = m.retention_rate(customers, "2026-10")
    assert retention.value == pytest.approx(2 / 3)
    assert retention.low == pytest.approx(1 - churn.high)


def test_rolling_12_months(customers):
    # active on 1 Nov 2025: c1 c2 c4 c5; churned Nov 2025 - Oct 2026: c2 (15 Oct), c4 (30 Sep) -> 2 / 4
    assert m.churn_rate(customers, "2026-10", months=12).value == 0.5


def test_active_customers(customers):
    assert m.active_customers(customers, "2026-10") == 4  # c1 c2 c3 c5


def test_degenerate(customers):
    assert m.churn_rate(customers.iloc[0:0], "2026-10").value is None
    assert m.churn_rate(customers.drop(columns="churn_date"), "2026-10").reason == "customers has no churn_date column"
