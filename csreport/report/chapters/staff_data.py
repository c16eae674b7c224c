"""Chapter 4's section data: what each section of :mod:`csreport.report.chapters.staff` shows, built once per report
from the data by the report model's builders (:mod:`csreport.report.chapters.model`), in no language.

An analyst looks at them in the notebook with ``ctx.section_data("04.training")`` etc.; the sections only turn
them into sentences, tables and charts. A builder returns None when the agents table (and, for the training
link, the agent_months table) is absent: the section then says what is missing."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from csreport.analyses.agents import AgentRanking, TrainingLink, training_link, training_needs
from csreport.data.schemas import SATISFACTION_DIMENSIONS
from csreport.findings.collect import TRAINING_COLUMNS
from csreport.metrics.measure import Measure
from csreport.metrics.workforce import TRAILING_MONTHS, Window, attrition_window
from csreport.report.chapters.context import ReportContext
from csreport.report.chapters.model import builds
from csreport.report.chapters.section_data import SectionData

WORKFORCE_KPIS = ["headcount", "attrition_annualised", "leavers", "voluntary_share", "tenure_median_months",
                  "training_hours", "qa_score"]  # fmt: skip
TRAINING_LINK_MONTHS = 6  # months of agent_months whose training hours are set against the agents' FCR


@dataclass(repr=False)
class WorkforceData(SectionData):
    """``kpis``: the period's workforce KPIs (:data:`WORKFORCE_KPIS`) → :class:`~csreport.metrics.measure.Measure`;
    ``window``: the months attrition is annualised over, the :data:`TRAILING_MONTHS` to the period cut to the
    months with data (:func:`~csreport.metrics.workforce.attrition_window`; None when none has data)."""

    kpis: dict[str, Measure]
    window: Window | None


@dataclass(repr=False)
class PerformanceData(SectionData):
    """``ranking``: first-contact resolution per agent over the last 3 months, shrunk toward the team rate, with
    funnel limits (:func:`~csreport.analyses.agents.rate_ranking`); ``teams``: per team its ranked agents, their
    contacts n, the team's FCR rate and the agents below the funnel (``low``), lowest rate first (None without a
    ranking); ``centre``: the FCR of all ranked agents' contacts, Σ raw·n / Σ n (None without a ranking)."""

    ranking: AgentRanking
    teams: pd.DataFrame | None
    centre: float | None


@dataclass(repr=False)
class TrainingData(SectionData):
    """Training needs: team × category first-contact resolution against the rest of the unit over the last
    ``months`` months (:func:`~csreport.analyses.agents.training_needs`; a shortfall is significant at
    ``confidence``), with the same months and confidence as the ``training_gap`` finding (``training_months`` of
    ``params/findings.yml``; 1 − alpha, the targets file's confidence). ``absent``: the contact and agent columns
    it needs and the data lacks (then ``needs`` is empty)."""

    absent: list[str]
    needs: pd.DataFrame
    months: int
    confidence: float

    @property
    def gaps(self) -> pd.DataFrame:
        """The team × category pairs that fall significantly short, largest shortfall first."""
        return self.needs[self.needs["significant_shortfall"]] if not self.needs.empty else self.needs


def _kpis(ctx: ReportContext, names) -> dict[str, Measure]:
    kpis = ctx.cache.kpis(ctx.period, ctx.unit)
    return {k: kpis[k] for k in names if k in kpis}


@builds("04.workforce")
def build_workforce(ctx: ReportContext) -> WorkforceData | None:
    """The workforce KPIs of the period (data.kpis: name → Measure) and the attrition window; None without agents."""
    if not ctx.has("agents"):
        return None
    # attrition is over the twelve months to the period; with less history, over the months with data
    return WorkforceData(_kpis(ctx, WORKFORCE_KPIS), attrition_window(ctx.period, TRAILING_MONTHS, ctx.coverage))


@builds("04.employee_satisfaction")
def build_employee_satisfaction(ctx: ReportContext) -> dict[str, Measure]:
    """The period's employee satisfaction per dimension (1–5) that the data has, dimension → Measure (empty
    without employee satisfaction)."""
    dims = _kpis(ctx, [f"employee_satisfaction_{d}" for d in SATISFACTION_DIMENSIONS])
    return {k.removeprefix("employee_satisfaction_"): m for k, m in dims.items() if m.available}


@builds("04.performance")
def build_performance(ctx: ReportContext) -> PerformanceData | None:
    """First-contact resolution per agent, shrunk and ranked with funnel limits (data.ranking), and per team
    (data.teams); None without agents."""
    if not ctx.has("agents"):
        return None
    ranking = ctx.agent_fcr_ranking
    if not ranking.available:
        return PerformanceData(ranking, None, None)
    table = ranking.table
    teams = (
        table.groupby("team")
        .agg(
            agents=("agent_id", "count"),
            n=("n", "sum"),
            rate=("team_rate", "first"),
            low=("flag", lambda f: (f == "low").sum()),
        )
        .sort_values("rate")
        .reset_index()
    )
    return PerformanceData(ranking, teams, float((table["raw"] * table["n"]).sum() / table["n"].sum()))


@builds("04.training")
def build_training(ctx: ReportContext) -> TrainingData | None:
    """Training needs with the ``training_gap`` finding's months and confidence (:attr:`ReportContext.rules`:
    ``training_months``, and 1 − alpha, as :func:`csreport.findings.collect._structural` passes them): the ones
    kept with the report (:func:`csreport.findings.collect.load_training_needs`, over the unit's contacts and every
    agent's team), so the chapter shows exactly what the finding tests."""
    if not ctx.has("agents"):
        return None
    months, confidence = ctx.rules.training_months, 1 - ctx.rules.alpha
    absent = ctx.absent_columns("contacts", "agent_id", "category", "first_contact_resolution")
    absent += [f"agents.{c}" for c in ctx.absent_columns("agents", "team")]
    if absent:
        return TrainingData(absent, pd.DataFrame(), months, confidence)
    needs = ctx.report.training_needs  # computed once with the report: what the training-gap finding tests
    if needs is None:
        contacts = ctx.read("contacts", months, list(TRAINING_COLUMNS))
        needs = training_needs(contacts, ctx.read("agents"), ctx.targets.parameters.min_sample, confidence)
    return TrainingData([], needs, months, confidence)


@builds("04.training_and_performance")
def build_training_and_performance(ctx: ReportContext) -> TrainingLink | None:
    """The association (Spearman) between agents' training hours over :data:`TRAINING_LINK_MONTHS` months and their
    shrunk FCR (:func:`~csreport.analyses.agents.training_link`); None without agents or agent_months."""
    if not ctx.has("agents") or not ctx.has("agent_months"):
        return None
    return training_link(ctx.agent_fcr_ranking.table, ctx.agent_months(TRAINING_LINK_MONTHS))
