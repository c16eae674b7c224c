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


RATES = ["service_level", "abandonment_rate", "fcr_rate", "complaint_rate", "escalation_rate"]


@settings(max_examples=40, deadline=None)
@given(st.lists(CONTACT, max_size=40), st.randoms())
def test_rates_in_range_order_free_and_additive(rows, rnd):
    df = frame(rows)
    whole = m.contact_kpis(df)
    shuffled = m.contact_kpis(df.sample(frac=1, random_state=rnd.randint(0, 10_000)))
    parts = [m.contact_kpis(g) for _, g in df.groupby("business_unit")]
    for kpi in RATES:
        value = whole[kpi].value
        assert value is None or 0 <= value <= 1
        assert shuffled[kpi].value == value
        if whole[kpi].available:
            assert sum(p[kpi].numerator or 0 for p in parts if p[kpi].available) == whole[kpi].numerator
            assert sum(p[kpi].n for p in parts if p[kpi].available) == whole[kpi].n
    aht, aht_shuffled = whole["aht_s"].value, shuffled["aht_s"].value
    assert aht == aht_shuffled or abs(aht - aht_shuffled) < 1e-9
    assert sum(p["contacts"].value for p in parts) == whole["contacts"].value


@settings(deadline=None)  # a loaded host took 254 ms for one example (the default deadline is 200 ms)
@given(st.lists(st.integers(0, 10), max_size=60))
def test_nps_between_minus_and_plus_100(scores):
    nps = sm.net_promoter_score(pd.DataFrame({"nps": pd.array(scores, dtype="Int64")}))
    assert nps.value is None or -100 <= nps.low <= nps.value <= nps.high <= 100
