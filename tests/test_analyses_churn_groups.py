"""Who churns: a tiny customer table whose churn by contacts and by an extra 'plan' column is worked out by hand.

110 customers active on 1 March 2026, 20 of whom churn on 20 March (window: March, lookback 90 days):

| contacts | plan     | churned | stayed |
|----------|----------|---------|--------|
| 4        | intl     | 5       | 5      |
| 4        | domestic | 5       | 5      |
| 1        | intl     | 5       | 9      |
| 0        | domestic | 5       | 25     |
| 1        | domestic | 0       | 16     |
| 2        | domestic | 0       | 20     |
| 3        | domestic | 0       | 10     |

4 contacts: 10 of 20 churn (50 %) against 10 of 90 for the rest (11.1 %); plan intl: 10 of 24 (41.7 %) against
10 of 86 (11.6 %).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from csreport.analyses.churn_groups import (
    churn_groups,
    contact_bands,
    contacts_before,
    flagged_groups,
    holm,
)
from csreport.findings.detect import churn_groups_found
from csreport.findings.narrative import finding_sentence
from csreport.findings.recommend import recommend
from csreport.findings.rules import Rules

SPEC = [(4, "intl", 5, 5), (4, "domestic", 5, 5), (1, "intl", 5, 9), (0, "domestic", 5, 25)]
SPEC += [(1, "domestic", 0, 16), (2, "domestic", 0, 20), (3, "domestic", 0, 10)]
CHURN_DAY = pd.Timestamp("2026-03-20")


def tiny_customers() -> tuple[pd.DataFrame, pd.DataFrame]:
    customers, contacts = [], []
    for contacts_each, plan, churned, stayed in SPEC:
        for gone in [True] * churned + [False] * stayed:
            cid = f"U{len(customers):03d}"
            customers.append({"customer_id": cid, "business_unit": "east", "churn_date": CHURN_DAY if gone else pd.NaT})
            customers[-1]["plan"] = plan
            contacts += [{"customer_id": cid, "created_at": pd.Timestamp("2026-02-10 09:00")}] * contacts_each
    return pd.DataFrame(customers), pd.DataFrame(contacts)


def z_test(x1, n1, x2, n2) -> float:
    pooled = (x1 + x2) / (n1 + n2)
    z = (x1 / n1 - x2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


@pytest.fixture
def result():
    customers, contacts = tiny_customers()
    return churn_groups(customers, contacts, "2026-03", months=1, min_sample=10, cutoff=pd.Timestamp("2026-04-01"))


def test_contact_bands_split_while_each_band_and_the_tail_are_large_enough():
    counts = pd.Series([0] * 40 + [1] * 40 + [2] * 30 + [3] * 30 + [4] * 30 + [5] * 5 + [6] * 3)
    bands = contact_bands(counts, 30)
    assert list(bands.cat.categories) == ["0", "1", "2", "3", "4+"]  # 4 alone would leave a tail of 8
    assert bands.value_counts()["4+"] == 38


def test_contact_bands_keep_a_jump_at_four_contacts_apart(result):
    bands = result.groups[result.groups["attribute"] == "contacts"]
    assert bands["level"].tolist() == ["0", "1", "2", "3", "4+"]
    assert bands["customers"].tolist() == [30, 30, 20, 10, 20]
    assert bands["churned"].tolist() == [5, 5, 0, 0, 10]


def test_four_contacts_churn_fifty_percent_against_eleven_for_the_rest(result):
    row = result.groups.set_index(["attribute", "level"]).loc[("contacts", "4+")]
    assert row["churn_rate"] == 0.5
    assert row["rest_rate"] == pytest.approx(10 / 90)
    assert row["ratio"] == pytest.approx(4.5)
    assert row["p_value"] == pytest.approx(z_test(10, 20, 10, 90))
    assert row["excess"] == pytest.approx(10 - 20 / 9)
    assert row["low"] < 0.5 < row["high"]


def test_an_extra_plan_column_is_an_attribute(result):
    row = result.groups.set_index(["attribute", "level"]).loc[("plan", "intl")]
    assert (row["customers"], row["churned"]) == (24, 10)
    assert row["rest_rate"] == pytest.approx(10 / 86)
    assert row["p_value"] == pytest.approx(z_test(10, 24, 10, 86))
    # Holm over the 7 groups tested: the second smallest p (intl and domestic tie) is multiplied by 6
    assert row["p_adjusted"] == pytest.approx(6 * z_test(10, 24, 10, 86))


def test_flagged_groups_name_the_worst_groups_by_customers_lost(result):
    worst = flagged_groups(result, alpha=0.05, min_ratio=1.5, min_sample=10)
    assert list(zip(worst["attribute"], worst["level"], strict=True)) == [("contacts", "4+"), ("plan", "intl")]
    assert worst["excess"].tolist() == pytest.approx([10 - 20 / 9, 10 - 24 * 10 / 86])


def test_findings_and_sentences_in_both_languages(result):
    rules = Rules(min_sample=10)
    found = churn_groups_found(result, "2026-03", "east", rules)
    assert [f.kind for f in found] == ["churn_group", "churn_group"]
    assert found[0].value == 0.5 and found[0].baseline == pytest.approx(1 / 9)
    assert found[0].impact_unit == "customers" and found[0].severity == "medium"
    en = finding_sentence(found[0], "en")
    assert en.startswith("Customers with 4+ contacts in the 90 days before churned at 50.0%")
    assert "11.1%" in en and "4.5 times" in en and "n = 20" in en
    zh = finding_sentence(found[1], "zh")
    assert "plan 为“Intl”的客户" in zh and "41.7%" in zh and "11.6%" in zh  # an extra column's level: its label
    actions = recommend(found, "en")
    assert "customers with plan “Intl”" in actions[1].action


def test_contacts_after_the_churn_date_or_before_the_lookback_do_not_count():
    observed = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "churned": [True, False],
            "reference": [pd.Timestamp("2026-03-20"), pd.Timestamp("2026-04-01")],
        }
    )
    contacts = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "b"],
            "created_at": pd.to_datetime(
                ["2026-03-20 18:00", "2026-03-21 09:00", "2025-12-01 00:00", "2026-03-31 23:00", "2026-01-01 12:00"]
            ),
        }
    )
    # a: the churn day counts, the day after and 1 December (109 days before) do not;
    # b: 31 March counts, 1 January (90 days before 1 April is 1 January 00:00) counts too
    assert contacts_before(observed, contacts, 90).tolist() == [1, 2]


def test_no_churn_date_or_too_few_customers_says_why():
    customers, contacts = tiny_customers()
    assert "churn_date" in churn_groups(customers.drop(columns="churn_date"), contacts, "2026-03").reason
    few = churn_groups(customers.head(15), contacts, "2026-03", min_sample=10)
    assert not few.available and few.customers == 15


def test_without_customer_ids_on_contacts_the_attributes_still_count():
    customers, _ = tiny_customers()
    result = churn_groups(customers, None, "2026-03", months=1, min_sample=10, cutoff=pd.Timestamp("2026-04-01"))
    assert set(result.groups["attribute"]) == {"plan"}


def test_holm_adjustment_by_hand():
    assert holm(np.array([0.01, 0.04, 0.03])).tolist() == pytest.approx([0.03, 0.06, 0.06])


def test_group_spend_is_the_mean_monthly_spend_of_its_customers():
    customers, contacts = tiny_customers()
    customers["monthly_spend"] = np.where(customers["plan"] == "intl", 80.0, 20.0)
    result = churn_groups(customers, contacts, "2026-03", months=1, min_sample=10, cutoff=pd.Timestamp("2026-04-01"))
    row = result.groups.set_index(["attribute", "level"]).loc[("contacts", "4+")]
    assert row["monthly_spend"] == pytest.approx((10 * 80 + 10 * 20) / 20)  # 10 intl and 10 domestic customers
    found = churn_groups_found(result, "2026-03", "east", Rules(min_sample=10))
    assert found[0].evidence["monthly_spend"] == pytest.approx(50.0)


def test_from_a_store_whose_customers_have_no_segment(tmp_path):
    # telecom-like export: customers carry churn_date and a plan column, no segment; contacts one row per call
    from csreport.data.ingest import ingest
    from csreport.data.store import open_store
    from csreport.findings.collect import missing_inputs, skipped_rules, who_churns

    customers, contacts = tiny_customers()
    data = tmp_path / "data"
    data.mkdir()
    customers.assign(churn_date=customers["churn_date"].dt.strftime("%Y-%m-%d")).to_csv(
        data / "customers.csv", index=False
    )
    calls = contacts.assign(contact_id=[f"C{i}" for i in range(len(contacts))], business_unit="east", channel="phone")
    last = {"contact_id": "C-end", "created_at": pd.Timestamp("2026-03-31 12:00"), "business_unit": "east"}
    last = pd.DataFrame([{**last, "channel": "phone", "customer_id": None}])  # the data run to 31 March
    pd.concat([calls, last]).to_csv(data / "contacts.csv", index=False)
    ingest(data, tmp_path / "out")
    store = open_store(tmp_path / "out")
    assert missing_inputs(store, "churn_group") == [] and "churn_rise" in skipped_rules(store)
    result = who_churns(store, "2026-03", "east", Rules(min_sample=10, group_churn_months=1))
    groups = result.groups.set_index(["attribute", "level"])
    assert groups.loc[("plan", "intl"), "churned"] == 10 and groups.loc[("contacts", "4+"), "churn_rate"] == 0.5
