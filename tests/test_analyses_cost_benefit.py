"""Cost-benefit per service process, against a hand-worked example (tests/fixtures/process_costs_*.csv).

phone/billing: contacts c1, c2, c3 cost 10 + 6 + 8 = 24; c2 repeats c1 within 7 days (cost 6) and c6 (after the
period, cost 5) repeats c3, so repeats = 2 costing 11; resolved c1, c2 → cost per resolved (24 + 11) / 2 = 17.5;
delta-method se = √((16 − 17.5)² + (6 − 17.5)² + (13 − 0)²) / 2 = √303.5 / 2. Customers A, B; A churned 17 days
after c2 → churn 1/2, revenue at risk 100. chat/billing: c4, c5 (15 days apart: no repeat), cost 6, resolved 2 →
3.0 per resolved; customer C churned 132 days after c5 (outside 90 days) → churn 0.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from csreport.analyses.cost_benefit import contact_costs, process_costs
from csreport.metrics.targets import Parameters

FIXTURES = Path(__file__).parent / "fixtures"
START, STOP = pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01")


def _contacts() -> pd.DataFrame:
    frame = pd.read_csv(FIXTURES / "process_costs_contacts.csv", parse_dates=["created_at"])
    return frame.assign(resolved=frame["resolved"].astype(bool))


def _customers() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "process_costs_customers.csv", parse_dates=["churn_date"])


def _row(result, channel: str) -> pd.Series:
    return result.table.set_index("channel").loc[channel]


def test_costs_repeats_and_churn_per_process_match_the_hand_computation():
    surveys = pd.DataFrame({"contact_id": ["c1", "c3", "c4"], "csat": [5, 2, 4]})
    result = process_costs(_contacts(), START, STOP, Parameters(min_sample=1), surveys, _customers())
    phone, chat = _row(result, "phone"), _row(result, "chat")
    assert (phone["contacts"], phone["cost"], phone["repeat_contacts"], phone["repeat_cost"]) == (3, 24, 2, 11)
    assert phone["resolved"] == 2 and phone["cost_per_contact"] == pytest.approx(8.0)
    assert phone["cost_per_resolved"] == pytest.approx(17.5)
    assert phone["cost_per_resolved_se"] == pytest.approx(math.sqrt(303.5) / 2)
    assert phone["fcr_rate"] == pytest.approx(1 / 3)  # no flag: c1 and c3 were repeated
    assert phone["csat_mean"] == pytest.approx(3.5)
    assert (phone["customers"], phone["churned"], phone["churn_rate"]) == (2, 1, 0.5)
    assert phone["revenue_at_risk"] == pytest.approx(100.0)
    assert chat["cost_per_resolved"] == pytest.approx(3.0) and chat["repeat_contacts"] == 0
    assert (chat["churned"], chat["revenue_at_risk"], chat["csat_mean"]) == (0, 0.0, 4.0)
    assert list(result.table["channel"]) == ["phone", "chat"]  # ranked by cost per resolved contact
    assert result.median_cost_per_resolved == pytest.approx((17.5 + 3.0) / 2)
    assert result.resolved_method == "flag" and result.cost_method == "column"


def test_small_processes_do_not_set_the_median():
    result = process_costs(_contacts(), START, STOP, Parameters(min_sample=3), None, None)
    assert result.median_cost_per_resolved == pytest.approx(17.5)  # only phone has ≥ 3 contacts
    assert result.table["revenue_at_risk"].isna().all()  # no customers table: not 0


def test_cost_model_prices_handle_time_when_there_is_no_cost_column():
    contacts = pd.DataFrame({"channel": ["phone", "email", "phone"], "handle_s": [1800, 360, None]})
    params = Parameters(cost_per_handle_hour=30.0, cost_per_contact={"phone": 1.0})
    costs = contact_costs(contacts, params)
    assert costs[0] == pytest.approx(16.0) and costs[1] == pytest.approx(3.0) and math.isnan(costs[2])


def test_cost_column_alone_is_enough():
    contacts = _contacts().drop(columns=["resolved"])
    result = process_costs(contacts, START, STOP, Parameters(min_sample=1))
    assert result.available and result.resolved_method == "no_repeat"
    # phone: resolved = not repeated = c2 only; (24 + 11) / 1
    assert _row(result, "phone")["cost_per_resolved"] == pytest.approx(35.0)


@pytest.mark.parametrize(
    ("drop", "reason"),
    [(["cost", "handle_s"], "no cost column and no handle_s"), ([], "no contacts in the period")],
)
def test_without_costs_or_contacts_it_says_why(drop, reason):
    contacts = _contacts().drop(columns=[c for c in drop if c in _contacts().columns])
    start = START if drop else pd.Timestamp("2030-01-01")
    result = process_costs(contacts, start, start + pd.offsets.MonthBegin(1), Parameters())
    assert not result.available and reason in result.reason
