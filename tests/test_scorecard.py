import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csreport.data.ingest import ingest
from csreport.data.store import open_store
from csreport.metrics.kpis import SCORECARD_KPIS, compute_kpis, load_period
from csreport.metrics.scorecard import KpiCache, scorecard, trend
from csreport.metrics.targets import load_targets

ROOT = Path(__file__).parents[1]
scorecard_module = sys.modules["csreport.metrics.scorecard"]  # the package's name ``scorecard`` is the function


@pytest.fixture(scope="module")
def store(sample_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("validated")
    ingest(sample_dir, out)
    return open_store(out)


def test_one_row_per_kpi_with_comparisons(store):
    card = scorecard(store, "2026-08", "west")
    assert card["kpi"].tolist() == SCORECARD_KPIS
    for column in [
        "value",
        "n",
        "previous",
        "change_vs_previous",
        "significant_vs_previous",
        "last_year",
        "target",
        "status",
        "industry_average",
        "best_competitor",
        "small_sample",
        "method",
    ]:
        assert column in card.columns
    sl = card.set_index("kpi").loc["service_level"]
    assert sl["change_vs_previous"] == pytest.approx(sl["value"] - sl["previous"])
    assert sl["status"] in {"met", "at risk", "missed"}


def test_all_units_are_computed_from_rows_and_counts_add_up(store):
    cache = KpiCache(store, load_targets())
    everything = cache.kpis("2026-10", "all")
    units = [cache.kpis("2026-10", u) for u in store.units()]
    assert sum(u["contacts"].value for u in units) == everything["contacts"].value
    for kpi in ["service_level", "abandonment_rate", "fcr_rate", "complaint_rate", "csat_top2"]:
        assert sum(u[kpi].numerator for u in units) == everything[kpi].numerator, kpi
        assert sum(u[kpi].n for u in units) == everything[kpi].n, kpi
    # the all-units rate is pooled, not the mean of unit rates
    pooled = sum(u["service_level"].numerator for u in units) / sum(u["service_level"].n for u in units)
    assert everything["service_level"].value == pytest.approx(pooled)


def test_a_unit_with_no_data_in_the_month(store):
    kpis = compute_kpis(load_period(store, "2030-01", "east"))
    assert kpis["contacts"].value == 0
    assert kpis["service_level"].value is None and kpis["service_level"].reason
    card = scorecard(store, "2030-01", "east")
    assert card.set_index("kpi").loc["service_level", "status"] == "n/a"


def test_trend_is_monthly_and_ordered(store):
    series = trend(store, "complaint_rate", "east", months=6, end="2026-10")
    assert series["period"].tolist() == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert series["value"].between(0, 1).all()
    with pytest.raises(KeyError, match="unknown KPI"):
        trend(store, "happiness", "east", months=2, end="2026-10")


def test_same_inputs_same_numbers(store):
    a = scorecard(store, "2026-09", "north")
    b = scorecard(store, "2026-09", "north")
    pd.testing.assert_frame_equal(a, b)
    assert np.isfinite(a["value"].dropna().astype(float)).all()


def test_grouped_batch_gives_the_same_numbers_as_one_period(store):
    targets = load_targets()
    batch = KpiCache(store, targets)
    batch.preload(["2026-08", "2026-10"], ["west", "all"])
    single = KpiCache(store, targets)
    for key in [("2026-08", "west"), ("2026-10", "all"), ("2025-10", "west"), ("2026-07", "all")]:
        got, want = batch._kpis[key], single.kpis(*key)
        assert set(got) == set(want)
        for name, measure in want.items():
            other = got[name]
            assert (other.value is None) == (measure.value is None), (key, name)
            if measure.value is not None:
                assert other.value == pytest.approx(measure.value), (key, name)
                assert other.n == measure.n, (key, name)


def test_attainment_lists_each_standard_and_per_channel_targets(store):
    from csreport.metrics.scorecard import attainment

    table = attainment(store, "2026-10", "east")
    sl = table[table["metric"] == "service_level"].set_index("channel")
    assert set(sl.index) == {"all", "chat"}  # the catalogue sets a chat-specific target of 0.85
    assert sl.loc["chat", "target"] == 0.85 and sl.loc["all", "target"] == 0.80
    chat = store.read("contacts", "2026-10", "east")
    chat = chat[chat["channel"] == "chat"]
    from csreport.metrics.service import service_level

    assert sl.loc["chat", "value"] == pytest.approx(service_level(chat).value)
    assert set(table["status"]) <= {"met", "at risk", "missed", "n/a"}


def test_scorecards_do_not_depend_on_row_order(tmp_path):
    """Two months of 12,000 contacts each (above the Mann–Whitney limit, so medians use the order-statistic
    z-test): the same rows in another order give identical scorecards, p-values included."""
    rng = np.random.default_rng(11)
    n = 24_000
    created = pd.Timestamp("2026-09-01") + pd.to_timedelta(np.sort(rng.uniform(0, 60 * 86400, n)).round(), "s")
    contacts = pd.DataFrame(
        {
            "contact_id": [f"c{i}" for i in range(n)],
            "created_at": created,
            "business_unit": "east",
            "channel": "email",
            "first_response_at": created + pd.to_timedelta(rng.exponential(3600, n).round(), "s"),
            "resolved_at": created + pd.to_timedelta(rng.exponential(86400, n).round(), "s"),
        }
    )
    cards = []
    for name, frame in [("ordered", contacts), ("shuffled", contacts.sample(frac=1, random_state=5))]:
        (tmp_path / name).mkdir()
        frame.to_parquet(tmp_path / name / "contacts.parquet")
        ingest(tmp_path / name, tmp_path / f"{name}_out")
        cards.append(scorecard(open_store(tmp_path / f"{name}_out"), "2026-10", "east"))
    pd.testing.assert_frame_equal(cards[0], cards[1])
    median = cards[0].set_index("kpi").loc["resolution_median_s"]
    assert median["test"] == "z-test, order-statistic standard errors" and median["p_vs_previous"] is not None


def test_the_same_age_pass_runs_beside_the_scorecards_of_settled_months(store, monkeypatch):
    """preload starts the pass reading the maturing months' baselines at the same age in a worker thread: a
    settled month's scorecard is built while it runs, a maturing month's waits for it and gets its numbers."""
    release, original = threading.Event(), scorecard_module.same_age_many

    def held(*args):
        assert release.wait(30), "a settled month's scorecard waited for the same-age pass"
        return original(*args)

    monkeypatch.setattr(scorecard_module, "same_age_many", held)
    targets = load_targets()
    cache = KpiCache(store, targets)
    cache.preload(["2026-08", "2026-10"], ["west"])
    settled = scorecard(store, "2026-08", "west", targets, cache)  # while the pass is held
    assert not settled["maturing"].any()
    release.set()
    maturing = scorecard(store, "2026-10", "west", targets, cache).set_index("kpi")
    assert maturing["same_age"].any()
    one_by_one = scorecard(store, "2026-10", "west", targets, KpiCache(store, targets)).set_index("kpi")
    pd.testing.assert_series_equal(maturing["previous"], one_by_one["previous"])


def test_an_error_of_the_same_age_pass_is_raised_by_the_scorecard_that_needs_it(store, monkeypatch):
    def failing(*args):
        raise RuntimeError("the store cannot be read")

    monkeypatch.setattr(scorecard_module, "same_age_many", failing)
    targets = load_targets()
    cache = KpiCache(store, targets)
    cache.preload(["2026-08", "2026-10"], ["west"])
    scorecard(store, "2026-08", "west", targets, cache)
    with pytest.raises(RuntimeError, match="the store cannot be read"):
        scorecard(store, "2026-10", "west", targets, cache)
