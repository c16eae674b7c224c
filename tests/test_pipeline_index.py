"""The index pages: one per language, linking only that language's reports; one row per period, one column per
unit named by its label, headline KPIs, failed runs listed apart with their reason, text escaped."""

from __future__ import annotations

import json

from csreport.pipeline.index import write_index, write_indexes


def _manifest(out, period, folder, status="ok", error=None, headline=None, **extra):
    path = out / period / folder
    path.mkdir(parents=True)
    headline = headline or {"service_level": {"value": 0.712, "unit": "ratio", "status": "missed"},
                            "contacts": {"value": 8412.0, "unit": "count", "status": "n/a"}}  # fmt: skip
    manifest = {"status": status, "error": error, "period": period, "headline": headline, **extra}
    (path / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_grid_with_headline_kpis_and_failed_runs_apart(tmp_path):
    _manifest(tmp_path, "2026-10", "east", unit="east", lang="en", unit_label="East China")
    _manifest(tmp_path, "2026-09", "east", unit="east", lang="en", unit_label="East China")
    _manifest(tmp_path, "2026-10", "west.failed", "failed", "chapter 03 failed: <script>x</script>", unit="west",
              lang="en", unit_label="West China", failed_chapter="03_service_quality")  # fmt: skip
    page = write_index(tmp_path, "en").read_text(encoding="utf-8")
    assert page.index("October 2026") < page.index("September 2026")  # latest month first
    assert 'Service level: 71.2% <span class="cs-missed" title="missed">×</span>' in page
    assert "Contacts: 8,412<br>" in page  # n/a: no mark
    for link in ("report.html", "report.pdf", "report.xlsx"):
        assert f'href="2026-10/east/{link}"' in page
    # columns are named by the unit's label, never by a folder ("east", "west.failed")
    assert "<th>East China</th><th>West China</th>" in page and "<th>west.failed</th>" not in page
    # the failed run: marked in the grid, listed apart with its reason and the notebook that failed
    grid, failed = page.split("Failed runs")
    assert '<a href="#failed-2026-10-west">failed</a>' in grid and "&lt;script&gt;" not in grid
    assert 'id="failed-2026-10-west"' in failed and "<td>West China</td>" in failed
    assert "&lt;script&gt;x&lt;/script&gt;" in failed and "<script>x" not in page
    assert 'href="2026-10/west.failed/chapters/03_service_quality.ipynb"' in failed
    assert "<td>–</td>" in grid  # west has no September run


def test_one_index_per_language_each_linking_its_own_reports(tmp_path):
    """Every link of index.zh.html opens a Chinese report, every link of index.html an English one."""
    _manifest(tmp_path, "2026-10", "east", unit="east", lang="en", unit_label="East")
    _manifest(tmp_path, "2026-10", "east.zh", unit="east", lang="zh", unit_label="华东")
    english, chinese = write_indexes(tmp_path)
    assert (english.name, chinese.name) == ("index.html", "index.zh.html")
    page = english.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Customer service reports" in page and "客户服务分析报告" not in page
    assert '<a href="index.zh.html" hreflang="zh-CN">中文报告</a>' in page
    assert 'href="2026-10/east/report.html"' in page and "east.zh/" not in page and "<th>East</th>" in page
    zh = chinese.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and '<a href="index.html" hreflang="en">English reports</a>' in zh
    assert 'href="2026-10/east.zh/report.html"' in zh and 'href="2026-10/east/' not in zh
    assert "<th>华东</th>" in zh and "服务水平：71.2%" in zh


def test_manifests_written_before_the_language_was_recorded(tmp_path):
    """An older manifest (no lang, no unit label): the language from the folder's suffix, the default name."""
    _manifest(tmp_path, "2026-10", "east")
    _manifest(tmp_path, "2026-10", "east.zh")
    zh = write_index(tmp_path, "zh").read_text(encoding="utf-8")
    assert 'href="2026-10/east.zh/report.html"' in zh and 'href="2026-10/east/' not in zh and "<th>East</th>" in zh


def test_status_marks_are_the_scorecards_with_its_colours_and_legend(tmp_path):
    """The index marks a KPI's status as the scorecard does (✓ met, ▲ at risk, × missed, coloured by
    marks.css), with a legend in the page's language; the old marks (✔ ! ✘) are gone."""
    headline = {"service_level": {"value": 0.85, "unit": "ratio", "status": "met"},
                "csat_mean": {"value": 4.1, "unit": "score", "status": "at risk"},
                "nps": {"value": 12.0, "unit": "points", "status": "missed"}}  # fmt: skip
    _manifest(tmp_path, "2026-10", "east", headline=headline, unit="east", lang="en")
    _manifest(tmp_path, "2026-10", "east.zh", headline=headline, unit="east", lang="zh")
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
        '状态：<span class="cs-met" title="达标">✓</span> 达标，<span class="cs-risk" title="有风险">▲</span> 有风险，'
        in zh
    )
    assert '<span class="cs-risk" title="有风险">▲</span>' in zh[zh.index('<td class="ok">') :]


def test_an_index_without_reports_in_its_language_says_so(tmp_path):
    """After `make report` (English only) the Chinese index has no grid of English links: it says how to make
    Chinese reports and links the English index."""
    _manifest(tmp_path, "2026-10", "east", unit="east", lang="en")
    zh = write_index(tmp_path, "zh").read_text(encoding="utf-8")
    assert "尚无中文报告：运行 csreport 时加 --lang zh" in zh and "report.html" not in zh
    assert '<a href="index.html" hreflang="en">English reports</a>' in zh
