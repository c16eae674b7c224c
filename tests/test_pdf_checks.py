"""The PDF checks read what they claim to, with pip packages only (no poppler): on PDFs made by Typst with
known content, word boxes sit where the text was placed, text printed over text and cells printed without a gap
are found, and text, fonts, page sizes and hyphenation points are read."""

from __future__ import annotations

from pathlib import Path

import pytest
import typst

from tests import pdf_checks

PAGE = "#set page(width: 300pt, height: 200pt, margin: 20pt)\n#set text(size: 10pt)\n"


def _pdf(tmp_path: Path, body: str, name: str = "check") -> Path:
    source = tmp_path / f"{name}.typ"
    source.write_text(body, encoding="utf-8")
    typst.compile(str(source), output=str(tmp_path / f"{name}.pdf"))
    return tmp_path / f"{name}.pdf"


def test_words_sit_where_they_were_placed(tmp_path):
    pdf = _pdf(tmp_path, PAGE + "#place(dx: 100pt, dy: 50pt)[Resolution rate]\n")
    words = pdf_checks.words(pdf)
    assert [w.text for w in words] == ["Resolution", "rate"]
    assert words[0].x0 == pytest.approx(120.0, abs=0.01) and words[0].page == 1  # margin 20 + dx 100
    assert words[0].x1 < words[1].x0  # the space between them
    # top-left origin: the text's box starts at margin 20 + dy 50 = 70 pt; a word spans the font's ascent and
    # descent around the baseline (Libertinus Serif: 0.894 and 0.246 em, 11.4 pt at 10 pt)
    assert words[0].y0 < 70 < words[0].y1 < 85
    assert words[0].y1 - words[0].y0 == pytest.approx(11.4, abs=0.01)


def test_text_printed_over_text_is_found(tmp_path):
    pdf = _pdf(tmp_path, PAGE + "#place(dx: 0pt)[Resolution rate]\n#place(dx: 40pt)[overlapping cell]\n")
    pairs = [(a.text, b.text) for a, b in pdf_checks.overlapping_words(pdf)]
    assert pairs == [("Resolution", "overlapping"), ("overlapping", "rate")]


def test_cells_printed_without_a_gap_are_found_and_spaced_ones_are_not(tmp_path):
    body = (
        PAGE + "#place(dy: 0pt)[#box[7.0]#box[missed]]\n#place(dy: 30pt)[7.0 missed]\n"
        "#place(dy: 60pt)[#box[CN¥5.41]#h(0.5pt)#box[CN¥5.30]]\n#place(dy: 90pt)[#box[90.0%]#h(3pt)#box[missed]]\n"
    )
    pdf = _pdf(tmp_path, body)
    assert pdf_checks.run_together(pdf) == ["7.0missed", "CN¥5.41CN¥5.30"]  # a 3 pt gap separates words
    assert pdf_checks.overlapping_words(pdf) == []


def test_text_fonts_and_sizes_of_every_page(tmp_path):
    body = '#set page(paper: "a4")\n#set text(font: "Libertinus Serif")\nFirst page\n#pagebreak()\nSecond page\n'
    pdf = _pdf(tmp_path, body)
    text = pdf_checks.text(pdf)
    assert text.split("\f")[:-1] == ["First page\n", "Second page\n"]  # a form feed ends each page
    assert "LibertinusSerif" in pdf_checks.fonts(pdf)
    assert pdf_checks.fonts(pdf).split("+")[0].isupper()  # a subset embedded in the file (ABCDEF+Name)
    assert pdf_checks.page_sizes(pdf) == {pdf_checks.A4_PT}


@pytest.mark.parametrize("hyphenate", [True, False])
def test_hyphenation_points_are_found(tmp_path, hyphenate):
    body = (
        f'#set page(width: 120pt, height: 200pt, margin: 10pt)\n#set text(lang: "en", '
        f"hyphenate: {str(hyphenate).lower()})\n#set par(justify: true)\n"
        "Notwithstanding extraordinarily incomprehensible characteristics, a two-proportion z-test.\n"
    )
    found = pdf_checks.soft_hyphens(_pdf(tmp_path, body))
    assert bool(found) is hyphenate, found


def test_a_changed_file_is_read_again(tmp_path):
    pdf = _pdf(tmp_path, PAGE + "Before\n")
    assert pdf_checks.text(pdf).startswith("Before")
    _pdf(tmp_path, PAGE + "After, a longer text\n")
    assert pdf_checks.text(pdf).startswith("After")
