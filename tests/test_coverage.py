"""Data coverage: the store knows each unit's first and last contact; a period outside it is an error, a month
cut off by it is compared per day with data, and a baseline outside it is n/a."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from csreport.cli import app
from csreport.data.ingest import ingest
from csreport.data.store import Store
from csreport.errors import ParameterError
from csreport.language import i18n
from csreport.metrics.comparisons import compare
from csreport.metrics.measure import Measure
from csreport.metrics.scorecard import KpiCache, scorecard
from csreport.metrics.targets import load_targets
from csreport.report.chapters import background
from csreport.report.chapters import section as chapter_section
from csreport.report.chapters.context import open_report

# contacts_ends_mid_month.csv: unit east, two contacts a day from 2026-09-01 to 2026-10-24 (60 + 48), none a
# complaint (category and is_complaint present so that the complaint findings run before optional-column support)
OUTSIDE = "period 2026-11 is outside the data of unit east: contacts from 2026-09-01 to 2026-10-24"


@pytest.fixture
def mid_month(data_dir, tmp_path):
    data = data_dir(contacts="contacts_ends_mid_month.csv")
    report = ingest(data, tmp_path / "work")
    return data, report, Store(Path(report.store_dir))


def test_coverage_is_recorded_at_validation(mid_month, tmp_path):
    _, report, store = mid_month
    recorded = json.loads((tmp_path / "work" / "ingest.json").read_text())["coverage"]
    assert recorded == {
        "east": ["2026-09-01T09:00:00", "2026-10-24T15:00:00"],
        "all": ["2026-09-01T09:00:00", "2026-10-24T15:00:00"],
    }
    assert report.coverage == recorded
    span = store.coverage("east")
    assert (span.days("2026-09"), span.days("2026-10"), span.days("2025-10"), span.days("2026-11")) == (30, 24, 0, 0)
    assert span.partial("2026-10") and not span.partial("2026-09")


def test_coverage_without_recorded_span_is_computed_from_the_store(mid_month, tmp_path):
    _, _, store = mid_month
    manifest = tmp_path / "work" / "ingest.json"
    data = json.loads(manifest.read_text())
    del data["coverage"]  # a manifest written before coverage was recorded
    manifest.write_text(json.dumps(data))
    assert store.coverage("east").last.isoformat() == "2026-10-24T15:00:00"


@pytest.mark.parametrize("period", ["2026-11", "2025-10"])
def test_period_outside_the_data_is_a_parameter_error(mid_month, tmp_path, period):
    data, _, _ = mid_month
    with pytest.raises(ParameterError, match=f"period {period} is outside the data of unit east: contacts from "
                       "2026-09-01 to 2026-10-24"):  # fmt: skip
        open_report(period, "east", data_dir=data, work_dir=tmp_path / "work")
    with pytest.raises(ParameterError, match=f"period {period} is outside the data: contacts from 2026-09-01"):
        open_report(period, "all", data_dir=data, work_dir=tmp_path / "work")


def test_run_on_a_period_after_the_data_exits_2_naming_the_range(mid_month, tmp_path):
    data, _, _ = mid_month
    result = CliRunner().invoke(
        app,
        ["run", "--period", "2026-11", "--unit", "east", "--data", str(data), "--out", str(tmp_path / "reports")],
        env={"COLUMNS": "300"},
    )
    assert result.exit_code == 2, result.output
    assert OUTSIDE in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_partial_month_counts_are_compared_per_day_with_data(mid_month):
    _, _, store = mid_month
    card = scorecard(store, "2026-10", "east").set_index("kpi")
    contacts = card.loc["contacts"]
    assert (contacts["value"], contacts["previous"], contacts["days"], contacts["previous_days"]) == (48, 60, 24, 30)
    assert contacts["partial"] and not contacts["previous_partial"]
    # 48 / 60 − 1 = −20% as counts, but 48 / 24 = 2 a day against 60 / 30 = 2 a day: no change, p = 1
    assert contacts["relative_vs_previous"] == pytest.approx(0.0)
    assert contacts["change_vs_previous"] == pytest.approx(0.0)  # 48 − 60 × 24 / 30
    assert contacts["p_vs_previous"] == pytest.approx(1.0)
    assert not contacts["significant_vs_previous"]
    assert contacts["test"] == "Poisson (rates per day with data)"


def test_same_month_last_year_outside_the_data_is_na_not_zero(mid_month):
    _, _, store = mid_month
    card = scorecard(store, "2026-10", "east").set_index("kpi")
    contacts = card.loc["contacts"]
    assert contacts["last_year_days"] == 0
    assert pd.isna(contacts["last_year"]) and pd.isna(contacts["relative_vs_last_year"])
    assert pd.isna(contacts["p_vs_last_year"]) and not contacts["significant_vs_last_year"]


@pytest.mark.parametrize(
    "lang, cutoff, volume",
    [
        ("en", "October 2026 is a partial month: data to 24 October (24 of its 31 days)",
         "48 times in 24 days with data, against 60 in 30 days the month before (unchanged per day); the data do not "
         "reach back to October 2025."),
        ("zh", "2026 年 10 月为不完整月份：数据截至 10 月 24 日（全月 31 天中有 24 天）",
         "在有数据的 24 天内共联络我们 48 次，上月 30 天内为 60 次（日均持平）；数据未覆盖 2025 年 10 月"),
    ],
)  # fmt: skip
def test_report_states_the_cutoff_and_marks_the_partial_month(mid_month, tmp_path, monkeypatch, lang, cutoff, volume):
    data, _, _ = mid_month
    shown = []
    monkeypatch.setattr(chapter_section, "display", shown.append)
    ctx = open_report("2026-10", "east", lang, data, tmp_path / "work")
    background.scope(ctx)._ipython_display_()  # a section returns its Section, which displays itself
    background.overview(ctx)._ipython_display_()  # a section returns its Section, which displays itself
    background.kpi_scorecard(ctx)._ipython_display_()  # a section returns its Section, which displays itself
    text = "\n".join(o.data for o in shown if isinstance(getattr(o, "data", None), str))
    assert cutoff in text
    assert volume in text
    contacts_row = next(
        line for line in text.splitlines() if line.startswith(f"| {i18n.label('kpi', 'contacts', lang)}")
    )
    contacts_row = contacts_row.replace("\xa0", " ")
    assert "48 ◐" in contacts_row and "60 ◐" not in contacts_row  # September is whole, October cut off
    assert "→" in contacts_row  # 2 a day in both months: unchanged, though 48 < 60


def test_counts_of_a_31_day_and_a_30_day_month_use_their_exposure():
    # 341 contacts in 31 days (11 a day) against 300 in 30 days (10 a day): +10% per day, not +13.7%
    now, before = (
        Measure("contacts", 341.0, 341, "count", kind="count"),
        Measure("contacts", 300.0, 300, "count", kind="count"),
    )
    per_day = compare(now, before, exposure=(31, 30))
    assert per_day.relative_change == pytest.approx(0.10)
    assert per_day.change == pytest.approx(341 - 300 * 31 / 30)
    assert per_day.p_value == pytest.approx(stats.binomtest(341, 641, 31 / 61).pvalue)
    assert per_day.test == "Poisson (rates per day with data)"
    equal = compare(now, before)
    assert equal.relative_change == pytest.approx(41 / 300)
    assert equal.p_value == pytest.approx(stats.binomtest(341, 641, 0.5).pvalue)
    assert per_day.p_value > equal.p_value  # the longer month explains part of the rise
    # 310 in 31 days against 300 in 30: equal rates per day, p = 1
    same = compare(Measure("contacts", 310.0, 310, "count", kind="count"), before, exposure=(31, 30))
    assert same.relative_change == pytest.approx(0.0) and same.p_value == pytest.approx(1.0)


def test_fcr_by_repeat_rule_in_a_censored_month_is_compared_at_the_same_age(data_dir, tmp_path):
    """contacts_fcr_repeat_censored.csv: each day 4 new customers; two of them come back 5 days later (17:00,
    17:30). Data end on 10 October 17:30, so October's customers of the 6th to the 10th cannot show their repeat.
    October: 60 contacts, 10 repeated → 50 / 60 = 83.3%. September as it stood on 10 September 17:30 (same age):
    50 contacts, 10 repeated → 40 / 50 = 80.0%, p = 0.652; September complete (170 contacts, 60 repeated, 64.7%)
    would have made the 18.6-point "improvement" significant (p = 0.007)."""
    report = ingest(data_dir(contacts="contacts_fcr_repeat_censored.csv"), tmp_path / "work")
    store = Store(Path(report.store_dir))
    card = scorecard(store, "2026-10", "east").set_index("kpi")
    fcr = card.loc["fcr_rate"]
    assert fcr["value"] == pytest.approx(50 / 60) and fcr["n"] == 60
    assert fcr["maturing"] and fcr["same_age"] and fcr["same_age_cutoff"] == "2026-09-10 17:30:00"
    assert fcr["previous"] == pytest.approx(40 / 50)
    assert fcr["p_vs_previous"] == pytest.approx(0.652, abs=0.001)
    assert not fcr["significant_vs_previous"]
    cache = KpiCache(store, load_targets())
    cache.preload(["2026-10"], ["east"])  # September with every repeat, up to the data's end
    complete = compare(cache.kpis("2026-10", "east")["fcr_rate"], cache.kpis("2026-09", "east")["fcr_rate"])
    assert complete.baseline == pytest.approx(110 / 170)
    assert complete.p_value == pytest.approx(0.007, abs=0.001) and complete.significant


def test_baselines_at_the_same_age_of_a_unit_and_of_all_units_in_one_pass(data_dir, tmp_path):
    """The preloaded same-age baselines (one pass over the store, a scenario per request) equal the hand count
    of the test above: September as it stood on 10 September 17:30 had 50 contacts, 10 repeated → 40 / 50, for
    east and for all units (east only) read together: repeats are looked for within each scenario, so a
    contact is not taken for a repeat of its own copy in the other one."""
    from csreport.metrics.maturing import same_age_many

    report = ingest(data_dir(contacts="contacts_fcr_repeat_censored.csv"), tmp_path / "work")
    store = Store(Path(report.store_dir))
    at = pd.Timestamp("2026-09-10 17:30")
    params = load_targets().parameters
    found = same_age_many(store, [("2026-09", "east", at), ("2026-09", "all", at)], params)
    for unit in ("east", "all"):
        fcr = found[("2026-09", unit, str(at))]["fcr_rate"]
        assert (fcr.numerator, fcr.n) == (40, 50)
    cache = KpiCache(store, load_targets())
    cache.preload(["2026-10"], ["east", "all"])  # what the scorecards of October need, read at once
    assert cache.same_age[("2026-09", "east", str(at))]["fcr_rate"].value == pytest.approx(40 / 50)
    assert scorecard(store, "2026-10", "all", cache=cache).set_index("kpi").loc["fcr_rate", "previous"] == 0.8


@pytest.mark.parametrize(
    "lang, method, same_age",
    [
        ("en", "a contact counts as resolved at first contact when the same customer does not contact us again "
         "within 7 days",
         "The last contacts of October 2026 cannot show all their outcomes yet (data to 10 October): "
         "First-contact resolution are compared with the previous month as it stood on 10 September"),
        ("zh", "同一客户在 7 天内未再次联络，即视为首次解决", "数据截至 10 月 10 日"),
    ],
)  # fmt: skip
def test_chapter_3_states_the_fcr_method_and_the_same_age_comparison(
    data_dir, tmp_path, monkeypatch, lang, method, same_age
):
    from csreport.report.chapters import service_quality

    shown = []
    monkeypatch.setattr(chapter_section, "display", shown.append)
    ctx = open_report("2026-10", "east", lang, data_dir(contacts="contacts_fcr_repeat_censored.csv"), tmp_path / "w")
    service_quality.service_level(ctx)._ipython_display_()  # a section returns its Section, which displays itself
    text = " ".join(o.data for o in shown if isinstance(getattr(o, "data", None), str))
    assert method in text
    assert same_age in text


def test_a_run_for_a_period_outside_the_data_fails_with_the_message_and_writes_no_report(mid_month, tmp_path):
    from csreport.pipeline.run import RunSpec, run_report

    data, _, _ = mid_month
    spec = RunSpec("2026-11", "east", data_dir=data, out_dir=tmp_path / "reports", work_dir=tmp_path / "work")
    result = run_report(spec)
    assert result.status == "failed" and result.bad_parameter
    assert OUTSIDE in result.error
    assert not (tmp_path / "reports").exists()  # no east.failed: a usage error is not a failed report


def test_a_month_cut_off_by_the_datas_start_is_partial_too():
    from csreport.data.store import Coverage

    span = Coverage("west", pd.Timestamp("2026-02-10 08:00"), pd.Timestamp("2026-03-31 23:59"))
    # February 2026 has 28 days; data from the 10th: 19 days. March is whole although it ends at 23:59.
    assert (span.days("2026-02"), span.days("2026-03"), span.days("2026-01")) == (19, 31, 0)
    assert span.partial("2026-02") and not span.partial("2026-03")
    with pytest.raises(ParameterError, match="period 2026-04 is outside the data of unit west: contacts from "
                       "2026-02-10 to 2026-03-31"):  # fmt: skip
        span.check("2026-04")
