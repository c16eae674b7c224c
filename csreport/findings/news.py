"""News or standing: the report's candidate findings adjusted together and graded.

Every news test of one report (period × unit) — KPI changes (a maturing KPI's same-age comparison in the data's
last month among them), category spikes, channel shares, segment churn, staffing coverage and the change tests of
the structural rules — is adjusted with Benjamini–Hochberg
(:func:`csreport.findings.calibrate.benjamini_hochberg`), which bounds the expected share of false alarms among
the report's findings by alpha. A signal is news when its adjusted p (q) and its size pass the grade:

- high: q < ``alpha_high`` and size ≥ the rule's high threshold (and the signal allows high: a deterioration
  of a KPI whose target is met, an improvement, or a structural change is at most medium);
- medium: q < ``alpha`` and size ≥ the rule's lower threshold.

What is not news but standing (held the month or window before as well) is a standing issue; the rest is not
reported as a finding. A maturing KPI's same-age change that passes the same grade is reported as low severity
with its note (``Signal.shown_as``): it is not final, so it is never a headline, but it is no longer kept on its
raw p alone. Signals with a ``fixed`` severity (a newly missed target, a calendar-driven change) are not graded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from csreport.findings.calibrate import benjamini_hochberg
from csreport.findings.record import SEVERITIES, Finding, ordered
from csreport.findings.rules import Rules
from csreport.findings.signals import Signal


@dataclass(frozen=True)
class FindingSet:
    """A report's findings: ``findings`` what is news this month (ordered by severity, then impact) and
    ``standing`` the standing issues (each with the month it was first seen and its trend)."""

    findings: list[Finding] = field(default_factory=list)
    standing: list[Finding] = field(default_factory=list)
    tests: int = 0  # news tests adjusted together
    threshold: float = 0.0  # the largest raw p the Benjamini–Hochberg step accepted at alpha (0: none)
    calibration: object = None  # per KPI: usual level and calibrated p (csreport.findings.detect.calibrated_changes)


def grade(q: float, signal: Signal, rules: Rules) -> str:
    """The severity of a news test with adjusted p ``q`` (see the module docstring); ``low`` = not news."""
    if q < rules.alpha_high and signal.size >= signal.high_size:
        severity = "high"
    elif q < rules.alpha and signal.size >= signal.medium_size:
        severity = "medium"
    else:
        return "low"
    return max(severity, signal.max_severity, key=SEVERITIES.index)


def decide(signals: list[Signal], rules: Rules) -> FindingSet:
    """Adjust the news tests of ``signals`` together, grade them, and split news from standing issues."""
    tested = [s for s in signals if s.p is not None and s.fixed is None]
    q_values = benjamini_hochberg([s.p for s in tested])
    news, standing = [], []
    for signal, q in zip(tested, q_values, strict=True):
        severity = grade(float(q), signal, rules)
        if severity != "low":
            shown = signal.shown_as or severity
            news.append(replace(signal.finding, severity=shown, significant=True, q_value=float(q)))
        elif signal.standing:
            standing.append(replace(signal.finding, severity="medium", q_value=float(q), standing=True))
    for signal in signals:
        if signal.fixed is not None:
            news.append(replace(signal.finding, severity=signal.fixed))
        elif signal.p is None and signal.standing:
            standing.append(replace(signal.finding, severity="medium", standing=True))
    accepted = [s.p for s, q in zip(tested, q_values, strict=True) if q < rules.alpha]
    return FindingSet(ordered(news), _ordered_standing(standing), len(tested), max(accepted, default=0.0))


def _ordered_standing(standing: list[Finding]) -> list[Finding]:
    """Oldest first-seen first, then larger impact."""
    return sorted(standing, key=lambda f: (f.first_seen or "", -f.impact, f.kind, f.metric))
