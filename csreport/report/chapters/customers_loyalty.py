"""Chapter 2, customers: satisfaction and loyalty (who churns, satisfaction → churn, the loyalty index). The
sections are part of :mod:`csreport.report.chapters.customers`, which imports them."""

from __future__ import annotations

import pandas as pd

from csreport.findings.narrative import finding_sentence, p_text
from csreport.language import i18n
from csreport.report import charts
from csreport.report.chapters import output as out
from csreport.report.chapters.context import ReportContext


@out.section
def loyalty(ctx: ReportContext) -> None:
    """Who churns (customers and contacts alone), then, with surveys, satisfaction → loyalty on top."""
    out.heading(ctx.t("ch2.loyalty"), 3)
    if not ctx.has("customers"):
        return ctx.missing(ctx.t("ch2.need_churn"))
    who_churns(ctx)
    if not ctx.has("surveys"):
        return ctx.say(ctx.t("ch2.loyalty_needs_surveys"))
    result = ctx.analyses.loyalty  # computed once and kept (csreport.report.computed_analyses)
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
    odds_sentence = ""
    if key in odds.index and pd.notna(odds.loc[key, "odds_ratio"]):
        o = odds.loc[key]
        odds_sentence = ctx.t(
            "ch2.odds_sentence",
            odds=i18n.number(o["odds_ratio"], ctx.lang, 1),
            low=i18n.number(o["low"], ctx.lang, 1),
            high=i18n.number(o["high"], ctx.lang, 1),
        )
    ctx.say(sentence, odds_sentence)
    frame = result.by_csat.rename(columns={"churn_rate": "value"}).assign(
        label=lambda d: d["band"].map(lambda b: i18n.label("term", b, ctx.lang))
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
        return ctx.say(ctx.t("ch2.loyalty_index_missing", what=_missing_parts(kept, said, ctx)), *parts)
    data = ctx.section_data("02.loyalty_index")  # customers_build.loyalty_index_data
    bench = data.benchmark
    ctx.say(
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
    series = data.trend
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
    groups = data.by_segment  # None without surveys
    if groups is not None and len(groups) >= 2:
        min_sample = ctx.targets.parameters.min_sample
        # the index rests on the smaller of its two samples (customers for retention, NPS responses)
        base = groups[["customers", "responses"]].min(axis=1)
        table = pd.DataFrame(
            {
                ctx.t("ch2.col.segment"): groups["group"].map(lambda g: ctx.label("segment", g)),
                ctx.t("ch2.col.loyalty_index"): [
                    out.flag_small(pct(v), n, min_sample) for v, n in zip(groups["loyalty_index"], base, strict=True)
                ],
                ctx.t("ch2.col.interval"): [
                    ctx.t("format.interval", low=pct(lo), high=pct(hi))
                    for lo, hi in zip(groups["low"], groups["high"], strict=True)
                ],
                ctx.t("ch2.col.retention"): groups["retention"].map(pct),
                ctx.t("ch2.col.advocacy"): groups["advocacy"].map(pct),
                ctx.t("ch2.col.responses"): groups["responses"].map(lambda n: i18n.number(n, ctx.lang)),
            }
        )
        caption = ctx.with_small_note(
            ctx.t("ch2.loyalty_segment_caption"),
            table,
            ctx.t("caption.small_sample", n=i18n.number(min_sample, ctx.lang)),
        )
        out.table(table, caption, {ctx.t("ch2.col.segment"): "left"})


def _missing_parts(kept, said, ctx: ReportContext) -> str:
    missing = [] if kept.available else [ctx.t("ch2.need_retention")]
    return i18n.join(missing + ([] if said.available else [ctx.t("ch2.need_advocacy")]), ctx.lang, clauses=True)


def _group_name(attribute: str, ctx: ReportContext) -> str:
    return ctx.t(f"ch2.group.{attribute}") if attribute in GROUP_LABELS else attribute


GROUP_LABELS = ("segment", "region", "gender", "age_band", "spend_band", "contacts")
NUMERIC_GROUPS = ("contacts", "age_band", "spend_band")  # levels that are numbers, not codes to name


def _level(attribute: str, level, ctx: ReportContext) -> str:
    """A group's level as the report shows it: a code of the contract or of a customer's extra column by its
    label (params/labels.yml), a band of numbers as it is."""
    return str(level) if attribute in NUMERIC_GROUPS else ctx.label(attribute, level)


def who_churns(ctx: ReportContext) -> None:
    """Churn by contacts in the prior window and by every customer attribute, each group against the rest;
    the groups churning significantly and materially above the rest named with their numbers."""
    result = ctx.who_churns  # computed once with the findings, which name its groups
    lang = ctx.lang
    if result.customers == 0 and result.reason:
        return ctx.missing(ctx.t("ch2.need_churn"))
    month = i18n.month(ctx.period, lang)
    if not result.available:
        return ctx.say(
            ctx.t(
                "ch2.who_churns_not_enough",
                n=i18n.number(result.customers, lang),
                churned=i18n.number(result.churned, lang),
                need=i18n.number(2 * ctx.rules.min_sample, lang),
            )
        )
    ctx.say(
        ctx.t(
            "ch2.who_churns_sentence",
            n=i18n.number(result.customers, lang),
            months=result.months,
            month=month,
            churned=i18n.number(result.churned, lang),
            rate=i18n.percent(result.churn_rate, lang),
        )
    )
    worst = ctx.section_data("02.loyalty")  # customers_build.loyalty_data: the churn groups found
    if worst:
        ctx.say(ctx.t("ch2.who_churns_worst", n=len(worst)))
        out.bullets(finding_sentence(f, lang, ctx.labels) for f in worst)
    else:
        ctx.say(ctx.t("ch2.who_churns_none", ratio=i18n.number(ctx.rules.group_churn_ratio, lang, 1)))
    groups = result.groups
    bands = groups[groups["attribute"] == "contacts"]
    if len(bands) >= 2:
        frame = bands.rename(columns={"churn_rate": "value"}).assign(
            label=lambda d: [
                ctx.t("format.share", name=level, share=i18n.number(n, lang))
                for level, n in zip(d["level"], d["customers"], strict=True)
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
            ctx.t("ch2.col.group"): [
                _level(a, v, ctx) for a, v in zip(groups["attribute"], groups["level"], strict=True)
            ],
            ctx.t("ch2.col.customers"): groups["customers"].map(lambda v: i18n.number(v, lang))
            + groups["small_sample"].map(lambda s: " *" if s else ""),
            ctx.t("ch2.col.churn_rate"): [
                ctx.t(
                    "format.rate_interval",
                    rate=i18n.percent(r, lang),
                    low=i18n.percent(lo, lang),
                    high=i18n.percent(hi, lang),
                )
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
