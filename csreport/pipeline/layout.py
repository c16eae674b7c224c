"""What every renderer of the report shares for print: numbered figure captions, the report title once, and
the Typst rules of both PDF paths (pandoc → Typst and Quarto → Typst): table type, page footer, colours of
the table marks."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

from csreport.language import i18n
from csreport.report.page import TABLE_FONT_PT, TABLE_INSET_PT

HERE = Path(__file__).parent
MARKS_CSS = HERE / "marks.css"  # colours of table marks in HTML (both renderers)
MARKS_LUA = HERE / "marks.lua"  # the same colours in Typst (a pandoc Lua filter, both PDF paths)
# Language tags come from the locale files (csreport.language.i18n.settings): ``html`` for the pages (zh-CN), ``pandoc``
# for the PDF paths (pandoc finds the translations of its own words by the tag it is given, then by the language
# alone; it ships translations/zh-Hans.yaml but no zh.yaml or zh-CN.yaml, so the Chinese file says zh-Hans) and
# ``typst_region`` (CN; empty keeps the template's default).


def pandoc_lang(lang: str) -> str:
    return i18n.settings(lang).pandoc


def html_lang(lang: str) -> str:
    return i18n.settings(lang).html


def typst_region(lang: str) -> str | None:
    return i18n.settings(lang).typst_region or None


_CAPTION = re.compile(r"^\*(?!\*)(.+)\*\s*$", re.S)
_TITLE = re.compile(r"^# [^\n]*\n*")


def report_links(lang: str) -> str:
    """The links at the top of a report page, relative so they work offline and wherever the reports folder
    is copied: back to the index of the report's language (``reports/index.html`` from
    ``reports/<period>/<unit>/report.html``) and to the report's own PDF and Excel files."""
    index = f"../../index{i18n.settings(lang).suffix}.html"
    links = [(index, "report.nav_index"), ("report.pdf", "report.nav_pdf"), ("report.xlsx", "report.nav_excel")]
    anchors = " · ".join(f'<a href="{href}">{html.escape(i18n.text(key, lang))}</a>' for href, key in links)
    return f'<nav class="report-links">{anchors}</nav>'


def number_figures(notebook: Path, lang: str) -> int:
    """Number the figures of ``notebook`` in place: the italic caption (source and n) written right after
    each chart image becomes "Figure N. caption" ("图 N 来源：…": the caption has its own colon, the number
    none). Returns the number of figures."""
    nb = nbformat.read(notebook, as_version=4)
    count, after_image = 0, False
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                after_image = True
                continue
            caption = _CAPTION.match(data.get("text/markdown", "")) if after_image else None
            if caption:
                count += 1
                data["text/markdown"] = f"*{i18n.text('report.figure', lang, n=count, caption=caption.group(1))}*"
            after_image = False if "text/markdown" in data else after_image
    nbformat.write(nb, notebook)
    return count


def without_title(markdown: str) -> str:
    """``markdown`` without a leading level-1 heading (the report title, printed by the title block)."""
    return _TITLE.sub("", markdown, count=1)


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def typst_header(title: str, lang: str = "en") -> str:
    """Typst rules for both PDF paths: text ragged right and never hyphenated (a table header is never broken
    into syllables; the templates justify, a show-set rule on paragraphs, lists and numbered lists wins over
    their set rule — a list item is not a paragraph, and justified its ids and numbers spread across the
    line); where the locale asks for it (``locale.proportional_quotes``: English), quotes and apostrophes of their
    proportional width (the CJK house font sets ’ full-width: "segment’ s"); tables in
    ``TABLE_FONT_PT`` with ``TABLE_INSET_PT`` padding; long tables break across pages; headings in the house
    blue, level 3 a little larger than the text (the CJK font has one weight, so bold does not show); a footer
    with the report title (unit and month) and "page / pages"."""
    return "\n".join(
        [
            "#show par: set par(justify: false)",
            "#show list: set par(justify: false)",
            "#show enum: set par(justify: false)",
            "#set text(hyphenate: false)",
            *(['#set text(features: ("pwid",))'] if i18n.settings(lang).proportional_quotes else []),
            '#show heading: set text(fill: rgb("#0b4f80"))',
            "#show heading.where(level: 3): set text(size: 1.1em)",
            f"#set table(inset: {TABLE_INSET_PT}pt)",
            f"#show table: set text(size: {TABLE_FONT_PT}pt, hyphenate: false)",
            "#show table: set par(justify: false)",
            "#show figure: set block(breakable: true)",
            "#set page(footer: context [",
            "  #set text(size: 8pt, fill: luma(90))",
            f'  #{_typst_string(title)} #h(1fr) #counter(page).display("1 / 1", both: true)',
            "])",
        ]
    )
