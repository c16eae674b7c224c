"""Chapter 3's section data: what each section of :mod:`csreport.report.chapters.service_quality` shows, built once per
report from the data by the report model's builders (:mod:`csreport.report.chapters.model`), in no language.

An analyst looks at them in the notebook with ``ctx.section_data("03.bottlenecks")`` etc.; the sections only turn
them into sentences, tables and charts."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from csreport.analyses.cost_benefit import ProcessCosts
from csreport.metrics import registry
from csreport.metrics.maturing import SETTLED_DAYS, is_maturing, maturing_kpis
from csreport.metrics.measure import Measure
from csreport.metrics.service import QUEUE
from csreport.report.chapters.context import ReportContext
from csreport.report.chapters.model import builds
from csreport.report.chapters.section_data import SectionData

SLOWEST_SHOWN = 8  # category × channel pairs of the slowest-resolution table
QUEUED_CHANNELS = ["phone", "chat"]  # the channels whose contacts wait in a queue


@dataclass(repr=False)
class KpiTable(SectionData):
    """The period's KPIs of one table, in the table's order: each KPI this data computes → its
    :class:`~csreport.metrics.measure.Measure` (a KPI the data cannot compute at all is left out), and the names of
    those
    still maturing (outcomes of the data's last days not all known yet)."""

    measures: dict[str, Measure]
    maturing: set[str]


@dataclass(repr=False)
class ServiceLevelData(SectionData):
    """``absent_queue``: the queue columns (:data:`~csreport.metrics.service.QUEUE`) the contacts lack (the service
    level needs them); ``fcr_method``: how first-contact resolution is measured, ``"flag"`` (the contacts'
    first_contact_resolution), ``"repeat"`` (no repeat contact within the FCR window) or None (neither)."""

    absent_queue: list[str]
    kpis: KpiTable
    fcr_method: str | None


@dataclass(repr=False)
class EfficiencyData(SectionData):
    """``available_hours``: the agents' available hours of the period (agent_months, None without the column);
    ``cut_off``: the data end inside the period, so whole-month agent hours are not comparable with its contacts;
    ``contacts_per_hour`` = handled contacts / available hours (None when either is unknown or the month is cut
    off); ``absent``: the contact and agent_months columns the efficiency KPIs need and the data lacks."""

    kpis: KpiTable
    available_hours: float | None
    cut_off: bool
    contacts_per_hour: float | None
    absent: list[str]

    @property
    def available(self) -> bool:
        """True when at least one efficiency KPI could be computed."""
        return any(m.available for m in self.kpis.measures.values())


@dataclass(repr=False)
class CostBenefitData(SectionData):
    """``costs``: the period's cost-benefit per service process (channel × category), kept with the findings
    (:class:`~csreport.analyses.cost_benefit.ProcessCosts`); ``ranked``: its processes of at least min_sample
    contacts with a cost per resolved contact, dearest first (None when ``costs`` has no table)."""

    costs: ProcessCosts
    ranked: pd.DataFrame | None


@dataclass(repr=False)
class BottleneckData(SectionData):
    """Where the process is slow in the period.

    ``queued``: phone and chat contacts; ``waits``: their mean queue wait in seconds, weekday (0 = Monday) ×
    hour of day in the unit's time zone (None without known waits); ``longest_wait``: the cell of at least
    min_sample contacts with the longest mean wait, (weekday, hour, mean wait s, n), None when no cell is that
    large; ``slowest``: the category × channel pairs of at least min_sample contacts with the longest median
    resolution time (columns category, channel, median in seconds, count), slowest first, at most
    :data:`SLOWEST_SHOWN` (None without resolved_at or category); ``resolution_maturing``: the data end less than
    :data:`~csreport.metrics.maturing.SETTLED_DAYS` after the period (resolutions still coming in); ``absent``: of
    queue_wait_s, resolved_at and category, those the contacts lack."""

    queued: int
    waits: pd.DataFrame | None
    longest_wait: tuple[int, int, float, int] | None
    slowest: pd.DataFrame | None
    resolution_maturing: bool
    absent: list[str]


def service_kpis() -> list[str]:
    """The KPIs of the service table (section 03.service_level), in its order: the registry's
    (:func:`~csreport.metrics.registry.table_kpis`, ``chapter_table="service"``)."""
    return registry.table_kpis("service")


def efficiency_kpis() -> list[str]:
    """The KPIs of the efficiency table (section 03.efficiency), in its order: the registry's
    (:func:`~csreport.metrics.registry.table_kpis`, ``chapter_table="efficiency"``)."""
    return registry.table_kpis("efficiency")


def kpi_table(ctx: ReportContext, names: list[str]) -> KpiTable:
    """The kept KPIs ``names`` of the period (:meth:`~csreport.metrics.scorecard.KpiCache.kpis`) and which are
    maturing."""
    kpis = ctx.cache.kpis(ctx.period, ctx.unit)
    maturing = maturing_names(ctx)
    return KpiTable({k: kpis[k] for k in names if k in kpis}, {k for k in names if k in maturing})


def maturing_names(ctx: ReportContext) -> set[str]:
    """The KPIs still maturing in this period (:func:`csreport.metrics.maturing.maturing_kpis`): outcomes of the
    contacts of the data's last days not all known yet."""
    columns = set(ctx.store.columns("contacts"))
    params = ctx.targets.parameters
    return {
        k for k, m in maturing_kpis(columns, params).items() if is_maturing(ctx.coverage, ctx.period, m.horizon_days)
    }


def fcr_method(columns: set[str]) -> str | None:
    """How first-contact resolution is measured with the contact columns ``columns``: the flag, else no repeat
    contact of the same customer (customer_id, created_at), else not at all."""
    if "first_contact_resolution" in columns:
        return "flag"
    if {"customer_id", "created_at"} <= columns:
        return "repeat"
    return None


@builds("03.service_level")
def build_service_level(ctx: ReportContext) -> ServiceLevelData:
    """The service KPIs of the period (data.kpis.measures: name → Measure with n and interval), the queue columns the
    data lacks and how FCR is measured."""
    return ServiceLevelData(ctx.absent_columns("contacts", *QUEUE), kpi_table(ctx, service_kpis()),
                            fcr_method(set(ctx.store.columns("contacts"))))  # fmt: skip


@builds("03.efficiency")
def build_efficiency(ctx: ReportContext) -> EfficiencyData:
    """The efficiency KPIs of the period (data.kpis.measures), the agents' available hours and contacts per available
    hour."""
    table = kpi_table(ctx, efficiency_kpis())
    handled = table.measures["handled_contacts"]
    agent_months = ctx.agent_months()
    hours = float(agent_months["available_hours"].sum()) if "available_hours" in agent_months else None
    # agent_months hours are a whole month's: set against a month the data cut off they are not comparable
    cut = ctx.coverage is not None and ctx.coverage.partial(ctx.period)
    per_hour = handled.value / hours if hours and handled.available and not cut else None
    absent = ctx.absent_columns("contacts", "handle_s", "cost")
    absent += [f"agent_months.{c}" for c in ctx.absent_columns("agent_months", "available_hours")]
    return EfficiencyData(table, hours, cut, per_hour, absent)


@builds("03.cost_benefit")
def build_cost_benefit(ctx: ReportContext) -> CostBenefitData:
    """Cost and revenue at risk per service process (data.costs.table: one row per channel × category), ranked dearest
    first."""
    costs = ctx.process_costs
    if not costs.available:
        return CostBenefitData(costs, None)
    ranked = costs.table[costs.table["contacts"] >= ctx.targets.parameters.min_sample]
    return CostBenefitData(costs, ranked.dropna(subset=["cost_per_resolved"]))


@builds("03.bottlenecks")
def build_bottlenecks(ctx: ReportContext) -> BottleneckData:
    """Mean queue wait by weekday × hour (data.waits), the longest-wait cell and the slowest category × channel pairs
    (data.slowest)."""
    contacts = ctx.contacts
    min_sample = ctx.targets.parameters.min_sample
    queued = contacts[contacts["channel"].isin(QUEUED_CHANNELS)]
    waits = longest = slowest = None
    if "queue_wait_s" in queued.columns and queued["queue_wait_s"].notna().sum() > 0:
        frame = pd.DataFrame(
            {
                "weekday": queued["created_at"].dt.day_of_week,
                "hour": queued["created_at"].dt.hour,
                "wait": queued["queue_wait_s"],
            }
        )
        waits = frame.pivot_table(index="weekday", columns="hour", values="wait", aggfunc="mean")
        longest = longest_wait_cell(frame, min_sample)
    if "resolved_at" in contacts.columns and "category" in contacts.columns:
        slowest = slowest_resolution(contacts, min_sample)
    absent = ctx.absent_columns("contacts", "queue_wait_s", "resolved_at", "category")
    return BottleneckData(len(queued), waits, longest, slowest, maturing_resolution(ctx), absent)


def slowest_resolution(contacts: pd.DataFrame, min_sample: int, shown: int = SLOWEST_SHOWN) -> pd.DataFrame:
    """The ``shown`` category × channel pairs with the longest median resolution time (resolved_at − created_at,
    seconds) among pairs of at least ``min_sample`` contacts with a resolution time: columns category, channel,
    median, count, slowest first."""
    hours = (contacts["resolved_at"] - contacts["created_at"]).dt.total_seconds()
    return (
        contacts.assign(hours=hours)
        .groupby(["category", "channel"])["hours"]
        .agg(["median", "count"])
        .query(f"count >= {int(min_sample)}")
        .sort_values("median", ascending=False)
        .head(shown)
        .reset_index()
    )


def maturing_resolution(ctx: ReportContext) -> bool:
    """True when the period's resolutions are still maturing: the data end less than
    :data:`~csreport.metrics.maturing.SETTLED_DAYS` after it (as for the resolution KPIs of the scorecard)."""
    return is_maturing(ctx.coverage, ctx.period, SETTLED_DAYS)


def longest_wait_cell(frame: pd.DataFrame, min_sample: int) -> tuple[int, int, float, int] | None:
    """The weekday × hour cell with the longest mean wait among cells of at least ``min_sample`` queued contacts
    (``frame``: columns weekday, hour, wait in seconds): (weekday, hour, mean wait s, n), or None when no cell is
    large enough (a cell of 2 contacts is never a headline)."""
    cells = frame.groupby(["weekday", "hour"])["wait"].agg(["mean", "count"])
    cells = cells[cells["count"] >= min_sample]
    if cells.empty:
        return None
    weekday, hour = cells["mean"].idxmax()
    return int(weekday), int(hour), float(cells.at[(weekday, hour), "mean"]), int(cells.at[(weekday, hour), "count"])


@builds("03.standards")
def build_standards(ctx: ReportContext) -> pd.DataFrame:
    """Attainment of the service standards (:func:`csreport.metrics.scorecard.attainment`), computed once with the
    report (:attr:`csreport.report.computed.ComputedReport.attainment`): one row per target (metric, channel or
    "all", value, target, status met / not met / n/a)."""
    return ctx.report.attainment
