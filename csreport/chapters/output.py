"""Writing a chapter: Markdown headings, sentences and tables as ``text/markdown`` outputs and charts as
embedded PNG images with a caption. All text from data is escaped, so a comment or a team name containing
``<script>`` or Markdown syntax is shown as text and never becomes markup."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, Markdown, display

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}|#~!])")


def escape(text) -> str:
    """``text`` safe inside Markdown and HTML: ``& < >`` as entities, Markdown punctuation backslashed,
    line breaks as spaces (a table cell or sentence stays one line)."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _MARKDOWN_SPECIAL.sub(r"\\\1", out)
    return re.sub(r"\s*[\r\n]+\s*", " ", out)


def markdown(source: str) -> None:
    """Display Markdown written by csreport itself (already escaped where it holds data)."""
    display(Markdown(source))


def heading(text: str, level: int = 2) -> None:
    markdown(f"{'#' * level} {escape(text)}")


def say(*sentences: str) -> None:
    """A paragraph from generated sentences (escaped)."""
    sentences = [s for s in sentences if s]
    if sentences:
        markdown(" ".join(escape(s) for s in sentences))


def bullets(items: Iterable[str]) -> None:
    items = [escape(i) for i in items if i]
    if items:
        markdown("\n".join(f"- {i}" for i in items))


def _width(text: str) -> int:
    """Display width: East Asian wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table_markdown(frame: pd.DataFrame, align: dict[str, str] | None = None) -> str:
    """A pipe table of already formatted cells; the first column left-aligned, the others right-aligned unless
    ``align`` says otherwise. The separator's dash counts follow each column's longest cell, which pandoc
    uses as relative column widths in PDF."""
    align = align or {}
    cells = [[escape("" if pd.isna(v) else v) for v in row] for row in frame.itertuples(False)]
    header = [escape(c) for c in frame.columns]
    # a header may wrap onto two lines, so it asks for about half its width (at least its longest word)
    widths = [
        max([_width(header[i]) // 2, *(_width(w) for w in header[i].split()), *(_width(row[i]) for row in cells)])
        for i in range(len(header))
    ]
    rule = []
    for i, column in enumerate(frame.columns):
        dashes = "-" * min(max(widths[i], 3), 40)
        rule.append(":" + dashes if align.get(column, "right" if i else "left") == "left" else dashes + ":")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def table(frame: pd.DataFrame, caption: str | None = None, align: dict[str, str] | None = None) -> None:
    """Display a formatted table (and its caption below) as Markdown, so Quarto and pandoc make real tables."""
    source = table_markdown(frame, align)
    if caption:
        source += f"\n\n*{escape(caption)}*"
    markdown(source)


def figure(fig, caption: str) -> None:
    """Display ``fig`` as an embedded PNG followed by its caption (source and n), then free it. The image's alt
    text is the chart's title (which states the finding) and the caption."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    titles = [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center", "right") if ax.get_title(loc)]
    plt.close(fig)
    display(Image(data=buffer.getvalue(), format="png", alt=" — ".join([*titles, caption])))  # alt: title, source, n
    markdown(f"*{escape(caption)}*")
