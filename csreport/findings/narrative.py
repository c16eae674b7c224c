"""Generated sentences: every sentence is filled from numbers (KPI rows, findings), in the report language.

No sentence here reads the same whatever the data: each template has the values, sizes, sample sizes and
test results of the record it describes.
"""

from __future__ import annotations

import math

from csreport.analyses.cost_benefit import ALL_CATEGORIES
from csreport.findings.record import Finding
from csreport.language import i18n
from csreport.language.labels import NO_LABELS, Labels

_VALUE_UNITS = {
    "category_spike": "count",
    "churn_rise": "ratio",
    "churn_group": "ratio",
    "training_gap": "ratio",
    "channel_shift": "ratio",
    "staffing_gap": "score",
}


def agents_short(fte: float | None, lang: str) -> str:
    """Full-time agents a shortfall of agent hours amounts to, as whole agents: rounded to the nearest, and
    at least 1 when any time is short (18.1 → ``18``, 0.3 → ``1``, 0 → ``0``)."""
    if fte is None:
        return i18n.text("na", lang)
    fte = max(0.0, float(fte))
    return i18n.number(max(1, math.floor(fte + 0.5)) if fte > 0 else 0, lang)


def p_text(p: float | None, lang: str) -> str:
    """``p < 0.001`` or ``p = 0.012``."""
    if p is None:
        return i18n.text("na", lang)
    if p < 0.001:
        return i18n.text("unit.p_small", lang)
    return i18n.text("unit.p_value", lang, value=i18n.number(p, lang, 3))


def q_text(q: float | None, lang: str) -> str:
    """``q < 0.001`` or ``q = 0.012`` (a p-value adjusted with the report's other news tests); n/a without."""
    if q is None:
        return i18n.text("na", lang)
    if q < 0.001:
        return i18n.text("unit.q_small", lang)
    return i18n.text("unit.q_value", lang, value=i18n.number(q, lang, 3))


def process_label(channel, category, lang: str, labels: Labels = NO_LABELS) -> str:
    """A service process (channel × category) in words: "Ticket · Technical" / "工单·技术"; a channel's one
    process when contacts carry no category: "E-mail (all categories)"."""
    if category == ALL_CATEGORIES:
        return i18n.text("format.process_all", lang, channel=labels.name("channel", channel, lang))
    return i18n.text("format.process", lang, channel=labels.name("channel", channel, lang),
                     category=labels.name("category", category, lang))  # fmt: skip


