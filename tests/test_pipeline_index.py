"""The index page: one row per period, one column per unit, headline KPIs, failed runs marked, text escaped."""

from __future__ import annotations

import json

from csreport.pipeline.index import write_index


def _manifest(out, period, unit, status="ok", error=None, headline=None):
    folder = out / period / unit
    folder.mkdir(parents=True)
    headline = headline or {"service_level": {"value": 0.712, "unit": "ratio", "status": "missed"},
                            "contacts": {"value": 8412.0, "unit": "count", "status": "n/a"}}  # fmt: skip
    manifest = {"status": status, "error": error, "period": period, "unit": unit, "headline": headline}
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_grid_with_headline_kpis_and_failures(tmp_path):
    _manifest(tmp_path, "2026-10", "east")
    _manifest(tmp_path, "2026-09", "east")
    _manifest(tmp_path, "2026-10", "west.failed", "failed", "chapter 03 failed: <script>x</script>")
    page = write_index(tmp_path, "en").read_text(encoding="utf-8")
    assert page.index("October 2026") < page.index("September 2026")  # latest month first
    assert 'Service level: 71.2% <span class="cs-missed" title="missed">×</span>' in page
    assert "Contacts: 8,412<br>" in page  # n/a: no mark
    assert 'href="2026-10/east/report.html"' in page and 'href="2026-10/east/report.pdf"' in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    assert "<td>–</td>" in page  # west.failed has no September run
    zh = write_index(tmp_path, "zh").read_text(encoding="utf-8")
    assert (
        "客户服务分析报告" in zh
        and '服务水平: 71.2% <span class="cs-missed" title="未达标">×</span>' in zh
        and "失败" in zh
    )


def test_one_index_per_language_linked_to_each_other(tmp_path):
    """A Chinese run never turns reports/index.html Chinese: it has its own index.zh.html."""
    from csreport.pipeline.index import write_indexes

    _manifest(tmp_path, "2026-10", "east")
    _manifest(tmp_path, "2026-10", "east.zh")
    english, chinese = write_indexes(tmp_path)
    assert (english.name, chinese.name) == ("index.html", "index.zh.html")
    write_index(tmp_path, "zh")  # as after a Chinese run
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Customer service reports" in page and "客户服务分析报告" not in page
    assert '<a href="index.zh.html" hreflang="zh">中文</a>' in page
    zh = chinese.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and '<a href="index.html" hreflang="en">English</a>' in zh
    assert 'href="2026-10/east.zh/report.html"' in zh and 'href="2026-10/east/report.html"' in zh


def test_status_marks_are_the_scorecards_with_its_colours_and_legend(tmp_path):
    """The index marks a KPI's status as the scorecard does (✓ met, ▲ at risk, × missed, coloured by
    marks.css), with a legend in the page's language; the old marks (✔ ! ✘) are gone."""
    headline = {"service_level": {"value": 0.85, "unit": "ratio", "status": "met"},
                "csat_mean": {"value": 4.1, "unit": "score", "status": "at risk"},
                "nps": {"value": 12.0, "unit": "points", "status": "missed"}}  # fmt: skip
    _manifest(tmp_path, "2026-10", "east", headline=headline)
    page = write_index(tmp_path, "en").read_text(encoding="utf-8")
    cell = page[page.index('<td class="ok">') :]
    assert '85.0% <span class="cs-met" title="met">✓</span>' in cell
    assert '<span class="cs-risk" title="at risk">▲</span>' in cell
    assert '<span class="cs-missed" title="missed">×</span>' in cell
    legend = (
        'Status: <span class="cs-met" title="met">✓</span> met, <span class="cs-risk" title="at risk">▲</span> '
        'at risk, <span class="cs-missed" title="missed">×</span> missed (as in the KPI scorecard).'
    )
    assert legend in page
    for colour in (
        ".cs-good, .cs-met { color: #047857",
        ".cs-risk { color: #b45309",
        ".cs-bad, .cs-missed { color: #b91c1c",
    ):
        assert colour in page  # the scorecard's colours (marks.css)
    assert not set("✔✘") & set(page) and "% !" not in page
    zh = write_index(tmp_path, "zh").read_text(encoding="utf-8")
    assert (
        '状态:<span class="cs-met" title="达标">✓</span> 达标,<span class="cs-risk" title="有风险">▲</span> 有风险,'
        in zh
    )
    assert '<span class="cs-risk" title="有风险">▲</span>' in zh[zh.index('<td class="ok">') :]
