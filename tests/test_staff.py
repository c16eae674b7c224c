"""Chapter 4's sections (csreport/report/chapters/staff.py): what they say of the numbers the model keeps."""

from __future__ import annotations

from types import SimpleNamespace

from csreport.language import i18n
from csreport.metrics.measure import Measure
from csreport.report.chapters import staff
from csreport.report.chapters.staff_data import WorkforceData


def _ctx(lang: str = "en") -> SimpleNamespace:
    return SimpleNamespace(lang=lang, month=i18n.month("2026-10", lang),
                           t=lambda key, **values: i18n.text(key, lang, **values))  # fmt: skip


def test_the_workforce_paragraph_leaves_out_what_these_data_cannot_measure():
    """Agents without leave dates and agent_months without training hours or QA scores (an export with only the
    required columns): headcount 67 and median tenure 37.7 months are said; attrition, the voluntary share,
    training and QA are left out, never "attrition was n/a a year (n/a leavers, n/a of them this month)"."""
    missing = "agents has no leave_date column"
    kpis = {"headcount": Measure("headcount", 66.8, 67, "count"),
            "tenure_median_months": Measure("tenure_median_months", 37.7, 67, "months"),
            **{name: Measure.unavailable(name, "ratio", missing) for name in
               ("attrition_annualised", "leavers", "voluntary_share", "training_hours", "qa_score")}}  # fmt: skip
    said = staff.workforce_sentences(_ctx(), WorkforceData(kpis, None))
    assert said == ["Average headcount was about 67 agents.", "Median tenure was 37.7 months."]
    assert staff.workforce_sentences(_ctx("zh"), WorkforceData(kpis, None)) == [
        "平均在岗约 67 名坐席。",
        "司龄中位数 37.7 个月。",
    ]


def test_the_workforce_paragraph_with_every_measure():
    """3 leavers in 12 months at 15% a year, 2 this month, 2 of 3 voluntary (66.7%)."""
    kpis = {"headcount": Measure("headcount", 20.0, 20, "count"),
            "attrition_annualised": Measure("attrition_annualised", 0.15, 20, "ratio", numerator=3),
            "leavers": Measure("leavers", 2, 2, "count"),
            "voluntary_share": Measure("voluntary_share", 2 / 3, 3, "ratio"),
            "tenure_median_months": Measure("tenure_median_months", 24.0, 20, "months"),
            "training_hours": Measure("training_hours", 6.2, 20, "hours"),
            "qa_score": Measure("qa_score", 82.4, 20, "score")}  # fmt: skip
    window = SimpleNamespace(complete=True)
    assert " ".join(staff.workforce_sentences(_ctx(), WorkforceData(kpis, window))) == (
        "Average headcount was about 20 agents. Agent attrition over the 12 months to October 2026 was 15.0% a "
        "year (3 leavers in those months, 2 of them this month). Of the leavers, 66.7% left voluntarily. Median "
        "tenure was 24.0 months. Agents trained 6.2 hours on average. Agents scored 82.4 on average in quality "
        "checks."
    )
