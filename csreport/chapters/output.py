"""Writing a chapter: Markdown headings, sentences and tables as ``text/markdown`` outputs and charts as
embedded PNG images with a caption. All text from data is escaped, so a comment or a team name containing
``<script>`` or Markdown syntax is shown as text and never becomes markup."""

from __future__ import annotations

import io
import re
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


def table_markdown(frame: pd.DataFrame, align: dict[str, str] | None = None) -> str:
    """A pipe table of already formatted cells; numeric-looking columns right-aligned unless ``align`` says."""
    align = align or {}
    header = "| " + " | ".join(escape(c) for c in frame.columns) + " |"
    rule = (
        "|"
        + "|".join(
            "---:" if align.get(c, "right" if i else "left") == "right" else ":---" for i, c in enumerate(frame.columns)
        )
        + "|"
    )
    rows = ["| " + " | ".join(escape("" if pd.isna(v) else v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([header, rule, *rows])


def table(frame: pd.DataFrame, caption: str | None = None, align: dict[str, str] | None = None) -> None:
    """Display a formatted table (and its caption below) as Markdown, so Quarto and pandoc make real tables."""
    source = table_markdown(frame, align)
    if caption:
        source += f"\n\n*{escape(caption)}*"
    markdown(source)


def figure(fig, caption: str) -> None:
    """Display ``fig`` as an embedded PNG followed by its caption (source and n), then free it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    display(Image(data=buffer.getvalue(), format="png"))
    markdown(f"*{escape(caption)}*")
