"""The director's page (csreport/report/chapters/brief.py): the report opens with the month in brief — at most five
messages, news first, each with its owner, its money counted once and its evidence — then the scorecard and the
standing issues."""

from __future__ import annotations

from types import SimpleNamespace

from csreport.language import i18n
from csreport.report.chapters import SECTIONS, brief, open_report


def _ctx(period: str = "2026-10", lang: str = "en"):
    return SimpleNamespace(period=period, lang=lang, t=lambda key, **values: i18n.text(key, lang, **values))


def _rec(standing: bool, first_seen: str | None):
    return SimpleNamespace(standing=standing, finding=SimpleNamespace(first_seen=first_seen))


def test_the_brief_opens_the_report_then_the_scorecard_then_the_standing_issues():
    module, sections = SECTIONS["01_background"]
    assert sections[:3] == ["brief", "kpi_scorecard", "standing_issues"]


def test_a_recommendation_is_new_standing_since_its_month_or_first_flagged_this_month():
    ctx = _ctx()
    assert brief.status_mark(ctx, _rec(False, None)) == " (new this month)"
    assert brief.status_mark(ctx, _rec(True, "2026-07")) == " (standing issue since July 2026)"
    assert brief.status_mark(ctx, _rec(True, "2026-10")) == " (first flagged this month, no significant change)"
    assert brief.status_mark(_ctx(lang="zh"), _rec(True, "2026-07")) == "（自 2026 年 7 月起的长期问题）"


def test_a_month_with_no_testable_series_does_not_say_nothing_changed(tmp_path, shown):
    """Five months of contacts (required columns only) before a month cut off on the 15th: no series has the
    six months of history a calibrated test needs, so the brief says nothing could be tested."""
    import pandas as pd

    data = tmp_path / "data"
    data.mkdir()
    days = pd.date_range("2026-05-01 09:00", "2026-10-15 09:00", freq="6h")
    pd.DataFrame({"contact_id": [f"c{i}" for i in range(len(days))], "created_at": days,
                  "business_unit": "east", "channel": "phone"}).to_csv(data / "contacts.csv", index=False)  # fmt: skip
    ctx = open_report("2026-10", "east", "en", data, tmp_path / "validated")
    assert ctx.report.tests == 0
    text = " ".join(brief.brief(ctx).sentences)
    assert "No change in October 2026 could be tested against the unit's own history" in text
    assert "Nothing changed" not in text and "known before" not in text


def test_the_brief_has_at_most_five_messages_news_first_with_owner_money_and_evidence(
    sample_dir, sample_truth, tmp_path, shown
):
    ctx = open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path / "validated")
    chosen = brief.brief_recommendations(ctx)
    assert 0 < len(chosen) <= brief.BRIEF_MESSAGES
    standing = [r.standing for r in chosen]
    assert standing == sorted(standing)  # news (False) before standing issues (True)
    section = brief.brief(ctx)
    text = "\n".join(section.sentences + [getattr(p, "data", "") or "" for p in section.parts])
    total = ctx.value_at_stake_total
    assert total is not None and i18n.amount(total, "en") in text
    assert f"Value at stake of all {len(ctx.recommendations)} recommendations together" in text
    # the total counts every customer and contact once: at most the sum of the recommendations' values
    values = [r.money.value_at_stake for r in ctx.recommendations if r.money and r.money.value_at_stake]
    assert total <= sum(values) + 0.01
    for r in chosen:
        assert r.owner in text and r.action.split()[0] in text
        nouns = {
            "contact_id": "contact",
            "customer_id": "customer",
            "agent_id": "agent",
            "survey_id": "survey response",
        }
        counts = [
            f"{i18n.number(len(v), 'en')} {nouns[k]}{'' if len(v) == 1 else 's'}" for k, v in r.evidence_ids.items()
        ]
        assert f"Evidence: {', '.join(counts)}." in text  # what the rows are, never "318 rows"


def test_the_evidence_of_a_message_says_what_it_counts():
    """318 churned customers are "318 customers", not "318 rows"; contacts and customers are each named; one is
    singular; an id column the catalogue does not know stays "rows"."""
    assert brief.evidence_count({"customer_id": 318}, "en") == "318 customers"
    assert brief.evidence_count({"contact_id": 1_175, "customer_id": 1}, "en") == "1,175 contacts, 1 customer"
    assert brief.evidence_count({"contact_id": 175, "agent_id": 0}, "zh") == "175 次联络"
    assert brief.evidence_count({"survey_id": 2, "order_id": 3}, "en") == "2 survey responses, 3 rows"
    line = i18n.text("ch1.brief_line", "en", money="not priced", owner="Operations",
                     rows=brief.evidence_count({"customer_id": 318}, "en"))  # fmt: skip
    assert line.endswith("Evidence: 318 customers.")
