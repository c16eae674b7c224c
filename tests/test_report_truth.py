"""Sentences, tables and charts of the report are true on data shaped like real exports (not the generator's):
required columns only, a month cut off mid-way with a short history, a foreign export. Each test runs one
section on a tiny readable fixture and checks what it says against numbers worked out by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from csreport.report.chapters import customers, open_report

FIXTURES = Path(__file__).parent / "fixtures"


def _context(tmp_path: Path, lang: str = "en", period: str = "2026-10", unit: str = "east", **tables: str):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    for table, fixture in tables.items():
        shutil.copy(FIXTURES / fixture, data / f"{table}.csv")
    return open_report(period, unit, lang, data, tmp_path / "validated")


def test_needs_without_complaint_flags_shows_no_complaint_share(tmp_path):
    """Categories without is_complaint: the table had a complaint share of 100 % for every category (it counted
    contacts as complaints); now the column is left out. billing 3 of 4 contacts = 75.0 %."""
    ctx = _context(tmp_path, contacts="contacts_category_no_complaint_flag.csv")
    section = customers.needs(ctx)
    [table] = section.tables
    assert list(table.columns) == ["Category", "Contacts", "Share"]
    assert table.iloc[0].tolist() == ["Billing", "3", "75.0%"]  # the category by its label
    assert section.sentences == [
        "Billing is the most common reason for contact (75.0% of 4 contacts across 2 categories)."
    ]


def test_churn_of_a_partial_month_is_not_compared_with_whole_months(tmp_path):
    """Data to 24 October: 6 of the 90 customers active on 1 October churned by the 24th (6.7%), 10 of 100 in
    September (10.0%). A 24-day churn rate is not a month's: no change, no test, no target status, no benchmark
    (it read "Monthly churn improved to 6.7% … from 10.0%" and ranked first against monthly benchmarks)."""
    ctx = _context(tmp_path, contacts="contacts_ends_mid_month.csv", customers="customers_churn_partial_month.csv")
    churn = ctx.scorecard.set_index("kpi").loc["churn_rate"]
    assert churn["value"] == pytest.approx(6 / 90) and churn["partial"]
    assert churn["previous"] == pytest.approx(10 / 100)  # the baseline is still shown
    assert pd.isna(churn["change_vs_previous"]) and pd.isna(churn["p_vs_previous"])
    assert not churn["significant_vs_previous"] and churn["status"] == "n/a"
    # no improvement, deterioration or missed target from it (a segment's churn rising above its history in the
    # days with data is still a rise: the partial month can only undercount it)
    assert not [f for f in ctx.findings if f.metric == "churn_rate" and f.kind != "churn_rise"]
    september = open_report("2026-09", "east", "en", tmp_path / "data", tmp_path / "validated")
    whole = september.scorecard.set_index("kpi").loc["churn_rate"]  # a whole month keeps its status
    assert whole["value"] == pytest.approx(0.10) and whole["status"] == "missed"


def test_a_spike_in_a_cut_off_month_states_the_days_it_covers():
    """Delivery complaints: one a day in April–September (183 days with data), 40 in the 12 days of October the
    data cover: expected 183 / 183 × 12 = 12, ratio 3.3. The sentence said "3.3 times their usual 12.1 a month"
    (the 12 days' worth, not a month's)."""
    from csreport.findings.detect import category_spikes
    from csreport.findings.narrative import finding_sentence
    from csreport.findings.rules import Rules

    months = {"2026-04": 30, "2026-05": 31, "2026-06": 30, "2026-07": 31, "2026-08": 31, "2026-09": 30}
    counts = pd.DataFrame(
        [(m, "delivery", d) for m, d in months.items()] + [("2026-10", "delivery", 40)],
        columns=["period", "category", "count"],
    )
    days = {**months, "2026-10": 12}
    [spike] = category_spikes(counts, [*months, "2026-10"], "east", Rules(), days=days)
    assert spike.finding.baseline == pytest.approx(12.0)
    assert finding_sentence(spike.finding, "en").startswith(
        "Complaints about Delivery rose to 40 in the 12 days of October 2026 with data, 3.3 times the 12 their "
        "usual rate gives for those days"
    )
    assert finding_sentence(spike.finding, "zh").startswith("2026 年 10 月有数据的 12 天内“Delivery”类投诉升至 40 件")


def test_volume_sentence_says_per_day_and_what_the_data_do_not_reach(tmp_path):
    """Two contacts a day from 1 September to 24 October 2026. September is the first month (nothing to compare
    with); October has 48 contacts in 24 days against 60 in 30: the same per day, said as "unchanged" (it read
    "+0.0% per day"), and no October 2025 (the sentence read "against n/a a year earlier (n/a)")."""
    from csreport.report.chapters import background

    ctx = _context(tmp_path, contacts="contacts_ends_mid_month.csv")
    assert background.overview(ctx).sentences == [
        "In October 2026 customers contacted us 48 times in 24 days with data, against 60 in 30 days the month "
        "before (unchanged per day); the data do not reach back to October 2025."
    ]
    first = open_report("2026-09", "east", "zh", tmp_path / "data", tmp_path / "validated")
    assert background.overview(first).sentences == [
        "2026 年 9 月客户在有数据的 30 天内共联络我们 60 次；数据中没有更早的月份可供比较。"
    ]


def test_sentences_leave_out_what_the_export_does_not_measure(tmp_path):
    """The Chinese helpdesk export (tests/fixtures/helpdesk_cn, 4 contacts accepted, surveys with CSAT only):
    no "NPS was n/a and mean customer effort n/a", no "n/a of complaints were resolved and n/a escalated" (the
    one complaint, T002, has a resolved_at time: 100.0% resolved; escalation is not exported)."""
    from csreport.report.chapters import customers as chapter

    ctx = open_report("2026-10", "all", "en", FIXTURES / "helpdesk_cn", tmp_path / "validated",
                      mapping_file=Path(__file__).parents[1] / "params" / "mapping" / "helpdesk_cn.yml")  # fmt: skip
    satisfaction = " ".join(chapter.satisfaction(ctx).sentences)
    assert satisfaction.startswith("Mean CSAT was") and "NPS" not in satisfaction and "effort" not in satisfaction
    complaints = chapter.complaints(ctx).sentences
    assert complaints[-1] == "100.0% of the complaints were resolved." and "escalated" not in " ".join(complaints)


def test_nothing_measurable_is_said_in_words_not_as_0_of_0(tmp_path):
    """Required columns only: no KPI with a target can be computed (it read "Of the 0 KPIs with a target, 0 met
    it, 0 are at risk and 0 missed it" and "0 of 0 service standards … were met")."""
    from csreport.report.chapters import background, service_quality

    ctx = _context(tmp_path, contacts="contacts_required_only.csv")
    sentence, left_out = background.kpi_scorecard(ctx).sentences
    targets = int(ctx.scorecard["target"].notna().sum())
    assert sentence == f"None of the {targets} KPIs with a target can be measured on these data."
    assert left_out.startswith("Not measurable on these data, so left out of the table: Service level")
    [standards] = service_quality.standards(ctx).sentences
    assert standards.startswith("None of the") and "service standards (a target per KPI" in standards
    assert "params/" not in standards  # where a standard is configured: the method notes, not the sentence


def test_the_scorecard_sentence_reads_right_for_one_kpi(tmp_path):
    """A month cut mid-way with only contacts: the complaint rate is the one KPI with a target measured (none of
    October's 48 contacts is a complaint: 0.0 % against the 2.5 % target, met). It read "Of the 1 KPIs with a
    target, 1 met it, 0 are at risk and 0 missed it"."""
    from csreport.report.chapters import background

    ctx = _context(tmp_path, contacts="contacts_ends_mid_month.csv")
    measured = ctx.scorecard[ctx.scorecard["status"] != "n/a"]
    assert measured["kpi"].tolist() == ["complaint_rate"] and measured["status"].tolist() == ["met"]
    assert measured["value"].tolist() == [0.0]
    sentence, _ = background.kpi_scorecard(ctx).sentences  # then the KPIs these data cannot measure
    assert sentence == "KPIs with a target measured on these data: 1; met: 1, at risk: 0, missed: 0."


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("en", "Billing is the only reason for contact recorded (48 contacts, one category)."),
        ("zh", "“账单”是记录中唯一的联络原因（48 次联络，仅一个类别）。"),
    ],
)
def test_one_category_is_not_called_the_most_common_of_1_categories(tmp_path, lang, expected):
    """Every October contact of the mid-month fixture is billing (it read "100.0% of 48 contacts across 1
    categories")."""
    ctx = _context(tmp_path, lang=lang, contacts="contacts_ends_mid_month.csv")
    assert customers.needs(ctx).sentences == [expected]
