"""The sample report as a reader gets it, in English and Chinese, from the built-in renderer and from Quarto
(when a ``quarto`` executable is on PATH): tables that fit the page (no word printed over another), A4 pages with
a footer, the Chinese font and titles, one title and a complete table of contents, every image embedded, the
scorecard marks, nothing but the documented files in the run directory, and a quiet console."""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from csreport.language import i18n
from csreport.pipeline.notebooks import KERNEL_ARGUMENTS
from csreport.pipeline.quarto import render_quarto
from csreport.pipeline.run import PUBLISHED
from tests import browser, pdf_checks

CHAPTER_KEYS = [f"ch{i}.title" for i in range(1, 7)]
HAS_QUARTO = shutil.which("quarto") is not None
NO_QUARTO = "no 'quarto' executable on PATH (CI has none); put Quarto on PATH to run the Quarto checks"
# east (one unit) and all (every unit pooled: other numbers, other table widths); each in English and Chinese
# (CSREPORT_PRINT_UNITS=east,west,north,south,all checks every unit of the sample: issue 12's done-check)
UNITS = tuple(os.environ.get("CSREPORT_PRINT_UNITS", "east,all").split(","))
RUNS = [
    pytest.param(
        (renderer, unit, lang), marks=[pytest.mark.skipif(not HAS_QUARTO, reason=NO_QUARTO)] * (renderer == "quarto")
    )
    for renderer in ("builtin", "quarto")
    for unit in UNITS
    for lang in ("en", "zh")
]
NOISE = re.compile(r"\bERROR\b|Traceback|Exception\b|KeyboardInterrupt")  # the result table says "error" in a header


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("print")


@pytest.fixture(scope="module")
def builtin_runs(sample_dir, sample_truth, out_dir):
    """Run the report of a unit for the latest sample month through the command line (so its console output
    is what a user sees), once per unit and language: {(unit, lang): (run directory, console output)}."""
    done_runs = {}

    def run(unit: str, lang: str) -> tuple[Path, str]:
        if (unit, lang) not in done_runs:
            options = {"--period": sample_truth["end"], "--unit": unit, "--lang": lang, "--data": str(sample_dir),
                       "--out": str(out_dir / "builtin"), "--renderer": "builtin"}  # fmt: skip
            command = [sys.executable, "-c", "from csreport.cli import main; main()", "run"]
            done = subprocess.run(command + [x for kv in options.items() for x in kv], capture_output=True, text=True)
            assert done.returncode == 0, done.stdout + done.stderr
            target = out_dir / "builtin" / sample_truth["end"] / (unit if lang == "en" else f"{unit}.{lang}")
            done_runs[(unit, lang)] = (target, done.stdout + done.stderr)
        return done_runs[(unit, lang)]

    return run


@pytest.fixture(scope="module", params=RUNS, ids=lambda r: "-".join(r))
def run(request, builtin_runs, out_dir):
    """(renderer, lang, run directory, console output). Quarto renders the built-in run's report notebook
    again (a full Quarto run is test_pipeline_run.test_quarto_renders_for_real): the same chapters, no second
    execution."""
    renderer, unit, lang = request.param
    target, console = builtin_runs(unit, lang)
    if renderer == "builtin":
        return renderer, lang, target, console
    copy = out_dir / "quarto" / target.name
    if copy.name not in QUARTO_CONSOLE:
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(target, copy)
        nb = json.loads((copy / "report.ipynb").read_text(encoding="utf-8"))
        with contextlib.redirect_stderr(io.StringIO()) as console:  # the renderer prints Quarto's warnings
            render_quarto(copy / "report.ipynb", nb["metadata"]["title"], lang)
        QUARTO_CONSOLE[copy.name] = console.getvalue()
    return renderer, lang, copy, QUARTO_CONSOLE[copy.name]


QUARTO_CONSOLE: dict[str, str] = {}  # run folder name → what rendering it printed


def test_a_successful_run_prints_no_warnings(run):
    """Built-in (the command line's console) and Quarto (the warnings the renderer passes on from Quarto's
    log, e.g. pandoc's "[WARNING] Could not load translations for zh-CN") alike."""
    assert not [line for line in run[3].splitlines() if re.search(r"WARN", line)]


def test_a_successful_run_prints_no_error_lines(run):
    assert not [line for line in run[3].splitlines() if NOISE.search(line)]


def test_run_directory_holds_only_the_documented_files(builtin_runs):
    target = builtin_runs("east", "en")[0]
    assert_published(target, "builtin")


def assert_published(target: Path, renderer: str) -> None:
    """``target`` holds the documented files only, nothing hidden is left beside it, and its manifest names
    the renderer used (and Quarto's version when Quarto rendered)."""
    assert sorted(p.name for p in target.iterdir()) == sorted(PUBLISHED)
    assert not list(target.parent.glob(".*")), "temporary or old run directories left behind"
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["renderer"] == renderer and manifest["renderer_requested"] == renderer
    if renderer == "quarto":
        assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["versions"]["quarto"])


def test_no_words_overlap_in_the_pdf(run):
    pdf = run[2] / "report.pdf"
    pairs = pdf_checks.overlapping_words(pdf)
    assert not pairs, [(a.page, a.text, b.text) for a, b in pairs]
    assert not pdf_checks.run_together(pdf)


def test_pdf_is_a4_with_a_footer_of_unit_month_and_page(run):
    _, lang, target, _ = run
    pdf = target / "report.pdf"
    assert {(round(w), round(h)) for w, h in pdf_checks.page_sizes(pdf)} == {(595, 842)}
    pages = pdf_checks.text(pdf).split("\f")[:-1]
    manifest = json.loads((target / "manifest.json").read_text())
    month = i18n.month(manifest["period"], lang)
    title = "".join(_title(target).split())
    for number, page in enumerate(pages, 1):
        squeezed = "".join(page.split())  # text extraction puts spaces between Chinese characters and digits
        assert title in squeezed and "".join(month.split()) in title, page[-200:]
        assert manifest["unit_label"] in page  # the unit by its label (params/labels.yml): East, 华东
        assert f"{number}/{len(pages)}" in squeezed, page[-200:]


