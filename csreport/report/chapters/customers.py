"""Chapter 2, customers: who contacts us, what they need, segments, satisfaction, complaints, loyalty,
drivers of satisfaction and what they write. The loyalty sections live in
:mod:`csreport.report.chapters.customers_loyalty` and are imported here, so every section is ``customers.<name>``.

The sections only render: each reads its data from the report model (``ctx.section_data("02.<section>")``, built
once per report by :mod:`csreport.report.chapters.customers_build`), the scorecard and the kept analyses, and reads no
data itself."""

from __future__ import annotations

import pandas as pd

from csreport.findings.narrative import sentence_case
from csreport.language import i18n
from csreport.report import charts
from csreport.report.chapters import customers_build  # noqa: F401 - registers the builders of the chapter's sections
from csreport.report.chapters import output as out
from csreport.report.chapters.context import ReportContext
from csreport.report.chapters.customers_loyalty import loyalty, loyalty_index, who_churns  # noqa: F401 - sections

LABELLED = ("segment", "region", "gender")  # columns of codes named by params/labels.yml (age bands are numbers)


@out.section
def title(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch2.title"))


def _term(text: str, ctx: ReportContext) -> str:
    return i18n.label("term", text, ctx.lang)


@out.section
def customer_groups(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch2.groups"), 3)
    data = ctx.section_data("02.customer_groups")  # customers_build.customer_groups_data
    if data.missing == "customers":
        return ctx.missing(ctx.t("ch2.need_customers"))
    if data.missing == "customer_id":
        return ctx.missing(ctx.t("ch2.need_customer_id"))
    shares = data.shares
    if shares.empty:
        return ctx.missing(ctx.t("ch2.need_groups"))
    table = pd.DataFrame(
        {
            "dim": [ctx.t(f"ch2.group.{column}") for column in shares["dimension"]],
            "value": [
                ctx.label(column, value) if column in LABELLED else str(value)
                for column, value in zip(shares["dimension"], shares["value"], strict=True)
            ],
            "contacting": shares["contacting"],
            "base": shares["base"],
        }
    )
    table["gap"] = table["contacting"] - table["base"]
    over = table.loc[table["gap"].idxmax()]
    ctx.say(
        ctx.t(
            "ch2.groups_sentence",
            contacting=i18n.number(data.contacting, ctx.lang),
            base=i18n.number(data.base, ctx.lang),
            group=ctx.t("format.group", dimension=over["dim"], value=over["value"]),
            share=i18n.percent(over["contacting"], ctx.lang),
            base_share=i18n.percent(over["base"], ctx.lang),
        )
    )
    shown = pd.DataFrame(
        {
            ctx.t("ch2.col.dimension"): table["dim"],
            ctx.t("ch2.col.group"): table["value"],
            ctx.t("ch2.col.contacting"): table["contacting"].map(lambda v: i18n.percent(v, ctx.lang)),
            ctx.t("ch2.col.base"): table["base"].map(lambda v: i18n.percent(v, ctx.lang)),
        }
    )
    out.table(shown, ctx.t("ch2.groups_caption"), {ctx.t("ch2.col.group"): "left"})


@out.section
def needs(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch2.needs"), 3)
    data = ctx.section_data("02.needs")  # customers_build.needs_data
    if data is None:
        return ctx.missing(ctx.t("ch2.need_category"))
    by, flagged = data.by_category, data.flagged
    total = int(by["n"].sum())
    top = by.index[0]
    sentence = ctx.t(
        "ch2.needs_sentence" if len(by) > 1 else "ch2.needs_sentence_one",
        category=ctx.label("category", top),
        share=i18n.percent(by["n"].iloc[0] / total, ctx.lang),
        n=i18n.number(total, ctx.lang),
        categories=len(by),
    )
    ctx.say(sentence_case(sentence))  # it opens with a category: "Technical is the most"
    shown = pd.DataFrame(
        {
            ctx.t("ch2.col.category"): [ctx.label("category", c) for c in by.index],
            ctx.t("ch2.col.contacts"): by["n"].map(lambda v: i18n.number(v, ctx.lang)),
            ctx.t("ch2.col.share"): (by["n"] / total).map(lambda v: i18n.percent(v, ctx.lang)),
        }
    )
    min_sample = ctx.targets.parameters.min_sample
    if flagged:  # a share of fewer than min_sample contacts is marked ⚠
        shown[ctx.t("ch2.col.complaint_share")] = [
            i18n.percent(v, ctx.lang) if pd.isna(v) else out.flag_small(i18n.percent(v, ctx.lang), n, min_sample)
            for v, n in zip(by["complaint_share"], by["known"], strict=True)
        ]
    caption = ctx.with_small_note(
        ctx.t("ch2.needs_caption", n=i18n.number(total, ctx.lang)),
        shown,
        ctx.t("caption.small_sample", n=i18n.number(min_sample, ctx.lang)),
    )
    out.table(shown, caption, {ctx.t("ch2.col.category"): "left"})


def _segment_name(name: str, ctx: ReportContext) -> str:
    """A cluster's name ("high spend, frequent contacts") in the report language: its terms, listed."""
    return i18n.join((_term(w, ctx) for w in name.split(", ")), ctx.lang)


@out.section
def segmentation(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch2.segmentation"), 3)
    if not ctx.has("customers"):
        return ctx.missing(ctx.t("ch2.need_customers"))
    result = ctx.analyses.segmentation  # computed once, kept
    if not result.available:
        return ctx.not_enough(result.reason)
    profiles = result.profiles
    largest = profiles.iloc[0]
    ctx.say(
        ctx.t(
            "ch2.segments_sentence",
            n=i18n.number(int(profiles["customers"].sum()), ctx.lang),
            k=result.k,
            silhouette=i18n.number(result.silhouettes[result.k], ctx.lang, 2),
            low=min(result.silhouettes),
            high=max(result.silhouettes),
            name=_segment_name(largest["name"], ctx),
            share=i18n.percent(largest["share"], ctx.lang),
        )
    )
    z = ctx.section_data("02.segmentation").copy()  # customers_build.segmentation_data: in sd from the mean
    columns = list(z.columns)
    z.index = [
        ctx.t("format.share", name=_segment_name(n, ctx), share=i18n.percent(s, ctx.lang, 0))
        for n, s in zip(z.index, profiles["share"], strict=True)
    ]
    z.columns = [ctx.t(f"ch2.feature.{c}") for c in columns]
    fig = charts.profile_heatmap(z, ctx.t("ch2.segments_title", k=result.k), ctx.t("ch2.sd_from_mean"))
    out.figure(fig, ctx.t("caption.customers", n=i18n.number(int(profiles["customers"].sum()), ctx.lang)))


@out.section
def satisfaction(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch2.satisfaction"), 3)
    card = ctx.scorecard.set_index("kpi")
    if not ctx.has("surveys") or pd.isna(card.loc["csat_mean", "value"]):
        return ctx.missing(ctx.t("ch2.need_surveys"))
    csat = card.loc["csat_mean"]
    ctx.say(
        ctx.t(
            "ch2.satisfaction_sentence",
            csat=i18n.number(csat["value"], ctx.lang, 2),
            low=i18n.number(csat["low"], ctx.lang, 2),
            high=i18n.number(csat["high"], ctx.lang, 2),
            n=i18n.number(csat["n"], ctx.lang),
            top2=i18n.percent(card.loc["csat_top2", "value"], ctx.lang),
        ),
        # NPS and customer effort only where the surveys measure them (a CSAT-only export said "NPS was n/a")
        ctx.t("ch2.nps_sentence", nps=i18n.number(card.loc["nps", "value"], ctx.lang, 1))
        if pd.notna(card.loc["nps", "value"])
        else "",
        ctx.t("ch2.ces_sentence", ces=i18n.number(card.loc["ces_mean", "value"], ctx.lang, 2))
        if pd.notna(card.loc["ces_mean", "value"])
        else "",
    )
    series = ctx.section_data("02.satisfaction")  # customers_build.satisfaction_data: 13 months
    target = ctx.targets.get("csat_mean")
    if series["value"].notna().sum() >= 2:
        fig = charts.trend_with_target(
            series,
            ctx.t("ch2.csat_title", value=i18n.number(csat["value"], ctx.lang, 2)),
            i18n.label("kpi", "csat_mean", ctx.lang),
            target.target if target else None,
            ctx.t("chart.target"),
        )
        out.figure(fig, ctx.t("caption.surveys", n=i18n.number(int(series["n"].sum()), ctx.lang)))


@out.section
def complaints(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch2.complaints"), 3)
    data = ctx.section_data("02.complaints")  # customers_build.complaints_data
    if data is None:
        return ctx.missing(ctx.t("ch2.need_complaints"))
    if not data.complaints:
        return ctx.say(ctx.t("ch2.no_complaints", month=ctx.month))
    counts = data.by_category.rename(index=lambda c: ctx.label("category", c))
    top_share = counts.iloc[: data.named]
    resolved, escalated = data.resolved, data.escalated
    ctx.say(
        ctx.t(
            "ch2.complaints_sentence",
            n=i18n.number(data.complaints, ctx.lang),
            rate=i18n.percent(data.complaints / data.contacts, ctx.lang),
            k=len(top_share),
            categories=i18n.join(top_share.index, ctx.lang),
            share=i18n.percent(top_share.sum() / counts.sum(), ctx.lang),
        ),
        ctx.t("ch2.complaints_resolved", resolved=i18n.percent(resolved, ctx.lang)) if resolved is not None else "",
        ctx.t("ch2.complaints_escalated", escalated=i18n.percent(escalated, ctx.lang)) if escalated is not None else "",
    )
    fig = charts.pareto(
        counts,
        ctx.t("ch2.pareto_title", category=counts.index[0]),
        ctx.t("ch2.col.complaints"),
        ctx.t("ch2.cumulative"),
    )
    out.figure(fig, ctx.t("caption.complaints", n=i18n.number(data.complaints, ctx.lang)))
    series = data.trend
    target = ctx.targets.get("complaint_rate")
    if series["value"].notna().sum() >= 2:
        now = series.dropna(subset=["value"]).iloc[-1]["value"]
        fig = charts.trend_with_target(
            series,
            ctx.t("ch2.complaint_trend_title", value=i18n.percent(now, ctx.lang)),
            i18n.label("kpi", "complaint_rate", ctx.lang),
            target.target if target else None,
            ctx.t("chart.target"),
            percent=True,
        )
        out.figure(fig, ctx.t("caption.trend", n=i18n.number(int(series["n"].sum()), ctx.lang)))


@out.section
def drivers(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch2.drivers"), 3)
    if not ctx.has("surveys"):
        return ctx.missing(ctx.t("ch2.need_surveys"))
    absent = ctx.absent_columns("surveys", "contact_id", "csat")
    if absent:
        return ctx.missing(ctx.t("ch2.need_drivers", columns=i18n.join(absent, ctx.lang)))
    result = ctx.analyses.drivers  # computed once and kept (csreport.report.computed_analyses)
    if not result.available:
        return ctx.not_enough(result.reason)
    effects = result.effects.sort_values("importance", ascending=False)
    top = effects.iloc[0]
    ctx.say(
        ctx.t(
            "ch2.drivers_sentence",
            n=i18n.number(result.n, ctx.lang),
            factor=_term(top["label"], ctx),
            effect=i18n.number(top["effect"], ctx.lang, 2),
            low=i18n.number(top["low"], ctx.lang, 2),
            high=i18n.number(top["high"], ctx.lang, 2),
            r2=i18n.number(result.r_squared, ctx.lang, 2),
            controls=i18n.join((_term(c, ctx) for c in result.controlled_for), ctx.lang),
        )
    )
    frame = effects.rename(columns={"effect": "value"}).assign(label=lambda d: d["label"].map(lambda x: _term(x, ctx)))
    fig = charts.intervals(
        frame, ctx.t("ch2.drivers_title", factor=_term(top["label"], ctx)), ctx.t("ch2.effect_axis"), reference=0.0
    )
    out.figure(fig, ctx.t("caption.surveys", n=i18n.number(result.n, ctx.lang)))


@out.section
def comments(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch2.comments"), 3)
    if not ctx.has("surveys"):
        return ctx.missing(ctx.t("ch2.need_surveys"))
    result = ctx.analyses.comments  # computed once and kept (csreport.report.computed_analyses)
    if not result.available:
        return ctx.not_enough(result.reason)
    ctx.say(
        *[
            ctx.t(
                "ch2.classifier_sentence",
                language=ctx.t(f"ch2.language.{lang}"),
                f1=i18n.number(m.macro_f1, ctx.lang, 2),
                accuracy=i18n.percent(m.accuracy, ctx.lang),
                test=i18n.number(m.test, ctx.lang),
            )
            for lang, m in result.models.items()
        ]
    )
    rows = []
    for lang, model in result.models.items():
        for category, terms in model.top_terms.items():
            rows.append(
                [ctx.t(f"ch2.language.{lang}"), ctx.label("category", category), i18n.join(terms[:6], ctx.lang)]
            )
    out.table(
        pd.DataFrame(rows, columns=[ctx.t("ch2.col.language"), ctx.t("ch2.col.category"), ctx.t("ch2.col.terms")]),
        ctx.t("ch2.terms_caption"),
        {ctx.t("ch2.col.terms"): "left", ctx.t("ch2.col.category"): "left"},
    )
    examples = ctx.section_data("02.comments")  # customers_build.comments_data
    if examples:
        ctx.say(ctx.t("ch2.examples"))
        out.bullets(i18n.quote(text, ctx.lang) for text in examples)
