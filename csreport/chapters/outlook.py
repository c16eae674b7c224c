"""Chapter 6, outlook: contact forecast with its measured accuracy, Erlang C staffing need against staff on
hand, churn-risk outlook and the prioritised recommendations."""

from __future__ import annotations

from csreport import charts, i18n
from csreport.analyses.staffing import staffing_need
from csreport.chapters import output as out
from csreport.chapters.brief import status_mark
from csreport.chapters.context import ReportContext

RECOMMENDATIONS_SHOWN = 10
EXAMPLES_SHOWN = 5  # example ids under a recommendation; the evidence CSV has them all


@out.section
def title(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch6.title"))


@out.section
def forecast(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch6.forecast"), 3)
    result = ctx.analyses.forecast  # computed once and kept (csreport.computed_analyses)
    if not result.available:
        return ctx.not_enough(result.reason)
    first = result.monthly.iloc[0]
    if result.granularity == "day":
        ctx.say(
            ctx.t(
                "ch6.forecast_daily_sentence",
                days=i18n.number(result.history_days, ctx.lang),
                model=ctx.t(f"ch6.model.{result.model}"),
                origins=result.origins,
                mase=i18n.number(result.mase[result.model], ctx.lang, 2),
                naive=i18n.number(result.mase.get("weekly_naive"), ctx.lang, 2),
                mape=i18n.percent(result.mape, ctx.lang),
                month=i18n.month(str(first["period"]), ctx.lang),
                value=i18n.number(first["forecast"], ctx.lang),
                low=i18n.number(first["low"], ctx.lang),
                high=i18n.number(first["high"], ctx.lang),
            )
        )
    else:
        ctx.say(
            ctx.t(
                "ch6.forecast_sentence",
                model=ctx.t(f"ch6.model.{result.model}"),
                mase=i18n.number(result.mase[result.model], ctx.lang, 2),
                naive=i18n.number(result.mase.get("seasonal_naive"), ctx.lang, 2),
                month=i18n.month(str(first["period"]), ctx.lang),
                value=i18n.number(first["forecast"], ctx.lang),
                low=i18n.number(first["low"], ctx.lang),
                high=i18n.number(first["high"], ctx.lang),
            )
        )
    history = ctx.analyses.monthly_volume.tail(18)
    fig = charts.forecast(
        history,
        result.monthly,
        ctx.t("ch6.forecast_title", value=i18n.number(first["forecast"], ctx.lang)),
        i18n.label("kpi", "contacts", ctx.lang),
        {"actual": ctx.t("ch6.actual"), "forecast": ctx.t("ch6.forecast_label"), "interval": ctx.t("ch6.interval")},
    )
    out.figure(fig, ctx.t("caption.forecast", n=i18n.number(int(history.sum()), ctx.lang)))


@out.section
def staffing(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch6.staffing"), 3)
    params = ctx.targets.parameters
    target = ctx.targets.get("service_level")
    on_hand = None
    months = ctx.agent_months()
    cut = ctx.coverage is not None and ctx.coverage.partial(ctx.period)
    if "available_hours" in months.columns and not cut:  # agent_months hours are a whole month's
        open_hours = ctx.contacts["created_at"].dt.floor("30min").nunique() / 2  # half-hours with contacts
        on_hand = float(months["available_hours"].sum()) / open_hours if open_hours else None
    need = staffing_need(
        ctx.contacts,
        ctx.period,
        target.target if target else 0.8,
        params.service_level_threshold_s.get("phone", 20.0),
        agents_on_hand=on_hand,
    )
    if not need.available:
        return ctx.not_enough(need.reason)
    weekday = need.intervals[need.intervals["day_type"] == "weekday"]
    per_interval = weekday.groupby("interval")["required"].sum().reset_index()
    per_interval["label"] = per_interval["interval"].map(lambda m: f"{m // 60:02d}:{m % 60:02d}")
    per_interval["on_hand"] = on_hand
    peak = per_interval.loc[per_interval["required"].idxmax()]
    ctx.say(
        ctx.t(
            "ch6.staffing_sentence",
            peak=int(peak["required"]),
            at=peak["label"],
            scheduled=i18n.number(need.summary["peak_scheduled"].sum(), ctx.lang),
            target=i18n.percent(target.target if target else 0.8, ctx.lang),
            seconds=int(params.service_level_threshold_s.get("phone", 20.0)),
        ),
        ctx.t("ch6.staffing_on_hand", on_hand=i18n.count(on_hand, ctx.lang)) if on_hand is not None else "",
        ctx.t("ch6.erlang_note"),
    )
    fig = charts.required_vs_actual(
        per_interval,
        ctx.t("ch6.staffing_title", peak=int(peak["required"]), at=peak["label"]),
        ctx.t("ch6.interval_axis"),
        ctx.t("ch6.agents_axis"),
        {"required": ctx.t("ch6.required"), "on_hand": ctx.t("ch6.on_hand")},
    )
    out.figure(fig, ctx.t("caption.staffing", n=i18n.number(int(weekday["contacts"].sum()), ctx.lang)))


@out.section
def churn_outlook(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch6.churn"), 3)
    k = ctx.cache.kpis(ctx.period, ctx.unit)
    churn, rolling = k["churn_rate"], k["churn_rate_12m"]
    if not churn.available:
        return ctx.missing(ctx.t("ch2.need_customers"))
    rises = [f for f in ctx.findings if f.kind == "churn_rise"]
    ctx.say(
        ctx.t(
            "ch6.churn_sentence",
            churn=i18n.percent(churn.value, ctx.lang, 2),
            rolling=i18n.percent(rolling.value, ctx.lang),
            n=i18n.number(churn.n, ctx.lang),
        ),
        ctx.t("ch6.churn_segments", segments=i18n.join((ctx.label("segment", f.segment) for f in rises), ctx.lang))
        if rises
        else ctx.t("ch6.churn_no_segment"),
    )


def _money_line(r, ctx: ReportContext) -> str:
    """Value at stake, cost of the action and benefit/cost of a recommendation, with its assumptions."""
    m = r.money
    parts = []
    if m.value_at_stake is not None:
        parts.append(ctx.t("ch6.value_part", value=i18n.amount(m.value_at_stake, ctx.lang)))
    if m.action_cost is not None:
        parts.append(ctx.t("ch6.cost_part", cost=i18n.amount(m.action_cost, ctx.lang)))
    if m.benefit_cost_ratio is not None:
        parts.append(ctx.t("ch6.ratio_part", ratio=i18n.number(m.benefit_cost_ratio, ctx.lang, 1)))
    return ctx.t(
        "ch6.money_line", money=i18n.join(parts, ctx.lang, clauses=True) or ctx.t("na"), assumptions=m.assumptions
    )


def _examples(ctx: ReportContext, finding) -> str:
    """A line of example ids behind ``finding`` and a link to its evidence CSV (written beside the report)."""
    evidence = ctx.evidence_of(finding)
    if evidence is None or not evidence.count:
        return ""
    ids = i18n.join(evidence.examples[:EXAMPLES_SHOWN], ctx.lang)
    label = ctx.t("ch6.examples_all", n=i18n.number(evidence.count, ctx.lang))
    line = _linked(ctx.t("ch6.examples_line", id_column=evidence.id_column, ids=ids, link=_SLOT),
                   [(label, f"evidence/{evidence.finding_id}.csv")], ctx.lang)  # fmt: skip
    return "  \n" + line


_SLOT = "\x00"  # where a link goes in a message; the message is escaped, the links are Markdown


def _linked(message: str, links: list[tuple[str, str]], lang: str) -> str:
    """``message`` escaped as Markdown with its link slot (:data:`_SLOT`) replaced by the ``links`` (label,
    relative target), listed as the language lists."""
    listed = i18n.join((f"[{out.escape(label)}]({target})" for label, target in links), lang)
    return out.escape(message).replace(_SLOT, listed)


@out.section
def recommendations(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch6.recommendations"), 3)
    recs = ctx.recommendations[:RECOMMENDATIONS_SHOWN]
    if not recs:
        return ctx.say(ctx.t("ch6.no_recommendations", month=ctx.month))
    intro = "ch6.recommendations_intro" if len(recs) < len(ctx.recommendations) else "ch6.recommendations_intro_all"
    ctx.say(ctx.plural(intro, len(ctx.recommendations), n=len(ctx.recommendations), shown=len(recs)))
    lines = []
    for r in recs:
        severity = i18n.label("severity", r.severity, ctx.lang)
        status = status_mark(ctx, r)
        breakdown = "".join(f"  \n{out.escape(ctx.t('ch6.breakdown_line', sentence=b))}" for b in r.breakdown[:3])
        lines.append(
            f"{r.rank}. **{out.escape(r.action)}**{out.escape(status)}  \n"
            f"{out.escape(ctx.t('ch6.owner_line', owner=r.owner, severity=severity))}  \n"
            f"{out.escape(ctx.t('ch6.evidence_line', evidence=r.evidence))}"
            + breakdown
            + (f"  \n{out.escape(ctx.t('ch6.impact_line', impact=r.expected))}" if r.expected else "")
            + (f"  \n{out.escape(_money_line(r, ctx))}" if r.money else "")
            + _examples(ctx, r.finding)
        )
    out.markdown("\n".join(lines) + f"\n\n*{out.escape(ctx.t('ch6.recommendations_caption'))}*")
    files = ["report.xlsx", "exports/scorecard.csv", "exports/findings.csv", "exports/quarantine.csv"]
    out.markdown(_linked(ctx.t("ch6.exports_line", files=_SLOT), [(f, f) for f in files], ctx.lang))


def configured_in(ctx: ReportContext) -> list[tuple[str, str]]:
    """(what, file) of every parameter file the report's standards, rules and names come from, as a project
    names them (``params/…``), and the data contract."""
    settings = ctx.settings
    files = [
        ("targets", f"params/{settings.targets.name}"),
        ("calendars", f"params/{settings.calendars.name}"),
        ("findings", f"params/{settings.findings.name}"),
        ("recommendations", f"params/{settings.recommendations.name}"),
        ("labels", f"params/{settings.labels.name}"),
        ("contract", "data/README.md"),
    ]
    if settings.mapping is not None:
        files.append(("mapping", f"params/mapping/{settings.mapping.name}"))
    return files


@out.section
def method_notes(ctx: ReportContext) -> None:
    """Where the standards, rules and names the report applies are configured (the sentences above say what
    they are, not where they live)."""
    out.heading(ctx.t("ch6.method_notes"), 3)
    ctx.say(ctx.t("ch6.method_intro"))
    out.bullets(ctx.t("format.labelled", label=ctx.t(f"ch6.configured.{what}"), text=path)
                for what, path in configured_in(ctx))  # fmt: skip
