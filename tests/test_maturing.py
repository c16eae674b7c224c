"""Maturing months compared at the same age (csreport/metrics/maturing.py): the business-hour twins of first response
and resolution time are aged with their elapsed-time KPIs.

Fixture: unit east, office hours 09:00-12:00 and 13:00-18:00 on weekdays (no holidays). The data end with a
contact created on Tuesday 10 November 2026 12:00, so November is maturing and October is read as it stood on
10 October 12:00. October's contacts and their first responses, worked out by hand:

| contact | created             | first response      | elapsed | business                              |
|---------|---------------------|---------------------|---------|---------------------------------------|
| o1      | Mon 5 Oct 10:00     | Mon 5 Oct 11:00     | 1 h     | 1 h                                   |
| o2      | Tue 6 Oct 17:00     | Wed 7 Oct 10:00     | 17 h    | 2 h (17-18, 09-10)                    |
| o3      | Fri 9 Oct 17:00     | Mon 12 Oct 10:00    | 65 h    | 2 h, answered after the cut-off       |
| o4      | Fri 9 Oct 11:00     | Mon 19 Oct 09:30    | 238.5 h | 46.5 h (6 + 40 + 0.5), after it       |
| o5      | Tue 20 Oct 09:00    | Tue 20 Oct 09:15    | 0.25 h  | 0.25 h, created after it              |

At the same age October has o1 and o2 answered (o3 and o4 not yet, o5 not yet created): business median
1.5 h = 5,400 s, elapsed median 9 h = 32,400 s. Complete, October's business median is 2 h (of 0.25, 1, 2, 2,
46.5); comparing November with that would credit November with the answers it has not had time to get."""

from __future__ import annotations

import pandas as pd
import pytest

from csreport.data.calendars import Calendars, parse_calendar
from csreport.data.ingest import ingest
from csreport.data.store import Store, open_store
from csreport.metrics.maturing import same_age_many
from csreport.metrics.scorecard import KpiCache, scorecard
from csreport.metrics.targets import load_targets

OFFICE = {"hours": {"mon-fri": ["09:00-12:00", "13:00-18:00"]}}
CREATED = {
    "o1": "2026-10-05 10:00",
    "o2": "2026-10-06 17:00",
    "o3": "2026-10-09 17:00",
    "o4": "2026-10-09 11:00",
    "o5": "2026-10-20 09:00",
    "n1": "2026-11-02 10:00",
    "n2": "2026-11-10 12:00",
}
ANSWERED = {
    "o1": "2026-10-05 11:00",
    "o2": "2026-10-07 10:00",
    "o3": "2026-10-12 10:00",
    "o4": "2026-10-19 09:30",
    "o5": "2026-10-20 09:15",
    "n1": "2026-11-02 11:00",
    "n2": None,
}
CUT = pd.Timestamp("2026-10-10 12:00")


@pytest.fixture
def store(tmp_path) -> Store:
    ids = list(CREATED)
    contacts = pd.DataFrame(
        {
            "contact_id": ids,
            "created_at": pd.to_datetime([CREATED[i] for i in ids]),
            "business_unit": "east",
            "channel": "email",
            "customer_id": ids,
            "first_response_at": pd.to_datetime([ANSWERED[i] for i in ids]),
        }
    )
    (tmp_path / "data").mkdir()
    contacts.to_parquet(tmp_path / "data" / "contacts.parquet")
    ingest(tmp_path / "data", tmp_path / "work")
    store = open_store(tmp_path / "work")
    return store.with_calendars(Calendars({"east": parse_calendar("east", OFFICE, "c.yml", store.run_zone)}))


def test_same_age_business_first_response_is_worked_out_by_hand(store):
    cache = KpiCache(store, load_targets(), store.calendars)
    found = same_age_many(store, [("2026-10", "east", CUT), ("2026-10", "all", CUT)], cache.params)
    for unit in ("east", "all"):
        aged = found[("2026-10", unit, str(CUT))]
        assert (aged["first_response_business_median_s"].value, aged["first_response_business_median_s"].n) == (
            5400.0,
            2,
        )
        assert aged["first_response_median_s"].value == 32400.0
    complete = cache.kpis("2026-10", "east")
    assert complete["first_response_business_median_s"].value == 7200.0
    assert complete["first_response_business_median_s"].n == 5


def test_the_scorecard_compares_a_maturing_business_time_at_the_same_age(store):
    cache = KpiCache(store, load_targets(), store.calendars)
    card = scorecard(store, "2026-11", "east", cache=cache).set_index("kpi")
    for kpi, previous in [("first_response_business_median_s", 5400.0), ("first_response_median_s", 32400.0)]:
        row = card.loc[kpi]
        assert row["maturing"] and row["same_age"], kpi
        assert row["previous"] == previous, kpi
        assert row["same_age_cutoff"] == str(CUT)
