"""The chapter notebooks as an analyst meets them: a note per section (what it asks, how it is measured, the
data dictionary's formulas) before a short cell that shows the numbers and renders the section; thresholds that
papermill can change and that change the numbers; a report's manifest.json says which notebooks made it."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest

from csreport.errors import ParameterError
from csreport.metrics.dictionary import KPI_DEFINITIONS
from csreport.metrics.targets import THRESHOLDS, load_targets, with_thresholds
from csreport.pipeline.notebooks import CHAPTERS, KERNEL, NOTES_TAG, merge
from csreport.pipeline.run import RunSpec, run_report
from csreport.report.chapters import SECTIONS, descriptions, open_report
from csreport.report.chapters import service_quality as chapter3

ROOT = Path(__file__).parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
NOTEBOOKS = {name: ROOT / "notebooks" / f"{name}.ipynb" for name in SECTIONS}


@pytest.fixture
def kpi_data(tmp_path) -> Path:
    """contacts_kpi.csv alone: eight contacts of unit east in October 2026, by hand."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "contacts_kpi.csv", data / "contacts.csv")
    return data


def expected_service_level(rows: pd.DataFrame, seconds: float, short_abandon_s: float = 5.0) -> float:
    """Service level worked out from the raw rows: phone and chat contacts answered within ``seconds`` over
    answered + abandoned, abandons under ``short_abandon_s`` seconds left out of both."""
    queued = rows[rows["channel"].isin(["phone", "chat"])]
    abandoned = queued["abandoned"].astype(str).str.lower() == "true"
    counted = queued[~(abandoned & (queued["queue_wait_s"] < short_abandon_s))]
    counted_abandoned = counted["abandoned"].astype(str).str.lower() == "true"
    answered_in_time = (~counted_abandoned) & (counted["queue_wait_s"] <= seconds)
    return answered_in_time.sum() / len(counted)


# -- notes before each section ------------------------------------------------------------------------------------


def test_every_section_has_a_note_whose_formulas_come_from_the_data_dictionary():
    sections = [s for _, names in SECTIONS.values() for s in names]
    assert sorted(descriptions.DESCRIPTIONS) == sorted(sections)
    definitions = {name: en for name, en, _zh in KPI_DEFINITIONS}
    note = descriptions.markdown("service_level")
    assert definitions["service level %"] in note and definitions["ASA"] in note
    with pytest.raises(KeyError, match="not in csreport.metrics.dictionary.KPI_DEFINITIONS"):
        descriptions.formula("service levels")


@pytest.mark.parametrize("name", list(SECTIONS), ids=str)
def test_each_section_cell_follows_its_note_and_shows_its_numbers(name):
    cells = nbformat.read(NOTEBOOKS[name], as_version=4).cells
    _, sections = SECTIONS[name]
    for section in sections:
        [index] = [i for i, c in enumerate(cells) if c.cell_type == "code" and f"chapter.{section}(ctx)" in c.source]
        note = cells[index - 1]
        assert note.cell_type == "markdown" and NOTES_TAG in note.metadata.get("tags", [])
        assert note.source == descriptions.markdown(section), "run python tools/build_notebooks.py"
        assert cells[index].source == descriptions.code(section)
        assert "def " not in cells[index].source


def test_the_notes_stay_out_of_the_report(tmp_path):
    report = merge([NOTEBOOKS["03_service_quality"]], tmp_path / "report.ipynb", "Report", "en")
    assert not [c for c in report.cells if c.cell_type == "markdown"]
    assert all("**Asks:**" not in c.source for c in report.cells)


# -- thresholds -----------------------------------------------------------------------------------------------------


def test_the_thresholds_are_parameters_of_every_notebook():
    for path in NOTEBOOKS.values():
        names = {p for p in papermill.inspect_notebook(str(path))}
        assert set(THRESHOLDS) <= names
        assert all(papermill.inspect_notebook(str(path))[t]["default"] == "None" for t in THRESHOLDS)


