"""Chapter 3, service quality: service level, efficiency, bottlenecks, attainment of the service standards and
the improvement measures the numbers support."""

from __future__ import annotations

import pandas as pd

from csreport.findings.narrative import process_label, sentence_case
from csreport.language import i18n
from csreport.report import charts
from csreport.report.chapters import output as out
from csreport.report.chapters.context import ReportContext
from csreport.report.chapters.service_quality_data import (  # noqa: F401  (longest_wait_cell: the sections' public helpers)
    BottleneckData,
    CostBenefitData,
    EfficiencyData,
    KpiTable,
    ServiceLevelData,
    efficiency_kpis,
    longest_wait_cell,
    service_kpis,
)

MATURING = " †"  # a figure whose window has not closed (churn after contact, resolution of the last days)

PROCESSES_SHOWN = 12  # rows of the cost-benefit table (plus the processes its sentences name)


@out.section
def title(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch3.title"))


def time_units(kpis: KpiTable) -> dict[str, str | None]:
    """KPI → the one unit its kind of time is written in across the table (values and interval bounds of every
    KPI of the kind, :func:`output.time_units`): the median and p90 of a resolution time both in hours."""
    return out.time_units(
        {n: [m.value, m.low, m.high] for n, m in kpis.measures.items() if m.unit == "s" and m.available}
    )


def _kpi_table(ctx: ReportContext, kpis: KpiTable) -> pd.DataFrame:
    """The KPIs of ``kpis`` with interval, n and note; a rate, mean or quantile on fewer than min_sample
    observations is marked ⚠ (as in the scorecard), a maturing one †; each kind of time in one unit
    (:func:`time_units`)."""
    min_sample = ctx.targets.parameters.min_sample
    units = time_units(kpis)
    rows = []
    for name, m in kpis.measures.items():
        fmt = lambda v, m=m, name=name: i18n.value(v, m.unit, ctx.lang, units.get(name))  # noqa: E731
        value = fmt(m.value) if m.available else ctx.t("na")
        if m.available and m.kind != "count":
            value = out.flag_small(value, m.n, min_sample)
        if m.available and name in kpis.maturing:
            value += MATURING
        interval = (
            ctx.t("format.interval", low=fmt(m.low), high=fmt(m.high)) if m.available and m.low is not None else ""
        )
        note = i18n.reason(m.reason, ctx.lang)
        rows.append([i18n.label("kpi", name, ctx.lang), value, interval, i18n.number(m.n, ctx.lang), note])
    columns = [ctx.t(f"ch3.col.{c}") for c in ("kpi", "value", "interval", "n", "note")]
    return pd.DataFrame(rows, columns=columns)


@out.section
def service_level(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch3.service"), 3)
    data: ServiceLevelData = ctx.section_data("03.service_level")
    card = ctx.scorecard.set_index("kpi")
    sl = card.loc["service_level"]
    absent = data.absent_queue
    if absent:
        ctx.missing(ctx.t("ch3.need_queue", columns=i18n.join(absent, ctx.lang)))
    elif pd.isna(sl["value"]):
        ctx.say(ctx.t("ch3.no_queue"))
    else:
        change = sl["change_vs_previous"]
        key = "ch3.sl_significant" if sl["significant_vs_previous"] else "ch3.sl_not_significant"
        if i18n.is_zero(change):  # never "up 0.0 points"
            key = "ch3.sl_unchanged"
        elif pd.isna(change):
            key = "ch3.sl_no_previous"
        ctx.say(
            ctx.t(
                key,
                value=i18n.percent(sl["value"], ctx.lang),
                target=i18n.percent(sl["target"], ctx.lang),
                direction=ctx.t("ch3.up" if (change or 0) >= 0 else "ch3.down"),
                change=i18n.points(change, ctx.lang),
                n=i18n.number(sl["n"], ctx.lang),
            )
        )
    table = _kpi_table(ctx, data.kpis)
    out.table(table, _kpi_caption(ctx, table), {ctx.t("ch3.col.kpi"): "left"})
    ctx.say(*method_sentences(ctx, data.fcr_method))


def _kpi_caption(ctx: ReportContext, table: pd.DataFrame) -> str:
    note = ctx.t("caption.small_sample", n=i18n.number(ctx.targets.parameters.min_sample, ctx.lang))
    caption = ctx.with_small_note(ctx.t("ch3.kpi_caption"), table, note)
    if table.astype(str).apply(lambda column: column.str.contains(MATURING.strip(), regex=False)).to_numpy().any():
        note = ctx.t("ch3.kpi_maturing_note", last=i18n.day(ctx.coverage.last_day, ctx.lang))
        caption = i18n.sentences([caption, note], ctx.lang)
    return caption


def method_sentences(ctx: ReportContext, fcr_method: str | None) -> list[str]:
    """Which FCR method was used (``fcr_method``: flag, repeat or None), and how maturing outcomes (FCR by repeat,
    resolution, reopen, first response) of a month near the data's end are compared: at the same age, or with no
    significance claimed (the scorecard's maturing and same_age columns)."""
    sentences = []
    if fcr_method == "flag":
        sentences.append(ctx.t("ch3.fcr_flag"))
    elif fcr_method == "repeat":
        days = ctx.targets.parameters.fcr_repeat_window_days
        sentences.append(ctx.t("ch3.fcr_repeat", days=i18n.number(days, ctx.lang, 0 if days == int(days) else 1)))
    card = ctx.scorecard
    maturing = card[card["maturing"] & card["value"].notna()]
    names = lambda rows: i18n.join((i18n.label("kpi", k, ctx.lang) for k in rows["kpi"]), ctx.lang)  # noqa: E731
    aged, not_aged = maturing[maturing["same_age"]], maturing[~maturing["same_age"]]
    span = ctx.coverage
    if len(aged) and span is not None:
        cutoff = aged["same_age_cutoff"].iloc[0]
        sentences.append(
            ctx.t(
                "ch3.same_age",
                month=ctx.month,
                last=i18n.day(span.last_day, ctx.lang),
                kpis=names(aged),
                cutoff=i18n.day(cutoff, ctx.lang),
            )
        )
    if len(not_aged):
        sentences.append(ctx.t("ch3.not_aged", kpis=names(not_aged)))
    return sentences


@out.section
def efficiency(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch3.efficiency"), 3)
    data: EfficiencyData = ctx.section_data("03.efficiency")
    if not data.available:
        return ctx.missing(ctx.t("ch3.need_efficiency", columns=i18n.join(data.absent, ctx.lang)))
    kpis = data.kpis.measures
    ctx.say(
        ctx.t(
            "ch3.efficiency_sentence",
            aht=i18n.value(kpis["aht_s"].value, "s", ctx.lang),
            occupancy=i18n.percent(None if data.cut_off else kpis["occupancy"].value, ctx.lang),
            cost=i18n.amount(kpis["cost_per_contact"].value, ctx.lang),
            per_hour=i18n.number(data.contacts_per_hour, ctx.lang, 1),
        )
    )
    table = _kpi_table(ctx, data.kpis)
    out.table(table, _kpi_caption(ctx, table), {ctx.t("ch3.col.kpi"): "left"})


@out.section
def cost_benefit(ctx: ReportContext) -> None:
    """Cost-benefit per service process (analyses/cost_benefit.py): the dearest and cheapest per resolved
    contact, the most revenue at risk, and the ranked table."""
    out.heading(ctx.t("ch3.cost_benefit"), 3)
    data: CostBenefitData = ctx.section_data("03.cost_benefit")
    costs, table = data.costs, data.ranked
    if table is None:
        return ctx.say(ctx.t("ch3.no_cost_benefit", reason=ctx.t("ch3.need_costs")))
    if table.empty:
        return ctx.say(ctx.t("ch3.cost_benefit_small", n=i18n.number(ctx.targets.parameters.min_sample, ctx.lang)))
    money = lambda v: i18n.amount(v, ctx.lang)  # noqa: E731  (sentences: rounded)
    exact = lambda v: i18n.money(v, ctx.lang)  # noqa: E731  (the table: cents)
    worst, best = table.iloc[0], table.iloc[-1]
    sentences = [
        ctx.t(
            "ch3.cost_benefit_sentence",
            worst=_process_label(worst, ctx),
            worst_cost=money(worst["cost_per_resolved"]),
            repeats=i18n.number(worst["repeat_contacts"], ctx.lang),
            best=_process_label(best, ctx),
            best_cost=money(best["cost_per_resolved"]),
            median=money(costs.median_cost_per_resolved),
            method=ctx.t("ch3.resolved_method", method=ctx.t(f"ch3.resolved_by.{costs.resolved_method}")),
        )
    ]
    named = {table.index[0], table.index[-1]}  # the processes the sentences name are rows of the table
    at_risk = table.dropna(subset=["revenue_at_risk"]).sort_values("revenue_at_risk", ascending=False)
    if not at_risk.empty and at_risk.iloc[0]["revenue_at_risk"] > 0:
        top = at_risk.iloc[0]
        named.add(at_risk.index[0])
        sentences.append(
            ctx.t(
                "ch3.revenue_at_risk_sentence",
                process=_process_label(top, ctx),
                churned=i18n.number(top["churned"], ctx.lang),
                days=i18n.number(ctx.targets.parameters.churn_window_days, ctx.lang),
                revenue=money(top["revenue_at_risk"]),
            )
        )
    sentences[0] = sentence_case(sentences[0])  # it opens with a process: "Ticket · Product is"
    observed = i18n.number(costs.churn_days_observed, ctx.lang)
    window = i18n.number(costs.churn_window_days, ctx.lang)
    last = i18n.day(costs.cutoff, ctx.lang) if costs.cutoff is not None else ""
    if costs.churn_maturing:
        sentences.append(ctx.t("ch3.churn_maturing_sentence", observed=observed, days=window, last=last))
    ctx.say(*sentences)
    # the dearest processes, and those the sentences name (the cheapest, the most revenue at risk), dearest first
    shown = table[table.index.isin(set(table.index[:PROCESSES_SHOWN]) | named)]
    min_sample = ctx.targets.parameters.min_sample
    # a figure on fewer than min_sample observations is marked ⚠; a window that has not closed †
    small = lambda text, values, n: [t if pd.isna(v) else out.flag_small(t, k, min_sample)  # noqa: E731
                                     for t, v, k in zip(text, values, n, strict=True)]  # fmt: skip
    churn_mark = MATURING if costs.churn_maturing else ""
    resolved_mark = MATURING if costs.resolution_maturing else ""
    frame = pd.DataFrame(
        {
            ctx.t("ch3.col.process"): [_process_label(r, ctx) for _, r in shown.iterrows()],
            ctx.t("ch3.col.contacts"): shown["contacts"].map(lambda v: i18n.number(v, ctx.lang)),
            ctx.t("ch3.col.cost_per_contact"): shown["cost_per_contact"].map(exact),
            ctx.t("ch3.col.cost_per_resolved"): shown["cost_per_resolved"].map(lambda v: exact(v) + resolved_mark),
            ctx.t("ch3.col.repeats"): shown["repeat_contacts"].map(lambda v: i18n.number(v, ctx.lang)),
            ctx.t("ch3.col.fcr"): small(
                shown["fcr_rate"].map(lambda v: i18n.percent(v, ctx.lang)), shown["fcr_rate"], shown["fcr_n"]
            ),
            ctx.t("ch3.col.csat"): small(
                shown["csat_mean"].map(lambda v: i18n.number(v, ctx.lang, 2)), shown["csat_mean"], shown["csat_n"]
            ),
            ctx.t("ch3.col.churn"): [
                c + churn_mark
                for c in small(
                    shown["churn_rate"].map(lambda v: i18n.percent(v, ctx.lang)),
                    shown["churn_rate"],
                    shown["customers"],
                )
            ],
            ctx.t("ch3.col.revenue_at_risk"): shown["revenue_at_risk"].map(lambda v: exact(v) + churn_mark),
        }
    )
    caption = ctx.t("ch3.cost_benefit_caption", n=i18n.number(min_sample, ctx.lang),
                    days=i18n.number(ctx.targets.parameters.churn_window_days, ctx.lang))  # fmt: skip
    caption = ctx.with_small_note(
        caption, frame, ctx.t("ch3.cost_benefit_small_note", n=i18n.number(min_sample, ctx.lang))
    )
    if costs.churn_maturing:
        caption = i18n.sentences([caption, ctx.t("ch3.churn_maturing_note", observed=observed, days=window)], ctx.lang)
    if costs.resolution_maturing:
        caption = i18n.sentences([caption, ctx.t("ch3.resolution_maturing_note", last=last)], ctx.lang)
    out.table(frame, caption, {ctx.t("ch3.col.process"): "left"})


def _process_label(row, ctx: ReportContext) -> str:
    return process_label(row["channel"], row["category"], ctx.lang, ctx.labels)


@out.section
def bottlenecks(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch3.bottlenecks"), 3)
    data: BottleneckData = ctx.section_data("03.bottlenecks")
    said = False
    if data.waits is not None:
        said = True
        matrix = data.waits.copy()
        matrix.index = [ctx.t(f"weekday.{d}") for d in matrix.index]
        worst = data.longest_wait
        if worst is None:
            ctx.say(ctx.t("ch3.heatmap_small", n=i18n.number(ctx.targets.parameters.min_sample, ctx.lang)))
        else:
            ctx.say(
                ctx.t(
                    "ch3.heatmap_sentence",
                    day=ctx.t(f"weekday.{worst[0]}"),
                    hour=worst[1],
                    wait=i18n.duration(worst[2], ctx.lang),
                )
            )
        fig = charts.heatmap(matrix, ctx.t("ch3.heatmap_title"), ctx.t("ch3.hour"), "", ctx.t("ch3.mean_wait"))
        out.figure(fig, ctx.t("caption.queued", n=i18n.number(data.queued, ctx.lang)))
    by = data.slowest
    if by is not None and not by.empty:
        time_unit = i18n.duration_unit(by["median"])  # one unit down the column
        shown = pd.DataFrame(
            {
                ctx.t("ch3.col.category"): by["category"].map(lambda c: ctx.label("category", c)),
                ctx.t("ch3.col.channel"): by["channel"].map(lambda c: ctx.label("channel", c)),
                ctx.t("ch3.col.median_resolution"): by["median"].map(lambda v: i18n.duration(v, ctx.lang, time_unit)),
                ctx.t("ch3.col.n"): by["count"].map(lambda v: i18n.number(v, ctx.lang)),
            }
        )
        caption = ctx.t("ch3.slowest_caption")
        if data.resolution_maturing:  # the data's last days: resolutions still coming in
            shown[ctx.t("ch3.col.median_resolution")] += MATURING
            note = ctx.t("ch3.slowest_maturing_note", last=i18n.day(ctx.coverage.last_day, ctx.lang))
            caption = i18n.sentences([caption, note], ctx.lang)
        out.table(shown, caption, {ctx.t("ch3.col.category"): "left"})
        said = True
    if data.absent:  # what the waits by hour and the slowest categories need
        ctx.missing(ctx.t("ch3.need_bottlenecks", columns=i18n.join(data.absent, ctx.lang)))
    elif not said:
        ctx.say(ctx.t("ch3.no_bottlenecks", month=ctx.month))


@out.section
def standards(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch3.standards"), 3)
    table: pd.DataFrame = ctx.section_data("03.standards")  # the attainment of each standard, computed once
    counts = table["status"].value_counts()
    total = int(counts.drop("n/a", errors="ignore").sum())
    ctx.say(
        ctx.t("ch3.standards_sentence", met=int(counts.get("met", 0)), total=total)
        if total
        else ctx.t("ch3.standards_none", n=len(table))
    )
    rows = []
    for r in table.itertuples(index=False):
        unit = ctx.scorecard.set_index("kpi")["unit"].get(r.metric) or ("ratio" if r.target <= 1 else "score")
        time_unit = i18n.duration_unit([r.value, r.target]) if unit == "s" else None  # value and target alike
        rows.append(
            [
                i18n.label("kpi", r.metric, ctx.lang),
                ctx.t("ch3.all_channels") if r.channel == "all" else ctx.label("channel", r.channel),
                i18n.value(r.value, unit, ctx.lang, time_unit),
                i18n.value(r.target, unit, ctx.lang, time_unit),
                i18n.label("status", r.status, ctx.lang),
            ]
        )
    columns = [ctx.t(f"ch3.col.{c}") for c in ("kpi", "channel", "value", "target", "status")]
    out.table(
        pd.DataFrame(rows, columns=columns), ctx.t("ch3.standards_caption"), {columns[0]: "left", columns[1]: "left"}
    )


@out.section
def improvements(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch3.improvements"), 3)
    service = set(service_kpis()) | set(efficiency_kpis()) | {"coverage", "channel_share", "complaints"}
    chosen = [r for r in ctx.recommendations if r.finding.metric in service][:5]
    if not chosen:
        return ctx.say(ctx.t("ch3.no_improvements", month=ctx.month))
    out.bullets(ctx.t("format.action_evidence", action=r.action, evidence=r.evidence) for r in chosen)
