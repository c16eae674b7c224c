"""Chapter output helpers: escaping of untrusted text and Markdown tables."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from csreport.language import i18n
from csreport.report.chapters.output import (
    TABLE_INSET_PT,
    TABLE_WIDTH_PT,
    Mark,
    column_widths,
    escape,
    keep_together,
    split_columns,
    table_markdown,
    text_points,
)


def test_escape_neutralises_html_and_markdown():
    assert escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escape('<img src=x onerror="x()">') == '&lt;img src=x onerror="x()"&gt;'
    assert escape("a | b *c* [d](e)\nnext") == r"a \| b \*c\* \[d\](e) next"


def test_table_markdown_alignment_escaping_and_width_rule():
    frame = pd.DataFrame({"KPI": ["Service level", "服务水平"], "Value": ["92.4%", "<b>"]})
    lines = table_markdown(frame).splitlines()
    assert lines[0] == "| KPI | Value |"
    assert lines[3] == "| 服务水平 | &lt;b&gt; |"
    # one dash per point of the column widths: first column left-aligned, the others right-aligned
    widths = [round(w) for w in column_widths(frame)]
    assert lines[1] == f"|:{'-' * widths[0]}|{'-' * widths[1]}:|"
    assert len(lines[1]) > 72  # longer than pandoc's default 72 columns, so Quarto uses the widths too


def test_column_widths_of_chinese_cells_by_hand():
    # CJK characters are 1 em = 8 pt at the table size; a column is its longest word × 1.08 + 2 × 5 pt padding.
    # Chinese breaks between characters, so only the wanted width is the whole cell: 4 × 8 = 32 pt.
    frame = pd.DataFrame({"指标": ["服务水平"], "状态": ["达标"]})
    least = [8 * 1.08 + 10, 8 * 1.08 + 10]
    wanted = [32 * 1.08 + 10, 16 * 1.08 + 10]
    assert column_widths(frame) == pytest.approx(wanted, abs=0.01)  # both fit: each column gets its whole cell
    assert wanted[0] + wanted[1] < TABLE_WIDTH_PT and least[0] < wanted[0]


def test_right_aligned_chinese_cells_and_short_headers_stay_whole_in_a_crowded_table():
    # a long first column takes the room left over, so every column is squeezed to its least width: a number
    # with its unit (60.0 分钟) or a status (未达标) must not break between characters, nor a short header (变化)
    kpis = {"指标": ["平均处理时长" * 12, "首次响应"]}
    frame = pd.DataFrame(kpis | {f"变化{i}": ["60.0\u00a0分钟", "未达标"] for i in range(6)})
    widths = column_widths(frame)
    cell = max(text_points("60.0\u00a0分钟"), text_points("未达标"), text_points("变化0"))
    assert sum(widths) == pytest.approx(TABLE_WIDTH_PT)
    assert all(w >= cell * 1.08 + 2 * TABLE_INSET_PT - 1e-9 for w in widths[1:])
    # left-aligned, the same cells may break between characters: least is one character
    left = column_widths(frame, align={c: "left" for c in frame.columns})
    assert min(left[1:]) < cell * 1.08 + 2 * TABLE_INSET_PT


def test_column_widths_never_below_the_longest_word():
    # six columns of long numbers: the words nearly fill the page, the long first column gives way
    frame = pd.DataFrame(
        {"KPI": ["Average speed of answer, all channels combined " * 3]} | {f"m{i}": ["CN¥12,345.67"] for i in range(6)}
    )
    widths = column_widths(frame)
    word = text_points("CN¥12,345.67") * 1.08 + 2 * TABLE_INSET_PT
    assert sum(widths) == pytest.approx(TABLE_WIDTH_PT)
    assert all(w >= word - 1e-9 for w in widths[1:])
    assert widths[0] >= text_points("channels,") * 1.08 + 2 * TABLE_INSET_PT


def test_too_wide_tables_are_split_with_the_first_column_repeated():
    frame = pd.DataFrame({"Team": ["North-east escalations"]} | {f"Month {i}": ["CN¥12,345,678.90"] for i in range(12)})
    assert column_widths(frame) is None
    parts = split_columns(frame)
    assert len(parts) > 1
    assert all(part.columns[0] == "Team" and column_widths(part) is not None for part in parts)
    assert [c for part in parts for c in part.columns[1:]] == list(frame.columns[1:])  # every column once, in order


def test_marks_show_a_coloured_symbol_and_plain_text():
    mark = Mark("✓", "met", " met <b>")
    assert str(mark) == "✓ met <b>"
    frame = pd.DataFrame({"KPI": ["Service level"], "Status": [mark]})
    # a right-aligned cell never wraps: its spaces are no-break spaces
    row = table_markdown(frame).splitlines()[2]
    assert row == '| Service level | <span class="cs-met">✓</span>\u00a0met\u00a0&lt;b&gt; |'
    left = table_markdown(frame, {"Status": "left"}).splitlines()[2]
    assert left == '| Service level | <span class="cs-met">✓</span> met &lt;b&gt; |'


def test_numbers_keep_their_unit_and_the_column_is_wide_enough():
    frame = pd.DataFrame({"KPI": ["Average handle time"], "Value": ["14.8 min"]})
    assert table_markdown(frame).splitlines()[2] == "| Average handle time | 14.8\u00a0min |"
    assert column_widths(keep_together(frame))[1] >= text_points("14.8\u00a0min") * 1.08 + 2 * TABLE_INSET_PT


@pytest.mark.parametrize(
    ("value", "previous", "direction", "significant", "expected"),
    [
        (0.92, 0.90, "higher", True, ("↑", "good", "*")),  # service level up: better, significant
        (8.3, 8.5, "lower", False, ("↓", "good", "")),  # handle time down: better
        (0.045, 0.028, "lower", True, ("↑", "bad", "*")),  # complaint rate up: worse
        (0.87, 0.93, "higher", True, ("↓", "bad", "*")),
        (3677, 3469, None, True, ("↑", "neutral", "*")),  # contacts: no direction, no colour judgement
        (0.0, 0.0, "lower", False, ("→", "neutral", "")),
    ],
)
def test_scorecard_change_marks(value, previous, direction, significant, expected):
    from csreport.report.chapters.background import change_mark

    mark = change_mark(value, previous, direction, significant)
    assert (mark.symbol, mark.tone, mark.suffix) == expected


def test_scorecard_change_without_a_previous_value():
    from csreport.report.chapters.background import change_mark

    assert change_mark(0.9, float("nan"), "higher", False) == "–"


def test_short_headers_stay_whole_long_ones_may_wrap():
    frame = pd.DataFrame({"指标": ["服务水平"], "变化": ["↑"], "Same month last year": ["88.4%"]})
    widths = column_widths(frame)
    assert widths[1] == pytest.approx(16 * 1.08 + 10, abs=0.01)  # 变化 (2 em) whole, not one character a line
    long_header = text_points("Same month last year")
    assert widths[2] == pytest.approx(long_header / 2 * 1.08 + 10, abs=0.01)  # on two lines


def test_a_kind_of_time_in_the_scorecard_is_written_in_one_unit_across_its_rows():
    """First response 4.8 h this month against a target of 60 min: the row reads in hours (its largest value,
    17,280 s ≥ 2 h), target 3,600 s = 1.0 h, never "4.8 h" beside "60.0 min"; ASA 4 s against 30 s stays in
    seconds; the resolution rows, elapsed and in business hours, share one unit."""
    from csreport.report.chapters.background import scorecard_rows

    def row(kpi, value, previous, last_year, target, industry):
        flags = dict.fromkeys(("small_sample", "partial", "previous_partial", "last_year_partial"), False)
        return {"kpi": kpi, "unit": "s", "value": value, "previous": previous, "last_year": last_year,
                "target": target, "industry_average": industry, "best_competitor": None, "status": "missed",
                "direction": "lower", "change_vs_previous": value - previous, "significant_vs_previous": False,
                **flags}  # fmt: skip

    card = pd.DataFrame([row("first_response_median_s", 17_280, 16_200, 17_280, 3_600, None),
                         row("asa_s", 4, 6, 5, 30, 28),
                         row("resolution_median_s", 1_026, 840, 1_020, 86_400, None),
                         row("resolution_business_median_s", 1_020, 840, 1_008, None, None)])  # fmt: skip
    ctx = SimpleNamespace(scorecard=card, lang="en", rules=SimpleNamespace(alpha=0.05),
                          t=lambda key, **values: i18n.text(key, "en", **values))  # fmt: skip
    cells = scorecard_rows(ctx).drop(columns=[i18n.text("ch1.col.change", "en"), i18n.text("ch1.col.status", "en")])
    assert cells.iloc[0, 1:].tolist() == ["4.8 h", "4.5 h", "4.8 h", "1.0 h", "n/a", "–"]
    assert cells.iloc[1, 1:].tolist() == ["4 s", "6 s", "5 s", "30 s", "28 s", "–"]
    # resolution in hours (its target 86,400 s = 24 h), elapsed and in business hours alike: 1,026 s = 0.285 h,
    # 840 s = 0.233 h, 1,020 s = 0.283 h, 1,008 s = 0.28 h; never 17.0 min one row below 0.28 h
    assert cells.iloc[2, 1:5].tolist() == ["0.28 h", "0.23 h", "0.28 h", "24.0 h"]
    assert cells.iloc[3, 1:4].tolist() == ["0.28 h", "0.23 h", "0.28 h"]
