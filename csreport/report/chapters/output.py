"""Writing a chapter: Markdown headings, sentences and tables as ``text/markdown`` outputs and charts as
embedded PNG images with a caption. All text from data is escaped, so a comment or a team name containing
``<script>`` or Markdown syntax is shown as text and never becomes markup.

Inside a function decorated with :func:`section` the helpers record into the returned
:class:`~csreport.report.chapters.section.Section` (which displays the same outputs); elsewhere they display at once."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Image, Markdown

from csreport.language import i18n
from csreport.report.chapters.section import Section, emit, running, section  # noqa: F401 - chapters use out.section
from csreport.report.page import PAGE_MARGIN_CM, TABLE_FONT_PT, TABLE_INSET_PT  # noqa: F401 - re-exported

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}|#~!])")


def escape(text) -> str:
    """``text`` safe inside Markdown and HTML: ``& < >`` as entities, Markdown punctuation backslashed,
    line breaks as spaces (a table cell or sentence stays one line)."""
    out = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = _MARKDOWN_SPECIAL.sub(r"\\\1", out)
    return re.sub(r"\s*[\r\n]+\s*", " ", out)


def markdown(source: str) -> None:
    """Display Markdown written by csreport itself (already escaped where it holds data)."""
    emit(Markdown(source))


#: marks a figure resting on fewer observations than the minimum sample (params/targets.yml min_sample), as the
#: scorecard does: flagged, never hidden
SMALL = " ⚠"


def is_small(n, min_sample: int) -> bool:
    """True when a figure rests on ``n`` < ``min_sample`` observations (a missing n is not flagged: the figure
    itself is then n/a)."""
    return n is not None and not pd.isna(n) and int(n) < min_sample


def flag_small(text: str, n, min_sample: int) -> str:
    """``text`` (a formatted rate, mean or share) followed by ⚠ when it rests on fewer than ``min_sample``
    observations ``n``; unchanged otherwise."""
    return str(text) + (SMALL if is_small(n, min_sample) else "")


def with_small_note(caption: str, frame: pd.DataFrame, note: str, sep: str = " ") -> str:
    """``caption`` followed by ``note`` (what ⚠ means; joined by ``sep``, the language's sentence separator)
    when a cell of ``frame`` carries the small-sample mark."""
    flagged = frame.astype(str).apply(lambda column: column.str.contains(SMALL.strip(), regex=False)).to_numpy().any()
    return f"{caption}{sep}{note}" if flagged and len(frame) else caption


def heading(text: str, level: int = 2) -> None:
    if (current := running()) is not None and current.heading is None:
        current.heading = str(text)
    markdown(f"{'#' * level} {escape(text)}")


def say(*sentences: str, sep: str = " ") -> None:
    """A paragraph from generated sentences (escaped), joined by ``sep`` (a chapter passes its language's
    separator through :meth:`~csreport.report.chapters.context.ReportContext.say`)."""
    sentences = [s for s in sentences if s]
    if (current := running()) is not None:
        current.sentences.extend(str(s) for s in sentences)
    if sentences:
        markdown(sep.join(escape(s) for s in sentences))


def bullets(items: Iterable[str]) -> None:
    items = [escape(i) for i in items if i]
    if items:
        markdown("\n".join(f"- {i}" for i in items))


# Table layout for print. Both PDF paths (pandoc → Typst, Quarto → Typst) set tables in the house font at
# TABLE_FONT_PT on an A4 page with 2 cm margins, TABLE_INSET_PT of padding on each side of a cell, and take a pipe
# table's column widths from its separator dashes. A cell breaks only at spaces (and between Chinese characters);
# a column narrower than its longest unbreakable word prints over its neighbour, so widths are measured. A header
# breaks only at spaces: a Chinese header (每次联络成本) is one word, so its column is made as wide as the whole
# header and Typst never breaks it inside a word (HTML: ``th { word-break: keep-all }`` in marks.css).
# The page's margins, table font and padding are in csreport.report.page (the renderers set the same page).
TABLE_WIDTH_PT = 595.28 - 2 * PAGE_MARGIN_CM * 72 / 2.54  # A4 width less the margins on each side
_SLACK = 1.08  # measured widths are advances without kerning; leave room for rounding in the layout
_BREAKS = re.compile(r"[^\S\u00a0]+|(?<=[\u2e80-\u9fff\uff00-\uffef])|(?=[\u2e80-\u9fff\uff00-\uffef])")
_SPACES = re.compile(r"[^\S\u00a0]+")
NBSP = "\u00a0"


@dataclass(frozen=True)
class Mark:
    """A coloured symbol in a table cell, e.g. a status (✓ met) or a change (↑*). ``tone`` is one of
    good, bad, met, risk, missed, neutral: ``marks.css`` colours it in HTML and ``marks.lua`` in the PDF;
    ``suffix`` follows the symbol uncoloured. ``str()`` is the plain text."""

    symbol: str
    tone: str
    suffix: str = ""

    def __str__(self) -> str:
        return self.symbol + self.suffix

    def markdown(self) -> str:
        return f'<span class="cs-{self.tone}">{escape(self.symbol)}</span>{escape(self.suffix)}'


@cache
def _advances() -> tuple:
    from matplotlib.ft2font import FT2Font, LoadFlags

    from csreport.report.charts import font_path

    font = FT2Font(str(font_path()))
    font.set_size(TABLE_FONT_PT, 72)
    return font, LoadFlags.NO_HINTING


@cache
def _char_points(ch: str) -> float:
    """Advance width of ``ch`` in points; a character the font lacks (the PDF takes it from a fallback font)
    counts as one em."""
    font, flags = _advances()
    if not font.get_char_index(ord(ch)):
        return TABLE_FONT_PT
    return font.load_char(ord(ch), flags=flags).linearHoriAdvance / 65536


def text_points(text: str) -> float:
    """Width of ``text`` set in the house font at ``TABLE_FONT_PT``, in points."""
    return sum(_char_points(ch) for ch in text)


def _column_points(texts: list[str], header: str, whole: bool = False) -> tuple[float, float]:
    """(least, wanted) width of a column in points, padding included: least = its longest unbreakable word
    (a header's words are separated by spaces only, so a Chinese header is one word; a cell breaks between
    Chinese characters too, except with ``whole``, where every cell is one word: a right-aligned number with its
    unit or a status, which must not break between Chinese characters, 未达/标, 60.0 分/钟), wanted = its
    longest cell, the header allowed to wrap at its spaces onto two lines unless it is short."""
    words = [w for w in _SPACES.split(header) if w] + [w for t in texts for w in _BREAKS.split(t) if w]
    words += texts if whole else []
    head = text_points(header)  # a header may wrap onto two lines; a short one (up to 4 em, 变化) stays whole
    least = max([*(text_points(w) for w in words), head if head <= 4 * TABLE_FONT_PT else 0.0])
    wanted = max([least, min(head, max(head / 2, 4 * TABLE_FONT_PT)), *(text_points(t) for t in texts)])
    pad = 2 * TABLE_INSET_PT
    return least * _SLACK + pad, wanted * _SLACK + pad


def column_widths(frame: pd.DataFrame, align: dict[str, str] | None = None) -> list[float] | None:
    """Column widths in points that fit the page: every column at least its longest word (a right-aligned cell
    is one word, see :func:`table_markdown`), the room left shared out towards each column's longest cell.
    ``None`` when even the words do not fit side by side."""
    texts = [[str(v) for v in frame.iloc[:, i] if not pd.isna(v)] for i in range(frame.shape[1])]
    whole = [not is_left for is_left in _left(frame, align)]
    sizes = [_column_points(t, str(c), w) for t, c, w in zip(texts, frame.columns, whole, strict=True)]
    least = sum(s[0] for s in sizes)
    if least > TABLE_WIDTH_PT:
        return None
    extra = sum(s[1] - s[0] for s in sizes)
    share = min(1.0, (TABLE_WIDTH_PT - least) / extra) if extra else 0.0
    return [s[0] + (s[1] - s[0]) * share for s in sizes]


def split_columns(frame: pd.DataFrame, align: dict[str, str] | None = None) -> list[pd.DataFrame]:
    """``frame`` as one or more tables that each fit the page, the first column repeated in each."""
    if frame.shape[1] <= 2 or column_widths(frame, align) is not None:
        return [frame]
    first, parts, current = frame.columns[0], [], []
    for column in frame.columns[1:]:
        if current and column_widths(frame[[first, *current, column]], align) is None:
            parts.append(frame[[first, *current]])
            current = []
        current.append(column)
    return [*parts, frame[[first, *current]]]


def _unbroken(value):
    """A right-aligned cell (a number with its unit, a status) kept on one line: spaces become no-break spaces."""
    if isinstance(value, Mark):
        return Mark(value.symbol, value.tone, value.suffix.replace(" ", NBSP))
    return value if pd.isna(value) else str(value).replace(" ", NBSP)


def _left(frame: pd.DataFrame, align: dict[str, str] | None) -> list[bool]:
    align = align or {}
    return [align.get(c, "right" if i else "left") == "left" for i, c in enumerate(frame.columns)]


def keep_together(frame: pd.DataFrame, align: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` whose right-aligned cells cannot wrap (see :func:`table_markdown`)."""
    frame = frame.copy()
    for i, is_left in enumerate(_left(frame, align)):
        if not is_left:
            frame.isetitem(i, [_unbroken(v) for v in frame.iloc[:, i]])
    return frame


def _cell(value) -> str:
    if isinstance(value, Mark):
        return value.markdown()
    return escape("" if pd.isna(value) else value)


def table_markdown(frame: pd.DataFrame, align: dict[str, str] | None = None) -> str:
    """A pipe table of already formatted cells (text or :class:`Mark`); the first column left-aligned, the
    others right-aligned unless ``align`` says otherwise; a right-aligned cell never wraps (a number and its
    unit stay together), a left-aligned one wraps at spaces. The separator has one dash per point of
    :func:`column_widths`, which pandoc (built-in PDF) and Quarto use as relative column widths; a separator
    longer than pandoc's 72 columns makes both use them."""
    left = _left(frame, align)
    frame = keep_together(frame, align)
    cells = [[_cell(v) for v in row] for row in frame.itertuples(False)]
    header = [escape(c) for c in frame.columns]
    widths = column_widths(frame, align) or [
        _column_points([str(v) for v in frame.iloc[:, i]], str(c), not left[i])[0] for i, c in enumerate(frame.columns)
    ]
    rule = []
    for i in range(frame.shape[1]):
        dashes = "-" * max(round(widths[i]), 3)
        rule.append(":" + dashes if left[i] else dashes + ":")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines)


