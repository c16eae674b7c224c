"""Chapter 6's builders (csreport/report/chapters/outlook.py): the numbers each keeps in the report model, worked out by
hand, and sections that render them with the store taken away."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from csreport.findings.evidence import Evidence
from csreport.findings.money import Money
from csreport.findings.recommend import Recommendation
from csreport.findings.record import Finding
from csreport.language import i18n
from csreport.report.chapters import open_report, outlook
from csreport.report.chapters.model import rendering


@pytest.fixture(scope="module")
def busy_tens(tmp_path_factory):
    """100 phone contacts between 10:00 and 10:30 on each of the 22 weekdays of October 2026 (AHT 180 s: load
    100 × 180 / 1800 = 10 Erlangs, the reference example: 14 agents for 80% in 20 s, 20 scheduled after 30%
    shrinkage), one e-mail on Saturday 31 October at 12:00 (the month is whole), and 1,380 available hours of
    two agents in agent_months."""
    data = tmp_path_factory.mktemp("busy") / "data"
    data.mkdir()
    days = [d for d in pd.date_range("2026-10-01", "2026-10-31") if d.day_of_week < 5]
    created = [d + pd.Timedelta(hours=10, seconds=17 * i) for d in days for i in range(100)]
    created.append(pd.Timestamp("2026-10-31 12:00"))
    contacts = pd.DataFrame({"contact_id": [f"C{i}" for i in range(len(created))], "created_at": created,
                             "business_unit": "east", "channel": ["phone"] * (len(created) - 1) + ["email"],
                             "handle_s": [180.0] * (len(created) - 1) + [None]})  # fmt: skip
    contacts.to_csv(data / "contacts.csv", index=False)
    pd.DataFrame({"agent_id": ["a1", "a2"], "period": "2026-10", "paid_hours": [1300.0, 300.0],
                  "available_hours": [1150.0, 230.0]}).to_csv(data / "agent_months.csv", index=False)  # fmt: skip
    ctx = open_report("2026-10", "east", "en", data, data.parent / "work")
    return ctx, len(days)


def test_staffing_keeps_the_erlang_need_and_the_staff_on_hand(busy_tens):
    ctx, weekdays = busy_tens
    data = ctx.section_data("06.staffing")
    assert data.available and (data.target, data.threshold_s) == (0.8, 20.0)
    assert data.per_interval[["interval", "label", "required"]].to_dict("records") == [
        {"interval": 600, "label": "10:00", "required": 14}
    ]
    assert (data.peak_required, data.peak_at, data.peak_scheduled) == (14, "10:00", 20.0)
    assert data.weekday_contacts == 100 * weekdays == 2200
    # 22 weekday half hours with contacts and the Saturday's one: 23 half hours = 11.5 open hours
    assert data.on_hand == pytest.approx((1150 + 230) / 11.5) == pytest.approx(120)


def test_the_outlook_sections_render_their_data_without_the_store(busy_tens):
    ctx, _ = busy_tens
    view = rendering(ctx)
    for name in ("forecast", "staffing", "churn_outlook", "recommendations", "method_notes"):
        section, rendered = getattr(outlook, name)(ctx), getattr(outlook, name)(view)
        assert (rendered.sentences, rendered.captions) == (section.sentences, section.captions), name
    staffing = outlook.staffing(view)
    assert "14 agents" in staffing.sentences[0] and "10:00" in staffing.sentences[0]
    assert "120" in staffing.sentences[1]


def test_churn_outlook_without_customers_says_what_is_missing(busy_tens):
    ctx, _ = busy_tens
    data = ctx.section_data("06.churn_outlook")
    assert not data.available and data.churn.reason and data.rising_segments == []
    assert outlook.churn_outlook(ctx).sentences == [ctx.t("report.missing", what=ctx.t("ch2.need_customers"))]


def test_method_notes_keep_where_each_thing_is_configured(busy_tens):
    ctx, _ = busy_tens
    table = ctx.section_data("06.method_notes").configured_in
    assert list(table.columns) == ["what", "file"]
    assert dict(table.itertuples(index=False))["targets"] == "params/targets.yml"
    assert dict(table.itertuples(index=False))["contract"] == "data/README.md"


def _finding(kind: str, metric: str, segment: str | None = None) -> Finding:
    return Finding(kind, "east", "2026-10", metric, 0.1, 0.05, 0.05, 1.0, 0.01, True, "high", 40.0, "customers",
                   segment=segment)  # fmt: skip


def test_the_recommendations_table_holds_numbers_and_codes_in_rank_order():
    churn, spike = _finding("churn_rise", "churn_rate", "basic"), _finding("category_spike", "complaints")
    evidence = Evidence("f01-churn", "customer_id", pd.DataFrame({"customer_id": ["U1", "U2", "U3"]}))
    recs = [
        Recommendation(1, "Call them", "Retention", "Churn rose.", "", 40.0, "customers", "high", churn,
                       Money(1200.0, 300.0, 4.0, "assumed"), standing=False),
        Recommendation(2, "Fix it", "Quality", "Complaints rose.", "", 12.0, "contacts", "medium", spike),
    ]  # fmt: skip
    ctx = SimpleNamespace(recommendations=recs, evidence_of=lambda f: evidence if f is churn else None)
    table = outlook.recommendations_data(ctx).table
    assert list(table.columns) == outlook.RECOMMENDATION_COLUMNS
    first, second = table.to_dict("records")
    assert (first["rank"], first["severity"], first["kind"], first["segment"]) == (1, "high", "churn_rise", "basic")
    assert (first["value_at_stake"], first["action_cost"], first["benefit_cost_ratio"]) == (1200.0, 300.0, 4.0)
    assert (first["finding_id"], first["evidence_rows"]) == ("f01-churn", 3)
    assert (second["rank"], second["metric"], second["impact"], second["impact_unit"]) == (2, "complaints", 12.0,
                                                                                          "contacts")  # fmt: skip
    assert pd.isna(second["value_at_stake"]) and second["evidence_rows"] == 0


def test_the_examples_of_a_recommendation_say_what_their_rows_are():
    """The link to a finding's evidence names what it lists: "all 175 customers", never "all 175 rows"."""
    rows = pd.DataFrame({"customer_id": [f"U{i:04d}" for i in range(175)]})
    evidence = Evidence("f01-churn_rise-churn_rate", "customer_id", rows)
    ctx = SimpleNamespace(lang="en", evidence_of=lambda finding: evidence,
                          t=lambda key, **values: i18n.text(key, "en", **values))  # fmt: skip
    line = outlook._examples(ctx, finding=None)
    assert "U0000, U0001, U0002, U0003, U0004" in line
    assert "[all 175 customers](evidence/f01-churn_rise-churn_rate.csv)" in line


