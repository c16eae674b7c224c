"""Survey KPIs: CSAT (mean, top-2-box, response rate), NPS and CES. Input: the surveys of one period × unit.

Each KPI is an aggregate spec (:mod:`csreport.metrics.aggregate`) evaluated by DuckDB.
"""

from __future__ import annotations

import pandas as pd

from csreport.metrics.aggregate import evaluate
from csreport.metrics.measure import Measure, rate
from csreport.metrics.registry import added_specs
from csreport.metrics.service import DEFAULT
from csreport.metrics.specs import Count, Mean, Promoters, Proportion, Spec
from csreport.metrics.targets import Parameters

SURVEYS_DERIVED = "SELECT * FROM source"


def survey_specs(params: Parameters = DEFAULT, columns: frozenset[str] = frozenset()) -> list[Spec]:
    """The survey KPI specs (their formulas are documented on the functions below) and those of the survey KPIs
    added through the registry (:func:`csreport.metrics.registry.register` with a ``spec``; ``params`` and the
    surveys' ``columns`` are passed to it)."""
    return [*_package_specs(), *added_specs(params, set(columns), "surveys")]


def _package_specs() -> list[Spec]:
    t = "surveys"
    return [
        Mean("csat_mean", ("csat",), "mean score 1–5", "no CSAT responses", t, value="csat", unit="score"),
        Proportion(
            "csat_top2",
            ("csat",),
            "share scoring 4–5",
            "no CSAT responses",
            t,
            success="csat >= 4",
            among="csat IS NOT NULL",
        ),
        Promoters("nps", ("nps",), "% promoters (9–10) − % detractors (0–6)", "no NPS responses", t),
        Proportion(
            "nps_non_detractor",
            ("nps",),
            "NPS responses 7–10 / NPS responses",
            "no NPS responses",
            t,
            success="nps >= 7",
            among="nps IS NOT NULL",
        ),
        Mean("ces_mean", ("ces",), "mean score 1–7", "no CES responses", t, value="ces", unit="score"),
        Proportion(
            "ces_easy",
            ("ces",),
            "share scoring 5–7",
            "no CES responses",
            t,
            success="ces >= 5",
            among="ces IS NOT NULL",
        ),
        Count("csat_responses", ("csat",), "CSAT responses", "", t, where="csat IS NOT NULL"),
    ]


def survey_kpis(surveys: pd.DataFrame, params: Parameters = DEFAULT) -> dict[str, Measure]:
    """Every survey KPI of one period's surveys."""
    return evaluate(surveys, survey_specs(params, frozenset(surveys.columns)), SURVEYS_DERIVED, params.confidence)


def csat(surveys: pd.DataFrame, params: Parameters = DEFAULT) -> tuple[Measure, Measure]:
    """CSAT mean (score 1–5) and % satisfied = share of responses scoring 4 or 5 (top-2-box, ratio)."""
    kpis = survey_kpis(surveys, params)
    return kpis["csat_mean"], kpis["csat_top2"]


def survey_response_rate(surveys: pd.DataFrame | int, handled_contacts: int, params: Parameters = DEFAULT) -> Measure:
    """Survey responses with a CSAT score / handled contacts of the period (ratio, responses capped at the
    number of handled contacts). ``surveys`` may be the surveys or the number of CSAT responses."""
    if isinstance(surveys, pd.DataFrame):
        if "csat" not in surveys.columns:
            return Measure.unavailable("survey_response_rate", "ratio", "surveys has no csat column")
        surveys = int(surveys["csat"].notna().sum())
    return rate(
        "survey_response_rate",
        min(int(surveys), handled_contacts),
        handled_contacts,
        confidence=params.confidence,
        method="CSAT responses / handled contacts",
        empty_reason="no handled contacts",
    )


def net_promoter_score(surveys: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """NPS = % promoters (9–10) − % detractors (0–6), points from −100 to 100, with a normal interval whose
    variance is (p + d − (p − d)²) / n."""
    return survey_kpis(surveys, params)["nps"]


def customer_effort(surveys: pd.DataFrame, params: Parameters = DEFAULT) -> tuple[Measure, Measure]:
    """CES mean (score 1–7, 7 = very easy) and % easy = share scoring 5–7 (ratio)."""
    kpis = survey_kpis(surveys, params)
    return kpis["ces_mean"], kpis["ces_easy"]
