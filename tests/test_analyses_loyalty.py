import numpy as np
import pandas as pd
import pytest

from csreport.analyses.loyalty import loyalty


def synthetic():
    # 400 customers answer a survey on 10 July 2026: 200 give CSAT 1, 200 give CSAT 5.
    # Within 90 days 80 of the dissatisfied (40 %) and 20 of the satisfied (10 %) churn.
    # Odds ratio: (0.4 / 0.6) / (0.1 / 0.9) = 6.0. One contact each the day before; a last contact on
    # 31 December sets the data cut-off, so every response has its 90 days of follow-up.
    ids = [f"c{i}" for i in range(400)]
    churn = [pd.Timestamp("2026-08-15") if (i < 80 or 200 <= i < 220) else pd.NaT for i in range(400)]
    customers = pd.DataFrame({"customer_id": ids, "signup_date": pd.Timestamp("2025-01-01"), "churn_date": churn})
    surveys = pd.DataFrame(
        {"customer_id": ids, "csat": [1] * 200 + [5] * 200, "responded_at": pd.Timestamp("2026-07-10")}
    )
    contacts = pd.DataFrame(
        {
            "customer_id": ids + ["other"],
            "created_at": [pd.Timestamp("2026-07-09")] * 400 + [pd.Timestamp("2026-12-31")],
        }
    )
    return customers, surveys, contacts


def test_churn_by_band_and_odds_ratio_by_hand():
    result = loyalty(*synthetic(), period="2026-07", months=1)
    bands = result.by_csat.set_index("band")
    assert bands.loc["dissatisfied (1–2)", "churn_rate"] == 0.4 and bands.loc["satisfied (4–5)", "churn_rate"] == 0.1
    assert bands.loc["neutral (3)", "customers"] == 0 and np.isnan(bands.loc["neutral (3)", "churn_rate"])
    odds = result.odds_ratios.set_index("term").loc["dissatisfied (CSAT 1–2)"]
    assert odds["odds_ratio"] == pytest.approx(6.0, rel=1e-4)
    assert odds["low"] < 6.0 < odds["high"] and odds["p_value"] < 0.001


def test_responses_without_full_follow_up_are_left_out():
    customers, surveys, contacts = synthetic()
    early_cutoff = contacts[contacts["customer_id"] != "other"]  # data ends 9 July: no follow-up at all
    result = loyalty(customers, surveys, early_cutoff, "2026-07", months=1)
    assert not result.available and "0 survey respondents" in result.reason


def test_dissatisfied_customers_churn_more_in_the_sample(sample_dir):
    read = lambda t: pd.read_parquet(sample_dir / f"{t}.parquet")  # noqa: E731
    result = loyalty(read("customers"), read("surveys"), read("contacts"), "2026-07", months=12)
    bands = result.by_csat.set_index("band")
    assert bands.loc["dissatisfied (1–2)", "low"] > bands.loc["satisfied (4–5)", "high"]  # intervals apart
    odds = result.odds_ratios.set_index("term")
    assert odds.loc["dissatisfied (CSAT 1–2)", "low"] > 1 and odds.loc["contacts in lookback", "low"] > 1


def test_no_churn_among_the_dissatisfied_is_not_an_absurd_odds_ratio():
    customers, surveys, contacts = synthetic()
    customers.loc[:199, "churn_date"] = pd.NaT  # none of the 200 dissatisfied churns: complete separation
    result = loyalty(customers, surveys, contacts, "2026-07", months=1)
    band = result.by_csat.set_index("band").loc["dissatisfied (1–2)"]
    assert band["churn_rate"] == 0 and band["low"] == 0  # Wilson's lower end exactly 0, not 1e-17
    odds = result.odds_ratios.set_index("term").loc["dissatisfied (CSAT 1–2)"]
    assert np.isnan(odds["odds_ratio"]) and np.isnan(odds["low"])  # not estimable, said so
