"""Recommendations from findings by the rules of ``params/recommendations.yml``: an action with the evidence
quoted (the finding's own sentence), the expected impact in contacts or customers, and an owner area."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from csreport import i18n
from csreport.errors import ParameterError
from csreport.findings.money import Economics, Money, estimate
from csreport.findings.record import SEVERITIES, Finding, ordered
from csreport.labels import NO_LABELS, Labels
from csreport.narrative import agents_short, finding_sentence, group_label
from csreport.params_file import read_params_file
from csreport.settings import packaged
from csreport.store import ALL_UNITS

DEFAULT_RECOMMENDATIONS_FILES = (
    Path("params") / "recommendations.yml",
    packaged("params/recommendations.yml"),
)
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
        )


@dataclass(frozen=True)
class Recommendation:
    """An action for one finding: what to do, who owns it, the evidence and the expected impact."""

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

    def to_json(self) -> dict:
        out = {k: getattr(self, k) for k in ("rank", "action", "owner", "evidence", "expected", "impact")}
        out.update(impact_unit=self.impact_unit, severity=self.severity)
        out.update(self.money.to_json() if self.money else Money(None, None, None, "").to_json())
        out["finding"] = {k: self.finding.to_json()[k] for k in ("kind", "unit", "period", "metric")}
        out["finding"].update(category=self.finding.category, team=self.finding.team, segment=self.finding.segment)
        return out


def load_recommendation_rules(path: str | Path | None = None) -> list[RecommendationRule]:
    """Read and check ``params/recommendations.yml`` (default: the project's)."""
    if path is None:
        path = next((p for p in DEFAULT_RECOMMENDATIONS_FILES if p.is_file()), DEFAULT_RECOMMENDATIONS_FILES[0])
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
    """One recommendation per finding that a rule matches (first matching rule); findings no rule matches get
    none (they stay in findings.json). With ``economics`` each carries its money (:mod:`.money`) and within a
    severity those whose value at stake is known come first, largest value first; the others follow by
    impact (contacts or customers affected), as without money. Data values are named by ``labels``."""
    rules = load_recommendation_rules() if rules is None else rules
    out = []
    for finding in _by_value(findings, economics):
        rule = next((r for r in rules if r.matches(finding)), None)
        if rule is None:
            continue
        values = _placeholders(finding, lang, labels)
        out.append(
            Recommendation(
                rank=len(out) + 1,
                action=i18n.typeset_text(rule.action[lang].format(**values), lang),
                owner=rule.owner[lang],
                evidence=finding_sentence(finding, lang, labels),
                expected=i18n.typeset_text(rule.expected[lang].format(**values), lang)
                if rule.expected.get(lang)
                else "",
                impact=finding.impact,
                impact_unit=finding.impact_unit,
                severity=finding.severity,
                finding=finding,
                money=estimate(finding, economics, lang) if economics else None,
            )
        )
    return out


def _by_value(findings: list[Finding], economics: Economics | None) -> list[Finding]:
    """Severity first; within it, priced findings by value at stake, then the rest in :func:`ordered`."""
    findings = ordered(findings)
    if economics is None:
        return findings
    values = {id(f): estimate(f, economics).value_at_stake for f in findings}
    rank = {id(f): i for i, f in enumerate(findings)}

    def key(f: Finding):
        value = values[id(f)]
        return (SEVERITIES.index(f.severity), value is None, -(value or 0.0), rank[id(f)])

    return sorted(findings, key=key)
