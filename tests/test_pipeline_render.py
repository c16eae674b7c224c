"""Renderer choice, the built-in TOC (after the title), the shared print layout: numbered figures, the title
once, the Typst rules."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from csreport.errors import ParameterError
from csreport.pipeline import layout, render


def test_renderer_choice(monkeypatch):
    monkeypatch.setattr(render.shutil, "which", lambda name: None)
    assert render.choose_renderer("auto") == "builtin"
    with pytest.raises(ParameterError, match="no 'quarto' executable"):
        render.choose_renderer("quarto")
    monkeypatch.setattr(render.shutil, "which", lambda name: "/usr/bin/quarto")
    assert render.choose_renderer("auto") == "quarto"
    with pytest.raises(ParameterError, match="use one of auto, quarto, builtin"):
        render.choose_renderer("word")


def test_table_of_contents_links_every_heading():
    page = (
        "<html><body><h1>Report</h1><h2>1 Background</h2><h3>Scope &amp; data</h3><h2>1 Background</h2></body></html>"
    )
    out = render._with_toc(page, "Contents")
    assert '<a href="#1-background">1 Background</a>' in out and 'id="1-background"' in out
    assert 'id="1-background-2"' in out  # repeated headings get distinct anchors
    assert '<a href="#scope-data">Scope &amp; data</a>' in out
    assert out.index("</h1>") < out.index('<nav id="toc"') < out.index("<h2")  # the title, then the contents


def test_table_of_contents_without_a_title_opens_the_body():
    out = render._with_toc("<html><body><h2>1 Background</h2></body></html>", "Contents")
    assert out.index("<body>") < out.index('<nav id="toc"') < out.index("<h2")


def _notebook(path: Path, outputs: list[list[dict]]) -> Path:
    nb = nbformat.v4.new_notebook()
    for cell_outputs in outputs:
        cell = nbformat.v4.new_code_cell("x")
        cell.outputs = [nbformat.v4.new_output("display_data", data=data) for data in cell_outputs]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


PNG = {"image/png": "iVBORw0KGgo="}


def test_figures_are_numbered_with_their_source_line(tmp_path):
    path = _notebook(
        tmp_path / "report.ipynb",
        [
            [{"text/markdown": "# Title"}, PNG, {"text/markdown": "*来源：联络表；n = 10。*"}],
            [{"text/markdown": "| a |\n|--:|\n| 1 |\n\n*Rows read = accepted + quarantined.*"}],  # a table caption
            [PNG],
            [{"text/markdown": "*Source: surveys table; n = 3.*"}],  # the caption in the next cell
        ],
    )
    assert layout.number_figures(path, "zh") == 2
    texts = [o.data.get("text/markdown") for c in nbformat.read(path, 4).cells for o in c.outputs]
    assert texts[2] == "*图 1 来源：联络表；n = 10。*"  # one colon: never 图 1：来源：
    assert texts[3].endswith("*Rows read = accepted + quarantined.*")
    assert texts[5] == "*图 2 Source: surveys table; n = 3.*"


def test_title_heading_dropped_once():
    assert layout.without_title("# Report: east\n\n## 1 Background") == "## 1 Background"
    assert layout.without_title("## 1 Background\n# not a title") == "## 1 Background\n# not a title"


def test_pdf_markdown_has_no_second_title(tmp_path):
    path = _notebook(tmp_path / "report.ipynb", [[{"text/markdown": "# Report\n\n## 1 Background"}]])
    assert render.notebook_markdown(path, tmp_path / "figures").strip() == "## 1 Background"


def test_typst_rules_set_table_type_and_a_footer_with_the_title():
    header = layout.typst_header('Report: "east" \\ October')
    assert "#show table: set text(size: 8.0pt, hyphenate: false)" in header
    assert "#show table: set par(justify: false)" in header
    assert '#"Report: \\"east\\" \\\\ October"' in header  # a Typst string, quotes and backslash escaped
    assert 'counter(page).display("1 / 1", both: true)' in header


def test_marks_have_the_same_colours_in_html_and_pdf():
    css = dict(re.findall(r"\.cs-(\w+)[^{]*\{ color: (#\w+)", layout.MARKS_CSS.read_text()))
    css |= dict(re.findall(r", \.cs-(\w+) \{ color: (#\w+)", layout.MARKS_CSS.read_text()))
    lua = dict(re.findall(r'\["cs-(\w+)"\] = "(#\w+)"', layout.MARKS_LUA.read_text()))
    assert set(lua) == {"good", "met", "risk", "bad", "missed", "neutral"}
    assert css == lua


def test_pdf_lists_are_ragged_right_and_english_apostrophes_proportional(tmp_path):
    """A numbered list item of ids (a recommendation's examples) is set ragged right, not spread across the
    line; an English apostrophe is not the CJK font's full-width one ("segment’ s")."""
    from tests import pdf_checks

    ids = ", ".join(f"U00{n:05d}" for n in range(11510, 11530, 2))
    item = (
        f"1. **Call the customers back**  \nExamples (customer_id): {ids} (all 168 rows)  \n"
        "Owner: the segment’s team, the segments team"
    )
    path = _notebook(tmp_path / "report.ipynb", [[{"text/markdown": "## 1 Background"}, {"text/markdown": item}]])
    pdf = render.render_pdf(path, tmp_path / "report.pdf", "Report: east", "en")
    words = pdf_checks.words(pdf)
    em = {w.text: (w.x1 - w.x0) / (w.y1 - w.y0) for w in words}  # word widths in em
    assert em["segment’s"] - em["segments"] < 0.5  # ’ as wide as an s, not a full em
    lines: dict[float, list] = {}
    for w in words:
        lines.setdefault(round(w.y1), []).append(w)
    for line in [line for line in lines.values() if any(w.text.startswith("U00") for w in line)]:
        line.sort(key=lambda w: w.x0)
        gaps = [b.x0 - a.x1 for a, b in zip(line, line[1:], strict=False)]
        assert max(gaps, default=0) < 0.6 * (line[0].y1 - line[0].y0), [w.text for w in line]


def test_builtin_pdf_has_the_margins_the_table_widths_are_measured_for(tmp_path):
    """Table column widths are measured for A4 less 2 cm margins (chapters.output.TABLE_WIDTH_PT); the page must
    have those margins (pandoc's own default is 1.25 in, which squeezed every table to 86 % of its widths and
    broke 未达标 between its characters)."""
    from csreport.report.chapters.output import PAGE_MARGIN_CM, TABLE_INSET_PT
    from tests import pdf_checks

    table = "| KPI | Status |\n|:---|---:|\n| Resolution rate | missed |"
    path = _notebook(tmp_path / "report.ipynb", [[{"text/markdown": "## 1 Background"}, {"text/markdown": table}]])
    pdf = render.render_pdf(path, tmp_path / "report.pdf", "Report: east", "en")
    margin = PAGE_MARGIN_CM * 72 / 2.54
    words = pdf_checks.words(pdf)
    kpi = next(w for w in words if w.text == "Resolution")
    assert kpi.x0 == pytest.approx(margin + TABLE_INSET_PT, abs=0.5)
    status = next(w for w in words if w.text == "missed")
    assert status.x1 == pytest.approx(595.28 - margin - TABLE_INSET_PT, abs=0.5)  # the table spans the text width


def test_report_links_back_to_its_index_and_its_own_files_offline():
    """Relative links (they work offline and wherever reports/ is copied): the index of the report's language
    (reports/index.zh.html from reports/<period>/<unit>.zh/report.html), the report's PDF and Excel files."""
    from csreport.pipeline.offline import external_requests

    page = render._with_toc("<html><body><h1>报告</h1><h2>1 引言</h2></body></html>", "目录", layout.report_links("zh"))
    nav = page[page.index('<nav class="report-links">') : page.index('<nav id="toc"')]
    assert '<a href="../../index.zh.html">全部报告</a>' in nav
    assert '<a href="report.pdf">PDF</a>' in nav and '<a href="report.xlsx">Excel</a>' in nav
    assert page.index("</h1>") < page.index('<nav class="report-links">')
    assert '<a href="../../index.html">All reports</a>' in layout.report_links("en")
    assert not external_requests(page)  # links a reader follows are not requests
