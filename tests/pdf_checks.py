"""Reading rendered reports the way a reader's tools do — text, fonts, word positions and page sizes — with
pypdfium2 (PDFium, the PDF engine of Chromium; a pip package of the ``dev`` extra, so the print tests run on any
machine with Python), for the print tests and for checking a batch by hand:
``python tests/pdf_checks.py reports/2026-10/*/report.pdf``.

Words are built as poppler's ``pdftotext`` builds them, which these checks used before: characters in the order
the PDF draws them, a new word at a space or where the next character starts more than a tenth of the font size
away, goes back over the previous one or moves to another line, so that text printed over other text gives two
overlapping words and two cells printed without a gap give one word. A character's box spans its advance and,
from its baseline, the ascent and descent of its font at its size (as in ``pdftotext -bbox``)."""

from __future__ import annotations

import ctypes
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

A4_PT = (595.28, 841.89)
TOLERANCE_PT = 0.5  # boxes touching within half a point are not an overlap
WORD_GAP_EM = 0.1  # a gap wider than this share of the font size starts a new word (pdftotext's word break)
# Chinese punctuation is set in half its box (Typst compresses the blank half of "。" or "（"), so the next or
# previous word may sit over that blank half: a word's box is cut by half an em at such an end.
_CLOSING = "。，、；：）」』】〉》！？”’"
_OPENING = "（「『【〈《“‘"


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: tuple[Word, ...]
    text: str
    fonts: frozenset[str]


def pages(pdf: Path) -> tuple[Page, ...]:
    """Every page of ``pdf`` read once (kept while the file is unchanged)."""
    stat = Path(pdf).stat()
    return _read(str(Path(pdf).resolve()), stat.st_mtime_ns, stat.st_size)


@cache
def _read(path: str, _mtime: int, _size: int) -> tuple[Page, ...]:
    document = pdfium.PdfDocument(path)
    try:
        return tuple(_page(document[i], i + 1) for i in range(len(document)))
    finally:
        document.close()


def _font(textpage, index: int) -> str:
    size = pdfium_c.FPDFText_GetFontInfo(textpage, index, None, 0, None)
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFText_GetFontInfo(textpage, index, buffer, size, None)
    return buffer.value.decode("utf-8", "replace")


def _metrics(textpage, index: int, size: float) -> tuple[float, float]:
    """The ascent and descent (negative) in points of the font a character is set in, at its size."""
    font = pdfium_c.FPDFTextObj_GetFont(pdfium_c.FPDFText_GetTextObject(textpage, index))
    ascent, descent = ctypes.c_float(), ctypes.c_float()
    pdfium_c.FPDFFont_GetAscent(font, ctypes.c_float(size), ctypes.byref(ascent))
    pdfium_c.FPDFFont_GetDescent(font, ctypes.c_float(size), ctypes.byref(descent))
    return ascent.value, descent.value


def _page(page, number: int) -> Page:
    width, height = page.get_size()
    textpage = page.get_textpage()
    words, fonts, current = [], set(), []  # current: (char, x0, y0, x1, y1, size) of the word being built
    x, y = ctypes.c_double(), ctypes.c_double()

    def finish() -> None:
        if current:
            text = "".join(c[0] for c in current)
            x0, y0 = min(c[1] for c in current), min(c[2] for c in current)
            x1, y1 = max(c[3] for c in current), max(c[4] for c in current)
            half_em = (y1 - y0) / 2
            x1 -= half_em if text[-1] in _CLOSING else 0
            x0 += half_em if text[0] in _OPENING else 0
            words.append(Word(number, x0, y0, x1, y1, text))
            current.clear()

    for i in range(textpage.count_chars()):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i)).replace("\x02", "-")  # a hyphen ending a line
        if pdfium_c.FPDFText_IsGenerated(textpage.raw, i) or char.isspace():
            finish()  # a space, or a line break PDFium inferred
            continue
        left, _, right, _ = textpage.get_charbox(i, loose=True)
        size = pdfium_c.FPDFText_GetFontSize(textpage.raw, i)
        ascent, descent = _metrics(textpage.raw, i, size)
        pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, ctypes.byref(x), ctypes.byref(y))
        box = (char, left, height - y.value - ascent, right, height - y.value - descent, size)
        if current:
            previous = current[-1]
            if (
                box[1] > previous[3] + WORD_GAP_EM * previous[5]  # a gap
                or box[1] < previous[1] - TOLERANCE_PT  # back over the previous character
                or abs(box[2] - previous[2]) > previous[5] / 2  # another line
            ):
                finish()
        current.append(box)
        fonts.add(_font(textpage.raw, i))
    finish()
    # PDFium marks a hyphen at the end of a line as U+FFFE (U+0002 per character): a reader sees a hyphen
    text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-")
    textpage.close()
    page.close()
    return Page(number, float(width), float(height), tuple(words), text, frozenset(fonts))


