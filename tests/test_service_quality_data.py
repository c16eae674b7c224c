"""Chapter 3's section data (csreport/report/chapters/service_quality_data.py): the numbers of the bottlenecks and the
standards, built once per report, against the same numbers worked out here from the rows."""

from __future__ import annotations

import pandas as pd
import pytest

from csreport.report.chapters import open_report


@pytest.fixture(scope="module")
def every_unit(sample_dir, sample_truth, tmp_path_factory):
    return open_report(sample_truth["end"], "all", "en", sample_dir, tmp_path_factory.mktemp("sq") / "validated")


def test_the_bottlenecks_are_the_waits_and_resolution_times_of_the_rows(every_unit):
    ctx = every_unit
    data = ctx.section_data("03.bottlenecks")
    min_sample = ctx.targets.parameters.min_sample
    contacts = ctx.store.read("contacts", ctx.period, ctx.unit, local=True)  # local hours, as the chapter shows
    queued = contacts[contacts["channel"].isin(["phone", "chat"])]
    assert data.queued == len(queued) and data.absent == []

    waits = queued.dropna(subset=["queue_wait_s"])
    cells = {}
    for (day, hour), group in waits.groupby([waits["created_at"].dt.day_of_week, waits["created_at"].dt.hour]):
        cells[(day, hour)] = (group["queue_wait_s"].sum() / len(group), len(group))
    for (day, hour), (mean, _) in cells.items():
        assert data.waits.at[day, hour] == pytest.approx(mean)
    large = {cell: v for cell, v in cells.items() if v[1] >= min_sample}
    assert large, "the sample has a weekday × hour of 30 queued contacts"
    (day, hour), (mean, n) = max(large.items(), key=lambda item: item[1][0])
    assert data.longest_wait[:2] == (day, hour) and data.longest_wait[2] == pytest.approx(mean)
    assert data.longest_wait[3] == n

    resolved = contacts.dropna(subset=["resolved_at"])
    seconds = (resolved["resolved_at"] - resolved["created_at"]).dt.total_seconds()
    pairs = [(category, channel, s.median(), len(s)) for (category, channel), s in
             seconds.groupby([resolved["category"], resolved["channel"]]) if len(s) >= min_sample]  # fmt: skip
    slowest = sorted(pairs, key=lambda p: -p[2])[:8]
    assert len(data.slowest) == min(8, len(pairs))
    for row, (category, channel, median, n) in zip(data.slowest.itertuples(), slowest, strict=True):
        assert (row.category, row.channel, row.count) == (category, channel, n)
        assert row.median == pytest.approx(median)


def test_the_standards_data_is_the_attainment_of_each_target(every_unit):
    """The exports read it instead of computing the attainment again: one row per target (and per channel where
    one is set), the overall rows the period's KPIs, each status the value against the target."""
    ctx = every_unit
    table = ctx.section_data("03.standards")
    assert isinstance(table, pd.DataFrame)
    assert {"metric", "channel", "value", "n", "target", "direction", "status"} <= set(table.columns)
    overall = table[table["channel"] == "all"].set_index("metric")
    assert set(overall.index) <= set(ctx.targets.targets)
    sl = overall.loc["service_level"]
    assert sl["value"] == pytest.approx(ctx.measure("service_level").value)
    assert sl["target"] == ctx.targets.targets["service_level"].target
    assert sl["status"] == ("met" if sl["value"] >= sl["target"] else "missed")
    assert set(table[table["channel"] != "all"]["channel"]) <= set(ctx.store.read("contacts", ctx.period)["channel"])
