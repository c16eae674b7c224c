"""Recommendations from effects by the rules of ``params/recommendations.yml``: one action per effect (a group of
findings that share their population or cause, :mod:`csreport.findings.effects`), with the evidence quoted (the
head finding's own sentence), the expected impact, an owner area, the ids of every finding of the effect and the
union of their evidence rows, and the money counted once over those rows (:mod:`csreport.findings.money`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from csreport.data.store import ALL_UNITS
from csreport.errors import ParameterError
from csreport.findings.effects import EffectGroup
from csreport.findings.money import Economics, Money, estimate
from csreport.findings.narrative import agents_short, finding_sentence, group_label
from csreport.findings.record import SEVERITIES, Finding
from csreport.language import i18n
from csreport.language.labels import NO_LABELS, Labels
from csreport.metrics.calls import counted
from csreport.params_file import read_params_file
from csreport.settings import Settings

_RULE_KEYS = {"kind", "metrics", "min_severity", "owner", "action", "expected"}


@dataclass(frozen=True)
class RecommendationRule:
    kind: str
    owner: dict[str, str]
    action: dict[str, str]
    expected: dict[str, str]
    metrics: tuple[str, ...] = ()
    min_severity: str = "medium"

    def matches(self, finding: Finding) -> bool:
        return (
            finding.kind == self.kind
            and (not self.metrics or finding.metric in self.metrics)
            and SEVERITIES.index(finding.severity) <= SEVERITIES.index(self.min_severity)
            and finding.evidence.get("change") != "gone"
            and not finding.evidence.get("explained_by")
        )


@dataclass(frozen=True)
class Recommendation:
    """An action for one effect: what to do, who owns it, the evidence and the expected impact. ``finding`` is the
    effect's head; ``finding_ids`` every finding of the effect (head first); ``evidence_ids`` the union of their
    evidence rows by id column; ``standing``: the effect is a standing issue, not news this month."""

    rank: int
    action: str
    owner: str
    evidence: str
    expected: str
    impact: float
    impact_unit: str
    severity: str
    finding: Finding
    money: Money | None = None
    finding_ids: tuple[str, ...] = ()
    evidence_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)
    standing: bool = False
    breakdown: tuple[str, ...] = ()  # the other findings' sentences, in the report language

    def to_json(self) -> dict:
        out = {k: getattr(self, k) for k in ("rank", "action", "owner", "evidence", "expected", "impact")}
        out.update(impact_unit=self.impact_unit, severity=self.severity, standing=self.standing)
        out.update(self.money.to_json() if self.money else Money(None, None, None, "").to_json())
        out["finding"] = {k: self.finding.to_json()[k] for k in ("kind", "unit", "period", "metric")}
        out["finding"].update(category=self.finding.category, team=self.finding.team, segment=self.finding.segment)
        out["finding_ids"] = list(self.finding_ids)
        out["evidence_ids"] = {k: list(v) for k, v in self.evidence_ids.items()}
        out["evidence_count"] = sum(len(v) for v in self.evidence_ids.values())
        out["breakdown"] = list(self.breakdown)
        return out


def load_recommendation_rules(path: str | Path | None = None) -> list[RecommendationRule]:
    """Read and check ``params/recommendations.yml`` (default: the file :class:`~csreport.settings.Settings`
    resolves, the project's else the packaged one)."""
    if path is None:
        path = Settings.resolve().recommendations
    raw = read_params_file(path, "recommendations file", "Copy params/recommendations.yml and edit it.")
    rules = []
    for i, rule in enumerate(raw.get("rules") or [], start=1):
        if not isinstance(rule, dict) or set(rule) - _RULE_KEYS or not {"kind", "owner", "action"} <= set(rule):
            raise ParameterError(
                f"{path}: rule {i} must be a mapping with kind, owner and action (and optionally metrics, "
                f"min_severity, expected); keys allowed: {sorted(_RULE_KEYS)}."
            )
        for key in ("owner", "action", "expected"):
            missing = [lang for lang in i18n.LANGUAGES if key in rule and lang not in rule[key]]
            if missing:
                raise ParameterError(f"{path}: rule {i} ({rule['kind']}): {key} has no text for {missing}.")
        if rule.get("min_severity", "medium") not in SEVERITIES:
            raise ParameterError(f"{path}: rule {i}: min_severity must be one of {SEVERITIES}.")
        rules.append(
            RecommendationRule(
                kind=rule["kind"],
                owner=rule["owner"],
                action=rule["action"],
                expected=rule.get("expected") or {lang: "" for lang in i18n.LANGUAGES},
                metrics=tuple(rule.get("metrics") or ()),
                min_severity=rule.get("min_severity", "medium"),
            )
        )
    return rules


def _placeholders(finding: Finding, lang: str, labels: Labels = NO_LABELS) -> dict[str, str]:
    ev = finding.evidence
    name = lambda kind, code: labels.name(kind, code, lang) if code else ""  # noqa: E731
    unit = ev.get("unit") or ("count" if finding.kind == "category_spike" else "ratio")
    if finding.kind == "staffing_gap":
        unit = "score"
    values = {
        "unit": i18n.text("report.all_units", lang) if finding.unit == ALL_UNITS else name("units", finding.unit),
        "month": i18n.month(finding.period, lang),
        "metric": i18n.label("kpi", finding.metric, lang),
        "category": name("category", finding.category),
        "team": name("team", finding.team),
        "segment": name("segment", finding.segment),
        "value": i18n.value(finding.value, unit, lang),
        "baseline": i18n.value(finding.baseline, unit, lang)
        if finding.kind != "category_spike"
        else i18n.count(finding.baseline, lang),
        "change": i18n.change(finding.change, unit, lang),
        "impact": i18n.number(finding.impact, lang),
        "hours": i18n.number(ev.get("hours_short"), lang),
        "fte": agents_short(ev.get("fte_short"), lang),
        "months": str(ev.get("months", "")),
        "source": name("channel", ev.get("from")),
        "target": name("channel", ev.get("to")),
        "target_value": i18n.percent(ev.get("to_share"), lang) if "to_share" in ev else "",
        "channel": name("channel", ev.get("channel")),
        "group": group_label(ev.get("attribute"), ev.get("level"), lang, ev.get("lookback_days", 90), labels)
        if finding.kind == "churn_group"
        else "",
    }
    return values


def recommend(
    findings: list[Finding],
    lang: str = "en",
    rules: list[RecommendationRule] | None = None,
    economics: Economics | None = None,
    labels: Labels = NO_LABELS,
) -> list[Recommendation]:
    """One recommendation per finding that a rule matches, each finding its own effect (no evidence): for a
    list of findings outside a computed report. A report uses :func:`recommend_effects`. Data values are named
    by ``labels``."""
    effects = [EffectGroup(i, (i,), not f.standing) for i, f in enumerate(findings)]
    return recommend_effects(findings, effects, lang, rules, economics, labels=labels)


@counted("recommendations", by=lambda items, effects, lang, *a, **k: lang)
def recommend_effects(
    items: list[Finding],
    effects: list[EffectGroup],
    lang: str = "en",
    rules: list[RecommendationRule] | None = None,
    economics: Economics | None = None,
    values: list[pd.Series | None] | None = None,
    ids: list[str] | None = None,
    labels: Labels = NO_LABELS,
) -> list[Recommendation]:
    """One recommendation per effect whose head (else the first member, in order) a rule matches; effects no
    rule matches get none (their findings stay in findings.json). ``items``: the report's findings then its
    standing issues, as the effects index them; ``values``: each item's money per evidence row
    (:func:`~csreport.findings.money.row_values`); ``ids``: each item's finding id; data values are named by
    ``labels``. News effects come first; within news and within standing issues, by severity, then value at
    stake (known first, largest first), then impact."""
    rules = load_recommendation_rules() if rules is None else rules
    drafts = []
    for effect in effects:
        members = [items[i] for i in effect.members]
        chosen = next(((f, r) for f in members for r in rules if r.matches(f)), None)
        if chosen is None:
            continue
        finding, rule = chosen
        ordered_members = [finding, *[f for f in members if f is not finding]]
        order = [effect.members[members.index(f)] for f in ordered_members]
        money = None
        if economics is not None:
            money = estimate(ordered_members, [values[i] if values else None for i in order], economics, lang)
        drafts.append((effect, finding, rule, order, money))

    def key(draft):
        effect, finding, _, _, money = draft
        value = money.value_at_stake if money is not None else None
        return (not effect.news, SEVERITIES.index(finding.severity), value is None, -(value or 0.0), -finding.impact)

    out = []
    claimed: dict[str, set] = {}
    for effect, finding, rule, order, money in sorted(drafts, key=key):
        # a row behind two recommendations is listed and priced under the first (money counted once)
        evidence_ids = {k: frozenset(v) - claimed.get(k, set()) for k, v in effect.ids.items()}
        if economics is not None and any(claimed.values()):
            taken = set().union(*claimed.values())
            kept = [_unclaimed(values[i] if values else None, taken) for i in order]
            money = estimate([items[i] for i in order], kept, economics, lang)
        for k, v in evidence_ids.items():
            claimed.setdefault(k, set()).update(v)
        values_ = _placeholders(finding, lang, labels)
        out.append(
            Recommendation(
                rank=len(out) + 1,
                action=i18n.typeset_text(rule.action[lang].format(**values_), lang),
                owner=rule.owner[lang],
                evidence=finding_sentence(finding, lang, labels),
                expected=i18n.typeset_text(rule.expected[lang].format(**values_), lang)
                if rule.expected.get(lang)
                else "",
                impact=finding.impact,
                impact_unit=finding.impact_unit,
                severity=finding.severity,
                finding=finding,
                money=money,
                finding_ids=tuple(ids[i] for i in order) if ids else (),
                evidence_ids={k: tuple(sorted(v)) for k, v in evidence_ids.items() if v},
                standing=not effect.news,
                breakdown=tuple(finding_sentence(items[i], lang, labels) for i in order[1:]),
            )
        )
    return out


def _unclaimed(values: pd.Series | None, taken: set) -> pd.Series | None:
    """``values`` without the rows a recommendation ranked higher already counts."""
    if values is None:
        return None
    kept = values[~values.index.isin(taken)]
    return kept if len(kept) else None
