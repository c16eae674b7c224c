"""Chapter output helpers: escaping of untrusted text and Markdown tables."""

from __future__ import annotations

import pandas as pd

from csreport.chapters.output import escape, table_markdown


def test_escape_neutralises_html_and_markdown():
    assert escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escape('<img src=x onerror="x()">') == '&lt;img src=x onerror="x()"&gt;'
    assert escape("a | b *c* [d](e)\nnext") == r"a \| b \*c\* \[d\](e) next"


def test_table_markdown_alignment_and_widths():
    frame = pd.DataFrame({"KPI": ["Service level", "服务水平"], "Value": ["92.4%", "<b>"]})
    lines = table_markdown(frame).splitlines()
    assert lines[0] == "| KPI | Value |"
    # dashes = longest cell: 13 for "Service level" (服务水平 is 8 wide), 9 for the escaped "&lt;b&gt;"
    assert lines[1] == "|:-------------|---------:|"
    assert lines[3] == "| 服务水平 | &lt;b&gt; |"
