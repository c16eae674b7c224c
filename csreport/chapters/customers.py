"""Chapter 2, customers: who contacts us, what they need, segments, satisfaction, complaints, loyalty,
drivers of satisfaction and what they write."""

from __future__ import annotations

import pandas as pd

from csreport import charts, i18n
from csreport.analyses.comments import analyse_comments
from csreport.analyses.drivers import driver_frame, satisfaction_drivers
from csreport.analyses.loyalty import loyalty as loyalty_analysis
from csreport.analyses.segmentation import FEATURES, customer_features, segment_customers
from csreport.chapters import output as out
from csreport.chapters.context import ReportContext
from csreport.findings.collect import who_churns as who_churns_analysis
from csreport.findings.detect import churn_groups_found
from csreport.metrics.loyalty import loyalty_by_group
from csreport.narrative import finding_sentence, p_text

GROUP_COLUMNS = ("segment", "region", "gender", "age_band")


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
            rows.append([ctx.t(f"ch2.group.{column}"), str(value), share_contacting.get(value, 0.0), share_base[value]])
    table = pd.DataFrame(rows, columns=["dim", "value", "contacting", "base"])
    if table.empty:
        return ctx.missing(ctx.t("ch2.need_groups"))
    table["gap"] = table["contacting"] - table["base"]
    over = table.loc[table["gap"].idxmax()]
    out.say(
        ctx.t(
            "ch2.groups_sentence",
            contacting=i18n.number(len(contacting), ctx.lang),
            base=i18n.number(len(base), ctx.lang),
            group=f"{over['dim']} {over['value']}",
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
    by = contacts.groupby("category").agg(
        n=("category", "size"),
        complaints=("is_complaint", "sum") if "is_complaint" in contacts.columns else ("category", "size"),
    )
    by = by.sort_values("n", ascending=False)
    total = int(by["n"].sum())
    top = by.index[0]
    out.say(
        ctx.t(
            "ch2.needs_sentence",
            category=top,
            share=i18n.percent(by["n"].iloc[0] / total, ctx.lang),
            n=i18n.number(total, ctx.lang),
            categories=len(by),
        )
    )
    shown = pd.DataFrame(
        {
            ctx.t("ch2.col.category"): by.index,
            ctx.t("ch2.col.contacts"): by["n"].map(lambda v: i18n.number(v, ctx.lang)),
            ctx.t("ch2.col.share"): (by["n"] / total).map(lambda v: i18n.percent(v, ctx.lang)),
            ctx.t("ch2.col.complaint_share"): (by["complaints"] / by["n"]).map(lambda v: i18n.percent(v, ctx.lang)),
        }
    )
    out.table(shown, ctx.t("ch2.needs_caption", n=i18n.number(total, ctx.lang)), {ctx.t("ch2.col.category"): "left"})


def _segment_name(name: str, ctx: ReportContext) -> str:
    return "、".join(_term(w, ctx) for w in name.split(", ")) if ctx.lang == "zh" else name


@out.section
def segmentation(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch2.segmentation"), 3)
    if not ctx.has("customers"):
        return ctx.missing(ctx.t("ch2.need_customers"))
    features = customer_features(
        ctx.read_all("customers"), ctx.read("contacts", 12), ctx.read("surveys", 12), ctx.period
    )
    result = segment_customers(features)
    if not result.available:
        return ctx.not_enough(result.reason)
    profiles = result.profiles
    largest = profiles.iloc[0]
    out.say(
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
        _segment_name(n, ctx) + f" ({i18n.percent(s, ctx.lang, 0)})"
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
    out.say(
        ctx.t(
            "ch2.satisfaction_sentence",
            csat=i18n.number(csat["value"], ctx.lang, 2),
            low=i18n.number(csat["low"], ctx.lang, 2),
            high=i18n.number(csat["high"], ctx.lang, 2),
            n=i18n.number(csat["n"], ctx.lang),
            top2=i18n.percent(card.loc["csat_top2", "value"], ctx.lang),
            nps=i18n.number(card.loc["nps", "value"], ctx.lang, 1),
            ces=i18n.number(card.loc["ces_mean", "value"], ctx.lang, 2),
        )
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
        return out.say(ctx.t("ch2.no_complaints", month=ctx.month))
    counts = complaints["category"].value_counts()
    top_share = counts.iloc[: max(1, (counts.cumsum() / counts.sum() < 0.8).sum() + 1)]
    resolved = complaints["resolved"].mean() if "resolved" in complaints.columns else None
    escalated = complaints["escalated"].mean() if "escalated" in complaints.columns else None
    out.say(
        ctx.t(
            "ch2.complaints_sentence",
            n=i18n.number(len(complaints), ctx.lang),
            rate=i18n.percent(len(complaints) / len(contacts), ctx.lang),
            k=len(top_share),
            categories=", ".join(top_share.index),
            share=i18n.percent(top_share.sum() / counts.sum(), ctx.lang),
            resolved=i18n.percent(resolved, ctx.lang),
            escalated=i18n.percent(escalated, ctx.lang),
        )
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
def loyalty(ctx: ReportContext) -> None:
    """Who churns (customers and contacts alone), then, with surveys, satisfaction → loyalty on top."""
    out.heading(ctx.t("ch2.loyalty"), 3)
    if not ctx.has("customers"):
        return ctx.missing(ctx.t("ch2.need_churn"))
    who_churns(ctx)
    if not ctx.has("surveys"):
        return out.say(ctx.t("ch2.loyalty_needs_surveys"))
    result = loyalty_analysis(ctx.read_all("customers"), ctx.surveys_history, ctx.history, ctx.period, months=12)
    if not result.available:
        return ctx.not_enough(result.reason)
    bands = result.by_csat.dropna(subset=["churn_rate"])
    odds = result.odds_ratios.set_index("term")
    sentence = ctx.t(
        "ch2.loyalty_sentence",
        n=i18n.number(result.customers, ctx.lang),
        low_band=i18n.percent(bands["churn_rate"].iloc[0], ctx.lang),
        high_band=i18n.percent(bands["churn_rate"].iloc[-1], ctx.lang),
    )
    key = "dissatisfied (CSAT 1–2)"
    if key in odds.index and pd.notna(odds.loc[key, "odds_ratio"]):
        o = odds.loc[key]
        sentence += " " + ctx.t(
            "ch2.odds_sentence",
            odds=i18n.number(o["odds_ratio"], ctx.lang, 1),
            low=i18n.number(o["low"], ctx.lang, 1),
            high=i18n.number(o["high"], ctx.lang, 1),
        )
    out.say(sentence)
    frame = result.by_csat.rename(columns={"churn_rate": "value"}).assign(
        label=lambda d: d["band"].map(lambda b: _term(b, ctx))
    )
    fig = charts.intervals(frame, ctx.t("ch2.loyalty_title"), ctx.t("ch2.churn_after"), percent=True)
    out.figure(fig, ctx.t("caption.loyalty", n=i18n.number(result.customers, ctx.lang)))


@out.section
def loyalty_index(ctx: ReportContext) -> None:
    """The loyalty index (metrics/loyalty.py): value with interval, its two parts, the benchmarks, the trend and
    the index per customer segment."""
    out.heading(ctx.t("ch2.loyalty_index"), 3)
    kpis = ctx.cache.kpis(ctx.period, ctx.unit)
    index, kept, said = kpis["loyalty_index"], kpis["retention_rate_12m"], kpis["nps_non_detractor"]
    pct = lambda v: i18n.percent(v, ctx.lang)  # noqa: E731
    if not index.available:
        parts = [ctx.t("ch2.loyalty_part_retention", value=pct(kept.value))] if kept.available else []
        parts += [ctx.t("ch2.loyalty_part_advocacy", value=pct(said.value))] if said.available else []
        return out.say(ctx.t("ch2.loyalty_index_missing", what=_missing_parts(kept, said, ctx)), *parts)
    bench = ctx.cache.benchmarks(ctx.period, ctx.unit).get("loyalty_index", {})
    out.say(
        ctx.t(
            "ch2.loyalty_index_sentence",
            value=pct(index.value),
            low=pct(index.low),
            high=pct(index.high),
            retention=pct(kept.value),
            customers=i18n.number(kept.n, ctx.lang),
            advocacy=pct(said.value),
            responses=i18n.number(said.n, ctx.lang),
            method=ctx.t(
                "ch2.loyalty_method",
                w_r=i18n.number(ctx.targets.parameters.loyalty_retention_weight, ctx.lang, 2),
                w_a=i18n.number(ctx.targets.parameters.loyalty_advocacy_weight, ctx.lang, 2),
            ),
        ),
        ctx.t("ch2.loyalty_benchmark", average=pct(bench.get("industry_average")), best=pct(bench.get("best_in_class")))
        if bench.get("industry_average") is not None
        else "",
        ctx.t("ch2.loyalty_small", n=i18n.number(index.n, ctx.lang))
        if index.small(ctx.targets.parameters.min_sample)
        else "",
    )
    series = ctx.trend("loyalty_index")
    target = ctx.targets.get("loyalty_index")
    if series["value"].notna().sum() >= 2:
        fig = charts.trend_with_target(
            series,
            ctx.t("ch2.loyalty_index_title", value=pct(index.value)),
            i18n.label("kpi", "loyalty_index", ctx.lang),
            target.target if target else None,
            ctx.t("chart.target"),
            percent=True,
        )
        out.figure(fig, ctx.t("caption.loyalty_index", n=i18n.number(index.n, ctx.lang)))
    if ctx.has("surveys"):
        groups = loyalty_by_group(
            ctx.read_all("customers"), ctx.read("surveys"), ctx.period, ctx.targets.parameters
        ).dropna(subset=["loyalty_index"])
        if len(groups) >= 2:
            table = pd.DataFrame(
                {
                    ctx.t("ch2.col.segment"): groups["group"].astype(str),
                    ctx.t("ch2.col.loyalty_index"): groups["loyalty_index"].map(pct),
                    ctx.t("ch2.col.interval"): [
                        f"{pct(lo)} – {pct(hi)}" for lo, hi in zip(groups["low"], groups["high"], strict=True)
                    ],
                    ctx.t("ch2.col.retention"): groups["retention"].map(pct),
                    ctx.t("ch2.col.advocacy"): groups["advocacy"].map(pct),
                    ctx.t("ch2.col.responses"): groups["responses"].map(lambda n: i18n.number(n, ctx.lang)),
                }
            )
            out.table(table, ctx.t("ch2.loyalty_segment_caption"), {ctx.t("ch2.col.segment"): "left"})


def _missing_parts(kept, said, ctx: ReportContext) -> str:
    missing = [] if kept.available else [ctx.t("ch2.need_retention")]
    return "; ".join(missing + ([] if said.available else [ctx.t("ch2.need_advocacy")]))


def _group_name(attribute: str, ctx: ReportContext) -> str:
    return ctx.t(f"ch2.group.{attribute}") if attribute in GROUP_LABELS else attribute


GROUP_LABELS = ("segment", "region", "gender", "age_band", "spend_band", "contacts")


def who_churns(ctx: ReportContext) -> None:
    """Churn by contacts in the prior window and by every customer attribute, each group against the rest;
    the groups churning significantly and materially above the rest named with their numbers."""
    result = who_churns_analysis(ctx.store, ctx.period, ctx.unit, ctx.rules)
    lang = ctx.lang
    if result.customers == 0 and result.reason:
        return ctx.missing(ctx.t("ch2.need_churn"))
    month = i18n.month(ctx.period, lang)
    if not result.available:
        return out.say(
            ctx.t(
                "ch2.who_churns_not_enough",
                n=i18n.number(result.customers, lang),
                churned=i18n.number(result.churned, lang),
                need=i18n.number(2 * ctx.rules.min_sample, lang),
            )
        )
    out.say(
        ctx.t(
            "ch2.who_churns_sentence",
            n=i18n.number(result.customers, lang),
            months=result.months,
            month=month,
            churned=i18n.number(result.churned, lang),
            rate=i18n.percent(result.churn_rate, lang),
        )
    )
    worst = churn_groups_found(result, ctx.period, ctx.unit, ctx.rules)
    if worst:
        out.say(ctx.t("ch2.who_churns_worst", n=len(worst)))
        out.bullets(finding_sentence(f, lang) for f in worst)
    else:
        out.say(ctx.t("ch2.who_churns_none", ratio=i18n.number(ctx.rules.group_churn_ratio, lang, 1)))
    groups = result.groups
    bands = groups[groups["attribute"] == "contacts"]
    if len(bands) >= 2:
        frame = bands.rename(columns={"churn_rate": "value"}).assign(
            label=lambda d: [
                f"{level} ({i18n.number(n, lang)})" for level, n in zip(d["level"], d["customers"], strict=True)
            ]
        )
        top = bands.loc[bands["churn_rate"].idxmax()]
        fig = charts.intervals(
            frame,
            ctx.t("ch2.contacts_churn_title", level=top["level"], rate=i18n.percent(top["churn_rate"], lang)),
            ctx.t("ch2.churn_in_window", months=result.months),
            reference=result.churn_rate,
            percent=True,
        )
        out.figure(fig, ctx.t("caption.who_churns", n=i18n.number(result.customers, lang)))
    shown = pd.DataFrame(
        {
            ctx.t("ch2.col.dimension"): groups["attribute"].map(lambda a: _group_name(a, ctx)),
            ctx.t("ch2.col.group"): groups["level"].astype(str),
            ctx.t("ch2.col.customers"): groups["customers"].map(lambda v: i18n.number(v, lang))
            + groups["small_sample"].map(lambda s: " *" if s else ""),
            ctx.t("ch2.col.churn_rate"): [
                f"{i18n.percent(r, lang)} ({i18n.percent(lo, lang)}–{i18n.percent(hi, lang)})"
                for r, lo, hi in zip(groups["churn_rate"], groups["low"], groups["high"], strict=True)
            ],
            ctx.t("ch2.col.others"): groups["rest_rate"].map(lambda v: i18n.percent(v, lang)),
            ctx.t("ch2.col.p_adjusted"): groups["p_adjusted"].map(lambda p: p_text(None if pd.isna(p) else p, lang)),
        }
    )
    out.table(
        shown,
        ctx.t(
            "ch2.who_churns_caption",
            months=result.months,
            month=month,
            days=result.lookback_days,
            min_sample=ctx.rules.min_sample,
        ),
        {ctx.t("ch2.col.group"): "left"},
    )


@out.section
def drivers(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch2.drivers"), 3)
    if not ctx.has("surveys"):
        return ctx.missing(ctx.t("ch2.need_surveys"))
    absent = ctx.absent_columns("surveys", "contact_id", "csat")
    if absent:
        return ctx.missing(ctx.t("ch2.need_drivers", columns=", ".join(absent)))
    agents = ctx.read_all("agents") if ctx.has("agents") else None
    frame = driver_frame(ctx.read("surveys", 6), ctx.read("contacts", 6), agents)
    result = satisfaction_drivers(frame, confidence=ctx.targets.parameters.confidence)
    if not result.available:
        return ctx.not_enough(result.reason)
    effects = result.effects.sort_values("importance", ascending=False)
    top = effects.iloc[0]
    out.say(
        ctx.t(
            "ch2.drivers_sentence",
            n=i18n.number(result.n, ctx.lang),
            factor=_term(top["label"], ctx),
            effect=i18n.number(top["effect"], ctx.lang, 2),
            low=i18n.number(top["low"], ctx.lang, 2),
            high=i18n.number(top["high"], ctx.lang, 2),
            r2=i18n.number(result.r_squared, ctx.lang, 2),
            controls=", ".join(_term(c, ctx) for c in result.controlled_for),
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
    result = analyse_comments(ctx.read("surveys", 12), ctx.read("contacts", 12))
    if not result.available:
        return ctx.not_enough(result.reason)
    out.say(
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
            rows.append([ctx.t(f"ch2.language.{lang}"), category, ", ".join(terms[:6])])
    out.table(
        pd.DataFrame(rows, columns=[ctx.t("ch2.col.language"), ctx.t("ch2.col.category"), ctx.t("ch2.col.terms")]),
        ctx.t("ch2.terms_caption"),
        {ctx.t("ch2.col.terms"): "left", ctx.t("ch2.col.category"): "left"},
    )
    month_comments = result.comments.tail(200)
    examples = month_comments.dropna(subset=["text"]).head(3)["text"].tolist()
    if examples:
        out.say(ctx.t("ch2.examples"))
        out.bullets(f"“{text}”" for text in examples)
