import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from csreport.data.ingest import ingest
from csreport.errors import ParameterError
from csreport.sample.generate import generate
from csreport.sample.scenario import load_scenario
from tests.sample_effects import EFFECTS

ROOT = Path(__file__).parents[1]
DEFAULT = ROOT / "params" / "scenarios" / "default.yml"
SMALL = 40_000


def digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    truth = generate(load_scenario(DEFAULT).with_overrides(contacts=SMALL), out)
    report = ingest(out, tmp_path_factory.mktemp("validated"))
    return out, truth, report


def test_every_table_is_written_and_valid(sample):
    out, truth, report = sample
    assert set(report.tables) == {
        "contacts",
        "surveys",
        "customers",
        "agents",
        "agent_months",
        "benchmarks",
        "competitor_features",
    }
    assert abs(truth["rows"]["contacts"] - SMALL) / SMALL < 0.05
    for table in report.tables.values():
        assert table.rows_read == truth["rows"][table.table]


def test_quarantine_finds_exactly_the_planted_defects(sample):
    _, truth, report = sample
    for table, defects in truth["defects"].items():
        found = {f"{r['column']}|{r['rule']}": r["rows"] for r in report.tables[table].reasons}
        assert found == defects
        assert report.tables[table].rows_quarantined == sum(defects.values())


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    scenario = load_scenario(DEFAULT).with_overrides(contacts=5_000)
    generate(scenario, tmp_path / "a")
    generate(scenario, tmp_path / "b")
    generate(scenario.with_overrides(seed=7), tmp_path / "c")
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a")["contacts.parquet"] != digest(tmp_path / "c")["contacts.parquet"]


def test_window_ends_with_the_scenario_month(sample):
    out, truth, _ = sample
    contacts = pd.read_parquet(out / "contacts.parquet", columns=["created_at"])
    assert contacts["created_at"].max() < pd.Timestamp("2026-11-01")
    assert contacts["created_at"].min() >= pd.Timestamp("2024-11-01")
    assert truth["end"] == "2026-10" and truth["months"] == 24


def test_truth_lists_every_planted_event(sample):
    out, truth, _ = sample
    kinds = {e["kind"] for e in truth["events"]}
    assert kinds == {
        "staffing_shortfall",
        "complaint_spike",
        "csat_drop",
        "training_gap",
        "channel_shift",
        "churn_wave",
    }
    gap = next(e for e in truth["events"] if e["kind"] == "training_gap")
    assert gap["unit"] == "south" and gap["team"] == "south-2"
    assert json.loads((out / "_scenario_truth.json").read_text())["events"] == truth["events"]


def test_csv_format(tmp_path):
    generate(load_scenario(DEFAULT).with_overrides(contacts=3_000), tmp_path / "csv", fmt="csv")
    report = ingest(tmp_path / "csv", tmp_path / "out")
    assert report.tables["contacts"].rows_read > 2_500
    assert report.tables["customers"].rows_quarantined == 0