def words(pdf: Path) -> list[Word]:
    """Every word of ``pdf`` with its box (points, origin top left, without the blank half of Chinese
    punctuation at its ends)."""
    return [w for page in pages(pdf) for w in page.words]


def overlapping_words(pdf: Path) -> list[tuple[Word, Word]]:
    """Pairs of words on the same page whose boxes overlap by more than ``TOLERANCE_PT`` both ways (text
    printed over other text, e.g. a table cell running into its neighbour)."""
    pairs = []
    for page in pages(pdf):
        items = sorted(page.words, key=lambda w: w.x0)
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if b.x0 >= a.x1 - TOLERANCE_PT:
                    break
                if min(a.y1, b.y1) - max(a.y0, b.y0) > TOLERANCE_PT and min(a.x1, b.x1) - b.x0 > TOLERANCE_PT:
                    pairs.append((a, b))
    return pairs


def run_together(pdf: Path) -> list[str]:
    """Words that look like two table cells printed without a gap: a number followed by a currency or a
    word of three or more Latin letters ("7.0missed", "CN¥5.41CN¥5.30", "90.0%missed")."""
    return [w.text for w in words(pdf) if re.search(r"\d%?(?:CN¥|[A-Za-z]{3,})", w.text)]


def text(pdf: Path) -> str:
    """The text of ``pdf`` line by line, each page ended by a form feed (as ``pdftotext`` writes it)."""
    return "".join(page.text + "\n\f" for page in pages(pdf))


def fonts(pdf: Path) -> str:
    """The names of the fonts the text is set in, one a line (``ABCDEF+NotoSansCJKsc-Regular``: a subset
    embedded in the file)."""
    return "\n".join(sorted(set().union(*(page.fonts for page in pages(pdf)))))


def soft_hyphens(pdf: Path) -> list[str]:
    """The fonts of ``pdf`` that map a glyph to a soft hyphen (U+00AD): Typst draws a hyphenation point with
    such a glyph, so a reader copying the text (or ``pdftotext``) gets a soft hyphen where a word was broken.
    PDFium reports every hyphen at the end of a line alike, so this reads the fonts' ToUnicode maps (pypdf)."""
    found = set()
    for page in pypdf.PdfReader(pdf).pages:
        for ref in (page.get("/Resources") or {}).get("/Font", {}).values():
            font = ref.get_object()
            cmap = font.get("/ToUnicode")
            if cmap is not None and _maps_to(cmap.get_object().get_data().decode("latin-1"), 0xAD):
                found.add(str(font.get("/BaseFont")))
    return sorted(found)


def _maps_to(cmap: str, code: int) -> bool:
    """Whether a ToUnicode CMap maps any glyph to the single code point ``code`` (bfchar and bfrange)."""
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        if any(int(target, 16) == code for _, target in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>", block)):
            return True
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, first in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>", block):
            if int(first, 16) <= code <= int(first, 16) + int(high, 16) - int(low, 16):
                return True
        for targets in re.findall(r"<[0-9A-Fa-f]+>\s*<[0-9A-Fa-f]+>\s*\[(.*?)\]", block, re.S):
            if any(int(t, 16) == code for t in re.findall(r"<([0-9A-Fa-f]{4})>", targets)):
                return True
    return False


def page_sizes(pdf: Path) -> set[tuple[float, float]]:
    """The distinct page sizes of ``pdf`` in points (rounded to 0.01)."""
    return {(round(page.width, 2), round(page.height, 2)) for page in pages(pdf)}


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        pairs = overlapping_words(path)
        print(f"{path}: {len(pairs)} overlapping, {len(run_together(path))} run together, sizes {page_sizes(path)}")
        for a, b in pairs[:20]:
            print(f"  page {a.page}: {a.text!r} / {b.text!r}")
