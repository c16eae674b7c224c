"""Chapter 1, background: KPI scorecard, purpose and scope, data quality, business overview (the month in brief and
the standing issues open the chapter: :mod:`csreport.report.chapters.brief`).

The sections render: they read the report model (the scorecard, and the data their builders in
:mod:`csreport.report.chapters.background_data` computed: ``ctx.section_data("01.scope")`` …), never the store."""

from __future__ import annotations

import re

import pandas as pd

from csreport.data.schemas import SCHEMAS
from csreport.data.store import ALL_UNITS
from csreport.language import i18n
from csreport.metrics.calendar_fit import CalendarFit
from csreport.report import charts
from csreport.report.chapters import output as out
from csreport.report.chapters.background_data import ChannelMix, Scope
from csreport.report.chapters.brief import brief, standing_issues  # noqa: F401 (sections of chapter 1)
from csreport.report.chapters.context import ReportContext
from csreport.report.page import STATUS_MARKS

PARTIAL = " ◐"  # marks a scorecard value of a month the data's start or end cuts
# reasons (reason.* templates) that say the data lack a table or column: such a KPI cannot be measured on these
# data at all, so the scorecard lists it under the table instead of showing a row of n/a
UNMEASURABLE = frozenset({"no_column", "no_table", "no_resolution_column", "no_cost_columns"})


@out.section
def title(ctx: ReportContext) -> None:
    out.heading(ctx.t("report.title", unit=ctx.unit_label, month=ctx.month), level=1)
    out.heading(ctx.t("ch1.title"))


