"""Batches: a failing run does not stop the others, the summary and exit code say so, --resume reruns only
what failed or changed. Uses six one-cell chapter notebooks so the test measures the orchestration."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest

from csreport.errors import ParameterError
from csreport.pipeline.batch import expand_periods, expand_units, run_batch
from csreport.pipeline.notebooks import CHAPTERS
from csreport.pipeline.run import RunSpec

FAIL_ON = "west"


@pytest.fixture
def small_chapters(tmp_path):
    """Six chapters with a parameters cell and one line of output; chapter 3 fails for the FAIL_ON unit."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in CHAPTERS:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        params = (
            'period = "2026-10"\nbusiness_unit = "all"\nlang = "en"\ndata_dir = ""\nwork_dir = ""\ntargets_file = ""'
        )
        nb.cells.append(nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}))
        body = f'from IPython.display import Markdown\nMarkdown("## {name} " + business_unit)'
        if name == "03_service_quality":
            body = f'if business_unit == "{FAIL_ON}":\n    raise RuntimeError("planted failure")\n' + body
        nb.cells.append(nbformat.v4.new_code_cell(body))
        nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def _specs(sample_dir, out, folder, units):
    return [RunSpec("2026-10", u, "en", sample_dir, out, renderer="builtin", notebook_dir=folder) for u in units]


def test_one_failure_is_isolated_and_resume_reruns_only_it(sample_dir, small_chapters, tmp_path):
    out = tmp_path / "reports"
    specs = _specs(sample_dir, out, small_chapters, ["east", FAIL_ON, "north"])
    results = {r.spec.unit: r for r in run_batch(specs, workers=2)}
    assert {u: r.status for u, r in results.items()} == {"east": "ok", FAIL_ON: "failed", "north": "ok"}
    assert "chapter 03_service_quality failed" in results[FAIL_ON].error and "planted failure" in results[FAIL_ON].error
    failed_dir = out / "2026-10" / f"{FAIL_ON}.failed"
    kept = nbformat.read(failed_dir / "chapters" / "03_service_quality.ipynb", as_version=4)
    assert any(o.get("ename") == "RuntimeError" for c in kept.cells for o in c.get("outputs", []))  # error visible
    assert json.loads((failed_dir / "manifest.json").read_text())["failed_chapter"] == "03_service_quality"
    assert not (out / "2026-10" / FAIL_ON).exists()  # no complete-looking report for the failed run
    assert (out / "2026-10" / "east" / "report.html").is_file()

    started = time.perf_counter()
    again = {r.spec.unit: r.status for r in run_batch(specs, workers=2, resume=True)}
    assert again == {"east": "skipped", FAIL_ON: "failed", "north": "skipped"}

    # a changed notebook source changes the inputs: nothing is skipped
    (small_chapters / "01_background.ipynb").write_text(
        (small_chapters / "01_background.ipynb").read_text().replace("## ", "### ")
    )
    changed = {r.spec.unit: r.status for r in run_batch([replace(specs[0])], workers=1, resume=True)}
    assert changed == {"east": "ok"}
    assert time.perf_counter() - started < 120


def test_cli_batch_summary_and_exit_code(sample_dir, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from csreport.cli import app

    bad = CliRunner().invoke(app, ["batch", "--periods", "2026-10", "--units", "nowhere", "--data", str(sample_dir),
                                   "--out", str(tmp_path)])  # fmt: skip
    assert bad.exit_code == 2 and "business unit 'nowhere' has no contacts" in bad.output


def test_grid_expansion():
    assert expand_periods("2026-08:2026-10") == ["2026-08", "2026-09", "2026-10"]
    assert expand_periods("2026-01, 2026-03") == ["2026-01", "2026-03"]
    with pytest.raises(ParameterError, match="start is after the end"):
        expand_periods("2026-10:2026-01")
    assert expand_units("all", ["east", "west"]) == ["east", "west", "all"]
    assert expand_units("west", ["east", "west"]) == ["west"]


def test_work_folders_of_killed_runs_are_removed_when_the_batch_ends(sample_dir, small_chapters, tmp_path):
    """A worker killed mid-run leaves its work folder (and maybe a set-aside old report); the batch that runs
    that report again removes them at its end. Folders of reports outside the batch are not touched."""
    out = tmp_path / "reports"
    month = out / "2026-10"
    leftovers = [month / ".east.tmp-k1ll3d", month / ".east.old-4242", month / ".north.tmp-x"]
    for folder in leftovers:
        (folder / "chapters").mkdir(parents=True)
    (results,) = run_batch(_specs(sample_dir, out, small_chapters, ["east"]), workers=1)
    assert results.status == "ok"
    assert sorted(p.name for p in month.iterdir() if p.name.startswith(".")) == [".north.tmp-x"]


def test_a_batch_into_a_relative_folder_after_validating_there(sample_dir, small_chapters, tmp_path, monkeypatch):
    """``make report``: 'csreport validate data/sample --out reports/_validated', then a batch with --out reports.
    The runs read the store while papermill moves the process into each chapter's folder."""
    from typer.testing import CliRunner

    from csreport.cli import app

    monkeypatch.chdir(tmp_path)
    validated = CliRunner().invoke(app, ["validate", str(sample_dir), "--out", "reports/_validated"])
    assert validated.exit_code == 0, validated.output
    specs = _specs(sample_dir, Path("reports"), small_chapters, ["east", "north"])
    results = {r.spec.unit: (r.status, r.error) for r in run_batch(specs, workers=2)}
    assert results == {"east": ("ok", None), "north": ("ok", None)}
