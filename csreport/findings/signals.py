"""Candidate findings with their calibrated tests, before the report's tests are adjusted together.

A :class:`Signal` is a finding whose severity is not decided yet: it carries the p-value of its news test (the
calibrated test of :mod:`csreport.findings.calibrate`), the size graded against the rule's thresholds, and
whether it is a standing condition (unusual for two months or more, without an unusual move this month) rather
than news. :func:`csreport.findings.news.decide` adjusts the news tests of a report together and grades them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from csreport.findings.calibrate import ControlTest
from csreport.findings.record import Finding

#: how many months a standing condition is followed back to find the month it was first seen
LOOKBACK_MONTHS = 6


@dataclass(frozen=True)
class Signal:
    """A finding before grading. ``p``: the news test's p-value (None: no test, ``fixed`` severity);
    ``size`` against ``medium_size`` / ``high_size``: the rule's size thresholds (a relative change, a
    ratio, points of share); ``standing``: a condition that held the month before too and did not move;
    ``max_severity``: the most a grade can give (an improvement, or a deterioration whose target is met, is at
    most medium); ``shown_as``: the severity a news test that passes the grade is reported with instead of its
    grade (a maturing KPI's same-age test: adjusted with the others, reported low with its note when it passes)."""

    finding: Finding
    p: float | None
    size: float
    medium_size: float
    high_size: float
    standing: bool = False
    fixed: str | None = None  # a severity that is not graded (a newly missed target, a calendar-driven change: low)
    max_severity: str = "high"
    shown_as: str | None = None

    def with_finding(self, **changes) -> Signal:
        return replace(self, finding=replace(self.finding, **changes))


def test_evidence(test: ControlTest) -> dict:
    """The numbers of a calibrated test a finding quotes: usual level, limits, overdispersion, both p-values."""
    return {
        "baseline_label": "usual level",
        "baseline_months": test.baseline_months,
        "previous": test.previous,
        "limits": list(test.limits),
        "sigma": test.sigma,
        "p_level": test.p_level,
        "p_change": test.p_change,
        "test": test.method,
    }


def first_seen(
    test_at: Callable[[int], ControlTest | None], periods: list[str], direction: int, alpha: float
) -> tuple[str, tuple]:
    """The first month of a standing condition: walking back from the month before the current one (index
    −2 of ``periods``) while the level test of that month (``test_at(i)``, its own baseline) stays unusual in
    ``direction``, at most :data:`LOOKBACK_MONTHS` months. Returns the month and the trend of the months walked
    ((period, value) oldest first, the current month last)."""
    seen = periods[-1]
    values = []
    current = test_at(len(periods) - 1)
    if current is not None:
        values.append((periods[-1], current.value))
    for back in range(1, LOOKBACK_MONTHS + 1):
        i = len(periods) - 1 - back
        if i < 0:
            break
        test = test_at(i)
        if test is None or test.direction != direction or not test.p_level < alpha:
            break
        seen = periods[i]
        values.append((periods[i], test.value))
    return seen, tuple(reversed(values))


def relative(value: float, centre: float) -> float:
    """|value − centre| / |centre| (infinite from a centre of 0)."""
    if centre == 0:
        return math.inf if value != 0 else 0.0
    return abs(value - centre) / abs(centre)


def standing_signal(signal: Signal, test_at, periods: list[str], direction: int, test: ControlTest, alpha: float,
                    adverse: bool = True) -> Signal:  # fmt: skip
    """``signal`` with the news test that fits its memory, and marked standing when it already held.

    When the month before was not unusual in the same direction, the news test is the level test alone: the
    month is the first unusual one. When it was, the month is news only if it also moved unusually from it
    (the larger of the level and change tests' p); an adverse level that did not move is a standing issue,
    with its first month and trend."""
    previous = test_at(len(periods) - 2) if len(periods) >= 2 else None
    held = previous is not None and previous.direction == direction and previous.p_level < alpha
    p = max(test.p_level, test.p_change if test.p_change is not None else 1.0) if held else test.p_level
    signal = replace(signal, p=p).with_finding(p_value=p)
    if not held or not adverse or not test.p_level < alpha or (test.p_change is not None and test.p_change < alpha):
        return signal
    seen, trend = first_seen(test_at, periods, direction, alpha)
    return replace(signal, standing=True).with_finding(first_seen=seen, trend=trend)
