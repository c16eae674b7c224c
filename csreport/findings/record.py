"""The one record type of a finding, and its JSON form (``findings.json``)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

SEVERITIES = ("high", "medium", "low")
KINDS = (
    "deterioration",
    "improvement",
    "target_missed",
    "category_spike",
    "staffing_gap",
    "training_gap",
    "channel_shift",
    "churn_rise",
    "process_cost",
    "process_churn",
    "churn_group",
)


@dataclass(frozen=True)
class Finding:
    """What was found, where, how large, how sure, and how many contacts or customers it touched.

    ``change`` = value − baseline in the metric's unit; ``relative_change`` = change / baseline;
    ``impact`` = contacts or customers affected in the month (``impact_unit``), the common scale on which
    findings and recommendations are ordered; ``evidence`` holds the numbers the sentence quotes (n, test …).
    """

    kind: str
    unit: str
    period: str
    metric: str
    value: float | None
    baseline: float | None
    change: float | None
    relative_change: float | None
    p_value: float | None
    significant: bool
    severity: str
    impact: float
    impact_unit: str
    evidence: dict = field(default_factory=dict)
    category: str | None = None
    team: str | None = None
    segment: str | None = None
    note: str | None = None
    q_value: float | None = None  # Benjamini–Hochberg adjusted over the report's news tests
    first_seen: str | None = None  # a standing issue: the first month (YYYY-MM) it held
    trend: tuple = ()  # a standing issue: (period, value) of the months it was checked, oldest first
    standing: bool = False  # a standing issue (held before this month), not news

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown finding kind {self.kind!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def subject(self) -> str | None:
        """The category, team or segment the finding is about, if any."""
        return self.category or self.team or self.segment

    @property
    def key(self) -> tuple:
        """What the finding is about, whatever its month: kind, metric and subject (matches a standing issue with
        the same issue found a month later)."""
        return (self.kind, self.metric, self.category, self.team, self.segment)

    def to_json(self) -> dict:
        """A JSON-safe dict: NaN and infinities become null, numpy scalars plain numbers."""
        return {k: _plain(v) for k, v in asdict(self).items()}


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def ordered(findings: list[Finding]) -> list[Finding]:
    """High before medium before low; within a severity, larger impact first (ties: kind, unit, metric)."""
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity), -f.impact, f.kind, f.unit, f.metric))
