"""Validate once, compute once: a report's scorecard and findings are computed once per (data fingerprint,
period, unit, parameter files), kept beside the validated store, and equal value by value to computing them
directly as the chapters did before (KPIs of the period, previous month and last year together, then the
findings).

"Equal" for floats means within 1e-12 relative: DuckDB's parallel sums of floats are not bitwise repeatable, so
the same query twice in one process can differ in the 16th digit (seen on the sample: 5.396259237068102 and
…101); texts, statuses, flags, counts and the order of findings are compared exactly."""

from __future__ import annotations

import math
import shutil

import pandas as pd
import pytest

from csreport.data.periods import parse_period
from csreport.findings.collect import findings_document
from csreport.findings.recommend import recommend_effects
from csreport.findings.rules import load_rules
from csreport.metrics.targets import load_targets
from csreport.report import computed
from csreport.report.chapters import context, open_report
from csreport.report.computed import compute


def _assert_same(left, right, path="") -> None:
    """Equal values, floats within 1e-12 relative (NaN equals NaN); anything else exactly."""
    if isinstance(left, dict):
        assert left.keys() == right.keys(), path
        for key in left:
            _assert_same(left[key], right[key], f"{path}.{key}")
    elif isinstance(left, list | tuple):
        assert len(left) == len(right), path
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            _assert_same(a, b, f"{path}[{i}]")
    elif isinstance(left, float) and isinstance(right, float):
        assert (math.isnan(left) and math.isnan(right)) or math.isclose(left, right, rel_tol=1e-12), path
    else:
        assert left == right, path


def _direct(ctx):
    """Scorecard and findings.json computed afresh (not through the kept report), with the same parameters."""
    targets = load_targets()
    rules = load_rules(confidence=targets.parameters.confidence, min_sample=targets.parameters.min_sample)
    fresh = compute(ctx.store, ctx.period, ctx.unit, targets, rules, "direct", "direct")
    recs = recommend_effects(fresh.items, fresh.effects, ctx.lang, None, fresh.economics, fresh.money_rows,
                             [e.finding_id for e in fresh.item_evidence], labels=ctx.labels)  # fmt: skip
    return fresh.scorecard, findings_document(ctx.period, ctx.unit, fresh.findings, recs, fresh.evidence,
                                              fresh.standing, fresh.standing_evidence)  # fmt: skip


@pytest.mark.parametrize("months_back, unit", [(0, "west"), (2, "all")])
def test_kept_report_equals_direct_computation_value_by_value(sample_dir, sample_truth, tmp_path, months_back, unit):
    period = str(parse_period(sample_truth["end"]) - months_back)
    first = open_report(period, unit, "en", sample_dir, tmp_path / "validated")
    first.report  # noqa: B018 - computes and keeps it
    again = open_report(period, unit, "en", sample_dir, tmp_path / "validated", fingerprint=first.report.fingerprint)
    card, document = _direct(again)
    pd.testing.assert_frame_equal(again.scorecard, card, check_exact=False, rtol=1e-12, atol=0)
    kept = findings_document(period, unit, again.findings, again.recommendations, again.evidence, again.standing,
                             again.report.standing_evidence)  # fmt: skip
    _assert_same(kept, document)
    assert kept["findings"] or kept["standing"], "the sample month has findings to compare"


