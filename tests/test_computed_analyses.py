"""Compute once, draw in the kernel: the chapters' model-based analyses (segmentation, drivers, comments,
satisfaction → loyalty, volume forecast) are computed once per report and kept beside it; who churns and the
process costs are computed once for the findings and the chapters. A chapter reads them and fits nothing."""

from __future__ import annotations

import pandas as pd
import pytest

from csreport.analyses.comments import analyse_comments
from csreport.analyses.drivers import driver_frame, satisfaction_drivers
from csreport.analyses.forecast import forecast_volume, monthly_volume
from csreport.analyses.loyalty import loyalty
from csreport.analyses.segmentation import customer_features, segment_customers
from csreport.findings.rules import load_rules
from csreport.report import computed_analyses
from csreport.report.chapters import customers, open_report, outlook, service_quality
from csreport.report.chapters import section as chapter_section


@pytest.fixture
def shown(monkeypatch):
    outputs = []
    monkeypatch.setattr(chapter_section, "display", outputs.append)
    return outputs


def _fails(name):
    def fail(*args, **kwargs):
        raise AssertionError(f"{name} computed again")

    return fail


def test_kept_analyses_equal_computing_them_as_the_chapters_did(sample_dir, sample_truth, tmp_path):
    ctx = open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path / "validated")
    kept = ctx.analyses
    # what chapter 2's and chapter 6's sections computed in the kernel before
    features = customer_features(ctx.read_all("customers"), ctx.read("contacts", 12), ctx.read("surveys", 12),
                                 ctx.period)  # fmt: skip
    pd.testing.assert_frame_equal(kept.segment_features, features)
    segments = segment_customers(features)
    assert kept.segmentation.k == segments.k and kept.segmentation.silhouettes == segments.silhouettes
    pd.testing.assert_frame_equal(kept.segmentation.profiles, segments.profiles)
    frame = driver_frame(ctx.read("surveys", 6), ctx.read("contacts", 6), ctx.read_all("agents"))
    drivers = satisfaction_drivers(frame, confidence=ctx.targets.parameters.confidence)
    pd.testing.assert_frame_equal(kept.drivers.effects, drivers.effects)
    assert kept.drivers.r_squared == pytest.approx(drivers.r_squared, rel=1e-12)
    comments = analyse_comments(ctx.read("surveys", 12), ctx.read("contacts", 12))
    assert {k: (m.macro_f1, m.accuracy, m.top_terms) for k, m in kept.comments.models.items()} == {
        k: (m.macro_f1, m.accuracy, m.top_terms) for k, m in comments.models.items()
    }
    pd.testing.assert_frame_equal(kept.comments.comments, comments.comments)
    loyal = loyalty(ctx.read_all("customers"), ctx.surveys_history, ctx.history, ctx.period, months=12)
    pd.testing.assert_frame_equal(kept.loyalty.by_csat, loyal.by_csat)
    pd.testing.assert_frame_equal(kept.loyalty.odds_ratios, loyal.odds_ratios)
    forecast = forecast_volume(ctx.history[["created_at"]])
    pd.testing.assert_frame_equal(kept.forecast.monthly, forecast.monthly)
    pd.testing.assert_series_equal(kept.monthly_volume, monthly_volume(ctx.history[["created_at"]]))


def test_chapters_read_the_kept_analyses_and_fit_no_model(sample_dir, sample_truth, tmp_path, monkeypatch, shown):
    period = sample_truth["end"]
    first = open_report(period, "east", "en", sample_dir, tmp_path / "validated")
    first.report, first.analyses  # noqa: B018 - computes and keeps both, as a run's background thread does
    kept = list((tmp_path / "validated" / "computed").glob(f"{period}_east_*.analyses.pkl"))
    assert len(kept) == 1
    for name in ("customer_features", "segment_customers", "satisfaction_drivers", "analyse_comments", "loyalty",
                 "forecast_volume"):  # fmt: skip
        monkeypatch.setattr(computed_analyses, name, _fails(name))
    monkeypatch.setattr("csreport.findings.collect.churn_groups", _fails("who churns"))
    monkeypatch.setattr("csreport.findings.collect.process_costs", _fails("process costs"))
    ctx = open_report(period, "east", "en", sample_dir, tmp_path / "validated", fingerprint=first.report.fingerprint)
    segmentation = customers.segmentation(ctx)
    assert segmentation.sentences and segmentation.figure is not None
    assert customers.drivers(ctx).figure is not None
    assert customers.comments(ctx).tables[0].shape[0] > 0
    assert len(customers.loyalty(ctx).figures) == 2  # who churns by contacts, then churn by satisfaction band
    assert outlook.forecast(ctx).figure is not None
    assert service_quality.cost_benefit(ctx).tables
    # the parts the sections show are the kept ones
    assert first.analyses.drivers.effects["label"].tolist() == ctx.analyses.drivers.effects["label"].tolist()


def test_findings_and_chapters_share_one_who_churns_and_one_process_costs(sample_dir, sample_truth, tmp_path,
                                                                          monkeypatch, shown):  # fmt: skip
    from csreport.findings import collect

    # the month each call is about: churn_groups(customers, contacts, period, …), process_costs(contacts, start, …)
    calls = {"who churns": [], "process costs": []}
    real_churn, real_costs = collect.churn_groups, collect.process_costs

    def counted(name, real, month_of):
        def call(*args, **kwargs):
            calls[name].append(month_of(args))
            return real(*args, **kwargs)

        return call

    start_month = lambda a: str(pd.Timestamp(a[1]).to_period("M"))  # noqa: E731
    monkeypatch.setattr(collect, "churn_groups", counted("who churns", real_churn, lambda a: str(a[2])))
    monkeypatch.setattr(collect, "process_costs", counted("process costs", real_costs, start_month))
    ctx = open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path / "validated")
    assert any(f.kind == "churn_group" for f in ctx.findings) or ctx.who_churns.available
    customers.loyalty(ctx)
    service_quality.cost_benefit(ctx)
    # the report's month once, shared by the findings and the chapters; the earlier windows a standing issue is
    # compared with once each
    windows = load_rules().standing_windows
    for name in calls:
        assert calls[name][0] == sample_truth["end"] and len(calls[name]) == 1 + windows, calls
        assert len(set(calls[name])) == len(calls[name]), calls


def test_only_contacts_keeps_a_forecast_and_no_customer_analyses(sample_dir, sample_truth, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "contacts.parquet").write_bytes((sample_dir / "contacts.parquet").read_bytes())
    ctx = open_report(sample_truth["end"], "all", "en", data, tmp_path / "validated")
    kept = ctx.analyses
    assert (kept.segmentation, kept.drivers, kept.comments, kept.loyalty, ctx.who_churns) == (None,) * 5
    assert kept.forecast.available
    assert kept.monthly_volume.sum() == len(ctx.history)