def test_table_headers_are_never_hyphenated(run):
    assert not pdf_checks.soft_hyphens(run[2] / "report.pdf")  # Typst draws a hyphenation point as a soft hyphen


def _title(target: Path) -> str:
    """The report's title (unit and month in the report language), as the run gave it to the renderer."""
    return nbformat.read(target / "report.ipynb", as_version=4).metadata["title"]


def _headings(notebook: Path) -> list[str]:
    """The chapter and section headings (levels 2 and 3) of the report notebook, as plain text."""
    nb = nbformat.read(notebook, as_version=4)
    markdown = [
        o.data["text/markdown"] for c in nb.cells for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})
    ]
    found = re.findall(r"^#{2,3} (.+)$", "\n\n".join(markdown), re.M)
    return [html.unescape(h).replace("\\", "") for h in found]


def test_pdf_has_one_title_and_contents_with_every_heading(run):
    _, lang, target, _ = run
    body = pdf_checks.text(target / "report.pdf")
    pages = body.split("\f")[:-1]
    title = _title(target)
    assert "".join(body.split()).count("".join(title.split())) == 1 + len(pages)  # title block, then footers
    squeezed = "".join(body.split())
    contents = squeezed[: squeezed.index("".join(i18n.text("ch1.title", lang).split()), squeezed.index(
        "".join(i18n.text("ch6.title", lang).split())))]  # fmt: skip
    headings = _headings(target / "report.ipynb")
    assert len(headings) >= 30
    missing = [h for h in headings if "".join(h.split()) not in contents]
    assert not missing  # in the contents as real text (no missing-glyph boxes), chapters and sections


@pytest.mark.parametrize("unit", UNITS)
def test_chinese_pdf_uses_noto_sans_cjk(builtin_runs, unit):
    """The built-in renderer's Chinese PDF (Quarto's: test_pipeline_run, when Quarto is on PATH)."""
    target, _ = builtin_runs(unit, "zh")
    assert "NotoSansCJKsc" in pdf_checks.fonts(target / "report.pdf")
    body = pdf_checks.text(target / "report.pdf")
    for key in CHAPTER_KEYS:
        assert i18n.text(key, "zh") in body


def test_html_is_self_contained_with_title_then_complete_contents(run):
    renderer, lang, target, _ = run
    page = (target / "report.html").read_text(encoding="utf-8")
    assert f'lang="{"zh-CN" if lang == "zh" else "en"}"' in page
    assert 'src="report_files/' not in page and not (target / "report_files").exists()
    images = re.findall(r'<img[^>]*\ssrc="([^"]*)"', page)
    assert len(images) >= 10 and all(src.startswith("data:image/") for src in images)
    assert len(re.findall(r"<h1[\s>]", page)) == 1  # one title
    toc = re.search(r'<nav id="(?:toc|TOC)".*?</nav>', page, re.S)
    headings = re.findall(r"<h[23][^>]*>\s*[^<\s]", page[toc.end() :])
    entries = re.findall(r"<a [^>]*href=\"#", toc.group(0))
    assert len(headings) >= 30 and len(entries) >= len(headings) == len(_headings(target / "report.ipynb"))
    assert page.index("</h1>") < toc.start()  # the title before the contents
    assert "Other Formats" not in page and "quarto-alternate-formats" not in page


def test_scorecard_reads_at_a_glance(run):
    _, lang, target, _ = run
    page = (target / "report.html").read_text(encoding="utf-8")
    assert re.search(r'<span class="cs-(met|risk|missed)">[✓▲×]</span>', page)
    assert re.search(r'<span class="cs-(good|bad|neutral)">[↑↓→]</span>\*?', page)
    body = pdf_checks.text(target / "report.pdf")
    assert re.search(rf"[✓▲×] {i18n.label('status', 'met', lang)}", body) and re.search(r"[↑↓]\*", body)


def test_kernel_log_errors_stay_off_the_console(tmp_path):
    """jupyter_client interrupts a kernel before shutting it down; when the SIGINT lands in a message handler
    the kernel logs "KeyboardInterrupt caught in kernel." at ERROR level. With the run's kernel arguments such
    log lines never reach the terminal."""
    from jupyter_client.manager import start_new_kernel

    log = tmp_path / "kernel.log"
    with log.open("w") as stderr:
        manager, client = start_new_kernel(kernel_name="python3", extra_arguments=KERNEL_ARGUMENTS, stderr=stderr)
        try:
            client.execute_interactive("get_ipython().kernel.log.error('KeyboardInterrupt caught in kernel.')")
            client.execute_interactive("get_ipython().kernel.log.critical('the kernel is dying')")
            time.sleep(0.5)
        finally:
            client.stop_channels()
            manager.shutdown_kernel()
    logged = log.read_text()
    assert "the kernel is dying" in logged  # the kernel's stderr was captured
    assert "KeyboardInterrupt caught" not in logged


def test_html_tables_read_like_the_builtin_pages(run):
    """In headless Chromium (tests/table_lines.js counts the lines of each cell's text): no table header over
    two lines (Quarto's print widths once wrapped them one word per line), no right-aligned cell (a number
    and its unit) wrapped, no table wider than its column."""
    found = browser.load(
        (run[2] / "report.html").as_uri(), evaluate=(Path(__file__).parent / "table_lines.js").read_text()
    ).value
    assert found == {"heads": [], "cells": [], "wide": []}
