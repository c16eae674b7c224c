"""Workforce KPIs against tests/fixtures/agents_attrition.csv and agent_months_kpi.csv, worked by hand."""

import pandas as pd
import pytest

from csreport.data.store import Coverage
from csreport.metrics import workforce as m
from tests.kpi_fixtures import read


@pytest.fixture
def agents():
    return read("agents_attrition.csv")


def test_headcount_and_attrition_of_one_month(agents):
    # employed 1 Oct: a1 a2 a5 = 3; employed 1 Nov: a1 a3 = 2 -> average 2.5
    # leavers in October: a2 (voluntary), a5 (involuntary) -> 2 / 2.5 * 12 / 1 = 9.6 a year; voluntary 1 / 2
    assert m.average_headcount(agents, "2026-10").value == 2.5
    annual, voluntary = m.attrition(agents, "2026-10", months=1)
    assert annual.value == pytest.approx(9.6)
    assert voluntary.value == 0.5


def test_attrition_is_over_the_trailing_twelve_months(agents):
    # November 2025 - October 2026. Employed on the 1st of each month and on 1 Nov 2026 (13 days): a1 all 13,
    # a2 12 (left 15 Oct), a3 1 (hired 10 Oct), a4 10 (left 1 Sep: not employed that day), a5 12 -> 48 / 13.
    # Leavers: a4 (1 Sep), a2 (15 Oct), a5 (31 Oct) = 3 -> 3 / (48 / 13) = 0.8125 a year, no x 12
    annual, voluntary = m.attrition(agents, "2026-10")
    assert annual.value == pytest.approx(3 / (48 / 13))
    assert (annual.n, annual.numerator) == (4, 3.0)
    assert "12 months 2025-11–2026-10" in annual.method
    # exact Poisson interval of 3 leavers: 0.6186 ... 8.7673, scaled by the same 1 / 3.6923
    assert (annual.low, annual.high) == pytest.approx((0.6186 * 13 / 48, 8.7673 * 13 / 48), abs=1e-4)
    assert voluntary.value == pytest.approx(1 / 3)  # a2 of a2 a4 a5


def test_attrition_with_less_history_uses_the_months_with_data(agents):
    # data from 15 June to 24 October 2026: June-October, October counted 24 / 31 -> 4.774194 months observed.
    # Leavers up to the data's end: a4 (1 Sep), a2 (15 Oct); a5 (31 Oct) is after it. Headcount on 1 Jun, 1 Jul,
    # 1 Aug: a1 a2 a4 a5 = 4; 1 Sep, 1 Oct: a1 a2 a5 = 3; 25 Oct: a1 a3 a5 = 3 -> 21 / 6 = 3.5.
    # 2 / 3.5 * 12 / 4.774194 = 1.436293 a year
    span = Coverage("east", pd.Timestamp("2026-06-15 08:00"), pd.Timestamp("2026-10-24 17:00"))
    annual, _ = m.attrition(agents, "2026-10", span=span)
    assert annual.value == pytest.approx(2 / 3.5 * 12 / (4 + 24 / 31))
    assert "4.77 of 12 months with data, 2026-06–2026-10 (to 2026-10-25)" in annual.method
    assert m.leavers(agents, "2026-10", span).value == 1  # a2; without the span a2 and a5
    assert m.leavers(agents, "2026-10").value == 2
    # a month before the data: n/a, never 0
    for measure in [m.attrition(agents, "2025-10", span=span)[0], m.leavers(agents, "2025-10", span)]:
        assert measure.value is None and measure.reason == "no month of the window within the data"


def test_tenure(agents):
    # employed on 1 Nov 2026: a1 (2496 days), a3 (22 days) -> median of the two, in 30.44-day months
    assert m.tenure_months(agents, "2026-10").value == pytest.approx((2496 + 22) / 2 / 30.44)


def test_one_agent(agents):
    one = agents[agents["agent_id"] == "a1"]
    annual, voluntary = m.attrition(one, "2026-10")
    assert annual.value == 0.0 and annual.low == 0.0 and annual.high > 0  # no leaver is an estimate of 0 a year
    assert voluntary.value is None and voluntary.reason == "no leavers in the window"


def test_no_agents(agents):
    annual, _ = m.attrition(agents.iloc[0:0], "2026-10")
    assert annual.value is None and annual.reason == "no agents employed in the window"
    assert m.leavers(agents.iloc[0:0], "2026-10").value == 0  # a count of nobody is 0
    no_dates = m.leavers(agents.drop(columns="leave_date"), "2026-10")
    assert no_dates.value is None and no_dates.reason == "agents has no leave_date column"


def test_agent_month_kpis():
    months = read("agent_months_kpi.csv")
    contacts = read("contacts_kpi.csv")
    # handle hours 2900 s = 0.8056 h over 1.0 + 0.5 + 0.5 = 2 available hours
    assert m.occupancy(contacts, months).value == pytest.approx(2900 / 3600 / 2)
    assert m.training_hours(months).value == 4  # (4 + 0 + 8) / 3
    assert m.qa_score(months).value == 80
    sat = m.employee_satisfaction(months)
    assert sat["employee_satisfaction"].value == 3.0 and sat["employee_satisfaction_workload"].value == 2.0
    assert m.occupancy(contacts, months.assign(available_hours=0.0)).reason == "no available hours recorded"
