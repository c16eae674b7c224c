"""Rendering the report notebook with Quarto (used when a ``quarto`` executable is on PATH, or asked for).

Quarto only applies a project's ``_quarto.yml`` when no component of the file's path starts with a dot (its
project context skips hidden paths), and it leaves ``.quarto/`` and ``<name>_files/`` behind. So the report is
rendered in a fresh folder of the system temporary directory whose path has no dot component, with the
generated ``_quarto.yml``, and only ``report.html`` and ``report.pdf`` are moved to the run directory; the
folder is removed afterwards, whatever happened.

The notebook given to Quarto marks every code cell ``output: asis``, so the Markdown outputs of the chapter
sections (headings, sentences, tables) are part of the document and its table of contents, and drops the
notebook's own level-1 heading, which Quarto's title block prints.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import yaml

from csreport.pipeline.layout import (
    MARKS_CSS,
    MARKS_LUA,
    pandoc_lang,
    report_links,
    typst_header,
    typst_region,
    without_title,
)
from csreport.pipeline.layout import html_lang as html_lang_of
from csreport.pipeline.offline import CSP_QUARTO, csp_meta
from csreport.pipeline.render import RenderError
from csreport.report.charts import FONT_FAMILY, font_path
from csreport.report.page import PAGE_MARGIN_CM
from csreport.settings import packaged

QUARTO_TEMPLATE = packaged("_quarto.yml")  # the project template shipped in the package (settings.py)
NOTEBOOK = "report.ipynb"


def hidden(path: Path) -> bool:
    """True when a component of ``path`` starts with a dot (Quarto then ignores the project)."""
    return any(part.startswith(".") and part not in (".", "..") for part in Path(path).parts)


def render_folder() -> Path:
    """A new empty folder for one Quarto render, in the first temporary directory whose resolved path has
    no dot-prefixed component (``$TMPDIR``, then ``/tmp`` and ``/var/tmp``)."""
    for base in (tempfile.gettempdir(), "/tmp", "/var/tmp"):
        base = Path(base).resolve()
        if base.is_dir() and os.access(base, os.W_OK) and not hidden(base):
            return Path(tempfile.mkdtemp(prefix="csreport-quarto-", dir=base))
    raise RenderError(
        f"Quarto needs a render folder whose path has no component starting with a dot; the temporary "
        f"directory {tempfile.gettempdir()} has one and /tmp and /var/tmp are not usable. Set TMPDIR to such a folder."
    )


def quarto_config(title: str, lang: str, template: Path = QUARTO_TEMPLATE) -> dict:
    """The render folder's ``_quarto.yml``: the repository template with the title and language; hidden code;
    self-contained HTML with the contents (depth 3) after the title, no links to other formats, a body as
    wide as the built-in page's and tables sized by their content (marks.lua drops the print widths); an A4
    Typst PDF in Noto Sans CJK SC (mplfonts' font file), contents, table rules and a footer with the title and
    page; the table-mark colours (CSS and a Lua filter); the HTML's Content-Security-Policy first in its head."""
    config = yaml.safe_load(template.read_text(encoding="utf-8")) or {}
    config["title"] = title
    config["lang"] = pandoc_lang(lang)  # the tag pandoc has translations for (the locale's locale.pandoc)
    config.setdefault("execute", {}).update({"echo": False, "enabled": False})
    config["filters"] = [str(MARKS_LUA)]
    formats = config.setdefault("format", {})
    formats.setdefault("html", {}).update(
        {
            "embed-resources": True,
            "toc": True,
            "toc-depth": 3,
            "toc-location": "body",
            "format-links": False,
            "css": [str(MARKS_CSS)],
            # the built-in page's width (report.css: 60rem): a nine-column table reads without squeezed columns
            "grid": {"body-width": "960px"},
        }
    )
    before = formats["html"].get("include-before-body") or []  # links to the index, the PDF and Excel first
    formats["html"]["include-before-body"] = [
        {"text": report_links(lang)},
        *([before] if isinstance(before, (str, dict)) else before),
    ]
    headers = formats["html"].get("include-in-header") or []  # the CSP first: Quarto's page may load nothing
    formats["html"]["include-in-header"] = [
        {"text": csp_meta(CSP_QUARTO)},
        *([headers] if isinstance(headers, (str, dict)) else headers),
    ]
    formats.setdefault("typst", {}).update(
        {
            "mainfont": FONT_FAMILY,
            "font-paths": [str(font_path().parent)],
            "papersize": "a4",
            "margin": {"x": f"{PAGE_MARGIN_CM}cm", "y": f"{PAGE_MARGIN_CM}cm"},
            "toc": True,
            "toc-depth": 3,
            **({"region": typst_region(lang)} if typst_region(lang) else {}),
            # the template's title is set in Libertinus Serif unless a brand says otherwise
            "include-in-header": [
                {"text": f'#let article = article.with(heading-family: "{FONT_FAMILY}")\n' + typst_header(title, lang)}
            ],
        }
    )
    return config


def quarto_notebook(source: Path, target: Path) -> None:
    """The notebook Quarto renders: every code cell ``#| output: asis`` with each Markdown output a block of
    its own (Quarto joins as-is outputs line to line: a table would run into the sentence before it), the
    leading title heading dropped."""
    nb = nbformat.read(source, as_version=4)
    titled = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.source = "#| output: asis\n" + cell.source
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/markdown" in data:
                text = data["text/markdown"] if titled else without_title(data["text/markdown"])
                data["text/markdown"] = f"\n\n{text.strip()}\n\n"
                titled = True
    nbformat.write(nb, target)


def quarto_command() -> list[str]:
    """The Quarto command line, run in the render folder: both formats of ``_quarto.yml`` in one process."""
    return ["quarto", "render", NOTEBOOK, "--no-execute"]


def quarto_version() -> str:
    """``quarto --version``, e.g. ``1.7.27``."""
    done = subprocess.run(["quarto", "--version"], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def warnings(log: str) -> list[str]:
    """The warning lines of Quarto's console log (``WARN`` from Quarto, ``[WARNING]`` from pandoc), with the
    indented lines that explain them."""
    found, inside = [], False
    for line in log.splitlines():
        if line.startswith(("WARN", "[WARNING]")):
            found.append(line.strip())
            inside = True
        elif inside and line.startswith("  ") and line.strip():
            found[-1] += " " + line.strip()
        else:
            inside = False
    return found


def html_lang(page: Path, tag: str) -> None:
    """Set the ``lang`` (and ``xml:lang``) of the page's ``<html>`` element to ``tag``: Quarto writes the
    pandoc tag (zh-Hans, the locale's locale.pandoc); the pages of both renderers say zh-CN (locale.html)."""
    text = page.read_text(encoding="utf-8")
    element = re.search(r"<html\b[^>]*>", text)
    if element:
        tagged = re.sub(r'((?:xml:)?lang=)"[^"]*"', rf'\1"{tag}"', element.group(0))
        page.write_text(text[: element.start()] + tagged + text[element.end() :], encoding="utf-8")


def render_quarto(notebook: Path, title: str, lang: str, template: Path = QUARTO_TEMPLATE) -> tuple[Path, Path]:
    """``report.html`` and ``report.pdf`` beside ``notebook``, rendered by Quarto in a render folder that is
    removed afterwards; ``template`` is the project's ``_quarto.yml`` (a run passes its settings' one)."""
    folder = render_folder()
    try:
        quarto_notebook(notebook, folder / NOTEBOOK)
        config = yaml.safe_dump(quarto_config(title, lang, template), allow_unicode=True, sort_keys=False)
        (folder / "_quarto.yml").write_text(config, encoding="utf-8")
        command = quarto_command()
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True)
        if done.returncode != 0:
            raise RenderError(f"{' '.join(command)} failed (exit {done.returncode}):\n{done.stderr[-4000:]}")
        for line in warnings(done.stderr):  # the rest of Quarto's log (its pandoc settings) stays quiet
            print(f"quarto: {line}", file=sys.stderr)
        produced = []
        for name in ("report.html", "report.pdf"):
            if not (folder / name).is_file():
                raise RenderError(f"Quarto reported success but {name} was not written in {folder}.")
            produced.append(Path(shutil.move(folder / name, notebook.parent / name)))
        html_lang(produced[0], html_lang_of(lang))
        return produced[0], produced[1]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