@out.section
def scope(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch1.scope"), 3)
    data: Scope = ctx.section_data("01.scope")
    present, missing = data.present, data.missing
    ctx.say(
        ctx.t("ch1.purpose"),
        ctx.t(
            "ch1.scope_sentence",
            unit=ctx.unit_label,
            month=ctx.month,
            contacts=i18n.number(data.contacts, ctx.lang),
            first=i18n.month(str(data.first_contact)[:7], ctx.lang),
            last=i18n.month(str(data.last_contact)[:7], ctx.lang),
            tables=i18n.join((i18n.label("table", t, ctx.lang) for t in present), ctx.lang),
        ),
        ctx.t("ch1.missing_tables", tables=i18n.join((i18n.label("table", t, ctx.lang) for t in missing), ctx.lang))
        if missing
        else "",
        cutoff_sentence(ctx),
        zone_sentence(ctx, data.own_calendar),
    )
    absent = data.absent_columns
    if absent:
        listed = (ctx.t("format.table_columns", table=t, columns=i18n.join(cs, ctx.lang)) for t, cs in absent.items())
        ctx.say(ctx.t("ch1.missing_columns", columns=i18n.join(listed, ctx.lang, clauses=True)))


def zone_sentence(ctx: ReportContext, own_calendar: bool) -> str:
    """Which time zone the months and hours of day are in: the unit's calendar zone (``own_calendar``), else
    the run's (all units always the run's, so the sentence says so)."""
    if ctx.unit == ALL_UNITS:
        return ctx.t("ch1.zone_all", zone=ctx.zone)
    return ctx.t("ch1.zone_unit" if own_calendar else "ch1.zone_run", zone=ctx.zone, unit=ctx.unit_label)


def cutoff_sentence(ctx: ReportContext) -> str:
    """Where the data cuts the period, e.g. "October 2026 is a partial month (data to 24 October, 24 of its 31
    days) …", or "" for a whole month."""
    span = ctx.coverage
    if span is None or not span.partial(ctx.period):
        return ""
    month = pd.Period(ctx.period, "M")
    key = "ch1.partial_end" if span.last_day < month.end_time.normalize() else "ch1.partial_start"
    return ctx.t(
        key,
        month=ctx.month,
        first=i18n.day(span.first_day, ctx.lang),
        last=i18n.day(span.last_day, ctx.lang),
        days=span.days(ctx.period),
        total=month.days_in_month,
    )


@out.section
def data_quality(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch1.data_quality"), 3)
    rows, quarantined, read = [], 0, 0
    for name, report in ctx.ingest_report.tables.items():
        reasons = i18n.join((_quarantine_reason(r, ctx) for r in report.reasons[:3]), ctx.lang, clauses=True)
        rows.append(
            [
                i18n.label("table", name, ctx.lang),
                i18n.number(report.rows_read, ctx.lang),
                i18n.number(report.rows_accepted, ctx.lang),
                i18n.number(report.rows_quarantined, ctx.lang),
                reasons or "–",
            ]
        )
        quarantined += report.rows_quarantined
        read += report.rows_read
    ctx.say(
        ctx.t(
            "ch1.quality_sentence",
            read=i18n.number(read, ctx.lang),
            quarantined=i18n.number(quarantined, ctx.lang),
            share=i18n.percent(quarantined / read if read else None, ctx.lang, 2),
        )
    )
    columns = [ctx.t(f"ch1.col.{c}") for c in ("table", "read", "accepted", "quarantined", "reasons")]
    out.table(pd.DataFrame(rows, columns=columns), ctx.t("ch1.quality_caption"), {columns[-1]: "left"})
    ctx.say(*calendar_sentences(ctx, ctx.section_data("01.data_quality")))


def calendar_sentences(ctx: ReportContext, fits: list[CalendarFit]) -> list[str]:
    """A sentence per unit whose agents' activity falls largely outside its calendar's working hours
    (:mod:`csreport.metrics.calendar_fit`; ``fits``: the section's data): its calendar may not match its real
    hours."""
    return [
        ctx.t(
            "ch1.calendar_mismatch",
            unit=ctx.t("report.all_units") if fit.unit == ALL_UNITS else fit.unit,
            share=i18n.percent(fit.share, ctx.lang, 0),
            month=ctx.month,
            outside=i18n.number(fit.outside, ctx.lang),
            activities=i18n.number(fit.activities, ctx.lang),
        )
        for fit in fits
        if fit.implausible
    ]


def _quarantine_reason(reason: dict, ctx: ReportContext) -> str:
    """A quarantine reason of the data-quality table: column, rule in words, rows ("nps out of range (50)")."""
    rule = i18n.label("rule", reason["rule"].split(":")[0], ctx.lang)  # type:timestamp → the rule "type"
    rows = i18n.number(reason["rows"], ctx.lang)
    return ctx.t("format.quarantine_reason", column=reason["column"], rule=rule, rows=rows)


@out.section
def overview(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch1.overview"), 3)
    card = ctx.scorecard.set_index("kpi")
    contacts = card.loc["contacts"]
    has_previous, has_year = pd.notna(contacts["previous"]), pd.notna(contacts["last_year"])
    # the changes are per day with data (scorecard): say so whenever the compared months differ in days
    per_day = bool(contacts["partial"] or contacts["previous_partial"] or contacts["last_year_partial"]) or (
        (has_previous and contacts["days"] != contacts["previous_days"])
        or (has_year and contacts["days"] != contacts["last_year_days"])
    )
    key = "ch1.volume_sentence" if has_year else "ch1.volume_sentence_no_year" if has_previous else "ch1.volume_first"
    ctx.say(
        ctx.t(
            key + ("_per_day" if per_day and has_previous else ""),
            year_month=i18n.month(str(pd.Period(ctx.period, "M") - 12), ctx.lang),
            month=ctx.month,
            contacts=i18n.number(contacts["value"], ctx.lang),
            days=i18n.number(contacts["days"], ctx.lang),
            previous=i18n.number(contacts["previous"], ctx.lang),
            previous_days=i18n.number(contacts["previous_days"], ctx.lang),
            change=relative_change(contacts["relative_vs_previous"], ctx.lang),
            last_year=i18n.number(contacts["last_year"], ctx.lang),
            change_year=relative_change(contacts["relative_vs_last_year"], ctx.lang),
        )
    )
    mix: ChannelMix | None = ctx.section_data("01.overview")
    if mix is None:
        return
    shares = mix.shares.rename(columns=lambda c: ctx.label("channel", c))
    latest = mix.latest
    fig = charts.stacked_shares(
        shares,
        ctx.t(
            "ch1.channel_title",
            channel=ctx.label("channel", latest.index[0]),
            share=i18n.percent(latest.iloc[0] / latest.sum(), ctx.lang),
        ),
        ctx.t("ch1.channel_axis"),
    )
    out.figure(fig, ctx.t("caption.contacts", n=i18n.number(mix.total, ctx.lang), months=len(mix.counts)))


def relative_change(change, lang: str) -> str:
    """A relative change as ``+3.2%`` / ``−20.9%``, "unchanged" when it is written as 0.0%; n/a when there is
    no baseline."""
    if change is None or pd.isna(change):
        return i18n.text("na", lang)
    if i18n.is_zero(change):
        return i18n.text("change.unchanged", lang)
    return i18n.text("change.relative_up" if change > 0 else "change.relative_down", lang,
                     value=i18n.percent(abs(change), lang))  # fmt: skip


def change_mark(value, previous, direction: str | None, significant: bool) -> out.Mark | str:
    """The change against the previous month as an arrow (↑ ↓ →), green when better for the KPI's
    ``direction`` (higher | lower is better), red when worse, grey without a direction; ``*`` when
    significant. "–" when either value is missing."""
    if value is None or previous is None or pd.isna(value) or pd.isna(previous):
        return "–"
    step = (value > previous) - (value < previous)
    better = step * (1 if direction == "higher" else -1 if direction == "lower" else 0)
    tone = {1: "good", -1: "bad", 0: "neutral"}[better if step else 0]
    return out.Mark({1: "↑", -1: "↓", 0: "→"}[step], tone, "*" if significant else "")


def significant_change(row, alpha: float) -> bool:
    """Starred: beyond the unit's usual month-to-month variation (the calibrated test of
    :func:`csreport.findings.detect.calibrated_changes`) where the history allows it; otherwise the sampling
    test against the previous month."""
    p = getattr(row, "p_calibrated", None)
    if p is not None and not pd.isna(p):
        return bool(p < alpha) and bool(row.significant_vs_previous)
    return bool(row.significant_vs_previous)


def _equal_exposure(row) -> float | None:
    """The previous month's value at the current month's exposure: value − change (per day with data for
    counts, so a month cut off on its 24th is not shown as a fall); None without a change."""
    change = row.change_vs_previous
    if change is None or pd.isna(change) or row.value is None or pd.isna(row.value):
        return None
    return float(row.value) - float(change)


def unmeasurable(ctx: ReportContext, card: pd.DataFrame | None = None) -> dict[str, str]:
    """KPI → reason, for the KPIs of the scorecard these data cannot measure at all: n/a because a table or
    column is missing (a reason of :data:`UNMEASURABLE`, or one that names a table the data lack or a contract
    column its table lacks), not because the month has no such contact."""
    card = ctx.scorecard if card is None else card
    return {r.kpi: r.reason for r in card.itertuples(index=False) if pd.isna(r.value) and _lacks_data(ctx, r.reason)}


def _lacks_data(ctx: ReportContext, reason) -> bool:
    if not isinstance(reason, str):
        return False
    if i18n.reason_keys(reason) & UNMEASURABLE:
        return True
    named = set(re.findall(r"\w+", reason))
    return any(
        table in named and (not ctx.has(table) or set(ctx.absent_columns(table, *schema.columns)) & named)
        for table, schema in SCHEMAS.items()
    )


def left_out_sentence(ctx: ReportContext, left_out: dict[str, str]) -> str:
    """One line naming the KPIs left out of the scorecard, grouped by what they need."""
    by_reason: dict[str, list[str]] = {}
    for kpi, why in left_out.items():
        absent = [t for t in SCHEMAS if not ctx.has(t) and t in re.findall(r"\w+", why)]
        why = f"no {', '.join(absent)} table" if absent else why  # "no surveys in the period": no such table
        by_reason.setdefault(why, []).append(i18n.label("kpi", kpi, ctx.lang))
    groups = (
        ctx.t("format.items_reason", items=i18n.join(kpis, ctx.lang), reason=i18n.reason(why, ctx.lang))
        for why, kpis in by_reason.items()
    )
    return ctx.plural("ch1.scorecard_left_out", len(left_out), groups=i18n.join(groups, ctx.lang, clauses=True))


def scorecard_rows(ctx: ReportContext, card: pd.DataFrame | None = None) -> pd.DataFrame:
    """The scorecard (default: the whole of it; else the rows of ``card``) as formatted cells in the report
    language: status and change as coloured marks; each kind of time in one unit (:func:`output.time_units`)."""
    rows = []
    card = ctx.scorecard if card is None else card
    # a kind of time in one unit across its rows (value, months before, target, benchmarks): never 4.8 h against
    # a target of 60.0 min, nor a median resolution in hours above one in minutes
    shown = ["value", "previous", "last_year", "target", "industry_average", "best_competitor"]
    units = out.time_units(
        {r.kpi: [getattr(r, c) for c in shown] for r in card.itertuples(index=False) if r.unit == "s"}
    )
    for r in card.itertuples(index=False):
        fmt = lambda v, unit=r.unit, time_unit=units.get(r.kpi): i18n.value(v, unit, ctx.lang, time_unit)  # noqa: E731
        status = i18n.label("status", r.status, ctx.lang)
        symbol, tone = STATUS_MARKS.get(r.status, ("", ""))
        rows.append(
            [
                i18n.label("kpi", r.kpi, ctx.lang),
                fmt(r.value) + (" ⚠" if r.small_sample else "") + (PARTIAL if r.partial else ""),
                change_mark(r.value, _equal_exposure(r), r.direction, significant_change(r, ctx.rules.alpha)),
                fmt(r.previous) + (PARTIAL if r.previous_partial and pd.notna(r.previous) else ""),
                fmt(r.last_year) + (PARTIAL if r.last_year_partial and pd.notna(r.last_year) else ""),
                fmt(r.target) if r.target is not None and not pd.isna(r.target) else "–",
                out.Mark(symbol, tone, " " + status) if symbol else status,
                fmt(r.industry_average) if r.industry_average is not None else "–",
                fmt(r.best_competitor) if r.best_competitor is not None else "–",
            ]
        )
    columns = [
        ctx.t(f"ch1.col.{c}")
        for c in ("kpi", "value", "change", "previous", "last_year", "target", "status", "industry", "best")
    ]
    return pd.DataFrame(rows, columns=columns)


@out.section
def kpi_scorecard(ctx: ReportContext) -> None:
    """The scorecard of the KPIs these data can measure; those they cannot (a table or column missing) in one
    line under it, with what they need (the exports keep every KPI)."""
    out.heading(ctx.t("ch1.scorecard"), 3)
    left_out = unmeasurable(ctx)
    status = ctx.scorecard["status"].value_counts()
    total = int(status.drop("n/a", errors="ignore").sum())
    ctx.say(
        ctx.t(
            "ch1.scorecard_sentence",
            met=int(status.get("met", 0)),
            risk=int(status.get("at risk", 0)),
            missed=int(status.get("missed", 0)),
            total=total,
        )
        if total
        else ctx.t("ch1.scorecard_none", targets=int(ctx.scorecard["target"].notna().sum()))
    )
    card = ctx.scorecard.iloc[0]
    partial = card["partial"] or card["previous_partial"] or card["last_year_partial"]
    span = ctx.coverage
    caption = ctx.t("ch1.scorecard_caption") + (
        " " + ctx.t("ch1.partial_caption", first=i18n.day(span.first_day, ctx.lang),
                    last=i18n.day(span.last_day, ctx.lang)) if partial and span else ""
    )  # fmt: skip
    shown = ctx.scorecard[~ctx.scorecard["kpi"].isin(left_out)]
    if len(shown):
        out.table(scorecard_rows(ctx, shown), caption, {ctx.t("ch1.col.kpi"): "left"})
    if left_out:
        ctx.say(left_out_sentence(ctx, left_out))
    series = ctx.section_data("01.kpi_scorecard")  # the service level's monthly series
    target = ctx.targets.get("service_level")
    if series["value"].notna().sum() >= 2 and target:
        last = series.dropna(subset=["value"]).iloc[-1]
        fig = charts.trend_with_target(
            series,
            ctx.t(
                "ch1.sl_title",
                value=i18n.percent(last["value"], ctx.lang),
                target=i18n.percent(target.target, ctx.lang),
            ),
            i18n.label("kpi", "service_level", ctx.lang),
            target.target,
            ctx.t("chart.target"),
            percent=True,
        )
        out.figure(fig, ctx.t("caption.trend", n=i18n.number(int(series["n"].sum()), ctx.lang)))
