"""Workforce KPIs against tests/fixtures/agents_attrition.csv and agent_months_kpi.csv, worked by hand."""

import pytest

from csreport.metrics import workforce as m
from tests.kpi_fixtures import read


@pytest.fixture
def agents():
    return read("agents_attrition.csv")


def test_headcount_and_attrition(agents):
    # employed 1 Oct: a1 a2 a5 = 3; employed 1 Nov: a1 a3 = 2 -> average 2.5
    # leavers in October: a2 (voluntary), a5 (involuntary) -> 2 / 2.5 * 12 / 1 = 9.6 a year; voluntary 1 / 2
    assert m.average_headcount(agents, "2026-10").value == 2.5
    annual, voluntary = m.attrition(agents, "2026-10")
    assert annual.value == pytest.approx(9.6)
    assert voluntary.value == 0.5


def test_tenure(agents):
    # employed on 1 Nov 2026: a1 (2496 days), a3 (22 days) -> median of the two, in 30.44-day months
    assert m.tenure_months(agents, "2026-10").value == pytest.approx((2496 + 22) / 2 / 30.44)


def test_one_agent(agents):
    one = agents[agents["agent_id"] == "a1"]
    annual, voluntary = m.attrition(one, "2026-10")
    assert annual.value == 0.0 and voluntary.value is None and voluntary.reason == "no leavers in the window"


def test_no_agents(agents):
    annual, _ = m.attrition(agents.iloc[0:0], "2026-10")
    assert annual.value is None


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
