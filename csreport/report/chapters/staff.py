"""Chapter 4, staff: headcount, attrition and tenure, employee satisfaction by dimension, fair performance
rankings and training needs.

Each section renders its data from the report model (``ctx.section_data("04.<section>")``), built once per report
by the builders of :mod:`csreport.report.chapters.staff_data`."""

from __future__ import annotations

import pandas as pd

from csreport.analyses.agents import TrainingLink
from csreport.findings.narrative import p_text
from csreport.language import i18n
from csreport.report import charts
from csreport.report.chapters import output as out
from csreport.report.chapters.context import ReportContext
from csreport.report.chapters.staff_data import PerformanceData, TrainingData, WorkforceData


@out.section
def title(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch4.title"))


@out.section
def workforce(ctx: ReportContext) -> None:
    data: WorkforceData | None = _opened(ctx, "workforce")
    if data is None:
        return
    ctx.say(*workforce_sentences(ctx, data))


def workforce_sentences(ctx: ReportContext, data: WorkforceData) -> list[str]:
    """Headcount, attrition (over the trailing 12 months, or annualised over the months the data cover), the
    voluntary share, tenure, training hours and QA score, a sentence each; one whose KPI these data cannot
    measure is left out, so no sentence reads "attrition was n/a a year (n/a leavers …)"."""
    k, window = data.kpis, data.window
    attrition = k["attrition_annualised"]
    said = []

    def add(key: str, measure: str | None, **values) -> None:
        if measure is None or k[measure].available:
            said.append(ctx.t(f"ch4.workforce_{key}", **values))

    add("headcount", "headcount", headcount=i18n.count(k["headcount"].value, ctx.lang))
    if attrition.available:
        short = window is not None and not window.complete
        add("attrition_short" if short else "attrition", None, month=ctx.month,
            attrition=i18n.percent(attrition.value, ctx.lang), leavers=i18n.count(attrition.numerator, ctx.lang),
            month_leavers=i18n.count(k["leavers"].value, ctx.lang),
            months=i18n.number(window.exposure, ctx.lang, 0 if window.exposure.is_integer() else 1) if short else "",
            first=i18n.month(str(window.months[0]), ctx.lang) if short else "",
            last=i18n.day(window.stop - pd.Timedelta(days=1), ctx.lang) if short else "")  # fmt: skip
        add("voluntary", "voluntary_share", voluntary=i18n.percent(k["voluntary_share"].value, ctx.lang))
    add("tenure", "tenure_median_months", tenure=i18n.number(k["tenure_median_months"].value, ctx.lang, 1))
    add("training", "training_hours", training=i18n.number(k["training_hours"].value, ctx.lang, 1))
    add("qa", "qa_score", qa=i18n.number(k["qa_score"].value, ctx.lang, 1))
    return said


@out.section
def employee_satisfaction(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch4.satisfaction"), 3)
    dims = ctx.section_data("04.employee_satisfaction")
    if not dims:
        return ctx.missing(ctx.t("ch4.need_satisfaction"))
    values = pd.Series({ctx.t(f"ch4.dim.{d}"): m.value for d, m in dims.items()})
    lowest = min(dims, key=lambda d: dims[d].value)
    ctx.say(
        ctx.t(
            "ch4.satisfaction_sentence",
            dim=ctx.t(f"ch4.dim.{lowest}"),
            value=i18n.number(dims[lowest].value, ctx.lang, 2),
            n=i18n.number(dims[lowest].n, ctx.lang),
        )
    )
    fig = charts.bars(
        values,
        ctx.t("ch4.satisfaction_title", dim=ctx.t(f"ch4.dim.{lowest}")),
        ctx.t("ch4.score"),
        highlight=ctx.t(f"ch4.dim.{lowest}"),
    )
    out.figure(fig, ctx.t("caption.agent_months", n=i18n.number(dims[lowest].n, ctx.lang)))


@out.section
def performance(ctx: ReportContext) -> None:
    data: PerformanceData | None = _opened(ctx, "performance")
    if data is None:
        return
    ranking = data.ranking
    if not ranking.available:
        return ctx.not_enough(ranking.reason)
    table = ranking.table
    low = table[table["flag"] == "low"]
    ctx.say(
        ctx.t(
            "ch4.performance_sentence",
            agents=len(table),
            low=len(low),
            high=int((table["flag"] == "high").sum()),
            n=i18n.number(int(table["n"].sum()), ctx.lang),
        )
    )
    fig = charts.funnel(
        table.assign(flag=table["flag"].map({"low": "below", "high": "above"}).fillna("")),
        ctx.t("ch4.funnel_title", low=len(low)),
        ctx.t("ch4.contacts_handled"),
        i18n.label("kpi", "fcr_rate", ctx.lang),
        data.centre,
        {"below": ctx.t("ch4.below"), "within": ctx.t("ch4.within"), "above": ctx.t("ch4.above")},
    )
    out.figure(fig, ctx.t("caption.funnel", n=i18n.number(int(table["n"].sum()), ctx.lang)))
    teams = data.teams
    shown = pd.DataFrame(
        {
            ctx.t("ch4.col.team"): teams["team"].map(lambda t: ctx.label("team", t)),
            ctx.t("ch4.col.agents"): teams["agents"],
            ctx.t("ch4.col.contacts"): teams["n"].map(lambda v: i18n.number(v, ctx.lang)),
            i18n.label("kpi", "fcr_rate", ctx.lang): _flagged_percents(ctx, teams["rate"], teams["n"]),
            ctx.t("ch4.col.below"): teams["low"],
        }
    )
    _small_sample_table(ctx, shown, "ch4.teams_caption", ctx.t("ch4.col.team"))


@out.section
def training(ctx: ReportContext) -> None:
    data: TrainingData | None = _opened(ctx, "training")
    if data is None:
        return
    if data.absent:
        return ctx.missing(ctx.t("ch4.need_training_columns", columns=i18n.join(data.absent, ctx.lang)))
    gaps = data.gaps
    if gaps.empty:
        return ctx.say(ctx.t("ch4.no_training_gap"))
    worst = gaps.iloc[0]
    ctx.say(
        ctx.t(
            "ch4.training_sentence",
            team=ctx.label("team", worst["team"]),
            category=ctx.label("category", worst["category"]),
            rate=i18n.percent(worst["team_rate"], ctx.lang),
            rest=i18n.percent(worst["rest_rate"], ctx.lang),
            n=i18n.number(worst["n"], ctx.lang),
            count=len(gaps),
        )
    )
    shown = pd.DataFrame(
        {
            ctx.t("ch4.col.team"): gaps["team"].map(lambda t: ctx.label("team", t)),
            ctx.t("ch3.col.category"): gaps["category"].map(lambda c: ctx.label("category", c)),
            ctx.t("ch4.col.team_fcr"): _flagged_percents(ctx, gaps["team_rate"], gaps["n"]),
            ctx.t("ch4.col.rest_fcr"): gaps["rest_rate"].map(lambda v: i18n.percent(v, ctx.lang)),
            ctx.t("ch4.col.gap"): gaps["gap"].map(lambda v: i18n.points(v, ctx.lang)),
            ctx.t("ch4.col.contacts"): gaps["n"].map(lambda v: i18n.number(v, ctx.lang)),
        }
    ).head(10)
    _small_sample_table(ctx, shown, "ch4.training_caption", ctx.t("ch4.col.team"), ctx.t("ch3.col.category"))


@out.section
def training_and_performance(ctx: ReportContext) -> None:
    """The association between training hours and first-contact resolution across agents."""
    link: TrainingLink | None = ctx.section_data("04.training_and_performance")
    if link is None:
        return ctx.missing(ctx.t("ch4.need_training"))
    if not link.available:
        return ctx.not_enough(link.reason)
    significant = link.p_value < 1 - ctx.targets.parameters.confidence
    key = "ch4.link_significant" if significant else "ch4.link_none"
    ctx.say(ctx.t(key, agents=link.agents, rho=i18n.number(link.rho, ctx.lang, 2), p=p_text(link.p_value, ctx.lang)))


def _opened(ctx: ReportContext, section: str):
    """Write the heading of agent section ``section`` (``ch4.<section>``) and return its data from the report model
    (``04.<section>``); None, after saying that the agents table is missing, when the model holds none."""
    out.heading(ctx.t(f"ch4.{section}"), 3)
    data = ctx.section_data(f"04.{section}")
    if data is None:
        ctx.missing(ctx.t("ch4.need_agents"))
    return data


def _flagged_percents(ctx: ReportContext, rates: pd.Series, n: pd.Series) -> list[str]:
    """Each of ``rates`` (shares, 0–1) as a percentage in the report language, ⚠ behind one resting on fewer than
    ``min_sample`` contacts (its ``n``)."""
    min_sample = ctx.targets.parameters.min_sample
    return [out.flag_small(i18n.percent(v, ctx.lang), k, min_sample) for v, k in zip(rates, n, strict=True)]


def _small_sample_table(ctx: ReportContext, shown: pd.DataFrame, caption: str, *left: str) -> None:
    """Show ``shown`` under the caption ``caption`` (a locale key), which says what ⚠ means when a cell carries it;
    the columns ``left`` aligned left."""
    note = ctx.t("caption.small_sample", n=i18n.number(ctx.targets.parameters.min_sample, ctx.lang))
    out.table(shown, ctx.with_small_note(ctx.t(caption), shown, note), dict.fromkeys(left, "left"))