def finding_sentence(finding: Finding, lang: str, labels: Labels = NO_LABELS) -> str:
    """One sentence stating the finding with its numbers, e.g. "Service level worsened to 57.9% in August
    2026, from 90.7% the month before (32.8 points); the change is significant (p < 0.001, n = 2,772).";
    data values (category, team, segment, channel) by their ``labels``."""
    f, ev = finding, finding.evidence
    name = lambda kind, code: labels.name(kind, code, lang)  # noqa: E731
    unit = ev.get("unit") or _VALUE_UNITS.get(f.kind, "ratio")
    fmt = {
        "metric": i18n.label("kpi", f.metric, lang),
        "month": i18n.month(f.period, lang),
        "value": i18n.value(f.value, unit, lang),
        "baseline": i18n.value(f.baseline, unit, lang),
        "change": i18n.change(f.change, unit, lang),
        "p": p_text(f.p_value, lang),
        "q": q_text(f.q_value, lang) if f.q_value is not None else p_text(f.p_value, lang),
        "n": i18n.number(ev.get("n"), lang),
        "previous": i18n.value(ev.get("previous"), unit, lang),
        "first_seen": i18n.month(f.first_seen, lang) if f.first_seen else "",
    }
    limits = ev.get("limits") or [None, None]
    fmt.update(low=i18n.value(limits[0], unit, lang), high=i18n.value(limits[1], unit, lang))
    if f.kind == "target_missed":
        fmt["target"] = i18n.value(ev.get("target"), unit, lang)
    elif f.kind == "category_spike":
        fmt.update(category=name("category", f.category), baseline=i18n.count(f.baseline, lang),
                   ratio=i18n.number(ev["ratio"], lang, 1))  # fmt: skip
    elif f.kind == "staffing_gap":
        fmt.update(
            value=i18n.number(f.value, lang, 2),
            baseline=i18n.number(f.baseline, lang, 2),
            hours=i18n.number(ev.get("hours_short"), lang),
            fte=agents_short(ev.get("fte_short"), lang),
            service_level=i18n.percent(ev.get("service_level"), lang),
        )
    elif f.kind == "training_gap":
        fmt.update(team=name("team", f.team), category=name("category", f.category))
    elif f.kind == "channel_shift":
        fmt.update(
            source=name("channel", ev["from"]),
            target=name("channel", ev["to"]),
            to_share=i18n.percent(ev["to_share"], lang),
            to_before=i18n.percent(ev["to_share_before"], lang),
        )
    elif f.kind == "churn_rise":
        fmt.update(segment=name("segment", f.segment), excess=i18n.number(f.impact, lang))
    elif f.kind in ("process_cost", "process_churn"):
        fmt.update(
            process=process_label(ev.get("channel", ""), f.category, lang, labels),
            ratio=i18n.number(ev.get("ratio"), lang, 1),
            days=i18n.number(ev.get("days"), lang),
            excess=i18n.number(f.impact, lang),
            revenue=i18n.amount(ev.get("revenue_at_risk"), lang),
        )
    elif f.kind == "churn_group":
        fmt.update(
            group=group_label(ev.get("attribute"), ev.get("level"), lang, ev.get("lookback_days", 90), labels),
            months=ev.get("months", ""),
            ratio=i18n.number(ev.get("ratio"), lang, 1),
            excess=i18n.number(f.impact, lang),
        )
    key = f"finding.{f.kind}"
    if f.kind == "category_spike" and ev.get("days", 0) < ev.get("month_days", 0):  # the month is cut off
        key, fmt["days"] = "finding.category_spike_partial", i18n.number(ev["days"], lang)
    if f.kind in ("deterioration", "improvement"):
        if ev.get("baseline_label") != "usual level":  # a maturing KPI against the previous month at the same age
            key = f"finding.{f.kind}_previous"
        elif f.standing:  # beyond its usual level for months
            key = "finding.standing_level"
    parts = [i18n.text(key, lang, **fmt)]
    change = ev.get("change")
    if change in ("grew", "new") and ev.get("p_change") is not None and not f.standing:
        previous = i18n.value(ev.get("previous_value"), unit, lang) if change == "grew" else ""
        parts.append(
            i18n.text(
                f"finding.change_{change}",
                lang,
                previous=previous,
                q=q_text(f.q_value, lang) if f.q_value is not None else p_text(ev["p_change"], lang),
            )
        )
    elif change == "gone":
        parts = [i18n.text("finding.change_gone", lang, subject=_subject(f, lang, labels),
                           previous=i18n.value(ev.get("previous_value"), unit, lang), q=fmt["q"])]  # fmt: skip
    elif f.standing and change == "new":  # flagged now, not before, and not a significant change
        if ev.get("p_change") is None:  # the window before had too few observations for a change test
            parts.append(i18n.text("finding.first_flagged_untested", lang))
        else:
            parts.append(i18n.text("finding.first_flagged", lang, p=p_text(ev["p_change"], lang)))
    elif f.standing and f.first_seen and key != "finding.standing_level":
        parts.append(i18n.text("finding.standing_since", lang, first_seen=fmt["first_seen"]))
    if f.kind == "target_missed" and f.p_value is not None:
        parts.append(i18n.text(f"finding.target_test_{'significant' if f.significant else 'chance'}", lang, **fmt))
    if f.note:
        key = ("finding.calendar_driven" if f.note.startswith("calendar")
               else "finding.maturing_churn" if "churn window" in f.note else "finding.maturing")  # fmt: skip
        parts.append(i18n.text(key, lang))
    return sentence_case(i18n.sentences(parts, lang))


def sentence_case(text: str) -> str:
    """``text`` with its first letter capitalised (a sentence or title that opens with a value: "customers with
    …" → "Customers with …"); a script without case is left as it is."""
    return text[:1].upper() + text[1:]


def _subject(f: Finding, lang: str, labels: Labels = NO_LABELS) -> str:
    """What a structural finding is about, in words (a group, a process, a team and category)."""
    ev = f.evidence
    if f.kind == "churn_group":
        return group_label(ev.get("attribute"), ev.get("level"), lang, ev.get("lookback_days", 90), labels)
    if f.kind in ("process_cost", "process_churn"):
        return process_label(ev.get("channel", ""), f.category, lang, labels)
    return " · ".join(labels.name(k, x, lang) for k, x in (("team", f.team), ("category", f.category)) if x)


def group_label(attribute: str | None, level: str | None, lang: str, days: int = 90, labels: Labels = NO_LABELS) -> str:
    """A customer group of :mod:`csreport.analyses.churn_groups` in words: "customers with 4+ contacts in the
    90 days before", "customers with segment “Basic”"; an extra column of the customer's data by its own name
    (its values by the labels of that column)."""
    if attribute == "contacts":
        return i18n.text("finding.group.contacts", lang, level=level, days=days)
    name = i18n.text(f"ch2.group.{attribute}", lang) if attribute in _GROUP_ATTRIBUTES else attribute
    level = level if attribute in _NUMERIC else labels.name(attribute, level, lang)
    return i18n.text("finding.group.attribute", lang, attribute=name, level=level)


_GROUP_ATTRIBUTES = {"segment", "region", "gender", "age_band", "spend_band"}
_NUMERIC = {"age_band", "spend_band"}  # attributes whose levels are numbers; the others' are codes with labels
