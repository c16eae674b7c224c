"""Acceptance (issue 4): every planted event of a scenario is found by the detection rules and reaches the
recommendations; at most 3 high-severity findings per unit-month that the scenario does not explain. The
ground truth is read only here, to score the findings, never by the analysis."""

from __future__ import annotations

import json
from pathlib import Path

from csreport.findings.collect import collect_findings
from csreport.findings.recommend import recommend
from csreport.ingest import ingest
from csreport.scorecard import KpiCache
from csreport.store import open_store, parse_period
from csreport.targets import load_targets
from tests.findings_acceptance import explains, finds

MAX_UNEXPLAINED_HIGH = 3


def _findings_of_last_months(data: Path, out: Path, months: int = 6):
    ingest(data, out)
    truth = json.loads((data / "_scenario_truth.json").read_text(encoding="utf-8"))
    store, targets = open_store(out), load_targets()
    cache = KpiCache(store, targets)
    end = parse_period(truth["end"])
    periods = [str(end - k) for k in range(months - 1, -1, -1)]
    cache.preload(periods, store.units())
    by_cell = {(p, u): collect_findings(store, p, u, targets, cache=cache) for p in periods for u in store.units()}
    return truth, by_cell


def _check(truth, by_cell):
    everything = [f for fs in by_cell.values() for f in fs]
    recommendations = recommend(everything)
    for event in truth["events"]:
        assert any(finds(event, f) for f in everything), f"planted event not found: {event}"
        assert any(finds(event, r.finding) for r in recommendations), f"event found but not recommended: {event}"
    for (period, unit), found in by_cell.items():
        unexplained = [f for f in found if f.severity == "high" and not any(explains(e, f) for e in truth["events"])]
        assert len(unexplained) <= MAX_UNEXPLAINED_HIGH, (period, unit, unexplained)


def test_default_scenario_events_are_found_and_recommended(sample_dir, tmp_path):
    _check(*_findings_of_last_months(sample_dir, tmp_path / "validated"))


def test_other_scenario_events_are_found_and_recommended(other_sample_dir, tmp_path):
    _check(*_findings_of_last_months(other_sample_dir, tmp_path / "validated"))
