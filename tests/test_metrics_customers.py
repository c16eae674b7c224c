"""Churn KPIs against tests/fixtures/customers_churn.csv (5 customers), worked by hand."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


DAY = st.one_of(st.none(), st.dates(pd.Timestamp("2024-06-01").date(), pd.Timestamp("2026-06-30").date()))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(DAY, DAY), max_size=30), st.sampled_from(["2024-05", "2025-01", "2025-12", "2026-07"]))
def test_churn_counts_equal_a_row_by_row_count(dates, period):
    """The month table's counts equal the definition applied to each customer (including unknown signups,
    churn before signup, and periods before or after every date)."""
    customers = pd.DataFrame(dates, columns=["signup_date", "churn_date"]).astype("datetime64[us]")
    start = pd.Period(period, "M").start_time
    for months in (1, 12):
        window_start = (pd.Period(period, "M") - (months - 1)).start_time
        stop = (pd.Period(period, "M") + 1).start_time
        signup_ok = customers["signup_date"].isna() | (customers["signup_date"] < window_start)
        at_start = signup_ok & (customers["churn_date"].isna() | (customers["churn_date"] >= window_start))
        churned = at_start & (customers["churn_date"] < stop)
        measure = m.churn_rate(customers, period, months)
        assert measure.n == at_start.sum()
        assert (measure.numerator if measure.available else 0) == churned.sum()
    active = (
        customers["signup_date"].isna() | (customers["signup_date"] < (pd.Period(period, "M") + 1).start_time)
    ) & (customers["churn_date"].isna() | (customers["churn_date"] >= start))
    assert m.active_customers(customers, period) == active.sum()
