"""Reading rendered reports the way a reader's tools do (poppler's pdftotext, pdffonts, pdfinfo), for the print
tests and for checking a batch by hand: ``python tests/pdf_checks.py reports/2026-10/*/report.pdf``."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
A4_PT = (595.28, 841.89)
TOLERANCE_PT = 0.5  # boxes touching within half a point are not an overlap
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


def words(pdf: Path) -> list[Word]:
    """Every word of ``pdf`` with its box (points, origin top left, without the blank half of Chinese
    punctuation at its ends), from ``pdftotext -bbox``."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = []
    for number, page in enumerate(out.split("<page ")[1:], 1):
        for m in _WORD.finditer(page):
            x0, y0, x1, y1 = map(float, m.groups()[:4])
            word = html.unescape(m.group(5))
            half_em = (y1 - y0) / 2
            x1 -= half_em if word[-1] in _CLOSING else 0
            x0 += half_em if word[0] in _OPENING else 0
            found.append(Word(number, x0, y0, x1, y1, word))
    return found


def overlapping_words(pdf: Path) -> list[tuple[Word, Word]]:
    """Pairs of words on the same page whose boxes overlap by more than ``TOLERANCE_PT`` both ways (text
    printed over other text, e.g. a table cell running into its neighbour)."""
    pairs = []
    pages: dict[int, list[Word]] = {}
    for word in words(pdf):
        pages.setdefault(word.page, []).append(word)
    for items in pages.values():
        items.sort(key=lambda w: w.x0)
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
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout


def page_sizes(pdf: Path) -> set[tuple[float, float]]:
    """The distinct page sizes of ``pdf`` in points (rounded to 0.01)."""
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True).stdout
    return {(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", out)}


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        pairs = overlapping_words(path)
        print(f"{path}: {len(pairs)} overlapping, {len(run_together(path))} run together, sizes {page_sizes(path)}")
        for a, b in pairs[:20]:
            print(f"  page {a.page}: {a.text!r} / {b.text!r}")
