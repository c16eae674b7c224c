"""Recommendations: rules matched by kind, metric and severity; evidence quoted; ranked by impact."""

from __future__ import annotations

import pytest

from csreport.errors import ParameterError
from csreport.findings.recommend import load_recommendation_rules, recommend
from csreport.findings.record import Finding


def _finding(kind="deterioration", metric="service_level", severity="high", impact=100.0, **extra) -> Finding:
    defaults = {
        "unit": "west", "period": "2026-08", "value": 0.575, "baseline": 0.902, "change": -0.327,
        "relative_change": -0.36, "p_value": 1e-9, "significant": True, "impact_unit": "contacts",
        "evidence": {"n": 1900, "unit": "ratio", "target": 0.8},
    }  # fmt: skip
    defaults.update(extra)
    return Finding(kind=kind, metric=metric, severity=severity, impact=impact, **defaults)


def test_staffing_gap_recommendation_quotes_the_numbers():
    gap = _finding(
        "staffing_gap", "coverage", value=1.48, baseline=3.15, impact=1469.0,
        evidence={"hours_short": 510.0, "fte_short": 18.1, "service_level": 0.575},
    )  # fmt: skip
    [rec] = recommend([gap], "en")
    assert "510 more agent hours" in rec.action and "(≈ 18 FTE)" in rec.action
    assert rec.owner == "Workforce planning" and "1,469 contacts" in rec.expected
    assert "57.5%" in rec.evidence and "August 2026" in rec.evidence
    [zh] = recommend([gap], "zh")
    assert "510 坐席小时" in zh.action and zh.owner == "人力规划"


def test_ranked_by_severity_then_impact_and_weak_findings_get_none():
    findings = [
        _finding(impact=50.0),
        _finding(metric="abandonment_rate", impact=500.0, value=0.3, baseline=0.06),
        _finding(metric="asa_s", severity="medium", impact=900.0),  # service deterioration rule needs high
        _finding("category_spike", "complaints", "medium", 20.0, category="delivery", value=30.0, baseline=10.0,
                 evidence={"ratio": 3.0}),
    ]  # fmt: skip
    recs = recommend(findings, "en")
    assert [(r.rank, r.finding.metric, r.impact) for r in recs] == [
        (1, "abandonment_rate", 500.0),
        (2, "service_level", 50.0),
        (3, "complaints", 20.0),
    ]
    assert "Delivery" in recs[2].action and "30" in recs[2].action  # a code without a label: its default name
    assert recs[0].to_json()["finding"]["kind"] == "deterioration"


def test_rules_file_errors_name_the_rule(tmp_path):
    path = tmp_path / "recommendations.yml"
    path.write_text("rules:\n  - kind: churn_rise\n    owner: {en: Retention}\n    action: {en: a, zh: b}\n")
    with pytest.raises(ParameterError, match=r"rule 1 \(churn_rise\): owner has no text for \['zh'\]"):
        load_recommendation_rules(path)
    path.write_text("rules:\n  - kind: churn_rise\n    when: x\n")
    with pytest.raises(ParameterError, match="rule 1 must be a mapping"):
        load_recommendation_rules(path)


def test_project_rules_cover_every_detected_kind():
    kinds = {rule.kind for rule in load_recommendation_rules()}
    assert {"staffing_gap", "category_spike", "training_gap", "channel_shift", "churn_rise", "deterioration"} <= kinds


def test_recommendations_name_data_values_by_their_labels():
    """Unit, segment and category of a recommendation in the report's language (params/labels.yml)."""
    from csreport.language.labels import Labels

    labels = Labels({"units": {"west": {"en": "West China", "zh": "华西"}},
                     "categories": {"delivery": {"en": "Delivery", "zh": "物流"}}})  # fmt: skip
    spike = _finding("category_spike", "complaints", "high", 20.0, category="delivery", value=30.0, baseline=10.0,
                     evidence={"ratio": 3.0})  # fmt: skip
    [en], [zh] = recommend([spike], "en", labels=labels), recommend([spike], "zh", labels=labels)
    assert "the Delivery complaints in West China" in en.action and "Delivery rose to 30" in en.evidence
    assert "查明并解决华西“物流”类投诉的根本原因" in zh.action and "“物流”类投诉升至 30 件" in zh.evidence
    assert "delivery" not in zh.action + zh.evidence and "west" not in zh.action


def test_recommendations_for_all_units_name_them_in_words():
    """The unit "all" reads "all units" / "全部业务单元", never "in all" / "对all的"."""
    rise = _finding("churn_rise", "churn_rate", unit="all", segment="basic", value=0.046, baseline=0.015,
                    impact_unit="customers")  # fmt: skip
    [en], [zh] = recommend([rise], "en"), recommend([rise], "zh")
    assert "for Basic customers in all units:" in en.action
    assert "对全部业务单元的“Basic”客户开展挽留回访" in zh.action
    assert "in all:" not in en.action and "all的" not in zh.action


@pytest.mark.parametrize(("fte", "shown"), [(18.1, "(≈ 18 FTE)"), (0.3, "(≈ 1 FTE)"), (2.5, "(≈ 3 FTE)")])
def test_agents_short_are_whole_agents(fte, shown):
    gap = _finding(
        "staffing_gap", "coverage", value=1.48, baseline=3.15, evidence={"hours_short": 50.0, "fte_short": fte}
    )
    [rec] = recommend([gap], "en")
    assert shown in rec.action and shown in rec.evidence
