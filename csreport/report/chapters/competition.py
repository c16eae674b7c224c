"""Chapter 5, competition: our KPIs against the industry average and competitors (gap and rank), the
service-feature matrix, and where we lead and lag.

Two builders of the report model compute the chapter's data once per report (:func:`comparison`,
:func:`feature_matrix`); the sections render them (``ctx.section_data("05.benchmarks")`` …)."""

from __future__ import annotations

import pandas as pd

from csreport.language import i18n
from csreport.report import charts
from csreport.report.chapters import output as out
from csreport.report.chapters.context import ReportContext
from csreport.report.chapters.model import builds

LEAD_LAG_SHOWN = 3  # KPIs named where we lead most, and where we lag most (by the relative gap)


@out.section
def title(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch5.title"))


@builds("05.benchmarks")
def comparison(ctx: ReportContext) -> pd.DataFrame:
    """Per KPI with benchmarks (from the scorecard and the kept benchmarks): ``ours``, ``industry`` (average),
    ``best`` competitor, ``gap`` = ours − industry (in the KPI's unit), ``relative_gap`` = gap / |industry|,
    ``rank`` among us + the competitors (1 = best by the KPI's direction) out of ``field``, ``lead``: True
    when we are better than the industry average, and ``higher``: True when a higher value is better. Empty (no
    columns) without benchmarks."""
    bench = ctx.cache.benchmarks(ctx.period, ctx.unit)
    rows = []
    for r in ctx.scorecard.itertuples(index=False):
        b = bench.get(r.kpi)
        if not b or pd.isna(r.value) or b.get("industry_average") is None or not isinstance(r.direction, str):
            continue
        if r.industry_average is None or pd.isna(r.industry_average):  # e.g. churn of a partial month: no rank
            continue
        competitors = b["competitors"]
        higher = r.direction == "higher"
        field = pd.concat([competitors, pd.Series({"us": r.value})])
        rank = int(field.rank(ascending=not higher, method="min")["us"])
        best = float(competitors.max() if higher else competitors.min()) if len(competitors) else float("nan")
        gap = r.value - b["industry_average"]
        rows.append(
            {
                "kpi": r.kpi,
                "unit": r.unit,
                "ours": r.value,
                "industry": b["industry_average"],
                "best": best,
                "gap": gap,
                "rank": rank,
                "field": len(field),
                "lead": (gap > 0) == higher,
                "higher": higher,
                "small_sample": bool(r.small_sample),
            }
        )
    table = pd.DataFrame(rows)
    return table.assign(relative_gap=table["gap"] / table["industry"].abs()) if rows else table


def no_comparison(ctx: ReportContext) -> None:
    """Why there is no comparison: no benchmarks table, or one whose KPIs these data cannot measure (the table is
    there: never "benchmarks are missing")."""
    if ctx.has("benchmarks"):
        return ctx.say(ctx.t("ch5.nothing_comparable"))
    return ctx.missing(ctx.t("ch5.need_benchmarks"))


@out.section
def benchmarks(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch5.benchmarks"), 3)
    table = ctx.section_data("05.benchmarks")
    if table.empty:
        return no_comparison(ctx)
    ctx.say(
        ctx.t(
            "ch5.benchmarks_sentence",
            lead=int(table["lead"].sum()),
            total=len(table),
            first=int((table["rank"] == 1).sum()),
        )
    )
    shown = pd.DataFrame(
        {
            ctx.t("ch1.col.kpi"): table["kpi"].map(lambda k: i18n.label("kpi", k, ctx.lang)),
            ctx.t("ch5.col.ours"): [  # ⚠ as in the scorecard: fewer observations than the minimum sample
                i18n.value(v, u, ctx.lang) + (out.SMALL if small else "")
                for v, u, small in zip(table["ours"], table["unit"], table["small_sample"], strict=True)
            ],
            ctx.t("ch1.col.industry"): [
                i18n.value(v, u, ctx.lang) for v, u in zip(table["industry"], table["unit"], strict=True)
            ],
            ctx.t("ch1.col.best"): [
                i18n.value(v, u, ctx.lang) for v, u in zip(table["best"], table["unit"], strict=True)
            ],
            ctx.t("ch5.col.rank"): [
                ctx.t("format.rank", rank=r, field=n) for r, n in zip(table["rank"], table["field"], strict=True)
            ],
        }
    )
    note = ctx.t("caption.small_sample", n=i18n.number(ctx.targets.parameters.min_sample, ctx.lang))
    caption = ctx.with_small_note(ctx.t("ch5.benchmarks_caption"), shown, note)
    out.table(shown, caption, {ctx.t("ch1.col.kpi"): "left"})
    frame = table.assign(label=table["kpi"].map(lambda k: i18n.label("kpi", k, ctx.lang)))
    fig = charts.benchmark_gaps(
        frame,
        ctx.t("ch5.gap_title", lead=int(table["lead"].sum()), total=len(table)),
        ctx.t("ch5.gap_axis"),
        {"industry": ctx.t("ch1.col.industry"), "best": ctx.t("ch1.col.best"), "ours": ctx.t("ch5.col.ours")},
    )
    out.figure(fig, ctx.t("caption.benchmarks"))


@builds("05.features")
def feature_matrix(ctx: ReportContext) -> pd.DataFrame | None:
    """Which service features each source offers: one row per feature, one column per source (``us`` and the
    competitors), True when it offers the feature (in any row of competitor_features); None without that
    table."""
    if not ctx.has("competitor_features"):
        return None
    return (
        ctx.store.read("competitor_features")
        .pivot_table(index="feature", columns="source", values="offered", aggfunc="max")
        .fillna(False)
        .astype(bool)
    )


@out.section
def features(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch5.features"), 3)
    matrix = ctx.section_data("05.features")
    if matrix is None:
        return ctx.missing(ctx.t("ch5.need_features"))
    ours = matrix["us"] if "us" in matrix.columns else pd.Series(False, matrix.index)
    others = matrix.drop(columns=["us"], errors="ignore")
    missing = [f for f in matrix.index if not ours[f] and others.loc[f].any()]
    ctx.say(
        ctx.t(
            "ch5.features_sentence",
            offered=int(ours.sum()),
            total=len(matrix),
            missing=i18n.join((ctx.label("feature", f) for f in missing), ctx.lang) if missing else ctx.t("ch5.none"),
        )
    )
    shown = matrix.map(lambda v: "✓" if v else "–").reset_index()
    shown["feature"] = shown["feature"].map(lambda f: ctx.label("feature", f))
    shown.columns = [ctx.t("ch5.col.feature")] + [
        ctx.t("ch5.us") if c == "us" else ctx.label("source", c) for c in matrix.columns
    ]
    out.table(shown, ctx.t("ch5.features_caption"), {ctx.t("ch5.col.feature"): "left"})


def ahead_of_best(table: pd.DataFrame) -> pd.Series:
    """How far we are ahead of the best competitor, relative to its value, in the KPI's direction: (ours − best) /
    |best|, sign turned for a KPI where lower is better; negative = behind. NaN when the best competitor's value
    is 0 or missing."""
    sign = table["higher"].map({True: 1.0, False: -1.0})
    return (table["ours"] - table["best"]) / table["best"].abs().replace(0, float("nan")) * sign


@out.section
def lead_lag(ctx: ReportContext) -> None:
    """Where we rank first among us and the competitors (clearest lead first) and where we rank last (furthest
    behind the best competitor first), as the rank column of the benchmarks table shows: a KPI better than the
    industry average but last among the competitors is a lag, not a lead."""
    out.heading(ctx.t("ch5.lead_lag"), 3)
    table = ctx.section_data("05.benchmarks")  # the comparison of the benchmarks section
    if table.empty:
        return no_comparison(ctx)
    ranked = table[table["field"] > 1].assign(ahead=lambda d: ahead_of_best(d))
    if ranked.empty:
        return ctx.say(ctx.t("ch5.no_competitors"))
    first = ranked[ranked["rank"] == 1].sort_values("ahead", ascending=False)
    last = ranked[ranked["rank"] == ranked["field"]].sort_values("ahead")

    def versus(r) -> str:
        value = lambda v: i18n.value(v, r.unit, ctx.lang)  # noqa: E731
        return ctx.t("format.versus_best", kpi=i18n.label("kpi", r.kpi, ctx.lang), ours=value(r.ours),
                     best=value(r.best))  # fmt: skip

    def sentence(rows: pd.DataFrame, key: str) -> str:
        total = len(ranked)
        if rows.empty:
            return ctx.t(f"ch5.{key}_none", total=total)
        kpis = i18n.join((versus(r) for r in rows.head(LEAD_LAG_SHOWN).itertuples()), ctx.lang)
        top = "_top" if len(rows) > LEAD_LAG_SHOWN else ""
        return ctx.t(f"ch5.{key}_sentence{top}", count=len(rows), total=total, kpis=kpis)

    ctx.say(sentence(first, "lead"), sentence(last, "lag"))
