"""The message body: what it reads from a run (today's findings.json and the fields a run may add: a ``brief``,
``value_at_stake_total``, ``standing``), what it does with files that are missing or odd, escaping, and words
that belong to the locale."""

from __future__ import annotations

import json
import re
from pathlib import Path

from csreport.delivery.body import MARKS, render_html, render_text
from csreport.delivery.brief import read_brief
from csreport.language import i18n
from tests.test_deliver import HOSTILE, PERIOD, finished_report

PACKAGE = Path(__file__).parents[1] / "csreport"


def test_the_brief_reads_recommendations_money_owners_and_the_scorecard(tmp_path):
    run_dir = finished_report(tmp_path)
    brief = read_brief(run_dir, PERIOD, "east", "en")
    assert [m.owner for m in brief.messages] == ["Customer retention", "Operations"]  # rank order
    assert brief.messages[0].value_at_stake == 311853.9 and brief.value_total is None and brief.standing is None
    assert [(r.kpi, r.value, r.status) for r in brief.glance] == [
        ("Contacts", "3,698", None),
        ("Service level", "90.7%", "met"),
        ("Abandonment rate", "5.2%", "at risk"),
        ("Complaint rate", "4.4%", "missed"),
    ]
    assert brief.also_met == ("Reopen rate",) and brief.status_counts == {"met": 2, "at risk": 1, "missed": 1}
    assert brief.chart is not None and brief.chart.caption == "Source: contacts table; n = 30"


def test_the_brief_takes_the_runs_own_brief_total_and_standing_issues_when_written(tmp_path):
    run_dir = finished_report(tmp_path)
    document = json.loads((run_dir / "findings.json").read_text(encoding="utf-8"))
    document["brief"] = {"messages": [{"message": "Win back basic customers.", "owner": "Retention",
                                       "money": {"value_at_stake": 120000.0}, "evidence": "330 churned."}]}  # fmt: skip
    document["value_at_stake_total"] = 130000.0
    document["standing"] = [{"kind": "churn_group", "first_seen": "2026-06"}, {"kind": "process_cost"}]
    (run_dir / "findings.json").write_text(json.dumps(document), encoding="utf-8")
    brief = read_brief(run_dir, PERIOD, "east", "en")
    assert [(m.action, m.owner, m.value_at_stake) for m in brief.messages] == [
        ("Win back basic customers.", "Retention", 120000.0)
    ]
    text = render_text(brief, [], "footer")
    assert "counted once: CN¥130,000." in text and "2 standing issues from earlier months" in text


def test_missing_or_odd_files_leave_their_part_out(tmp_path):
    run_dir = finished_report(tmp_path)
    (run_dir / "findings.json").write_text('{"recommendations": [{"rank": "x"}, 3, {"action": null}]', "utf-8")
    (run_dir / "exports" / "scorecard.csv").unlink()
    (run_dir / "chapters" / "01_background.ipynb").write_text("[]", encoding="utf-8")
    brief = read_brief(run_dir, PERIOD, "east", "zh")
    assert brief.messages == () and brief.glance == () and brief.chart is None
    text = render_text(brief, [], "footer")
    assert "2026 年 10 月没有需要采取行动的发现。" in text and i18n.text("deliver.glance", "zh") not in text


def test_every_text_from_the_run_is_escaped_in_html(tmp_path):
    run_dir = finished_report(tmp_path, unit="west")
    document = json.loads((run_dir / "findings.json").read_text(encoding="utf-8"))
    document["recommendations"][0].update(owner=HOSTILE, evidence='"><img src=x onerror=alert(1)>')
    (run_dir / "findings.json").write_text(json.dumps(document), encoding="utf-8")
    scorecard = run_dir / "exports" / "scorecard.csv"
    scorecard.write_text(scorecard.read_text(encoding="utf-8") + "2026-10,west,<b>odd</b>,count,1,2,,met\n", "utf-8")
    page = render_html(read_brief(run_dir, PERIOD, "west", "en"), [], "<footer>", "chart@x")
    assert "<script>" not in page and "<img src=x" not in page and "<b>odd</b>" not in page
    assert "&lt;script&gt;" in page and "&lt;footer&gt;" in page
    assert not re.search(r"(src|href)=\"(?!cid:)", page)  # nothing to load but the embedded chart


def test_the_words_are_the_locales_with_chinese_punctuation():
    sources = "".join(p.read_text(encoding="utf-8") for p in (PACKAGE / "delivery").glob("*.py"))
    assert not re.search(r"lang\s*[=!]=\s*['\"]", sources)  # no language branches in code
    zh = {k: v for k, v in i18n.catalogue("zh").items() if k.startswith("deliver.")}
    assert zh and set(zh) == {k for k in i18n.catalogue("en") if k.startswith("deliver.")}
    for key, message in zh.items():
        assert not re.search(r"[,:;()]", re.sub(r"\{\w+\}", "", message)), f"{key}: {message}"


def test_status_colours_are_the_reports():
    css = (PACKAGE / "pipeline" / "marks.css").read_text(encoding="utf-8")
    for status, tone in (("met", "met"), ("at risk", "risk"), ("missed", "missed")):
        colour = re.search(rf"\.cs-{tone}\b[^{{]*\{{ color: (#[0-9a-f]{{6}})", css).group(1)
        assert MARKS[status][1] == colour


def test_a_time_at_a_glance_is_in_one_unit():
    """First response 17,280 s this month, 16,200 s the month before, target 3,600 s: 4.8 h, 4.5 h and 1.0 h in
    the e-mail's line, never "target 60.0 min" beside "4.8 h"."""
    from csreport.delivery.brief import _glance

    row = {"kpi": "first_response_median_s", "measure_unit": "s", "value": "17280", "previous": "16200",
           "target": "3600", "status": "missed"}  # fmt: skip
    glance = _glance(row, "en")
    assert (glance.value, glance.previous, glance.target) == ("4.8 h", "4.5 h", "1.0 h")
    assert _glance(row, "zh").target == "1.0 小时"
