"""Generated sentences carry the numbers of the record they describe."""

from __future__ import annotations

from csreport.findings.record import Finding
from csreport.narrative import finding_sentence, p_text


def test_deterioration_sentence_in_both_languages():
    f = Finding("deterioration", "west", "2026-08", "service_level", 0.575, 0.902, -0.327, -0.36, 2e-5, True,
                "high", 621, "contacts", {"n": 1900, "unit": "ratio"})  # fmt: skip
    assert finding_sentence(f, "en") == (
        "Service level worsened to 57.5% in August 2026, from 90.2% the month before (32.7 points); "
        "the change is significant (p < 0.001, n = 1,900)."
    )
    assert (
        finding_sentence(f, "zh")
        == "2026 年 8 月服务水平恶化至 57.5%，上月为 90.2%（32.7 个百分点）；变化显著（p < 0.001，n = 1,900）。"
    )


def test_sentences_change_with_the_data():
    a = Finding("churn_rise", "all", "2026-10", "churn_rate", 0.043, 0.014, 0.029, 2.1, 1e-4, True, "high", 112,
                "customers", {"n": 3000}, segment="basic")  # fmt: skip
    b = Finding("churn_rise", "all", "2026-09", "churn_rate", 0.030, 0.014, 0.016, 1.1, 0.004, True, "medium", 48,
                "customers", {"n": 3000}, segment="plus")  # fmt: skip
    sa, sb = finding_sentence(a, "en"), finding_sentence(b, "en")
    assert "Basic" in sa and "4.3%" in sa and "112 more customers" in sa and "October 2026" in sa
    assert "Plus" in sb and "3.0%" in sb and "p = 0.004" in sb and sa != sb


def test_p_text():
    assert p_text(0.0004, "en") == "p < 0.001" and p_text(0.0123, "en") == "p = 0.012" and p_text(None, "en") == "n/a"


def test_data_values_are_named_by_their_labels():
    from csreport.labels import Labels

    labels = Labels({"segments": {"basic": {"en": "Basic plan", "zh": "基础"}},
                     "channels": {"ticket": {"zh": "工单"}}, "categories": {"technical": {"zh": "技术"}}})  # fmt: skip
    rise = Finding("churn_rise", "east", "2026-10", "churn_rate", 0.043, 0.014, 0.029, 2.1, 1e-4, True, "high", 112,
                   "customers", {"n": 3000}, segment="basic")  # fmt: skip
    assert finding_sentence(rise, "en", labels).startswith("Monthly churn of Basic plan customers rose to 4.3%")
    assert "“基础”客户的月流失率升至 4.3%" in finding_sentence(rise, "zh", labels)
    cost = Finding("process_cost", "east", "2026-10", "cost_per_resolved", 12.5, 6.9, 5.6, 0.8, 1e-4, True, "medium",
                   100, "contacts", {"n": 123, "unit": "currency", "channel": "ticket", "ratio": 1.8},
                   category="technical")  # fmt: skip
    assert "“工单·技术”联络每次解决成本为 ¥12.50" in finding_sentence(cost, "zh", labels)
    assert finding_sentence(cost, "en", labels).startswith("Ticket · Technical contacts cost CN¥12.50")
