"""Survey KPIs: CSAT (mean, top-2-box, response rate), NPS and CES. Input: the surveys of one period × unit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from csreport.measure import Measure, mean, rate
from csreport.metrics.service import DEFAULT, missing
from csreport.targets import Parameters


def _scores(surveys: pd.DataFrame, column: str) -> np.ndarray:
    return surveys[column].dropna().to_numpy(float)


def csat(surveys: pd.DataFrame, params: Parameters = DEFAULT) -> tuple[Measure, Measure]:
    """CSAT mean (score 1–5) and % satisfied = share of responses scoring 4 or 5 (top-2-box, ratio)."""
    reason = missing(surveys, "csat", table="surveys")
    if reason:
        return Measure.unavailable("csat_mean", "score", reason), Measure.unavailable("csat_top2", "ratio", reason)
    scores = _scores(surveys, "csat")
    return (
        mean(
            "csat_mean",
            scores,
            "score",
            confidence=params.confidence,
            method="mean score 1–5",
            empty_reason="no CSAT responses",
        ),
        rate(
            "csat_top2",
            (scores >= 4).sum(),
            len(scores),
            confidence=params.confidence,
            method="share scoring 4–5",
            empty_reason="no CSAT responses",
        ),
    )


def survey_response_rate(surveys: pd.DataFrame, handled_contacts: int, params: Parameters = DEFAULT) -> Measure:
    """Survey responses with a CSAT score / handled contacts of the period (ratio, capped at 1)."""
    if "csat" not in surveys.columns:
        return Measure.unavailable("survey_response_rate", "ratio", "surveys has no csat column")
    responses = min(int(surveys["csat"].notna().sum()), handled_contacts)
    return rate(
        "survey_response_rate",
        responses,
        handled_contacts,
        confidence=params.confidence,
        method="CSAT responses / handled contacts",
        empty_reason="no handled contacts",
    )


def net_promoter_score(surveys: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """NPS = % promoters (9–10) − % detractors (0–6), points from −100 to 100, with a normal interval whose
    variance is (p + d − (p − d)²) / n."""
    reason = missing(surveys, "nps", table="surveys")
    if reason:
        return Measure.unavailable("nps", "points", reason)
    scores = _scores(surveys, "nps")
    n = len(scores)
    if n == 0:
        return Measure.unavailable("nps", "points", "no NPS responses")
    promoters, detractors = (scores >= 9).mean(), (scores <= 6).mean()
    value = promoters - detractors
    sd = math.sqrt(max(promoters + detractors - value**2, 0.0))
    half = stats.norm.ppf(0.5 + params.confidence / 2) * sd / math.sqrt(n)
    return Measure(
        "nps",
        100 * value,
        n,
        "points",
        100 * max(value - half, -1),
        100 * min(value + half, 1),
        std=100 * sd,
        method="% promoters (9–10) − % detractors (0–6)",
        kind="nps",
    )


def customer_effort(surveys: pd.DataFrame, params: Parameters = DEFAULT) -> tuple[Measure, Measure]:
    """CES mean (score 1–7, 7 = very easy) and % easy = share scoring 5–7 (ratio)."""
    reason = missing(surveys, "ces", table="surveys")
    if reason:
        return Measure.unavailable("ces_mean", "score", reason), Measure.unavailable("ces_easy", "ratio", reason)
    scores = _scores(surveys, "ces")
    return (
        mean(
            "ces_mean",
            scores,
            "score",
            confidence=params.confidence,
            method="mean score 1–7",
            empty_reason="no CES responses",
        ),
        rate(
            "ces_easy",
            (scores >= 5).sum(),
            len(scores),
            confidence=params.confidence,
            method="share scoring 5–7",
            empty_reason="no CES responses",
        ),
    )
