"""Value lists read from kept sorted files (csreport/metrics/sorted_lists.py): the same KPIs as collecting
them with DuckDB's list(), for units and for the pooled "all units", with ties, NULLs and a calendar."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import csreport.metrics.kpis as kpis_module
from csreport.data.calendars import Calendars, parse_calendar
from csreport.data.ingest import ingest
from csreport.data.sql import literal
from csreport.data.store import open_store
from csreport.metrics.measure import quantiles
from csreport.metrics.scorecard import KpiCache
from csreport.metrics.sorted_lists import groups_path, read_sorted, write_sorted
from csreport.metrics.targets import load_targets

OFFICE = {"hours": {"mon-fri": ["09:00-12:00", "13:00-18:00"]}}
PERIODS = ["2026-09", "2026-10"]


@pytest.fixture
def store(tmp_path):
    """45,000 contacts over September and October 2026 in three units (each month of "all" holds more values
    than are selected directly, so its order statistics come from the units' sorted slices): response and
    resolution times in whole minutes (many ties), a tenth never answered, a fifth unresolved."""
    rng = np.random.default_rng(11)
    n = 45_000
    created = pd.Timestamp("2026-09-01") + pd.to_timedelta(rng.integers(0, 61 * 86400, n), unit="s")
    answered = created + pd.to_timedelta(rng.integers(0, 3000, n), unit="min")
    resolved = created + pd.to_timedelta(rng.integers(0, 20000, n), unit="min")
    contacts = pd.DataFrame(
        {
            "contact_id": [f"c{i}" for i in range(n)],
            "created_at": created,
            "business_unit": rng.choice(["east", "west", "north"], n),
            "channel": "email",
            "customer_id": [f"k{i}" for i in rng.integers(0, 9000, n)],
            "first_response_at": answered.where(rng.random(n) > 0.1),
            "resolved_at": resolved.where(rng.random(n) > 0.2),
        }
    )
    (tmp_path / "data").mkdir()
    contacts.to_parquet(tmp_path / "data" / "contacts.parquet")
    ingest(tmp_path / "data", tmp_path / "work")
    store = open_store(tmp_path / "work")
    return store.with_calendars(Calendars({"east": parse_calendar("east", OFFICE, "c.yml", store.run_zone)}))


def kpis(store) -> dict:
    cache = KpiCache(store, load_targets(), store.calendars)
    cache.preload(PERIODS, ["east", "west", "north", "all"])
    return {(p, u): cache.kpis(p, u) for p in PERIODS for u in ["east", "west", "north", "all"]}


def test_sorted_lists_give_the_kpis_of_collected_lists(store, monkeypatch):
    read = kpis(store)
    # 2 times × elapsed, business and business of the contacts created on working days
    assert len(list((store.path.parent / "derived").glob("*.sorted.npy"))) == 6
    monkeypatch.setattr(kpis_module, "kept_sorted", lambda *args: None)
    collected = kpis(store)
    for key, measures in collected.items():
        for name, measure in measures.items():
            other = read[key][name]  # exact: the same order statistics, the same sums
            assert (other.value, other.n, other.low, other.high) == (
                measure.value,
                measure.n,
                measure.low,
                measure.high,
            ), (key, name)
    east = read[("2026-10", "east")]
    assert east["first_response_business_median_s"].value < east["first_response_median_s"].value


def test_a_list_is_written_sorted_within_its_groups_and_read_by_months(tmp_path):
    rows = pd.DataFrame(
        {
            "_month": pd.to_datetime(["2026-09-01"] * 3 + ["2026-10-01"] * 3),
            "_unit": ["a", "a", "b", "a", "a", "a"],
            "_v": [3.0, 1.0, 7.0, 2.0, np.nan, 2.0],  # out of order, and a NaN
        }
    )
    parquet = tmp_path / "rows.parquet"
    rows.to_parquet(parquet)
    values = tmp_path / "list.npy"
    write_sorted(f"SELECT * FROM read_parquet({literal(str(parquet))})", values, groups_path(values))
    assert groups_path(values).name == "list.groups.json"
    found = read_sorted(values, "2026-09-01 00:00:00", "2026-11-01 00:00:00")
    assert {key: list(v) for key, v in found.items()} == {
        ("2026-09", "a"): [1.0, 3.0],
        ("2026-09", "b"): [7.0],
        ("2026-10", "a"): [2.0, 2.0, pytest.approx(np.nan, nan_ok=True)],  # NaN last, as DuckDB orders them
    }
    assert list(read_sorted(values, "2026-10-01", "2026-11-01")) == [("2026-10", "a")]
    assert not found[("2026-09", "a")].flags.writeable  # views of the mapped file


def test_a_list_whose_groups_do_not_match_its_values_says_what_to_do(tmp_path):
    values = tmp_path / "list.npy"
    np.save(values, np.array([1.0, 2.0]))
    groups_path(values).write_text('[["2026-09", "a", 3]]')
    with pytest.raises(RuntimeError, match="Delete the work folder's derived/"):
        read_sorted(values, "2026-09-01", "2026-10-01")


def test_nan_at_the_end_of_a_sorted_part_is_left_out_of_its_quantiles():
    (median,) = quantiles([("m", 0.5, "", "")], [np.array([1.0, 2.0, 3.0, np.nan, np.nan])], "s", presorted=True)
    assert (median.value, median.n) == (2.0, 3)
