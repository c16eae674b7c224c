"""One report, end to end, computes each expensive thing once: the scorecard, the KPI passes, the same-age pass,
attainment, the recommendations, who churns, the process costs and every model fit (counted across the run's
process and its chapter kernels through ``CSREPORT_CALL_LOG``, :mod:`csreport.metrics.calls`); and the numbers it keeps
are those of the raw rows, worked out here with pandas."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csreport.metrics.calls import ENV, counted, read_calls
from csreport.metrics.targets import load_targets
from csreport.pipeline.run import RunSpec, run_report
from csreport.report.chapters.context import open_report

UNIT = "east"

#: calls every report of the sample makes (the sample has every optional table and a maturing last month)
ESSENTIAL = ("scorecard", "compute_many", "same_age_many", "attainment", "recommendations", "who_churns",
             "process_costs", "training_needs", "segmentation", "drivers", "comments", "loyalty", "forecast",
             "agent_ranking", "staffing")  # fmt: skip
#: the report's own numbers are built in the run's process (the chapter kernels only load them)
BUILT_IN_THE_PARENT = ("scorecard", "compute_many", "same_age_many", "attainment", "who_churns", "process_costs",
                       "segmentation", "drivers", "comments", "loyalty", "forecast")  # fmt: skip


@pytest.fixture(scope="module")
def counted_run(sample_dir, sample_truth, tmp_path_factory):
    """One report (the sample's last month × east, en, real kernels) run with the call log on: the run's
    folder and the calls, name → the pid of each call."""
    out = tmp_path_factory.mktemp("compute-once")
    log = out / "calls.log"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ENV, str(log))  # the warm engine keys its kernel on the environment: a kernel of its own
        result = run_report(RunSpec(sample_truth["end"], UNIT, "en", sample_dir, out, renderer="builtin"))
    assert result.status == "ok", result.error
    return result.spec, read_calls(log)


def _kind(label: str) -> str:
    return label.split(" ", 1)[0]


def _twice(calls: dict[str, list[int]]) -> dict[str, list[int]]:
    return {label: pids for label, pids in calls.items() if len(pids) > 1}


def test_no_expensive_call_runs_twice(counted_run):
    _, calls = counted_run
    twice = _twice(calls)
    assert twice == {}, f"computed more than once (label → pids): {twice}"


def test_the_essential_calls_ran_in_the_run_process(counted_run):
    _, calls = counted_run
    kinds = {_kind(label) for label in calls}
    assert set(ESSENTIAL) <= kinds, f"never called: {set(ESSENTIAL) - kinds}"
    elsewhere = {label: pids for label, pids in calls.items()
                 if _kind(label) in BUILT_IN_THE_PARENT and set(pids) != {os.getpid()}}  # fmt: skip
    assert elsewhere == {}, f"built in a chapter kernel, not in the run (pid {os.getpid()}): {elsewhere}"
    assert "recommendations en" in calls and not any(_kind(k) == "month_kpis" for k in calls)


def test_opening_a_chapter_of_the_run_computes_nothing(counted_run, tmp_path, monkeypatch):
    """A chapter (or an analyst) opening the report the run made reads the kept report, analyses, model and
    recommendations: with the call log on, nothing is logged."""
    spec, _ = counted_run
    log = tmp_path / "calls.log"
    monkeypatch.setenv(ENV, str(log))
    fingerprint = _fingerprint(spec)
    ctx = open_report(spec.period, UNIT, "en", spec.data_dir, spec.work_dir, fingerprint=fingerprint)
    ctx.scorecard, ctx.recommendations, ctx.analyses, ctx.model, ctx.trend("service_level")  # noqa: B018
    assert read_calls(log) == {}


def _fingerprint(spec) -> str:
    import json

    return json.loads((spec.target / "manifest.json").read_text(encoding="utf-8"))["data_fingerprint"]


def _raw_contacts(spec) -> pd.DataFrame:
    """The unit's contacts of the period from the sample's own Parquet file, less the rows validation quarantined
    (``source_row``: 1-based row of the file), sliced at the unit's local midnight (the file's naive times are in
    the run's time zone)."""
    source = spec.data_dir / "contacts.parquet"
    contacts = pd.read_parquet(source)
    ctx = open_report(spec.period, UNIT, "en", spec.data_dir, spec.work_dir, fingerprint=_fingerprint(spec))
    quarantine = pd.read_csv(Path(ctx.ingest_report.quarantine_dir) / "contacts.csv")
    quarantined = quarantine.loc[quarantine["source_file"] == str(source), "source_row"].unique() - 1
    contacts = contacts.drop(index=contacts.index[quarantined])
    local = contacts["created_at"].dt.tz_localize(ctx.store.run_zone).dt.tz_convert(ctx.zone).dt.tz_localize(None)
    return contacts[(contacts["business_unit"] == UNIT) & (local.dt.to_period("M").astype(str) == spec.period)]


def test_kept_scorecard_is_that_of_the_raw_rows(counted_run):
    spec, _ = counted_run
    ctx = open_report(spec.period, UNIT, "en", spec.data_dir, spec.work_dir, fingerprint=_fingerprint(spec))
    card = ctx.report.scorecard.set_index("kpi")
    contacts = _raw_contacts(spec)
    assert card.at["contacts", "value"] == len(contacts)

    params = load_targets(ctx.settings.targets).parameters
    threshold = contacts["channel"].astype(object).map(params.service_level_threshold_s).to_numpy(dtype=float)
    waited = contacts["queue_wait_s"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    known = contacts["abandoned"].notna().to_numpy()
    abandoned = contacts["abandoned"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    offered = ~np.isnan(threshold) & ~np.isnan(waited) & known & ~(abandoned & (waited < params.short_abandon_s))
    answered_in_time = offered & ~abandoned & (waited <= threshold)
    assert card.at["service_level", "n"] == offered.sum() > 0
    assert card.at["service_level", "value"] == pytest.approx(answered_in_time.sum() / offered.sum(), abs=1e-12)


def test_kept_attainment_is_the_scorecards_and_the_exports(counted_run):
    """The standards table is computed once with the report; its all-channel rows are the scorecard's values
    and the exports' "service standards" sheet is that table."""
    spec, _ = counted_run
    ctx = open_report(spec.period, UNIT, "en", spec.data_dir, spec.work_dir, fingerprint=_fingerprint(spec))
    standards = ctx.report.attainment
    card = ctx.report.scorecard.set_index("kpi")
    overall = standards[(standards["channel"] == "all") & (standards["basis"] != "business")]
    assert not overall.empty
    for row in overall[overall["metric"].isin(card.index)].itertuples(index=False):
        assert row.value == pytest.approx(card.at[row.metric, "value"], nan_ok=True)
    sheet = pd.read_excel(spec.target / "report.xlsx", sheet_name="service standards")
    assert len(sheet) == len(standards)
    assert sheet["metric"].tolist() == standards["metric"].tolist()


def test_the_counter_logs_only_when_asked(tmp_path, monkeypatch):
    calls = []

    @counted("toy", by=lambda x: f"x={x}")
    def toy(x):
        calls.append(x)
        return x * 2

    monkeypatch.delenv(ENV, raising=False)
    assert toy(1) == 2 and not list(tmp_path.iterdir())
    monkeypatch.setenv(ENV, str(tmp_path / "log"))
    assert toy(2) == 4 and toy(2) == 4 and toy(3) == 6
    assert read_calls(tmp_path / "log") == {"toy x=2": [os.getpid()] * 2, "toy x=3": [os.getpid()]}
    assert calls == [1, 2, 2, 3]
