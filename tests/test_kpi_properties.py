"""Properties of the KPIs on random contact tables: ranges, row order, additivity across units."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from csreport.metrics import satisfaction as sm
from csreport.metrics import service as m

CONTACT = st.fixed_dictionaries(
    {
        "business_unit": st.sampled_from(["a", "b", "c"]),
        "channel": st.sampled_from(["phone", "chat", "email"]),
        "queue_wait_s": st.one_of(st.none(), st.floats(0, 200)),
        "abandoned": st.one_of(st.none(), st.booleans()),
        "handle_s": st.one_of(st.none(), st.floats(0, 2000)),
        "first_contact_resolution": st.one_of(st.none(), st.booleans()),
        "is_complaint": st.booleans(),
        "escalated": st.booleans(),
    }
)
RATE_KPIS = [m.service_level, m.abandonment_rate, m.first_contact_resolution, m.complaint_rate, m.escalation_rate]


COLUMNS = [
    "business_unit",
    "channel",
    "queue_wait_s",
    "abandoned",
    "handle_s",
    "first_contact_resolution",
    "is_complaint",
    "escalated",
]


def frame(rows):
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["created_at"] = pd.Timestamp("2026-10-01")
    for flag in ["abandoned", "first_contact_resolution", "is_complaint", "escalated"]:
        df[flag] = df[flag].astype("boolean")
    for num in ["queue_wait_s", "handle_s"]:
        df[num] = df[num].astype(float)
    return df


@settings(max_examples=60, deadline=None)
@given(st.lists(CONTACT, max_size=40), st.randoms())
def test_rates_in_range_order_free_and_additive(rows, rnd):
    df = frame(rows)
    shuffled = df.sample(frac=1, random_state=rnd.randint(0, 10_000))
    for kpi in RATE_KPIS:
        whole = kpi(df)
        assert whole.value is None or 0 <= whole.value <= 1
        assert kpi(shuffled).value == whole.value
        if whole.available:
            parts = [kpi(g) for _, g in df.groupby("business_unit")]
            assert sum(p.numerator or 0 for p in parts if p.available) == whole.numerator
            assert sum(p.n for p in parts if p.available) == whole.n
    aht, aht_shuffled = m.average_handle_time(df), m.average_handle_time(shuffled)
    assert aht.value == aht_shuffled.value or abs(aht.value - aht_shuffled.value) < 1e-9


@given(st.lists(st.integers(0, 10), max_size=60))
def test_nps_between_minus_and_plus_100(scores):
    nps = sm.net_promoter_score(pd.DataFrame({"nps": pd.array(scores, dtype="Int64")}))
    assert nps.value is None or -100 <= nps.low <= nps.value <= nps.high <= 100