def _staffing(service_level, occupancy, occupancy_target=0.80, on_hand=2.7, peak=5):
    per_interval = pd.DataFrame({"interval": [480, 510], "label": ["08:00", "08:30"], "required": [peak, 3],
                                 "on_hand": on_hand})  # fmt: skip
    need = SimpleNamespace(available=True, reason=None)
    return outlook.StaffingData(need, 0.80, 20.0, on_hand, per_interval, peak, "08:00", 8.0, 1952,
                                service_level, occupancy, occupancy_target)  # fmt: skip


@pytest.mark.parametrize(
    ("service_level", "occupancy", "verdict"),
    [
        (0.911, 0.353, "enough"),
        (0.85, 0.80, "tight"),
        (0.70, 0.92, "short"),
        (0.70, 0.35, "misplaced"),
        (0.911, None, None),
    ],  # fmt: skip
)
def test_the_measured_service_level_and_occupancy_say_whether_the_staff_was_enough(service_level, occupancy, verdict):
    assert _staffing(service_level, occupancy).verdict == verdict


def test_the_staffing_need_is_not_told_as_a_shortage_when_the_standard_was_met_with_idle_agents():
    """East in October 2026: Erlang C asks for up to 5 agents against about 3 on hand, yet service level was 91.1%
    (target 80.0%) and occupancy 35.3% (target 80.0%): the text says the staff was enough and why Erlang C asks
    for more, never only "needs 5, 3 available"."""
    data = _staffing(0.911, 0.353)
    ctx = SimpleNamespace(lang="en", section_data=lambda name: data,
                          t=lambda key, **values: i18n.text(key, "en", **values),
                          say=lambda *sentences: outlook.out.say(*sentences, sep=" "))  # fmt: skip
    sentences = outlook.staffing(ctx).sentences
    assert sentences[1:4] == [
        "On average about 3 agents were available per open half-hour.",
        "The staff on hand was enough: service level was 91.1% against a target of 80.0%, and agents were busy "
        "35.3% of their available time (occupancy; target 80.0%).",
        "Erlang C asks for more agents than were available on average, in part because it staffs phone and chat "
        "as separate queues, each answering within 20 s.",
    ]
    short = _staffing(0.70, 0.92)
    said = outlook.verdict_sentences(SimpleNamespace(lang="zh", t=lambda k, **v: i18n.text(k, "zh", **v)), short)
    assert said == ["实际数据同样表明人手不足：服务水平为 70.0%，目标为 80.0%；坐席有 92.0% 的可用时间在忙"
                    "（坐席占用率，目标 80.0%）。"]  # fmt: skip


def test_churn_outlook_with_customers_but_no_churn_dates_says_why_not_that_customers_are_missing():
    from csreport.metrics.measure import Measure
    from csreport.report.chapters.context import ReportContext

    unmeasured = Measure.unavailable("churn_rate", "ratio", "customers has no churn_date column")
    data = outlook.ChurnOutlookData(unmeasured, unmeasured)
    ctx = SimpleNamespace(lang="en", section_data=lambda name: data, has=lambda table: table == "customers",
                          t=lambda key, **values: i18n.text(key, "en", **values))  # fmt: skip
    ctx.not_enough = lambda reason: ReportContext.not_enough(ctx, reason)
    assert outlook.churn_outlook(ctx).sentences == ["This analysis has no result (customers has no churn_date column)."]
