"""Standing issues: structural differences (a group that churns more, a process that costs more, a team weaker
on a category) compared with the same comparison in the windows before.

A structural rule compares a part of the unit with the rest in a window (3 months for who churns and training
gaps, the month for processes). Such a difference is usually true month after month: it is a *standing
issue*, listed with the month it was first seen, not news. It becomes news only when it changes significantly
against the previous window: it appears, grows, or shrinks away. The change test is a one-sided z-test of the
difference between the two windows' effects (the part's excess over the rest), with their standard errors:
``z = (e_now − e_before) / √(se_now² + se_before²)``; its p joins the report's other news tests in the
Benjamini–Hochberg adjustment (:mod:`csreport.findings.news`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import special

from csreport.findings.record import Finding
from csreport.findings.rules import Rules
from csreport.findings.signals import Signal


@dataclass(frozen=True)
class Effect:
    """One part's excess over the rest in one window: ``effect`` (in the rule's unit, larger = worse) with its
    standard error; ``finding``: the structural finding when the rule flags the part in that window."""

    key: tuple
    effect: float
    se: float
    finding: Finding | None = None


def _p_larger(z: float) -> float:
    return float(special.ndtr(-z))


def change_z(now: Effect, before: Effect) -> float | None:
    """(e_now − e_before) / √(se_now² + se_before²), None without standard errors."""
    spread = math.sqrt(now.se**2 + before.se**2)
    if not spread > 0 or not math.isfinite(now.effect) or not math.isfinite(before.effect):
        return None
    return (now.effect - before.effect) / spread


def structural_signals(
    windows: list[dict[tuple, Effect]], periods: list[str], rules: Rules, size_of, medium: float, high: float
) -> list[Signal]:
    """Signals of one structural rule from its effects per window, the report's window first (``windows[0]``)
    then earlier ones (``windows[1]`` the window just before, …), ``periods`` their last months.

    - flagged now and in the window before: standing (first seen: the earliest window of the unbroken run of
      flagged windows); news when it grew significantly (one-sided change test);
    - flagged now, not before: new; news when it grew significantly, else standing first seen this month;
    - flagged before, not now: news ("gone") when it shrank significantly; otherwise nothing.
    ``size_of(finding)`` gives the size graded against ``medium`` / ``high``."""
    now = windows[0]
    before = windows[1] if len(windows) > 1 else {}
    out = []
    for key, effect in now.items():
        finding = effect.finding
        if finding is None:
            continue
        earlier = before.get(key)
        z = change_z(effect, earlier) if earlier is not None else None
        p = None if z is None else _p_larger(z)
        held = earlier is not None and earlier.finding is not None
        seen, trend = _run(windows, key, periods) if held else (periods[0], ((periods[0], finding.value),))
        change = "grew" if held else "new"
        evidence = {**finding.evidence, "change": change, "p_change": p,
                    "previous_value": earlier.finding.value if held else None,
                    "previous_effect": earlier.effect if earlier is not None else None,
                    "previous_period": periods[1] if len(periods) > 1 else None}  # fmt: skip
        finding = _with(finding, evidence=evidence, first_seen=seen, trend=trend)
        out.append(Signal(finding, p, size_of(finding), medium, high, standing=True, max_severity="medium"))
    for key, earlier in before.items():
        current = now.get(key)
        if earlier.finding is None or current is None or current.finding is not None:
            continue
        z = change_z(current, earlier)
        if z is None:
            continue
        p = _p_larger(-z)
        gone = _with(earlier.finding, period=periods[0], evidence={
            **earlier.finding.evidence, "change": "gone", "p_change": p, "previous_value": earlier.finding.value,
            "previous_period": periods[1], "current_effect": current.effect}, impact=0.0)  # fmt: skip
        out.append(Signal(gone, p, size_of(earlier.finding), medium, high, max_severity="medium"))
    return out


def _run(windows: list[dict[tuple, Effect]], key: tuple, periods: list[str]) -> tuple[str, tuple]:
    """The first period of the unbroken run of windows where ``key`` is flagged, and its values oldest first."""
    seen, values = periods[0], []
    for window, period in zip(windows, periods, strict=False):
        effect = window.get(key)
        if effect is None or effect.finding is None:
            break
        seen = period
        values.append((period, effect.finding.value))
    return seen, tuple(reversed(values))


def _with(finding: Finding, **changes) -> Finding:
    from dataclasses import replace

    return replace(finding, **changes)
