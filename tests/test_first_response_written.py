"""First response time is a KPI of the written channels (issue 24): phone and chat are answered in the queue,
which ASA and service level measure. Worked by hand on tests/fixtures/first_response/contacts.csv (east, October
2026): two calls and a chat answered at once (0 s, 5 s, 0 s) and five written contacts, four with a first
response: e1 3600 s, e2 10800 s, t1 18000 s, s1 1800 s; t2 is not answered yet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csreport.data.ingest import ingest
from csreport.data.store import Store
from csreport.errors import ParameterError
from csreport.findings.evidence import collect_evidence
from csreport.findings.record import Finding
from csreport.metrics.kpis import compute_many
from csreport.metrics.targets import Parameters, load_targets

FIXTURE = Path(__file__).parent / "fixtures" / "first_response" / "contacts.csv"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    data = tmp_path_factory.mktemp("first_response_data")
    shutil.copy(FIXTURE, data / "contacts.csv")
    return Store(Path(ingest(data, tmp_path_factory.mktemp("first_response_out")).store_dir))


def test_the_grouped_pass_measures_written_channels_only(store):
    # written: 1800, 3600, 10800, 18000 s -> median (3600 + 10800) / 2 = 7200; p90 at 0.9 * 3 = 2.7:
    # 10800 + 0.7 * (18000 - 10800) = 15840. With the calls and the chat mixed in the median was 1800 s.
    kpis = compute_many(store, ["2026-10"], ["east"], Parameters())[("2026-10", "east")]
    median, p90 = kpis["first_response_median_s"], kpis["first_response_p90_s"]
    assert (median.value, median.n) == (7200, 4)
    assert p90.value == pytest.approx(15840)
    # no calendar: the business-hour twin is the same written-channel figure
    assert (kpis["first_response_business_median_s"].value, kpis["first_response_business_median_s"].n) == (7200, 4)


def test_the_channel_set_is_a_parameter_and_kept_files_follow_it(store):
    # e-mail alone: 3600 and 10800 s -> median 7200, n 2; phone alone: 0 and 5 s -> median 2.5 s
    kept = Path(store.path).parent / "derived"
    compute_many(store, ["2026-10"], ["east"], Parameters())
    before = set(kept.glob("contacts-*.parquet"))
    email = compute_many(store, ["2026-10"], ["east"], Parameters(first_response_channels=("email",)))
    assert email[("2026-10", "east")]["first_response_median_s"].n == 2
    phone = compute_many(store, ["2026-10"], ["east"], Parameters(first_response_channels=("phone",)))
    assert phone[("2026-10", "east")]["first_response_median_s"].value == 2.5
    # the kept helper columns are keyed by their SQL, which names the channels: a new set writes a new file
    assert before and len(set(kept.glob("contacts-*.parquet")) - before) == 2


def test_evidence_of_a_first_response_finding_lists_written_contacts_only(store):
    # slower than a baseline of 1000 s: t1 18000, e2 10800, e1 3600 (s1 1800 is too; the calls and the chat,
    # 0-5 s, never are, whatever the baseline)
    finding = Finding("deterioration", "east", "2026-10", "first_response_median_s", 7200.0, 1000.0, None, None,
                      None, True, "high", 1.0, "contacts")  # fmt: skip
    rows = collect_evidence(store, [finding], Parameters())[0].rows
    assert rows["contact_id"].tolist() == ["t1", "e2", "e1", "s1"]
    everything = collect_evidence(store, [Finding("deterioration", "east", "2026-10", "first_response_median_s",
                                                  7200.0, -1.0, None, None, None, True, "high", 1.0, "contacts")],
                                  Parameters())[0].rows  # fmt: skip
    assert set(everything["channel"]) == {"email", "ticket", "social"}


def test_shipped_default_and_bad_values(tmp_path):
    assert load_targets().parameters.first_response_channels == ("email", "ticket", "social")
    path = tmp_path / "targets.yml"
    path.write_text("parameters: {first_response_channels: [email, fax]}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="first_response_channels must be a non-empty list of channels"):
        load_targets(path)
    path.write_text("parameters: {first_response_channels: []}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"found \[\]"):
        load_targets(path)
    path.write_text("parameters: {first_response_channels: [chat]}\n", encoding="utf-8")
    assert load_targets(path).parameters.first_response_channels == ("chat",)