def test_second_open_reads_the_kept_report_and_computes_nothing(sample_dir, sample_truth, tmp_path, monkeypatch):
    period = sample_truth["end"]
    ctx = open_report(period, "east", "en", sample_dir, tmp_path / "validated")
    kept = list((tmp_path / "validated" / "computed").glob("*.pkl")) if (tmp_path / "validated").exists() else []
    assert kept == []  # nothing is computed before it is used
    card = ctx.scorecard
    files = list((tmp_path / "validated" / "computed").glob(f"{period}_east_*.pkl"))
    assert len(files) == 1

    def no_computing(*args, **kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(computed, "compute", no_computing)
    monkeypatch.setattr("csreport.metrics.kpis.compute_many", no_computing)  # trends and KPIs come from the kept cache
    again = open_report(period, "east", "en", sample_dir, tmp_path / "validated", fingerprint=ctx.report.fingerprint)
    pd.testing.assert_frame_equal(again.scorecard, card, check_exact=True)
    assert len(again.trend("service_level")) == 13
    assert again.cache.kpis(period, "east")["contacts"].value == card.set_index("kpi").loc["contacts", "value"]


def test_a_changed_parameter_file_computes_a_new_report(sample_dir, sample_truth, tmp_path):
    params = tmp_path / "params"
    shutil.copytree(context.Settings.resolve().params_dir, params)
    period = sample_truth["end"]
    ctx = open_report(period, "east", "en", sample_dir, tmp_path / "validated", params_dir=params)
    before = ctx.report.key
    with (params / "findings.yml").open("a", encoding="utf-8") as fh:
        fh.write("\n# edited\n")
    again = open_report(period, "east", "en", sample_dir, tmp_path / "validated", params_dir=params)
    assert again.report.key != before
    assert len(list((tmp_path / "validated" / "computed").glob(f"{period}_east_*.pkl"))) == 2


def test_the_key_follows_the_code_so_no_format_number_is_bumped(monkeypatch):
    """Changing any source file of the package changes the key of every kept object (no hand-bumped number)."""
    before = computed.report_key("fp", "2024-06", "east", "params")
    assert computed.report_key("fp", "2024-06", "east", "params") == before
    monkeypatch.setattr(computed, "code_digest", lambda: "0" * 64)
    assert computed.report_key("fp", "2024-06", "east", "params") != before
    assert not hasattr(computed, "FORMAT")


def test_fingerprint_from_the_run_skips_validation(sample_dir, sample_truth, tmp_path, monkeypatch):
    """A chapter given the run's fingerprint neither re-validates nor re-hashes; a stale one validates."""
    ctx = open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path / "validated")
    calls = []
    real = context.ingest
    monkeypatch.setattr(context, "ingest", lambda *a, **k: calls.append(a) or real(*a, **k))
    open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path / "validated",
                fingerprint=ctx.ingest_report.fingerprint)  # fmt: skip
    assert calls == []
    open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path / "validated", fingerprint="stale")
    assert len(calls) == 1


def test_a_report_asked_for_while_it_is_computed_waits_and_is_computed_once(tmp_path, monkeypatch):
    """The run computes the report in a thread while the first chapter's kernel (another process) asks for it:
    the second asker waits on the lock and reads the first one's file. Here: two other processes."""
    import multiprocessing

    monkeypatch.setattr(computed, "compute", _slow_compute)
    log = tmp_path / "computed.log"
    context_ = multiprocessing.get_context("fork")
    askers = [context_.Process(target=_ask, args=(tmp_path, log)) for _ in range(2)]
    for p in askers:
        p.start()
    for p in askers:
        p.join(30)
    assert [p.exitcode for p in askers] == [0, 0]
    assert log.read_text().splitlines().count("computed") == 1
    assert log.read_text().splitlines().count("got 42") == 2


class _FakeStore:
    def __init__(self, path):
        self.path = path / "store"


def _slow_compute(store, period, unit, targets, rules, key, fingerprint):
    import time

    with (store.path.parent / "computed.log").open("a") as fh:
        fh.write("computed\n")
    time.sleep(1.0)
    return computed.ComputedReport(key, period, unit, fingerprint, pd.DataFrame({"value": [42]}), [], {}, [])


def _ask(root, log):
    report = computed.computed_report(_FakeStore(root), "2026-10", "east", None, None, "fp", "params")
    with log.open("a") as fh:
        fh.write(f"got {report.scorecard['value'].iloc[0]}\n")
