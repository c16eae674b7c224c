"""Chapter 6, outlook: contact forecast with its measured accuracy, Erlang C staffing need against staff on
hand, churn-risk outlook and the prioritised recommendations."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from csreport.analyses.forecast import VolumeForecast
from csreport.analyses.staffing import StaffingNeed, staffing_need
from csreport.language import i18n
from csreport.metrics.measure import Measure
from csreport.report import charts
from csreport.report.chapters import output as out
from csreport.report.chapters.brief import evidence_count, status_mark
from csreport.report.chapters.context import ReportContext
from csreport.report.chapters.model import builds
from csreport.report.chapters.section_data import SectionData

RECOMMENDATIONS_SHOWN = 10
EXAMPLES_SHOWN = 5  # example ids under a recommendation; the evidence CSV has them all
HISTORY_SHOWN = 18  # months of actual volume on the forecast chart
EXPORTS = ["report.xlsx", "exports/scorecard.csv", "exports/findings.csv", "exports/quarantine.csv"]


@out.section
def title(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch6.title"))


@dataclass(repr=False)
class ForecastData(SectionData):
    """Contact-volume forecast with its interval and backtest accuracy, and the monthly volumes before it.

    ``forecast``: the kept forecast of :mod:`csreport.report.computed_analyses` (``monthly``: period, forecast, low,
    high; ``backtest``; ``mase`` per model); ``history``: contacts per month of the last :data:`HISTORY_SHOWN`
    months ending with the period (a Series indexed by month), the actual volume on the chart."""

    forecast: VolumeForecast
    history: pd.Series

    @property
    def available(self) -> bool:
        return self.forecast.available


@builds("06.forecast")
def forecast_data(ctx: ReportContext) -> ForecastData:
    """The kept forecast (fitted once with the analyses) and the monthly volumes the chart shows."""
    return ForecastData(ctx.analyses.forecast, ctx.analyses.monthly_volume.tail(HISTORY_SHOWN))


@out.section
def forecast(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch6.forecast"), 3)
    data: ForecastData = ctx.section_data("06.forecast")
    result = data.forecast
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
    history = data.history
    fig = charts.forecast(
        history,
        result.monthly,
        ctx.t("ch6.forecast_title", value=i18n.number(first["forecast"], ctx.lang)),
        i18n.label("kpi", "contacts", ctx.lang),
        {"actual": ctx.t("ch6.actual"), "forecast": ctx.t("ch6.forecast_label"), "interval": ctx.t("ch6.interval")},
    )
    out.figure(fig, ctx.t("caption.forecast", n=i18n.number(int(history.sum()), ctx.lang)))


# (service level met, occupancy below its target) → what they say of the staff on hand
VERDICTS = {(True, True): "enough", (True, False): "tight", (False, False): "short", (False, True): "misplaced"}


@dataclass(repr=False)
class StaffingData(SectionData):
    """Erlang C agents required per half hour of a weekday for the service-level target, against staff on hand.

    ``need``: the Erlang C table per channel, day type and half hour (``need.intervals``: arrivals, AHT, load,
    required, predicted service level, ASA, occupancy, scheduled) and its per-channel summary;
    ``per_interval``: weekday agents ``required`` per half hour (phone and chat together; ``interval`` in minutes
    after midnight, ``label`` HH:MM) and ``on_hand``; ``on_hand``: agents available per open half hour
    (agent_months' available hours / half hours with contacts), None without available hours or in a month the
    data cuts off; ``target`` (ratio) and ``threshold_s`` (seconds): the service level aimed at; ``peak_*``: the
    weekday half hour needing most agents and the scheduled positions (after shrinkage) at each channel's peak,
    summed; ``weekday_contacts``: the phone and chat contacts of weekdays behind the table; ``service_level`` and
    ``occupancy`` (ratios) the month's measured KPIs, ``occupancy_target`` its target (None when not measured or
    not set), which tell whether the staff on hand was in fact enough (:attr:`verdict`)."""

    need: StaffingNeed
    target: float
    threshold_s: float
    on_hand: float | None
    per_interval: pd.DataFrame = field(default_factory=pd.DataFrame)
    peak_required: int = 0
    peak_at: str = ""
    peak_scheduled: float = 0.0
    weekday_contacts: int = 0
    service_level: float | None = None
    occupancy: float | None = None
    occupancy_target: float | None = None

    @property
    def available(self) -> bool:
        return self.need.available

    @property
    def verdict(self) -> str | None:
        """What the measured service level and occupancy say of the staff on hand, whatever Erlang C asks:
        ``enough`` (service level met, occupancy below its target: agents had spare time), ``tight`` (met, at or
        above it), ``short`` (missed, at or above it), ``misplaced`` (missed although agents had spare time: staff
        at the wrong hours or channels); None without both measures and the occupancy target."""
        if any(v is None or pd.isna(v) for v in (self.service_level, self.occupancy, self.occupancy_target)):
            return None
        met, spare = self.service_level >= self.target, self.occupancy < self.occupancy_target
        return VERDICTS[(met, spare)]

    @property
    def reason(self) -> str | None:
        return self.need.reason


@builds("06.staffing")
def staffing_data(ctx: ReportContext) -> StaffingData:
    """Erlang C agents required per half hour of the month's weekdays, against the agents on hand."""
    params = ctx.targets.parameters
    target = ctx.targets.get("service_level")
    level = target.target if target else 0.8
    threshold_s = params.service_level_threshold_s.get("phone", 20.0)
    on_hand = None
    months = ctx.agent_months()
    cut = ctx.coverage is not None and ctx.coverage.partial(ctx.period)
    if "available_hours" in months.columns and not cut:  # agent_months hours are a whole month's
        open_hours = ctx.contacts["created_at"].dt.floor("30min").nunique() / 2  # half-hours with contacts
        on_hand = float(months["available_hours"].sum()) / open_hours if open_hours else None
    need = staffing_need(ctx.contacts, ctx.period, level, threshold_s, agents_on_hand=on_hand)
    if not need.available:
        return StaffingData(need, level, threshold_s, on_hand)
    kpis = ctx.cache.kpis(ctx.period, ctx.unit)
    occupancy_target = ctx.targets.get("occupancy")
    measured = {"service_level": kpis["service_level"].value,
                "occupancy": kpis["occupancy"].value if on_hand is not None else None,  # a cut month: no hours
                "occupancy_target": occupancy_target.target if occupancy_target else None}  # fmt: skip
    weekday = need.intervals[need.intervals["day_type"] == "weekday"]
    per_interval = weekday.groupby("interval")["required"].sum().reset_index()
    per_interval["label"] = per_interval["interval"].map(lambda m: f"{m // 60:02d}:{m % 60:02d}")
    per_interval["on_hand"] = on_hand
    peak = per_interval.loc[per_interval["required"].idxmax()]
    return StaffingData(need, level, threshold_s, on_hand, per_interval, int(peak["required"]), peak["label"],
                        float(need.summary["peak_scheduled"].sum()), int(weekday["contacts"].sum()),
                        **measured)  # fmt: skip


