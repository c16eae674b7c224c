"""One effect, one message (csreport/findings/effects.py, explain.py, structural.py): findings grouped by shared
rows or explanation, a parent tested without its children's excess, structural differences standing or news."""

from __future__ import annotations

import pandas as pd
import pytest

from csreport.findings.effects import associated, evidence_ids, group_effects
from csreport.findings.evidence import Evidence
from csreport.findings.explain import explain
from csreport.findings.record import Finding
from csreport.findings.rules import Rules
from csreport.findings.structural import Effect, structural_signals
from csreport.metrics.measure import rate


def _f(kind="deterioration", metric="complaint_rate", impact=10.0, **kw) -> Finding:
    base = dict(
        unit="east",
        period="2026-10",
        value=0.06,
        baseline=0.03,
        change=0.03,
        relative_change=1.0,
        p_value=0.001,
        significant=True,
        severity="high",
        impact_unit="contacts",
        evidence={"n": 1000},
    )
    base.update(kw)
    return Finding(kind=kind, metric=metric, impact=impact, **base)  # fmt: skip


def _ev(ids, column="contact_id", name="f") -> Evidence:
    return Evidence(name, column, pd.DataFrame({column: list(ids)}))


def test_shared_rows_beyond_chance_make_one_effect():
    # 40 delivery complaints inside 60 complaints of 3,000 contacts: share 100 % of the smaller, chance would
    # give 60 × 40 / 3,000 = 0.8 → one effect; a finding on 1,500 other contacts shares none
    spike = _f("category_spike", "complaints", category="delivery")
    parent = _f()
    other = _f(metric="aht_s")
    complaints = [f"c{i}" for i in range(60)]
    effects = group_effects([parent, spike, other], [_ev(complaints), _ev(complaints[:40]),
                                                      _ev(f"x{i}" for i in range(1500))],
                            [True, True, True], 0.10, {"contact_id": 3000})  # fmt: skip
    assert [(e.head, e.members) for e in effects] == [(1, (1, 0)), (2, (2,))]  # the spike is the message
    assert effects[0].ids["contact_id"] == frozenset(complaints)


def test_a_broad_finding_does_not_swallow_a_narrow_one_by_size():
    # 40 complaints against 1,200 slow contacts of 3,000: 16 shared (40 %) but chance gives 40 × 1,200 / 3,000 = 16
    narrow = frozenset(f"c{i}" for i in range(40))
    broad = frozenset([f"c{i}" for i in range(16)] + [f"s{i}" for i in range(1184)])
    assert not associated(narrow, broad, 3000, 0.10)
    assert associated(narrow, broad, None, 0.10)  # without the population only the share is known


def test_a_survey_counts_as_its_contact():
    surveys = Evidence("f", "survey_id", pd.DataFrame({"survey_id": ["s1", "s2"], "contact_id": ["c1", "c2"]}))
    assert evidence_ids(surveys) == ("contact_id", frozenset({"c1", "c2"}))


def test_a_declared_cause_explains_the_waits_of_its_month():
    gap = _f("staffing_gap", "coverage")
    waits = _f(metric="service_level")
    effects = group_effects([waits, gap], [_ev(["a"]), Evidence("g", "agent_id", pd.DataFrame({"agent_id": ["x"]}))],
                            [True, True], explains={"staffing_gap": ("service_level",)})  # fmt: skip
    assert [(e.head, e.members) for e in effects] == [(1, (1, 0))]


def test_news_heads_an_effect_before_a_standing_issue():
    standing = _f("churn_group", "churn_rate", first_seen="2026-04", segment="segment: basic")
    rise = _f("churn_rise", "churn_rate", segment="basic")
    customers = [f"u{i}" for i in range(50)]
    effects = group_effects([standing, rise], [_ev(customers, "customer_id"), _ev(customers[:30], "customer_id")],
                            [False, True])  # fmt: skip
    assert effects[0].head == 1 and effects[0].news


