"""The index page: one row per period, one column per unit, headline KPIs, failed runs marked, text escaped."""

from __future__ import annotations

import json

from csreport.pipeline.index import write_index


def _manifest(out, period, unit, status="ok", error=None):
    folder = out / period / unit
    folder.mkdir(parents=True)
    headline = {"service_level": {"value": 0.712, "unit": "ratio", "status": "missed"},
                "contacts": {"value": 8412.0, "unit": "count", "status": "n/a"}}  # fmt: skip
    manifest = {"status": status, "error": error, "period": period, "unit": unit, "headline": headline}
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_grid_with_headline_kpis_and_failures(tmp_path):
    _manifest(tmp_path, "2026-10", "east")
    _manifest(tmp_path, "2026-09", "east")
    _manifest(tmp_path, "2026-10", "west.failed", "failed", "chapter 03 failed: <script>x</script>")
    page = write_index(tmp_path, "en").read_text(encoding="utf-8")
    assert page.index("October 2026") < page.index("September 2026")  # latest month first
    assert "Service level: 71.2% ✘" in page and "Contacts: 8,412" in page
    assert 'href="2026-10/east/report.html"' in page and 'href="2026-10/east/report.pdf"' in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    assert "<td>–</td>" in page  # west.failed has no September run
    zh = write_index(tmp_path, "zh").read_text(encoding="utf-8")
    assert "客户服务分析报告" in zh and "服务水平: 71.2% ✘" in zh and "失败" in zh


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