@out.section
def staffing(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch6.staffing"), 3)
    data: StaffingData = ctx.section_data("06.staffing")
    if not data.available:
        return ctx.not_enough(data.reason)
    ctx.say(
        ctx.t(
            "ch6.staffing_sentence",
            peak=data.peak_required,
            at=data.peak_at,
            scheduled=i18n.number(data.peak_scheduled, ctx.lang),
            target=i18n.percent(data.target, ctx.lang),
            seconds=int(data.threshold_s),
        ),
        ctx.t("ch6.staffing_on_hand", on_hand=i18n.count(data.on_hand, ctx.lang)) if data.on_hand is not None else "",
        *verdict_sentences(ctx, data),
        ctx.t("ch6.erlang_note"),
    )
    fig = charts.required_vs_actual(
        data.per_interval,
        ctx.t("ch6.staffing_title", peak=data.peak_required, at=data.peak_at),
        ctx.t("ch6.interval_axis"),
        ctx.t("ch6.agents_axis"),
        {"required": ctx.t("ch6.required"), "on_hand": ctx.t("ch6.on_hand")},
    )
    out.figure(fig, ctx.t("caption.staffing", n=i18n.number(data.weekday_contacts, ctx.lang)))


def verdict_sentences(ctx: ReportContext, data: StaffingData) -> list[str]:
    """What the measured service level and occupancy say of the staff on hand (:attr:`StaffingData.verdict`),
    so the Erlang C need is never read against them: a need above the staff while agents sat idle and the
    standard was met is an upper estimate, not a shortage."""
    if data.verdict is None:
        return []
    values = {"service_level": i18n.percent(data.service_level, ctx.lang),
              "target": i18n.percent(data.target, ctx.lang),
              "occupancy": i18n.percent(data.occupancy, ctx.lang),
              "occupancy_target": i18n.percent(data.occupancy_target, ctx.lang)}  # fmt: skip
    said = [ctx.t(f"ch6.staffing_{data.verdict}", **values)]
    if data.verdict in ("enough", "misplaced") and data.on_hand is not None and data.peak_required > data.on_hand:
        said.append(ctx.t("ch6.staffing_erlang_above", seconds=int(data.threshold_s)))
    return said


@dataclass(repr=False)
class ChurnOutlookData(SectionData):
    """The month's churn and its 12-month rolling rate, and the customer segments whose churn rose this month.

    ``churn``, ``rolling``: the KPIs churn_rate and churn_rate_12m (ratios; not available without a customers
    table); ``rising_segments``: the segment codes of this month's churn_rise findings, in the findings' order."""

    churn: Measure
    rolling: Measure
    rising_segments: list = field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.churn.available


@builds("06.churn_outlook")
def churn_outlook_data(ctx: ReportContext) -> ChurnOutlookData:
    """Churn of the month and of 12 months, and the segments whose churn rose (this month's findings)."""
    k = ctx.cache.kpis(ctx.period, ctx.unit)
    return ChurnOutlookData(k["churn_rate"], k["churn_rate_12m"],
                            [f.segment for f in ctx.findings if f.kind == "churn_rise"])  # fmt: skip


@out.section
def churn_outlook(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch6.churn"), 3)
    data: ChurnOutlookData = ctx.section_data("06.churn_outlook")
    churn, rolling = data.churn, data.rolling
    if not churn.available:  # without customers, what to add; with them, why churn is not measured
        return ctx.not_enough(churn.reason) if ctx.has("customers") else ctx.missing(ctx.t("ch2.need_customers"))
    rises = data.rising_segments
    ctx.say(
        ctx.t(
            "ch6.churn_sentence",
            churn=i18n.percent(churn.value, ctx.lang, 2),
            rolling=i18n.percent(rolling.value, ctx.lang),
            n=i18n.number(churn.n, ctx.lang),
        ),
        ctx.t("ch6.churn_segments", segments=i18n.join((ctx.label("segment", s) for s in rises), ctx.lang))
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
    label = ctx.t("ch6.examples_all", n=evidence_count({evidence.id_column: evidence.count}, ctx.lang))
    line = _linked(ctx.t("ch6.examples_line", id_column=evidence.id_column, ids=ids, link=_SLOT),
                   [(label, f"evidence/{evidence.finding_id}.csv")], ctx.lang)  # fmt: skip
    return "  \n" + line


_SLOT = "\x00"  # where a link goes in a message; the message is escaped, the links are Markdown


def _linked(message: str, links: list[tuple[str, str]], lang: str) -> str:
    """``message`` escaped as Markdown with its link slot (:data:`_SLOT`) replaced by the ``links`` (label,
    relative target), listed as the language lists."""
    listed = i18n.join((f"[{out.escape(label)}]({target})" for label, target in links), lang)
    return out.escape(message).replace(_SLOT, listed)


RECOMMENDATION_COLUMNS = ["rank", "severity", "standing", "kind", "metric", "category", "team", "segment", "impact",
                          "impact_unit", "value_at_stake", "action_cost", "benefit_cost_ratio", "finding_id",
                          "evidence_rows"]  # fmt: skip
MONEY_COLUMNS = ("value_at_stake", "action_cost", "benefit_cost_ratio")


@dataclass(repr=False)
class RecommendationsData(SectionData):
    """The report's recommendations in rank order, as numbers and data codes (their words are the report's).

    ``table``: one row per recommendation: rank, severity, standing (a standing issue, not news), the finding
    behind it (kind, metric, category, team, segment, finding_id), impact (contacts or customers affected,
    ``impact_unit``), value_at_stake and action_cost (currency per month), benefit_cost_ratio, and the rows of
    its evidence CSV (``evidence/<finding_id>.csv``); ``shown``: how many the report lists; ``exports``: the
    files the report links to."""

    table: pd.DataFrame
    shown: int = RECOMMENDATIONS_SHOWN
    exports: list = field(default_factory=lambda: list(EXPORTS))


@builds("06.recommendations")
def recommendations_data(ctx: ReportContext) -> RecommendationsData:
    """The recommendations in rank order: severity, finding, impact, money, evidence rows.

    Ranks, findings and money do not depend on the language the recommendations are written in (only their
    words do), so the table is the same whichever language the model is built in."""
    rows = []
    for r in ctx.recommendations:
        evidence, finding, money = ctx.evidence_of(r.finding), r.finding, r.money
        priced = {k: getattr(money, k) if money else None for k in MONEY_COLUMNS}
        rows.append({"rank": r.rank, "severity": r.severity, "standing": r.standing,
                     **{k: getattr(finding, k) for k in ("kind", "metric", "category", "team", "segment")},
                     "impact": r.impact, "impact_unit": r.impact_unit, **priced,
                     "finding_id": evidence.finding_id if evidence else None,
                     "evidence_rows": evidence.count if evidence else 0})  # fmt: skip
    return RecommendationsData(pd.DataFrame(rows, columns=RECOMMENDATION_COLUMNS))


@out.section
def recommendations(ctx: ReportContext) -> None:
    out.heading(ctx.t("ch6.recommendations"), 3)
    data: RecommendationsData = ctx.section_data("06.recommendations")
    total = len(data.table)
    recs = ctx.recommendations[: data.shown]  # the words, in the report language
    if not recs:
        return ctx.say(ctx.t("ch6.no_recommendations", month=ctx.month))
    intro = "ch6.recommendations_intro" if len(recs) < total else "ch6.recommendations_intro_all"
    ctx.say(ctx.plural(intro, total, n=total, shown=len(recs)))
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
    out.markdown(_linked(ctx.t("ch6.exports_line", files=_SLOT), [(f, f) for f in data.exports], ctx.lang))


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


@dataclass(repr=False)
class MethodNotesData(SectionData):
    """Where the report's standards, rules and names are configured.

    ``configured_in``: one row per source, ``what`` (targets, calendars, findings, recommendations, labels,
    contract, mapping) and ``file`` (as a project names it, ``params/…``)."""

    configured_in: pd.DataFrame


@builds("06.method_notes")
def method_notes_data(ctx: ReportContext) -> MethodNotesData:
    """The parameter files and data contract the report's standards, rules and names come from."""
    return MethodNotesData(pd.DataFrame(configured_in(ctx), columns=["what", "file"]))


@out.section
def method_notes(ctx: ReportContext) -> None:
    """Where the standards, rules and names the report applies are configured (the sentences above say what
    they are, not where they live)."""
    out.heading(ctx.t("ch6.method_notes"), 3)
    data: MethodNotesData = ctx.section_data("06.method_notes")
    ctx.say(ctx.t("ch6.method_intro"))
    out.bullets(ctx.t("format.labelled", label=ctx.t(f"ch6.configured.{what}"), text=path)
                for what, path in data.configured_in.itertuples(index=False))  # fmt: skip
