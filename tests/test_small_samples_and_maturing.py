"""Small samples are flagged wherever a figure is shown, and windows that have not closed are marked maturing
(issue 24): the process table's CSAT on a handful of responses, churn after contact whose 90-day window has had
a fortnight, resolution of the data's last days."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csreport.analyses.cost_benefit import process_costs
from csreport.metrics.targets import Parameters
from csreport.report.chapters import open_report, service_quality
from csreport.report.chapters import output as out

FIXTURES = Path(__file__).parent / "fixtures"
START, STOP = pd.Timestamp("2026-10-01"), pd.Timestamp("2026-11-01")


def _contacts() -> pd.DataFrame:
    frame = pd.read_csv(FIXTURES / "process_costs_contacts.csv", parse_dates=["created_at"])
    return frame.assign(resolved=frame["resolved"].astype(bool))


def test_process_costs_say_how_much_of_the_churn_window_was_observed():
    # data to c6, 2 Nov 09:00. Days observed: c1 31.958 (31 d 23 h), c2 29.958, c3 5.0, c4 27.875 (27 d 21 h),
    # c5 12.875 -> median 27.875; phone (c1 c2 c3) 29.958, chat (c4 c5) (27.875 + 12.875) / 2 = 20.375.
    # 2 Nov < 1 Nov + 90 days: maturing, and resolution too (< 1 Nov + 31 days)
    customers = pd.read_csv(FIXTURES / "process_costs_customers.csv", parse_dates=["churn_date"])
    surveys = pd.DataFrame({"contact_id": ["c1", "c3", "c4"], "csat": [5, 2, 4]})
    result = process_costs(_contacts(), START, STOP, Parameters(min_sample=1), surveys, customers,
                           cutoff=pd.Timestamp("2026-11-02 09:00"))  # fmt: skip
    assert result.churn_window_days == 90 and result.churn_days_observed == pytest.approx(27.875)
    assert result.churn_maturing and result.resolution_maturing
    rows = result.table.set_index("channel")
    assert rows.loc["phone", "churn_days_observed"] == pytest.approx(29 + 23 / 24)
    assert rows.loc["chat", "churn_days_observed"] == pytest.approx(20.375)
    # the n behind each figure: FCR by repeats of contacts with a customer (3, 2), CSAT responses (2, 1)
    assert (rows.loc["phone", "fcr_n"], rows.loc["chat", "fcr_n"]) == (3, 2)
    assert (rows.loc["phone", "csat_n"], rows.loc["chat", "csat_n"]) == (2, 1)


def test_a_closed_window_and_an_unknown_cutoff_are_not_maturing():
    # 1 March 2027 is 120 days after the period: every window closed (days observed capped at 90)
    closed = process_costs(_contacts(), START, STOP, Parameters(min_sample=1), cutoff=pd.Timestamp("2027-03-01"))
    assert closed.churn_days_observed == 90 and not closed.churn_maturing and not closed.resolution_maturing
    unknown = process_costs(_contacts(), START, STOP, Parameters(min_sample=1))
    assert unknown.churn_days_observed is None and not unknown.churn_maturing
    assert unknown.table["churn_days_observed"].isna().all() and (unknown.table["csat_n"] == 0).all()


@pytest.mark.parametrize(("n", "flagged"), [(29, True), (30, False), (None, False)])
def test_flag_small(n, flagged):
    assert out.flag_small("4.20", n, 30) == ("4.20 ⚠" if flagged else "4.20")


@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    """35 phone · billing contacts in October 2026 (the data's last month, to 31 October), 5 of them surveyed;
    20 resolved; 35 customers, 3 of whom churned in October."""
    data = tmp_path_factory.mktemp("small_data")
    created = pd.date_range("2026-10-01 09:00", "2026-10-31 17:00", periods=35)
    contacts = pd.DataFrame(
        {
            "contact_id": [f"c{i:02d}" for i in range(35)],
            "created_at": created,
            "business_unit": "east",
            "channel": "phone",
            "category": "billing",
            "customer_id": [f"u{i:02d}" for i in range(35)],
            "cost": 5.0,
            "handle_s": 300.0,
            "resolved": [i < 20 for i in range(35)],
            "resolved_at": [t + pd.Timedelta(hours=2) if i < 20 else pd.NaT for i, t in enumerate(created)],
        }
    )
    contacts.to_csv(data / "contacts.csv", index=False)
    churn = [pd.Timestamp("2026-10-30") if i < 3 else pd.NaT for i in range(35)]
    pd.DataFrame({"customer_id": contacts["customer_id"], "business_unit": "east", "signup_date": "2025-01-01",
                  "churn_date": churn, "monthly_spend": 50.0}).to_csv(data / "customers.csv", index=False)  # fmt: skip
    pd.DataFrame({"survey_id": [f"s{i}" for i in range(5)], "responded_at": "2026-10-31 20:00",
                  "business_unit": "east", "contact_id": [f"c{i:02d}" for i in range(5)],
                  "csat": [5, 4, 4, 3, 5]}).to_csv(data / "surveys.csv", index=False)  # fmt: skip
    return open_report("2026-10", "east", "en", data, tmp_path_factory.mktemp("small_validated"))


def test_process_table_flags_csat_on_five_responses_and_marks_churn_maturing(small_report, monkeypatch):
    monkeypatch.setattr(service_quality.out, "markdown", lambda source: None)
    section = service_quality.cost_benefit(small_report)
    table = section.tables[0].set_index(small_report.t("ch3.col.process"))
    row = table.iloc[0]
    assert row[small_report.t("ch3.col.csat")] == "4.20 ⚠"  # mean of 5, 4, 4, 3, 5 on 5 responses
    assert row[small_report.t("ch3.col.fcr")].endswith("%")  # 35 contacts with FCR known: no flag
    assert row[small_report.t("ch3.col.churn")] == "8.6% †"  # 3 / 35 churned, window not closed
    caption = section.tables[0].attrs["caption"]
    assert "⚠ = fewer than 30 observations" in caption and "† = still maturing" in caption
    assert any("Churn after contact is not final yet" in s for s in section.sentences)
    costs = small_report.process_costs
    assert costs.churn_maturing and 14 < costs.churn_days_observed < 17  # contacts spread over October


def test_service_kpi_table_flags_small_samples_and_maturing_values(small_report, monkeypatch):
    monkeypatch.setattr(service_quality.out, "markdown", lambda source: None)
    table = service_quality.service_level(small_report).tables[0].set_index(small_report.t("ch3.col.kpi"))
    value = small_report.t("ch3.col.value")
    # resolution time: 20 resolved contacts, 2 h each -> a small sample, and October is still maturing
    assert table.loc["Resolution time (median, elapsed)", value] == "2.0 h ⚠ †"
    assert table.loc["Resolution rate", value] == "57.1% †"  # 20 / 35: enough contacts, still maturing