def without_empty_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the columns whose every cell is empty ("" or missing): a column of nothing to say
    (a note column no row needs) is not shown."""
    empty = [c for c in frame.columns if all(pd.isna(v) or str(v).strip() == "" for v in frame[c])]
    return frame.drop(columns=empty) if len(empty) < frame.shape[1] else frame


def table(frame: pd.DataFrame, caption: str | None = None, align: dict[str, str] | None = None) -> None:
    """Display a formatted table (and its caption below) as Markdown, so Quarto and pandoc make real tables;
    empty columns are left out; a table too wide for an A4 page is split into tables of fewer columns, the
    first column repeated."""
    frame = without_empty_columns(frame)
    if (current := running()) is not None:
        current.tables.append(frame.copy())
        current.tables[-1].attrs["caption"] = caption
    source = "\n\n".join(table_markdown(part, align) for part in split_columns(keep_together(frame, align), align))
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
    if (current := running()) is not None:
        current.figures.append(fig)
        current.captions.append(caption)
    emit(Image(data=buffer.getvalue(), format="png", alt=" — ".join([*titles, caption])))  # alt: title, source, n
    markdown(f"*{escape(caption)}*")


def time_kind(kpi: str) -> str:
    """The kind of time a KPI measures, shared by its median and p90, elapsed and in business hours:
    ``resolution_business_p90_s`` → ``resolution``; a KPI that is not one of a family is its own kind."""
    return re.sub(r"(_business)?(_median|_p90)?_s$", "", kpi)


def time_units(values: dict[str, list]) -> dict[str, str | None]:
    """KPI → the one unit its kind of time (:func:`time_kind`) is written in across a table: ``values`` maps each
    time KPI of the table to the values it shows (value, interval, months before, target …), and every KPI of a
    kind gets the unit :func:`i18n.duration_unit` gives all of theirs: the median and p90 of a resolution time,
    elapsed and in business hours, all in hours."""
    pooled: dict[str, list] = {}
    for kpi, shown in values.items():
        pooled.setdefault(time_kind(kpi), []).extend(shown)
    return {kpi: i18n.duration_unit(pooled[time_kind(kpi)]) for kpi in values}
