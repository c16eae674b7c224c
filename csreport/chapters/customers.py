"""Chapter 2, customers: who contacts us, what they need, segments, satisfaction, complaints, loyalty,
drivers of satisfaction and what they write. The loyalty sections live in
:mod:`csreport.chapters.customers_loyalty` and are imported here, so every section is ``customers.<name>``."""

from __future__ import annotations

import pandas as pd

from csreport import charts, i18n
from csreport.analyses.segmentation import FEATURES
from csreport.chapters import output as out
from csreport.chapters.context import ReportContext
from csreport.chapters.customers_loyalty import loyalty, loyalty_index, who_churns  # noqa: F401 - sections
from csreport.narrative import sentence_case

GROUP_COLUMNS = ("segment", "region", "gender", "age_band")
LABELLED = ("segment", "region", "gender")  # columns of codes named by params/labels.yml (age bands are numbers)


@out.section
def title(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch2.title"))


def _term(text: str, ctx: ReportContext) -> str:
    return i18n.label("term", text, ctx.lang)


@out.section
def customer_groups(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch2.groups"), 3)
    if not ctx.has("customers"):
        return ctx.missing(ctx.t("ch2.need_customers"))
    if "customer_id" not in ctx.contacts.columns:
        return ctx.missing(ctx.t("ch2.need_customer_id"))
    base = ctx.read_all("customers")
    if "age" in base.columns:
        base["age_band"] = pd.cut(
            base["age"],
            [0, 25, 35, 45, 55, 65, 200],
            right=False,
            labels=["<25", "25–34", "35–44", "45–54", "55–64", "65+"],
        ).astype(str)
    contacting = base[base["customer_id"].isin(ctx.contacts["customer_id"].dropna())]
    rows = []
    for column in [c for c in GROUP_COLUMNS if c in base.columns]:
        share_base = base[column].value_counts(normalize=True)
        share_contacting = contacting[column].value_counts(normalize=True)
        for value in share_base.index:
            shown = ctx.label(column, value) if column in LABELLED else str(value)
            rows.append([ctx.t(f"ch2.group.{column}"), shown, share_contacting.get(value, 0.0), share_base[value]])
    table = pd.DataFrame(rows, columns=["dim", "value", "contacting", "base"])
    if table.empty:
        return ctx.missing(ctx.t("ch2.need_groups"))
    table["gap"] = table["contacting"] - table["base"]
    over = table.loc[table["gap"].idxmax()]
    ctx.say(
        ctx.t(
            "ch2.groups_sentence",
            contacting=i18n.number(len(contacting), ctx.lang),
            base=i18n.number(len(base), ctx.lang),
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
    contacts = ctx.contacts
    if "category" not in contacts.columns or contacts["category"].isna().all():
        return ctx.missing(ctx.t("ch2.need_category"))
    flagged = "is_complaint" in contacts.columns and contacts["is_complaint"].notna().any()
    by = contacts.groupby("category").agg(n=("category", "size"))
    if flagged:  # share of the contacts whose flag is known (without the flag the column is left out, not 100 %)
        by["complaint_share"] = contacts.groupby("category")["is_complaint"].agg(
            lambda f: f.dropna().astype(float).mean()
        )
        by["known"] = contacts.groupby("category")["is_complaint"].count()
    by = by.sort_values("n", ascending=False)
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
    features, result = ctx.analyses.segment_features, ctx.analyses.segmentation  # computed once, kept
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
    columns = [c for c in FEATURES if c in features.columns]
    z = (profiles.set_index("name")[columns] - features[columns].mean()) / features[columns].std()
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
    series = ctx.trend("csat_mean")
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
    contacts = ctx.contacts
    if not {"is_complaint", "category"} <= set(contacts.columns):
        return ctx.missing(ctx.t("ch2.need_complaints"))
    complaints = contacts[contacts["is_complaint"].fillna(False).astype(bool)]
    if complaints.empty:
        return ctx.say(ctx.t("ch2.no_complaints", month=ctx.month))
    counts = complaints["category"].value_counts().rename(index=lambda c: ctx.label("category", c))
    top_share = counts.iloc[: max(1, (counts.cumsum() / counts.sum() < 0.8).sum() + 1)]
    resolved = escalated = None  # shares of the complaints whose outcome is known; None without the columns
    if "resolved" in complaints.columns and complaints["resolved"].notna().any():
        resolved = complaints["resolved"].dropna().astype(float).mean()
    elif "resolved_at" in complaints.columns:  # no flag: a resolved_at time recorded (by the data's cut-off)
        resolved = complaints["resolved_at"].notna().mean()
    if "escalated" in complaints.columns and complaints["escalated"].notna().any():
        escalated = complaints["escalated"].dropna().astype(float).mean()
    ctx.say(
        ctx.t(
            "ch2.complaints_sentence",
            n=i18n.number(len(complaints), ctx.lang),
            rate=i18n.percent(len(complaints) / len(contacts), ctx.lang),
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
    out.figure(fig, ctx.t("caption.complaints", n=i18n.number(len(complaints), ctx.lang)))
    series = ctx.trend("complaint_rate")
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
    result = ctx.analyses.drivers  # computed once and kept (csreport.computed_analyses)
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
    result = ctx.analyses.comments  # computed once and kept (csreport.computed_analyses)
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
    month_comments = result.comments.tail(200)
    examples = month_comments.dropna(subset=["text"]).head(3)["text"].tolist()
    if examples:
        ctx.say(ctx.t("ch2.examples"))
        out.bullets(i18n.quote(text, ctx.lang) for text in examples)