def _history(successes: list[int]) -> dict:
    return {"complaint_rate": [rate("complaint_rate", x, 1000) for x in successes]}


def test_a_parent_explained_by_its_child_is_its_breakdown():
    # complaints 30, 32, 28, 31, 29, 30 of 1,000, then 60: the delivery spike has 30 beyond its usual count;
    # without them 30 of 1,000 is the usual level → explained
    parent = _f(q_value=0.001)
    spike = _f("category_spike", "complaints", 30.0, category="delivery")
    out = explain([parent, spike], _history([30, 32, 28, 31, 29, 30, 60]), threshold=0.01)
    assert out[0].evidence["explained_by"] == [["category_spike", "complaints", "delivery"]]
    assert out[0].evidence["p_without_children"] > 0.01


def test_a_parent_that_holds_without_its_child_is_told_apart():
    # the same month but the spike accounts for 5 of the 30 extra complaints: 55 of 1,000 is still far beyond
    parent = _f(q_value=0.001)
    spike = _f("category_spike", "complaints", 5.0, category="delivery")
    out = explain([parent, spike], _history([30, 32, 28, 31, 29, 30, 60]), threshold=0.05)
    assert out[0].evidence["excluding"] == [["category_spike", "complaints", "delivery"]]
    assert "explained_by" not in out[0].evidence


def _effect(key, effect, flagged=True, period="2026-10"):
    finding = _f("process_cost", "cost_per_resolved", category=key[1], value=10 + effect, baseline=10.0, period=period,
                 evidence={"channel": key[0], "ratio": (10 + effect) / 10}) if flagged else None  # fmt: skip
    return Effect(key, effect, 1.0, finding)


def test_a_structural_difference_that_held_before_is_standing():
    # 5.0 now and 4.5 the month before (se 1 each): z = 0.354 → p = 0.362 → standing since September
    windows = [{("ticket", "tech"): _effect(("ticket", "tech"), 5.0)},
               {("ticket", "tech"): _effect(("ticket", "tech"), 4.5, period="2026-09")}]  # fmt: skip
    [signal] = structural_signals(windows, ["2026-10", "2026-09"], Rules(), lambda f: f.evidence["ratio"], 1.5, 2.0)
    assert signal.standing and signal.p == pytest.approx(0.3618, abs=1e-4)
    assert signal.finding.first_seen == "2026-09" and signal.finding.evidence["change"] == "grew"


def test_a_structural_difference_that_appeared_is_news_only_if_the_change_is_significant():
    # 6.0 now, 1.0 (not flagged) before: z = 5 / √2 = 3.536 → p = 0.0002 → a news candidate, first seen now
    windows = [{("ticket", "tech"): _effect(("ticket", "tech"), 6.0)},
               {("ticket", "tech"): _effect(("ticket", "tech"), 1.0, flagged=False)}]  # fmt: skip
    [signal] = structural_signals(windows, ["2026-10", "2026-09"], Rules(), lambda f: f.evidence["ratio"], 1.5, 2.0)
    assert signal.p == pytest.approx(0.000203, abs=1e-6) and signal.finding.evidence["change"] == "new"
    assert signal.finding.first_seen == "2026-10"


def test_a_standing_issue_that_went_away_is_news():
    windows = [{("ticket", "tech"): _effect(("ticket", "tech"), 0.5, flagged=False)},
               {("ticket", "tech"): _effect(("ticket", "tech"), 6.0, period="2026-09")}]  # fmt: skip
    [signal] = structural_signals(windows, ["2026-10", "2026-09"], Rules(), lambda f: f.evidence["ratio"], 1.5, 2.0)
    assert signal.finding.evidence["change"] == "gone" and signal.finding.period == "2026-10"
    assert signal.p == pytest.approx(0.0000503, abs=1e-6) and not signal.standing  # z = 5.5 / √2 = 3.889