def test_comments_in_both_languages_depend_on_category(sample):
    out, _, _ = sample
    surveys = pd.read_parquet(out / "surveys.parquet")
    contacts = pd.read_parquet(out / "contacts.parquet", columns=["contact_id", "category"])
    comments = surveys.dropna(subset=["comment"]).merge(contacts, on="contact_id")
    assert comments["comment"].str.contains(r"[\u4e00-\u9fff]").mean() > 0.4
    assert comments["comment"].str.contains(r"[A-Za-z]{4}").mean() > 0.2
    delivery = comments[comments["category"] == "delivery"]["comment"]
    assert (
        delivery.str.contains("快递|配送|送货|物流|包裹|courier|delivery|parcel|shipping|package|tracking").mean() > 0.8
    )


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda s: s.replace("type: churn_wave", "type: meteor"), "type 'meteor'"),
        (
            lambda s: s.replace("unit: west\n    period: 2026-08", "unit: mars\n    period: 2026-08"),
            "'mars' is not one",
        ),
        (lambda s: s.replace("period: 2026-10\n    category", "period: 2030-01\n    category"), "'2030-01'"),
        (lambda s: s.replace("months: 24", "months: 6"), "at least 13"),
        (lambda s: s.replace("    percent: 40\n", ""), "lacks percent"),
    ],
)
def test_scenario_errors_name_the_problem(tmp_path, edit, match):
    path = tmp_path / "scenario.yml"
    path.write_text(edit(DEFAULT.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ParameterError, match=match):
        load_scenario(path)


def test_shortfall_month_has_worse_service(sample):
    # a raw-data check of the simulation (not of the report's analysis): waits follow staffing
    out, _, _ = sample
    c = pd.read_parquet(out / "contacts.parquet")
    c = c[c["channel"].isin(["phone", "chat"])]
    month = c["created_at"].dt.to_period("M").astype(str)
    hit = c[(c["business_unit"] == "west") & (month == "2026-08")]
    rest = c[(c["business_unit"] != "west") & (month == "2026-08")]
    assert hit["abandoned"].mean() > 2 * rest["abandoned"].mean()


def test_another_scenario_works_just_as_well(tmp_path):
    scenario = load_scenario(Path(__file__).parent / "fixtures" / "scenario_other.yml").with_overrides(contacts=15_000)
    truth = generate(scenario, tmp_path / "other")
    report = ingest(tmp_path / "other", tmp_path / "validated")
    contacts = pd.read_parquet(tmp_path / "other" / "contacts.parquet", columns=["created_at", "business_unit"])
    assert set(contacts["business_unit"]) == {"retail", "business", "online"}
    assert contacts["created_at"].max() < pd.Timestamp("2026-06-01")
    assert contacts["created_at"].min() >= pd.Timestamp("2024-12-01")  # 18 months ending 2026-05
    assert {e["kind"] for e in truth["events"]} == {e.type for e in scenario.events}
    assert next(e for e in truth["events"] if e["kind"] == "training_gap")["unit"] == "retail"
    for table, defects in truth["defects"].items():
        assert report.tables[table].rows_quarantined == sum(defects.values())


def test_never_deletes_a_directory_that_is_not_a_sample(tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(ParameterError, match="not an earlier sample; csreport will not delete it"):
        generate(load_scenario(DEFAULT).with_overrides(contacts=3_000), tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_replaces_an_earlier_sample(tmp_path):
    scenario = load_scenario(DEFAULT).with_overrides(contacts=3_000)
    generate(scenario, tmp_path / "s")
    (tmp_path / "s" / "stale.csv").write_text("x")
    generate(scenario, tmp_path / "s")
    assert not (tmp_path / "s" / "stale.csv").exists()


def _check_planted_effect(data, event) -> None:
    """The stated size of each event type, in the rows: counts and means allow 2.5 standard errors of noise."""
    kind, measured = event["kind"], EFFECTS[event["kind"]](data, event)
    if kind == "staffing_shortfall":  # agent hours fall by `percent` (against the unit's months and other units)
        assert measured == pytest.approx(1 - event["percent"] / 100, abs=0.06), event
    elif kind in ("complaint_spike", "churn_wave"):  # count × factor
        ratio, sd = measured
        assert abs(ratio - event["factor"]) <= 2.5 * sd and abs(ratio - event["factor"]) < abs(ratio - 1), event
    elif kind == "csat_drop":  # CSAT at least 0.1 below the unit's previous 6 months, significantly, via the cause
        drop, se, cause = measured
        assert drop <= -0.1 and drop + 2.5 * se < 0, (event, drop, se)
        assert cause >= 3 if event["cause"] == "reopen" else cause <= -0.2, event
    elif kind == "training_gap":  # the team's FCR in the category `fcr_drop` below the other teams'
        assert measured == pytest.approx(-event["fcr_drop"], abs=0.05), event
    elif kind == "channel_shift":  # `share` of the from-channel's contacts moved
        assert measured == pytest.approx(1 - event["share"], abs=0.06), event


@pytest.mark.parametrize("kind", sorted(EFFECTS))
def test_each_planted_event_shows_in_the_rows_at_its_stated_size(sample_dir, sample_truth, kind):
    for event in [e for e in sample_truth["events"] if e["kind"] == kind]:
        _check_planted_effect(sample_dir, event)


@pytest.mark.parametrize("kind", sorted(EFFECTS))
def test_each_planted_event_of_another_scenario_shows_at_its_stated_size(other_sample_dir, kind):
    truth = json.loads((other_sample_dir / "_scenario_truth.json").read_text(encoding="utf-8"))
    for event in [e for e in truth["events"] if e["kind"] == kind]:
        _check_planted_effect(other_sample_dir, event)


def test_a_csat_drop_by_wait_is_refused_because_it_does_not_move_csat(tmp_path):
    # fewer agents lengthened the waits 7-fold, but callers who wait long hang up and leave no survey: CSAT
    # moved by less than 0.1 point, so the cause is not offered (staffing_shortfall plants waits)
    path = tmp_path / "scenario.yml"
    path.write_text(DEFAULT.read_text(encoding="utf-8").replace("cause: reopen", "cause: wait"), encoding="utf-8")
    with pytest.raises(ParameterError, match="cause 'wait' is not one of the causes"):
        load_scenario(path)


def test_a_repeat_contact_with_a_nanosecond_time_gets_an_agent_who_never_leaves():
    # repeats are created at fractional times (nanoseconds); an agent without a leave date must be in the pool.
    # A sentinel leave date of 9999-12-31 overflowed nanoseconds and left such contacts without an agent once no
    # leaver remained in the future (13-80 % of a null scenario's repeats in its last months)
    import numpy as np

    from csreport.sample.contacts import _assign_agents

    agents = pd.DataFrame(
        {
            "agent_id": ["A1", "A2"],
            "business_unit": ["east", "east"],
            "hire_date": pd.to_datetime(["2020-01-01", "2020-01-01"]).as_unit("us"),
            "leave_date": pd.to_datetime([None, "2026-01-30"]).as_unit("us"),
        }
    )
    contacts = pd.DataFrame(
        {"business_unit": ["east", "east"],
         "created_at": pd.to_datetime(["2026-02-27 06:41:38.542741272", "2026-01-10 09:00:00.000000001"]).as_unit("ns")}
    )  # fmt: skip
    picked = _assign_agents(contacts, np.ones(2, bool), agents, np.random.default_rng(1))
    assert picked[0] == 0  # only A1 is employed on 27 February
    assert picked[1] in (0, 1)