def test_a_threshold_replaces_only_the_files_value():
    targets = load_targets(ROOT / "params" / "targets.yml")
    assert with_thresholds(targets, min_sample=None, confidence="") is targets
    changed = with_thresholds(targets, service_level_threshold_s=30, min_sample=10, churn_window_days=60)
    assert changed.parameters.service_level_threshold_s == {"phone": 30.0, "chat": 30.0}
    assert (changed.parameters.min_sample, changed.parameters.churn_window_days) == (10, 60)
    assert changed.parameters.confidence == targets.parameters.confidence
    assert changed.targets == targets.targets
    per_channel = with_thresholds(targets, service_level_threshold_s={"chat": 40})
    assert per_channel.parameters.service_level_threshold_s == {"phone": 20.0, "chat": 40.0}
    assert with_thresholds(targets, forecast_horizon_months="6").parameters.forecast_horizon_months == 6


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("min_sample", 0, "min_sample: must be a whole number of 1 or more; found 0"),
        ("min_sample", 2.5, "min_sample: must be a whole number"),
        ("confidence", 1.2, "confidence: must be a number above 0.5 and below 1; found 1.2"),
        ("service_level_threshold_s", "soon", "service_level_threshold_s: must be a number above 0; found 'soon'"),
        ("forecast_horizon_months", 0, "forecast_horizon_months: must be a whole number of 1 or more"),
    ],
)
def test_a_bad_threshold_is_a_clear_error(name, value, message):
    targets = load_targets(ROOT / "params" / "targets.yml")
    with pytest.raises(ParameterError, match=re.escape(message) + ".*None for the value of the targets file"):
        with_thresholds(targets, **{name: value})


def test_a_bad_threshold_stops_open_report_before_reading_data(kpi_data, tmp_path):
    with pytest.raises(ParameterError, match="notebook parameter confidence"):
        open_report("2026-10", "east", "en", kpi_data, tmp_path / "work", thresholds={"confidence": 2})
    assert not (tmp_path / "work").exists()  # nothing validated


def test_the_service_level_threshold_moves_the_section_to_the_number_worked_out_from_the_rows(kpi_data, tmp_path):
    rows = pd.read_csv(kpi_data / "contacts.csv")
    seen = {}
    for seconds in (None, 30, 45):
        ctx = open_report("2026-10", "east", "en", kpi_data, tmp_path / "work",
                          thresholds={"service_level_threshold_s": seconds})  # fmt: skip
        section = chapter3.service_level(ctx)
        seen[seconds] = ctx.measure("service_level").value
        assert ctx.measures("service_level").loc["service_level", "value"] == seen[seconds]
        assert ctx.scorecard.set_index("kpi").loc["service_level", "value"] == seen[seconds]
        shown = f"{100 * seen[seconds]:.1f}%"
        assert shown in section.sentences[0]
    assert seen[None] == pytest.approx(expected_service_level(rows, 20))  # the targets file's T: 20 s
    assert seen[30] == pytest.approx(expected_service_level(rows, 30))
    assert seen[45] == pytest.approx(expected_service_level(rows, 45))
    assert seen[None] < seen[30] < seen[45]  # 2/5, 3/5, 4/5 by hand


def test_papermill_p_changes_the_chapters_numbers(kpi_data, tmp_path):
    def run(seconds) -> str:
        target = tmp_path / f"03_{seconds}.ipynb"
        parameters = {"period": "2026-10", "business_unit": "east", "data_dir": str(kpi_data),
                      "work_dir": str(tmp_path / "work"), "service_level_threshold_s": seconds}  # fmt: skip
        papermill.execute_notebook(str(NOTEBOOKS["03_service_quality"]), str(target), parameters=parameters,
                                   cwd=str(ROOT / "notebooks"), kernel_name=KERNEL, progress_bar=False)  # fmt: skip
        outputs = nbformat.read(target, as_version=4).cells
        return "\n".join(o.get("data", {}).get("text/markdown", "") for c in outputs for o in c.get("outputs", []))

    rows = pd.read_csv(kpi_data / "contacts.csv")
    assert f"Service level was {100 * expected_service_level(rows, 20):.1f}%" in run(None)
    assert f"Service level was {100 * expected_service_level(rows, 45):.1f}%" in run(45)


# -- manifest -------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory) -> RunSpec:
    """A finished report on contacts_kpi.csv alone, run with service_level_threshold_s = 45."""
    data = tmp_path_factory.mktemp("data")
    shutil.copy(FIXTURES / "contacts_kpi.csv", data / "contacts.csv")
    spec = RunSpec("2026-10", "east", "en", data, tmp_path_factory.mktemp("reports"), renderer="builtin",
                   extra={"service_level_threshold_s": 45})  # fmt: skip
    result = run_report(spec)
    assert result.status == "ok", result.error
    return spec


def _html_text(spec: RunSpec) -> str:
    return (spec.target / "report.html").read_text(encoding="utf-8")


