"""Rendering the report notebook: Quarto when a ``quarto`` executable is on PATH (or asked for; see
:mod:`csreport.pipeline.quarto`), otherwise the built-in renderer: one self-contained HTML file (nbconvert,
inputs hidden, images embedded, title then table of contents, house CSS) and an A4 PDF through pandoc → Typst
with the Noto Sans CJK SC font, so Chinese renders."""

from __future__ import annotations

import base64
import html
import re
import shutil
from pathlib import Path

import nbformat

from csreport.errors import CsreportError, ParameterError
from csreport.pipeline.layout import (
    MARKS_CSS,
    MARKS_LUA,
    html_lang,
    pandoc_lang,
    report_links,
    typst_header,
    typst_region,
    without_title,
)
from csreport.pipeline.offline import CSP_BUILTIN, with_csp
from csreport.pipeline.runparams import check_renderer
from csreport.report.charts import FONT_FAMILY, font_path
from csreport.report.page import PAGE_MARGIN_CM

CSS = (Path(__file__).parent / "report.css").read_text(encoding="utf-8") + MARKS_CSS.read_text(encoding="utf-8")


class RenderError(CsreportError):
    """Rendering failed; the message says which step and shows the tool's error output."""


def choose_renderer(renderer: str) -> str:
    """``auto`` → ``quarto`` when a ``quarto`` executable is on PATH, else ``builtin``."""
    if check_renderer(renderer) == "auto":
        return "quarto" if shutil.which("quarto") else "builtin"
    if renderer == "quarto" and not shutil.which("quarto"):
        raise ParameterError("--renderer quarto: no 'quarto' executable on PATH. Install Quarto or use builtin.")
    return renderer


# ---- built-in HTML -----------------------------------------------------------------------------------------

_HEADING = re.compile(r"<h([1-3])([^>]*)>(.*?)</h\1>", re.S)


def _slug(text: str, seen: set[str]) -> str:
    base = re.sub(r"[^\w]+", "-", re.sub(r"<[^>]+>", "", html.unescape(text)).lower()).strip("-") or "section"
    slug, i = base, 1
    while slug in seen:
        i += 1
        slug = f"{base}-{i}"
    seen.add(slug)
    return slug


def _with_toc(page: str, title: str, links: str = "") -> str:
    """Give every h1–h3 an id and put ``links`` (HTML) and a table of contents (h2, h3) after the title (the
    first h1), or at the opening of the body when there is none."""
    seen: set[str] = set()
    entries = []

    def anchor(match: re.Match) -> str:
        level, attrs, inner = match.groups()
        inner = re.sub(r"<a class=\"anchor-link\".*?</a>", "", inner, flags=re.S)
        slug = _slug(inner, seen)
        if level != "1":
            entries.append((int(level), slug, re.sub(r"<[^>]+>", "", inner)))
        attrs = re.sub(r'\s*id="[^"]*"', "", attrs)
        return f'<h{level}{attrs} id="{slug}">{inner}</h{level}>'

    page = _HEADING.sub(anchor, page)
    items = "".join(f'<li class="toc-h{level}"><a href="#{slug}">{text}</a></li>' for level, slug, text in entries)
    label = html.escape(title, quote=True)  # the contents' title in the report's language, for screen readers too
    nav = links + f'<nav id="toc" aria-label="{label}"><p class="toc-title">{label}</p><ul>{items}</ul></nav>'
    if "</h1>" in page:
        return page.replace("</h1>", "</h1>" + nav, 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav, page, count=1)


def render_html(notebook: Path, target: Path, title: str, lang: str, toc_title: str) -> Path:
    """Self-contained HTML: inputs and prompts hidden, images embedded as data URIs, house CSS, links to the
    index and the report's PDF and Excel files, TOC."""
    from nbconvert import HTMLExporter

    # csreport escapes all data text itself (chapters.output.escape); nbconvert's sanitizer would escape the
    # headings and tables of the Markdown outputs too
    exporter = HTMLExporter(
        template_name="lab", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        extra_template_paths=[str(Path(__file__).parent)], template_file="report.html.j2",  # no CDN scripts
    )  # fmt: skip
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    body = re.sub(r"<html[^>]*>", f'<html lang="{html_lang(lang)}">', body, count=1)
    body = re.sub(r"<title>.*?</title>", f"<title>{html.escape(title)}</title>", body, count=1, flags=re.S)
    body = with_csp(body.replace("</head>", f"<style>{CSS}</style></head>", 1), CSP_BUILTIN)
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(_with_toc(body, toc_title, report_links(lang)), encoding="utf-8")
    tmp.replace(target)
    return target


# ---- built-in PDF ------------------------------------------------------------------------------------------


def notebook_markdown(notebook: Path, figure_dir: Path) -> str:
    """The report as Markdown for pandoc: Markdown outputs as they are (the leading title heading dropped:
    the title block prints it), PNG outputs written to ``figure_dir`` and referenced; code is never included."""
    nb = nbformat.read(notebook, as_version=4)
    figure_dir.mkdir(parents=True, exist_ok=True)
    parts, count = [], 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                count += 1
                path = figure_dir / f"figure-{count:03d}.png"
                path.write_bytes(base64.b64decode(data["image/png"]))
                parts.append(f"![]({path.name}){{width=100%}}")
            elif "text/markdown" in data:
                parts.append(data["text/markdown"] if parts else without_title(data["text/markdown"]))
    return "\n\n".join(parts) + "\n"


def render_pdf(notebook: Path, target: Path, title: str, lang: str) -> Path:
    """A4 PDF via pandoc (Markdown → Typst) and the typst compiler, with the CJK font from mplfonts, the
    table rules and page footer of :func:`~csreport.pipeline.layout.typst_header` and coloured table marks."""
    import pypandoc
    import typst

    work = target.parent / "_pdf"
    work.mkdir(exist_ok=True)
    source = work / "report.md"
    source.write_text(notebook_markdown(notebook, work), encoding="utf-8")
    typ = work / "report.typ"
    margins = work / "margins.yaml"  # the page margins the table widths are measured for (chapters.output)
    margins.write_text(f"margin:\n  x: {PAGE_MARGIN_CM}cm\n  y: {PAGE_MARGIN_CM}cm\n", encoding="utf-8")
    try:
        pypandoc.convert_file(
            str(source), "typst", format="markdown", outputfile=str(typ),
            extra_args=[
                "--standalone",
                f"--metadata=title:{title}",
                f"--metadata=lang:{pandoc_lang(lang)}",
                *([f"--variable=region:{typst_region(lang)}"] if typst_region(lang) else []),
                f"--variable=mainfont:{FONT_FAMILY}",
                "--variable=papersize:a4",
                f"--metadata-file={margins}",  # a map: '--variable=margin.x:2cm' is a variable named 'margin.x'
                f"--variable=header-includes:{typst_header(title, lang)}",
                f"--lua-filter={MARKS_LUA}",
                "--toc",
                "--toc-depth=3",
                "--columns=20",  # every pipe table takes its column widths from the separator dashes
            ],
            cworkdir=str(work),
        )  # fmt: skip
        tmp = target.with_suffix(".pdf.tmp")
        typst.compile(str(typ), output=str(tmp), font_paths=[str(font_path().parent)], root=str(work))
    except (RuntimeError, OSError) as exc:
        raise RenderError(f"PDF rendering failed ({typ}): {exc}") from None
    tmp.replace(target)
    shutil.rmtree(work, ignore_errors=True)
    return target
