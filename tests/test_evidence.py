"""The rows behind each finding: ids in findings.json, all rows in evidence/<finding id>.csv."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from csreport.data.ingest import ingest
from csreport.data.store import Store
from csreport.findings.collect import findings_document
from csreport.findings.evidence import EXAMPLES, Evidence, collect_evidence, finding_id, write_evidence
from csreport.findings.record import Finding
from csreport.metrics.targets import Parameters

FIXTURE = Path(__file__).parent / "fixtures" / "evidence"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    data = tmp_path_factory.mktemp("evidence_data")
    for name in ("contacts.csv", "surveys.csv"):
        shutil.copy(FIXTURE / name, data / name)
    report = ingest(data, tmp_path_factory.mktemp("evidence_out"))
    return Store(Path(report.store_dir))


def finding(kind: str, metric: str, unit: str = "east", baseline: float | None = None, **extra) -> Finding:
    return Finding(kind, unit, "2026-10", metric, 1.0, baseline, None, None, None, True, "high", 1.0, "contacts",
                   **extra)  # fmt: skip


def test_each_finding_gets_its_rows_worst_first(store):
    findings = [
        finding("category_spike", "complaints", category="delivery"),  # c1, c3 (not c7: west; not c8: September)
        finding("deterioration", "service_level"),  # c2 waited 50 s, c4 abandoned after 30 s; c5 is a short abandon
        finding("target_missed", "csat_mean"),  # s1 (csat 2); s3 is west
        finding("deterioration", "complaint_rate", unit="all"),  # c1, c3, c7
        finding("process_cost", "cost_per_resolved", category="billing", evidence={"channel": "phone"}),  # c2, c4, c5
        # a process is its channel × category: chat · delivery is c3 alone (not c1, an e-mail about delivery)
        finding("process_cost", "cost_per_resolved", category="delivery", evidence={"channel": "chat"}),
    ]
    evidence = collect_evidence(store, findings, Parameters())
    assert [e.rows[e.id_column].tolist() for e in evidence] == [
        ["c1", "c3"],
        ["c2", "c4"],
        ["s1"],
        ["c1", "c3", "c7"],
        ["c2", "c4", "c5"],
        ["c3"],
    ]
    assert [e.id_column for e in evidence] == ["contact_id", "contact_id", "survey_id", "contact_id", "contact_id",
                                               "contact_id"]  # fmt: skip
    assert {"queue_wait_s", "abandoned", "channel"} <= set(evidence[1].rows.columns)
    assert evidence[0].finding_id.startswith("f01-category_spike-complaints-")
    assert evidence[2].rows["comment"].iloc[0] != "call me on 13812345678 please"  # masked as in the report
    assert "13812345678" not in evidence[2].rows["comment"].iloc[0]


def test_evidence_files_and_findings_json(store, tmp_path):
    findings = [finding("deterioration", "service_level")]
    evidence = collect_evidence(store, findings, Parameters())
    write_evidence(tmp_path, evidence)
    written = pd.read_csv(tmp_path / "evidence" / f"{evidence[0].finding_id}.csv", encoding="utf-8-sig")
    assert written["contact_id"].tolist() == ["c2", "c4"]
    document = findings_document("2026-10", "east", findings, [], evidence)["findings"][0]
    assert document["id"] == "f01-deterioration-service_level"
    assert document["rows"] == {
        "id_column": "contact_id",
        "count": 2,
        "examples": ["c2", "c4"],
        "file": "evidence/f01-deterioration-service_level.csv",
    }


def test_examples_stop_at_twenty_and_the_count_keeps_all():
    rows = pd.DataFrame({"contact_id": [f"c{i}" for i in range(25)]})
    evidence = Evidence("f01-x", "contact_id", rows)
    assert evidence.count == 25 and len(evidence.examples) == EXAMPLES == 20 and evidence.examples[0] == "c0"


def test_finding_ids_are_safe_file_names():
    subject = finding("category_spike", "complaints", category="配送 / ../x")
    assert finding_id(3, subject).startswith("f03-category_spike-complaints-")
    assert "/" not in finding_id(3, subject) and "配送" not in finding_id(3, subject)


def test_evidence_is_computed_once_with_the_findings_and_kept(tmp_path, monkeypatch):
    """The kept report carries the evidence: the run's findings.json, evidence/*.csv and the chapters read
    the same list, and a second context (another chapter kernel) loads it from disk without recomputing."""
    from csreport.findings.news import FindingSet
    from csreport.report import computed
    from csreport.report.chapters.context import open_report

    data = tmp_path / "data"
    data.mkdir()
    for name in ("contacts.csv", "surveys.csv"):
        shutil.copy(FIXTURE / name, data / name)
    # the fixture is too small for the detection rules: the finding is given, its evidence is computed
    spike = finding("category_spike", "complaints", category="delivery")  # c1 and c3 (see the first test)
    monkeypatch.setattr(computed, "collect_findings", lambda *a, **k: FindingSet([spike]))
    calls = []
    real = computed.collect_evidence
    monkeypatch.setattr(computed, "collect_evidence", lambda *a, **k: calls.append(1) or real(*a, **k))
    ctx = open_report("2026-10", "east", "en", data, tmp_path / "work")
    assert ctx.evidence is ctx.report.evidence and ctx.evidence is ctx.evidence
    assert [(e.finding_id, e.count) for e in ctx.evidence] == [(finding_id(1, spike), 2)]
    chapter = open_report("2026-10", "east", "en", data, tmp_path / "work")
    kept = [(e.finding_id, e.examples) for e in chapter.evidence]
    assert kept == [(e.finding_id, e.examples) for e in ctx.evidence]
    assert calls == [1, 1]  # the findings' evidence, then the standing issues' (none here)
