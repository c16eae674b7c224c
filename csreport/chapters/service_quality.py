"""Chapter 3, service quality: service level, efficiency, bottlenecks, attainment of the service standards and
the improvement measures the numbers support."""

from __future__ import annotations

import pandas as pd

from csreport import charts, i18n
from csreport.chapters import output as out
from csreport.chapters.context import ReportContext
from csreport.scorecard import attainment

SERVICE_KPIS = ["service_level", "asa_s", "abandonment_rate", "first_response_median_s", "first_response_p90_s",
                "resolution_median_s", "resolution_p90_s", "resolution_rate", "fcr_rate", "reopen_rate",
                "escalation_rate"]  # fmt: skip
EFFICIENCY_KPIS = ["aht_s", "occupancy", "cost_per_contact", "handled_contacts"]


def title(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch3.title"))


def _kpi_table(ctx: ReportContext, names: list[str]) -> pd.DataFrame:
    kpis = ctx.cache.kpis(ctx.period, ctx.unit)
    rows = []
    for name in names:
        m = kpis.get(name)
        if m is None:
            continue
        value = i18n.value(m.value, m.unit, ctx.lang) if m.available else ctx.t("na")
        interval = (
            f"{i18n.value(m.low, m.unit, ctx.lang)} – {i18n.value(m.high, m.unit, ctx.lang)}"
            if m.available and m.low is not None
            else ""
        )
        rows.append([i18n.label("kpi", name, ctx.lang), value, interval, i18n.number(m.n, ctx.lang), m.reason or ""])
    columns = [ctx.t(f"ch3.col.{c}") for c in ("kpi", "value", "interval", "n", "note")]
    return pd.DataFrame(rows, columns=columns)


def service_level(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch3.service"), 3)
    card = ctx.scorecard.set_index("kpi")
    sl = card.loc["service_level"]
    if pd.isna(sl["value"]):
        out.say(ctx.t("ch3.no_queue"))
    else:
        change = sl["change_vs_previous"]
        key = "ch3.sl_significant" if sl["significant_vs_previous"] else "ch3.sl_not_significant"
        out.say(
            ctx.t(
                key,
                value=i18n.percent(sl["value"], ctx.lang),
                target=i18n.percent(sl["target"], ctx.lang),
                direction=ctx.t("ch3.up" if (change or 0) >= 0 else "ch3.down"),
                change=i18n.points(change, ctx.lang),
                n=i18n.number(sl["n"], ctx.lang),
            )
        )
    out.table(_kpi_table(ctx, SERVICE_KPIS), ctx.t("ch3.kpi_caption"), {ctx.t("ch3.col.kpi"): "left"})


def efficiency(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch3.efficiency"), 3)
    kpis = ctx.cache.kpis(ctx.period, ctx.unit)
    handled = kpis["handled_contacts"]
    agent_months = ctx.agent_months()
    hours = float(agent_months["available_hours"].sum()) if "available_hours" in agent_months else None
    per_hour = handled.value / hours if hours and handled.available else None
    out.say(
        ctx.t(
            "ch3.efficiency_sentence",
            aht=i18n.value(kpis["aht_s"].value, "s", ctx.lang),
            occupancy=i18n.percent(kpis["occupancy"].value, ctx.lang),
            cost=i18n.money(kpis["cost_per_contact"].value, ctx.lang),
            per_hour=i18n.number(per_hour, ctx.lang, 1),
        )
    )
    out.table(_kpi_table(ctx, EFFICIENCY_KPIS), ctx.t("ch3.kpi_caption"), {ctx.t("ch3.col.kpi"): "left"})


def bottlenecks(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch3.bottlenecks"), 3)
    contacts = ctx.contacts
    queued = contacts[contacts["channel"].isin(["phone", "chat"])]
    if "queue_wait_s" in queued.columns and queued["queue_wait_s"].notna().sum() > 0:
        frame = pd.DataFrame(
            {
                "weekday": queued["created_at"].dt.day_of_week,
                "hour": queued["created_at"].dt.hour,
                "wait": queued["queue_wait_s"],
            }
        )
        matrix = frame.pivot_table(index="weekday", columns="hour", values="wait", aggfunc="mean")
        matrix.index = [ctx.t(f"weekday.{d}") for d in matrix.index]
        worst = frame.groupby(["weekday", "hour"])["wait"].mean().idxmax()
        out.say(
            ctx.t(
                "ch3.heatmap_sentence",
                day=ctx.t(f"weekday.{worst[0]}"),
                hour=worst[1],
                wait=i18n.duration(frame.groupby(["weekday", "hour"])["wait"].mean().max(), ctx.lang),
            )
        )
        fig = charts.heatmap(matrix, ctx.t("ch3.heatmap_title"), ctx.t("ch3.hour"), "", ctx.t("ch3.mean_wait"))
        out.figure(fig, ctx.t("caption.queued", n=i18n.number(len(queued), ctx.lang)))
    if "resolved_at" in contacts.columns and "category" in contacts.columns:
        hours = (contacts["resolved_at"] - contacts["created_at"]).dt.total_seconds()
        by = (
            contacts.assign(hours=hours)
            .groupby(["category", "channel"])["hours"]
            .agg(["median", "count"])
            .query("count >= 30")
            .sort_values("median", ascending=False)
            .head(8)
            .reset_index()
        )
        if not by.empty:
            shown = pd.DataFrame(
                {
                    ctx.t("ch3.col.category"): by["category"],
                    ctx.t("ch3.col.channel"): by["channel"].map(lambda c: i18n.label("channel", c, ctx.lang)),
                    ctx.t("ch3.col.median_resolution"): by["median"].map(lambda v: i18n.duration(v, ctx.lang)),
                    ctx.t("ch3.col.n"): by["count"].map(lambda v: i18n.number(v, ctx.lang)),
                }
            )
            out.table(shown, ctx.t("ch3.slowest_caption"), {ctx.t("ch3.col.category"): "left"})


def standards(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch3.standards"), 3)
    table = attainment(ctx.store, ctx.period, ctx.unit, ctx.targets, ctx.cache)
    counts = table["status"].value_counts()
    out.say(
        ctx.t(
            "ch3.standards_sentence",
            met=int(counts.get("met", 0)),
            total=int(counts.drop("n/a", errors="ignore").sum()),
        )
    )
    rows = []
    for r in table.itertuples(index=False):
        unit = ctx.scorecard.set_index("kpi")["unit"].get(r.metric) or ("ratio" if r.target <= 1 else "score")
        rows.append(
            [
                i18n.label("kpi", r.metric, ctx.lang),
                ctx.t("ch3.all_channels") if r.channel == "all" else i18n.label("channel", r.channel, ctx.lang),
                i18n.value(r.value, unit, ctx.lang),
                i18n.value(r.target, unit, ctx.lang),
                i18n.label("status", r.status, ctx.lang),
            ]
        )
    columns = [ctx.t(f"ch3.col.{c}") for c in ("kpi", "channel", "value", "target", "status")]
    out.table(
        pd.DataFrame(rows, columns=columns), ctx.t("ch3.standards_caption"), {columns[0]: "left", columns[1]: "left"}
    )


def improvements(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch3.improvements"), 3)
    service = set(SERVICE_KPIS) | set(EFFICIENCY_KPIS) | {"coverage", "channel_share", "complaints"}
    chosen = [r for r in ctx.recommendations if r.finding.metric in service][:5]
    if not chosen:
        return out.say(ctx.t("ch3.no_improvements", month=ctx.month))
    out.bullets(f"{r.action} {ctx.t('ch3.because')} {r.evidence}" for r in chosen)
