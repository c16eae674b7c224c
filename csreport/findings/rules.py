"""The thresholds of the detection rules (``params/findings.yml``) and how they grade severity."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from pathlib import Path

from scipy import stats

from csreport.errors import ParameterError
from csreport.metrics import registry
from csreport.params_file import read_params_file
from csreport.settings import Settings


@dataclass(frozen=True)
class Rules:
    """Thresholds of the detection rules, defaults as documented in params/findings.yml."""

    alpha: float = 0.05
    alpha_high: float = 0.01
    min_relative_change: float = 0.05
    high_relative_change: float = 0.10
    baseline_months: int = 12
    standing_windows: int = 2
    spike_ratio: float = 1.5
    high_spike_ratio: float = 2.0
    min_spike_count: int = 10
    channel_shift_points: float = 0.05
    high_channel_shift_points: float = 0.10
    staffing_coverage_drop: float = 0.20
    high_staffing_coverage_drop: float = 0.30
    training_months: int = 3
    training_gap_points: float = 0.10
    high_training_gap_points: float = 0.15
    churn_ratio: float = 1.5
    high_churn_ratio: float = 2.0
    process_cost_ratio: float = 1.5
    high_process_cost_ratio: float = 2.0
    process_churn_ratio: float = 1.5
    high_process_churn_ratio: float = 2.0
    group_churn_ratio: float = 1.5
    group_churn_months: int = 3
    group_churn_lookback_days: int = 90
    min_sample: int = 30
    # KPIs shown but never alarmed on: those over a trailing window (declared in csreport.metrics.registry)
    not_news: tuple[str, ...] = tuple(sorted(registry.names_where(lambda k: k.trailing_months)))
    effect_overlap: float = 0.10
    explains: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("staffing_gap", ("service_level", "asa_s", "abandonment_rate", "first_response_median_s",
                          "first_response_business_median_s")),
    )  # fmt: skip

    @property
    def causes(self) -> dict[str, tuple[str, ...]]:
        """``explains`` as a mapping: cause kind → the KPIs whose deterioration it explains in its month."""
        return dict(self.explains)


def load_rules(path: str | Path | None = None, confidence: float = 0.95, min_sample: int = 30) -> Rules:
    """Read ``params/findings.yml`` (default: the file :class:`~csreport.settings.Settings` resolves, the project's
    else the packaged one); ``alpha`` = 1 − the targets file's confidence."""
    if path is None:
        path = Settings.resolve().findings
    raw = read_params_file(path, "findings rules file", "Copy params/findings.yml and edit it.")
    known = {f.name for f in fields(Rules)} - {"alpha", "min_sample"}
    unknown = set(raw) - known
    if "maturing_metrics" in raw:
        raise ParameterError(
            f"{path}: maturing_metrics is no longer read: the maturing KPIs are declared once, in "
            "csreport/metrics/registry.py, for the scorecard and the findings alike. Delete the key."
        )
    if unknown:
        raise ParameterError(f"{path}: unknown keys {sorted(unknown)}; known: {sorted(known)}.")
    for key in ("not_news",):
        if key in raw:
            raw[key] = tuple(raw[key] or ())
    if "explains" in raw:
        if not isinstance(raw["explains"], dict):
            raise ParameterError(f"{path}: explains must map a finding kind to a list of KPIs.")
        raw["explains"] = tuple((str(k), tuple(v or ())) for k, v in raw["explains"].items())
    try:
        return Rules(alpha=round(1 - confidence, 10), min_sample=min_sample, **raw)
    except TypeError as exc:
        raise ParameterError(f"{path}: {exc}") from None


def grade(p: float | None, size: float, medium_size: float, high_size: float, rules: Rules) -> str:
    """high: p < alpha_high and size ≥ high_size; medium: p < alpha and size ≥ medium_size; else low."""
    if p is None or not math.isfinite(p):
        return "low"
    if p < rules.alpha_high and size >= high_size:
        return "high"
    if p < rules.alpha and size >= medium_size:
        return "medium"
    return "low"


def poisson_upper_p(observed: float, expected: float) -> float:
    """P(X ≥ observed) for X ~ Poisson(expected): the one-sided test of a count above its baseline mean."""
    if expected <= 0:
        return 0.0 if observed > 0 else 1.0
    return float(stats.poisson.sf(observed - 1, expected))
