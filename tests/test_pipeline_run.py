"""End to end on the sample data: ``csreport run`` writes HTML and PDF with every chapter title (en and zh),
a working table of contents, findings.json and manifest.json; untrusted text planted in the data cannot run
script in headless Chromium; credentials never reach the outputs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from csreport.errors import ParameterError
from csreport.language import i18n
from csreport.pipeline.offline import external_requests
from csreport.pipeline.run import RunSpec, run_report
from tests import browser, pdf_checks
from tests.test_rendered_reports import assert_published

PAYLOADS = ["<script>document.title='pwned'</script>", "<img src=x onerror=\"document.title='pwned'\">"]
SECRET = "s3cretPW-never-written"
CHAPTER_KEYS = [f"ch{i}.title" for i in range(1, 7)]


def _pdf_text(path: Path) -> str:
    return pdf_checks.text(path)


def _chromium(url: str, *args: str) -> subprocess.CompletedProcess:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        pytest.skip("chromium not installed; .ci/run installs it")
    command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0", *args, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def hostile_data(sample_dir, tmp_path_factory):
    """The sample with script payloads in every comment and in the team names of one unit."""
    data = tmp_path_factory.mktemp("hostile")
    for path in sample_dir.glob("*.parquet"):
        shutil.copy(path, data / path.name)
    surveys = pd.read_parquet(data / "surveys.parquet")
    has_comment = surveys["comment"].notna()
    surveys.loc[has_comment, "comment"] = [PAYLOADS[i % 2] + " call 13812345678" for i in range(has_comment.sum())]
    surveys.to_parquet(data / "surveys.parquet")
    agents = pd.read_parquet(data / "agents.parquet")
    agents.loc[agents["business_unit"] == "east", "team"] = agents["team"] + PAYLOADS[1]
    agents.to_parquet(data / "agents.parquet")
    return data


@pytest.fixture(scope="module")
def english_run(hostile_data, sample_truth, tmp_path_factory):
    import os

    os.environ["CSREPORT_DB_URL"] = f"postgresql://report:{SECRET}@db.example:5432/cs"  # set, not used
    try:
        out = tmp_path_factory.mktemp("reports")
        result = run_report(RunSpec(sample_truth["end"], "east", "en", hostile_data, out, renderer="builtin"))
    finally:
        del os.environ["CSREPORT_DB_URL"]
    assert result.status == "ok", result.error
    return result.spec.target


def test_outputs_and_manifest(english_run, sample_truth):
    names = {p.name for p in english_run.iterdir()}
    assert {"report.html", "report.pdf", "report.ipynb", "findings.json", "manifest.json", "chapters"} <= names
    assert len(list((english_run / "chapters").glob("*.ipynb"))) == 6
    manifest = json.loads((english_run / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["period"] == sample_truth["end"]
    assert manifest["data_fingerprint"] and manifest["inputs_key"]
    assert set(manifest["timings_s"]) >= {"01_background", "06_outlook", "html", "pdf", "total"}
    findings = json.loads((english_run / "findings.json").read_text())
    assert findings["findings"] and findings["recommendations"]
    assert not list(english_run.parent.glob(".*tmp*")), "temporary run directory left behind"


def test_pdf_has_every_chapter_title(english_run):
    text = _pdf_text(english_run / "report.pdf")
    for key in CHAPTER_KEYS:
        assert i18n.text(key, "en") in text


def test_html_escapes_payloads_and_has_a_working_toc(english_run):
    page = (english_run / "report.html").read_text(encoding="utf-8")
    assert "<script>document.title" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page  # shown as text
    assert "13812345678" not in page  # phone numbers in comments are masked
    done = _chromium((english_run / "report.html").as_uri(), "--dump-dom", "--virtual-time-budget=3000")
    dom = done.stdout
    assert "<title>pwned</title>" not in dom and "Customer service report" in dom
    console_errors = [line for line in done.stderr.splitlines() if "CONSOLE" in line and "rror" in line]
    assert not console_errors, console_errors
    images = re.findall(r'<img[^>]*src="([^"]*)"', dom)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)  # embedded, load offline
    links = re.findall(r'<nav id="toc".*?</nav>', dom, re.S)[0]
    targets = re.findall(r'href="#([^"]+)"', links)
    assert len(targets) > 20 and all(f'id="{t}"' in dom for t in targets)
    _assert_loads_nothing_outside(english_run / "report.html")


def _assert_loads_nothing_outside(path: Path) -> None:
    """The written page names no outside resource and, opened in Chromium, requests none (DevTools log)."""
    assert external_requests(path.read_text(encoding="utf-8")) == []
    seen = browser.load(path.as_uri())
    assert seen.outside() == [] and not [m for m in seen.messages if m.startswith("error")], seen


def test_credentials_never_reach_outputs(english_run):
    for path in english_run.rglob("*"):
        if path.is_file() and path.suffix in {".ipynb", ".json", ".html"}:
            assert SECRET not in path.read_text(encoding="utf-8", errors="ignore"), path


def test_chinese_report_pdf(sample_dir, sample_truth, tmp_path, capfd):
    result = run_report(RunSpec(sample_truth["end"], "all", "zh", sample_dir, tmp_path, renderer="builtin"))
    assert result.status == "ok", result.error
    assert "without encryption" not in capfd.readouterr().err  # no kernel log noise on the run's terminal
    text = _pdf_text(result.spec.target / "report.pdf")
    for key in CHAPTER_KEYS:
        assert i18n.text(key, "zh") in text
    _assert_loads_nothing_outside(result.spec.target / "report.html")
    assert pdf_checks.overlapping_words(result.spec.target / "report.pdf") == []  # all units: the widest numbers


@pytest.mark.parametrize("unit", ["../east", "a/b", "..", ""])
def test_unsafe_unit_names_never_become_paths(unit, tmp_path):
    with pytest.raises(ParameterError):
        RunSpec("2026-10", unit, "en", tmp_path, tmp_path)


@pytest.mark.parametrize("period", ["2026-13", "../2026-10", "2026/10", "26-10"])
def test_bad_periods_are_rejected(period, tmp_path):
    with pytest.raises(ParameterError):
        RunSpec(period, "east", "en", tmp_path, tmp_path)


@pytest.mark.skipif(not shutil.which("quarto"), reason="no quarto on PATH (CI has none)")
def test_quarto_renders_for_real(sample_dir, sample_truth, tmp_path):
    result = run_report(RunSpec(sample_truth["end"], "all", "en", sample_dir, tmp_path, renderer="quarto"))
    assert result.status == "ok", result.error
    assert (result.spec.target / "report.html").stat().st_size > 0
    _assert_loads_nothing_outside(result.spec.target / "report.html")
    assert i18n.text("ch6.title", "en") in _pdf_text(result.spec.target / "report.pdf")
    assert pdf_checks.overlapping_words(result.spec.target / "report.pdf") == []
    assert pdf_checks.run_together(result.spec.target / "report.pdf") == []
    assert_published(result.spec.target, "quarto")  # only the documented files, the renderer and its version


def test_quarto_renders_with_the_projects_quarto_yml(sample_dir, sample_truth, tmp_path, monkeypatch):
    """The run hands Quarto the settings' ``_quarto.yml`` (the project's), not the packaged one. Quarto itself is
    replaced by a stand-in that records the configuration it was given and writes the two files."""
    from csreport.pipeline import quarto, run
    from tests.test_pipeline_batch import small_chapters as make_chapters

    project = tmp_path / "project"
    project.mkdir()
    (project / "_quarto.yml").write_text("format:\n  html:\n    theme: darkly\n", encoding="utf-8")
    given = []

    class Done:
        returncode, stderr = 0, ""

    def fake_quarto(command, cwd, **kwargs):
        given.append((Path(cwd) / "_quarto.yml").read_text(encoding="utf-8"))
        for name in ("report.html", "report.pdf"):
            (Path(cwd) / name).write_text("rendered", encoding="utf-8")
        return Done()

    monkeypatch.chdir(project)
    monkeypatch.setattr(run, "choose_renderer", lambda requested: "quarto")
    monkeypatch.setattr(run, "quarto_version", lambda: "9.9.9")
    monkeypatch.setattr(quarto.subprocess, "run", fake_quarto)
    chapters = make_chapters.__wrapped__(tmp_path)
    spec = RunSpec(sample_truth["end"], "east", "en", sample_dir, tmp_path / "out", renderer="quarto",
                   notebook_dir=chapters)  # fmt: skip
    result = run_report(spec)
    assert result.status == "ok", result.error
    assert spec.settings.quarto == project / "_quarto.yml"
    assert len(given) == 1 and "theme: darkly" in given[0]
    assert json.loads((spec.target / "manifest.json").read_text())["versions"]["quarto"] == "9.9.9"
