"""Every page we write loads nothing from outside itself: no remote or relative scripts, styles, fonts or images,
a Content-Security-Policy that forbids them, charts with alt text; checked by parsing the page and by opening it
in headless Chromium with the DevTools network log (built-in and Quarto HTML, index page; en and zh)."""

from __future__ import annotations

import html
import json
import re
import shutil

import nbformat
import pytest

from csreport.pipeline import quarto, render
from csreport.pipeline.index import write_index
from csreport.pipeline.notebooks import merge
from csreport.pipeline.offline import (
    CSP_BUILTIN,
    CSP_QUARTO,
    content_security_policies,
    csp_meta,
    external_requests,
    with_csp,
)
from tests.browser import load

# a 4 × 3 PNG; the chart's alt text states its finding, source and n as csreport.report.chapters.output.figure writes it
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAFElEQVR4nGNkLN7EAANMDEgAhQMAKmkBLPhGqO4AAAAASUVORK5CYII="
ALT = {
    "en": "Phone took 54% of <contacts> — Contacts by channel; n = 8,412.",
    "zh": "电话占联系量的54% — 按渠道的联系量；n = 8,412。",
}
HEADING = {"en": "1 Background & scope", "zh": "1 背景与范围"}

HOSTILE_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>loads</title>
<link rel="stylesheet" href="https://cdn.example/site.css"><link rel="icon" href="favicon.ico">
<link rel="alternate" href="https://example.org/feed"><script src="//cdn.example/lib.js"></script>
<style>@import "theme.css"; body { background: url('https://cdn.example/bg.png'); }
.logo { background: url(data:image/png;base64,AAAA); }</style></head>
<body style="background-image: url(http://127.0.0.1:9/body.png)"><a href="https://example.org/">a link is not a load</a>
<img alt="x" src="data:image/png;base64,AAAA" srcset="big.png 2x, data:image/png;base64,AAAA 1x">
<a href="#scope">contents</a><video poster="poster.jpg"></video><object data="plugin.swf"></object></body></html>"""


def _notebook(lang: str) -> nbformat.NotebookNode:
    """The smallest report: a title, a Markdown heading and table, one chart with alt text."""
    table = f"## {HEADING[lang]}\n\n| unit | contacts |\n|:--|--:|\n| east | 8,412 |"
    cell = nbformat.v4.new_code_cell(
        "out.section()",
        outputs=[
            nbformat.v4.new_output("display_data", data={"text/markdown": table}),
            nbformat.v4.new_output("display_data", data={"image/png": PNG}, metadata={"image/png": {"alt": ALT[lang]}}),
        ],
    )
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Report"), cell])


def _report_notebook(tmp_path, lang: str):
    """The chapter merged into report.ipynb as a run merges its chapters."""
    chapter = tmp_path / "01_background.ipynb"
    nbformat.write(_notebook(lang), chapter)
    merge([chapter], tmp_path / "report.ipynb", "Report", lang)
    return tmp_path / "report.ipynb"


def _builtin_page(tmp_path, lang: str):
    return render.render_html(_report_notebook(tmp_path, lang), tmp_path / "report.html", "Report", lang, "Contents")


def _index_page(tmp_path, lang: str):
    folder = tmp_path / "2026-10" / "east"
    folder.mkdir(parents=True)
    headline = {"service_level": {"value": 0.712, "unit": "ratio", "status": "missed"}}
    manifest = {"status": "ok", "period": "2026-10", "unit": "east", "headline": headline}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return write_index(tmp_path, lang)


def test_parser_lists_every_request_that_leaves_the_page():
    assert external_requests(HOSTILE_PAGE) == [
        "https://cdn.example/site.css",
        "favicon.ico",
        "//cdn.example/lib.js",
        "theme.css",
        "https://cdn.example/bg.png",
        "http://127.0.0.1:9/body.png",
        "big.png",
        "poster.jpg",
        "plugin.swf",
    ]


def test_csp_meta_is_the_first_element_of_head():
    page = with_csp("<html><head><meta charset='utf-8'><title>t</title></head><body></body></html>", CSP_BUILTIN)
    assert page.startswith(f"<html><head>{csp_meta(CSP_BUILTIN)}<meta charset")
    assert "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline';" in csp_meta(CSP_BUILTIN)
    with pytest.raises(ValueError, match="no <head>"):
        with_csp("<p>fragment</p>", CSP_BUILTIN)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_builtin_report_has_no_script_no_request_and_a_csp(tmp_path, lang):
    page = _builtin_page(tmp_path, lang).read_text(encoding="utf-8")
    assert external_requests(page) == []
    assert "<script" not in page.lower()  # nbconvert's require.js, MathJax and mermaid loaders are gone
    assert re.search(r"<head[^>]*>" + re.escape(csp_meta(CSP_BUILTIN)), page)  # before anything that loads
    assert content_security_policies(page) == [CSP_BUILTIN]
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page
    images = re.findall(r"<img[^>]*>", page)
    assert (
        len(images) == 1
        and f'alt="{html.escape(ALT[lang])}"' in images[0]
        and 'src="data:image/png;base64,' in images[0]
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_index_page_has_no_script_no_request_and_a_csp(tmp_path, lang):
    page = _index_page(tmp_path, lang).read_text(encoding="utf-8")
    assert external_requests(page) == []
    assert "<script" not in page.lower()
    assert "<main>" in page  # a landmark around the content
    assert re.search(r"<head[^>]*><meta charset=\"utf-8\">" + re.escape(csp_meta(CSP_BUILTIN)), page)


def test_quarto_config_puts_the_csp_first_in_the_header():
    config = quarto.quarto_config("T", "en")
    assert config["format"]["html"]["include-in-header"][0] == {"text": csp_meta(CSP_QUARTO)}


# ---- in headless Chromium, with the DevTools network log ---------------------------------------------------


def test_chromium_log_sees_requests_that_leave_the_file(tmp_path):
    """The check can fail: a page with outside loads shows each of them, and with our CSP each is blocked."""
    page = tmp_path / "loads.html"
    page.write_text(HOSTILE_PAGE.replace("//cdn.example/lib.js", "http://127.0.0.1:9/lib.js").replace(
        "https://cdn.example", "http://127.0.0.1:9"), encoding="utf-8")  # fmt: skip
    seen = load(page.as_uri())
    assert {"http://127.0.0.1:9/site.css", "http://127.0.0.1:9/lib.js", (tmp_path / "theme.css").as_uri()} <= set(
        seen.outside()
    )
    page.write_text(with_csp(page.read_text(encoding="utf-8"), CSP_BUILTIN), encoding="utf-8")
    blocked = load(page.as_uri())
    violations = [m for m in blocked.messages if "Content Security Policy" in m]
    assert any("http://127.0.0.1:9/lib.js" in m for m in violations), blocked.messages
    assert any("http://127.0.0.1:9/site.css" in m for m in violations), blocked.messages


def _assert_self_contained_in_chromium(path, title: str) -> None:
    seen = load(path.as_uri())
    assert seen.title == title
    assert seen.outside() == [], seen.outside()
    assert not [m for m in seen.messages if m.startswith(("error", "warning", "exception", "console.error"))], (
        seen.messages
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_builtin_report_and_index_request_nothing_in_chromium(tmp_path, lang):
    _assert_self_contained_in_chromium(_builtin_page(tmp_path, lang), "Report")
    _assert_self_contained_in_chromium(
        _index_page(tmp_path, lang), "客户服务分析报告" if lang == "zh" else "Customer service reports"
    )


@pytest.mark.skipif(not shutil.which("quarto"), reason="quarto is not on PATH; its config is tested above")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_quarto_report_has_a_csp_and_requests_nothing(tmp_path, lang):
    html_file, _ = quarto.render_quarto(_report_notebook(tmp_path, lang), "Report", lang)
    page = html_file.read_text(encoding="utf-8")
    assert external_requests(page) == []
    assert content_security_policies(page) == [CSP_QUARTO]  # Quarto re-serialises the meta element
    assert HEADING[lang].replace("&", "&amp;") in page
    images = re.findall(r"<img[^>]*>", page)
    assert len(images) == 1 and f'alt="{html.escape(ALT[lang])}"' in images[0]  # fig-alt set by merge
    _assert_self_contained_in_chromium(html_file, "Report")


def test_chart_alt_text_is_its_title_and_caption(monkeypatch):
    import matplotlib.pyplot as plt

    from csreport.report.chapters import output, section

    shown = []
    monkeypatch.setattr(section, "display", shown.append)  # outside a section, output displays at once
    fig, ax = plt.subplots()
    ax.set_title("Phone took 54% of contacts <b>", loc="left")
    output.figure(fig, "Contacts by channel; n = 8,412.")
    image = shown[0]
    assert image._repr_png_()[1] == {"alt": "Phone took 54% of contacts <b> — Contacts by channel; n = 8,412."}