def test_the_manifest_records_each_chapters_notebook_and_parameters(tiny_report):
    spec = tiny_report
    manifest = json.loads((spec.target / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["chapters"]) == list(CHAPTERS)
    for name, record in manifest["chapters"].items():
        source = spec.notebook_dir / f"{name}.ipynb"
        assert record["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
        assert record["parameters"]["service_level_threshold_s"] == 45
        assert record["parameters"]["period"] == "2026-10" and record["parameters"]["business_unit"] == "east"
        assert record["parameters"]["fingerprint"] == manifest["data_fingerprint"]
    rows = pd.read_csv(spec.data_dir / "contacts.csv")
    assert manifest["headline"]["service_level"]["value"] == pytest.approx(expected_service_level(rows, 45))
    html = _html_text(spec)
    assert f"Service level was {100 * expected_service_level(rows, 45):.1f}%" in html
    assert "**Asks:**" not in html and "Asks:" not in html  # the analyst's notes stay out of the report


# -- one chapter again --------------------------------------------------------------------------------------------


def test_one_chapter_reruns_into_the_report_and_the_others_are_kept(tiny_report, tmp_path):
    from csreport.pipeline.rerun import rerun_chapter

    before = json.loads((tiny_report.target / "manifest.json").read_text(encoding="utf-8"))
    kept = {n: (tiny_report.target / "chapters" / f"{n}.ipynb").read_bytes() for n in CHAPTERS}
    spec = RunSpec(tiny_report.period, tiny_report.unit, "en", tiny_report.data_dir, tiny_report.out_dir,
                   renderer="builtin", extra={"service_level_threshold_s": 30})  # fmt: skip
    result = rerun_chapter(spec, "03")
    assert result.status == "ok", result.error
    after = json.loads((spec.target / "manifest.json").read_text(encoding="utf-8"))
    assert after["rerun"]["chapter"] == "03_service_quality"
    assert after["chapters"]["03_service_quality"]["parameters"]["service_level_threshold_s"] == 30
    for name in CHAPTERS:
        same = (spec.target / "chapters" / f"{name}.ipynb").read_bytes() == kept[name]
        assert same == (name != "03_service_quality"), name
        if name != "03_service_quality":
            assert after["chapters"][name] == before["chapters"][name]
    assert after["inputs_key"] is None  # chapters run with different parameters: a batch --resume runs it again
    rows = pd.read_csv(spec.data_dir / "contacts.csv")
    assert f"Service level was {100 * expected_service_level(rows, 30):.1f}%" in _html_text(spec)
    assert (spec.target / "report.pdf").stat().st_size > 0 and (spec.target / "findings.json").is_file()
    assert not list(spec.target.parent.glob(".*tmp*")), "temporary directory left behind"


def test_a_chapter_reruns_only_into_a_finished_report(tmp_path, kpi_data):
    from csreport.pipeline.rerun import chapter_name, rerun_chapter

    assert chapter_name("3") == chapter_name("03_service_quality") == "03_service_quality"
    with pytest.raises(ParameterError, match=r"--chapter 07: no such chapter; chapters: 01_background"):
        chapter_name("07")
    spec = RunSpec("2026-10", "east", "en", kpi_data, tmp_path / "reports", renderer="builtin")
    with pytest.raises(ParameterError, match="no finished report to re-run chapter 03_service_quality in. Run it"):
        rerun_chapter(spec, "03")


def test_csreport_run_chapter_without_a_report_is_one_message_and_exit_2(kpi_data, tmp_path):
    from typer.testing import CliRunner

    from csreport.cli import app

    args = ["run", "--period", "2026-10", "--unit", "east", "--data", str(kpi_data), "--out", str(tmp_path / "out")]
    for chapter, message in (("9", "--chapter 9: no such chapter"), ("03", "no finished report to re-run chapter")):
        result = CliRunner().invoke(app, [*args, "--chapter", chapter], env={"COLUMNS": "300"})
        assert result.exit_code == 2, result.output
        assert message in " ".join(result.output.split()) and "Traceback" not in result.output


def test_each_threshold_reaches_what_it_sets(kpi_data, tmp_path, monkeypatch):
    import csreport.report.computed_analyses as computed_analyses

    horizons = []
    real = computed_analyses.forecast_volume
    monkeypatch.setattr(
        computed_analyses, "forecast_volume", lambda h, months: horizons.append(months) or real(h, months)
    )
    thresholds = {"min_sample": 12, "confidence": 0.9, "forecast_horizon_months": 6, "churn_window_days": 60}
    ctx = open_report("2026-10", "east", "en", kpi_data, tmp_path / "work", thresholds=thresholds)
    params = ctx.targets.parameters
    assert (params.min_sample, params.confidence, params.churn_window_days) == (12, 0.9, 60)
    assert (ctx.rules.min_sample, ctx.rules.alpha) == (12, pytest.approx(0.1))  # the findings' tests use them
    ctx.analyses  # noqa: B018 - computed with the thresholds
    assert horizons == [6]
    default = open_report("2026-10", "east", "en", kpi_data, tmp_path / "work")
    assert default.params_digest != ctx.params_digest  # kept apart from the numbers of the file's values
