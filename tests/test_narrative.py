"""Generated sentences carry the numbers of the record they describe."""

from __future__ import annotations

from csreport.findings.narrative import finding_sentence, p_text
from csreport.findings.record import Finding


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


def test_a_calibrated_change_names_the_usual_level_its_range_and_q():
    f = Finding("deterioration", "west", "2026-08", "service_level", 0.575, 0.902, -0.327, -0.36, 2e-5, True,
                "high", 621, "contacts", {"n": 1900, "unit": "ratio", "baseline_label": "usual level",
                                          "limits": [0.871, 0.933], "previous": 0.905}, q_value=0.0004)  # fmt: skip
    assert finding_sentence(f, "en") == (
        "Service level worsened to 57.5% in August 2026, beyond its usual level of 90.2% (usual range 87.1% to "
        "93.3%; 90.5% the month before): a change beyond the unit's month-to-month variation (q < 0.001, "
        "n = 1,900)."
    )
    assert finding_sentence(f, "zh") == (
        "2026 年 8 月服务水平恶化至 57.5%，超出其平常水平 90.2%（平常范围 87.1% 至 93.3%；上月 90.5%）："
        "变化超出本单元逐月的正常波动（q < 0.001，n = 1,900）。"
    )
    standing = Finding("deterioration", "west", "2026-10", "service_level", 0.70, 0.80, -0.1, -0.125, 0.3, False,
                       "medium", 100, "contacts", {"n": 1000, "unit": "ratio", "baseline_label": "usual level"},
                       first_seen="2026-09", standing=True)  # fmt: skip
    assert finding_sentence(standing, "en") == (
        "Service level has been beyond its usual level since September 2026: 70.0% in October 2026 against a "
        "usual 80.0%."
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
    from csreport.language.labels import Labels

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


def test_a_channel_without_categories_is_one_process_named_in_words():
    """Contacts without a category column make one process per channel (category "all"): it is named "E-mail
    (all categories)", never by the placeholder code."""
    from csreport.findings.narrative import process_label
    from csreport.language.labels import Labels

    labels = Labels({"channels": {"email": {"en": "E-mail", "zh": "邮件"}}})
    assert process_label("email", "all", "en", labels) == "E-mail (all categories)"
    assert process_label("email", "all", "zh", labels) == "邮件（全部类别）"
    assert process_label("email", "billing", "en", labels) == "E-mail · Billing"


def test_a_difference_first_flagged_this_month_without_a_significant_change_is_not_called_old():
    """A structural difference flagged now but not in the window before, whose change is not significant, is
    followed as a standing issue: its sentence says it was first flagged this month, not "standing since"."""
    ev = {"n": 120, "channel": "email", "ratio": 1.6, "days": 90, "change": "new", "p_change": 0.21}
    new = Finding("process_cost", "east", "2026-10", "cost_per_resolved", 10.2, 6.4, 3.8, 0.6, 0.001, True,
                  "medium", 85, "contacts", ev, category="billing", first_seen="2026-10", standing=True)  # fmt: skip
    en, zh = finding_sentence(new, "en"), finding_sentence(new, "zh")
    assert en.endswith("First flagged this month, but not significantly different from the window before "
                       "(p = 0.210): followed as a standing issue, not news.")  # fmt: skip
    assert "Standing issue since" not in en and "长期问题。" not in zh and "本月首次标出" in zh
    held = Finding("process_cost", "east", "2026-10", "cost_per_resolved", 10.2, 6.4, 3.8, 0.6, 0.001, True,
                   "medium", 85, "contacts", {**ev, "change": "grew", "p_change": 0.4}, category="billing",
                   first_seen="2026-08", standing=True)  # fmt: skip
    assert finding_sentence(held, "en").endswith("Standing issue since August 2026.")
    untested = Finding("process_cost", "east", "2026-10", "cost_per_resolved", 10.2, 6.4, 3.8, 0.6, 0.001, True,
                       "medium", 85, "contacts", {**ev, "p_change": None}, category="billing", first_seen="2026-10",
                       standing=True)  # fmt: skip
    assert "too few observations to compare with" in finding_sentence(untested, "en")
