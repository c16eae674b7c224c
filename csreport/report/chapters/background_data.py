"""Chapter 1's data: the builders of the report model (:mod:`csreport.report.chapters.model`) for the sections of
:mod:`csreport.report.chapters.background` that read the data. Each returns plain values in no language, computed once
per report; the sections render them.

The brief, the standing issues and most of the scorecard read the computed report only (scorecard, findings,
recommendations): they have no builder."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from csreport.data.schemas import SCHEMAS
from csreport.data.store import ALL_UNITS
from csreport.metrics.calendar_fit import CalendarFit, calendar_fits
from csreport.report.chapters.context import ReportContext
from csreport.report.chapters.model import builds
from csreport.report.chapters.section_data import SectionData

#: the months of the channel-mix chart of the business overview (the period and the 11 before it)
OVERVIEW_MONTHS = 12


@builds("01.kpi_scorecard")
def service_level_trend(ctx: ReportContext) -> pd.DataFrame:
    """The service-level series of the scorecard's chart: the 13 months ending with the period, one row per
    month (columns period "YYYY-MM", value = share of queued contacts answered within the threshold, n = queued
    contacts, low, high = its interval, reason when n/a; :func:`csreport.metrics.scorecard.trend`)."""
    return ctx.trend("service_level")


@dataclass(repr=False)
class Scope(SectionData):
    """What the report covers: ``contacts`` = contacts of the unit in the period (sliced at its local midnight);
    ``first_contact`` / ``last_contact`` = the earliest and latest ``created_at`` of the whole contacts table
    (every unit; NaT when it is empty); the contract's tables ``present`` and ``missing`` in the data; per table
    present, the optional contract columns it lacks (``absent_columns``); ``own_calendar``: True when the unit
    has a calendar of its own (its own time zone), False for the run's zone or all units."""

    contacts: int
    first_contact: pd.Timestamp
    last_contact: pd.Timestamp
    present: list[str]
    missing: list[str]
    absent_columns: dict[str, list[str]]
    own_calendar: bool


@builds("01.scope")
def scope_data(ctx: ReportContext) -> Scope:
    """The :class:`Scope` of ``ctx``'s period × unit."""
    span = ctx.store.query("SELECT min(created_at) AS first, max(created_at) AS last FROM {contacts}")
    calendars = ctx.store.calendars
    own = ctx.unit != ALL_UNITS and calendars is not None and calendars.of(ctx.unit) is not None
    return Scope(
        contacts=len(ctx.contacts),
        first_contact=span["first"].iloc[0],
        last_contact=span["last"].iloc[0],
        present=[t for t in SCHEMAS if ctx.has(t)],
        missing=[t for t in SCHEMAS if not ctx.has(t)],
        absent_columns=absent_columns(ctx),
        own_calendar=own,
    )


def absent_columns(ctx: ReportContext) -> dict[str, list[str]]:
    """Per table present: the optional columns of the contract it lacks (the sections that need them say so)."""
    absent = {}
    for table in [t for t in SCHEMAS if ctx.has(t)]:
        have = set(ctx.store.columns(table))
        lacking = [c for c in SCHEMAS[table].columns if c not in have]
        if lacking:
            absent[table] = lacking
    return absent


@builds("01.data_quality")
def calendar_fit_data(ctx: ReportContext) -> list[CalendarFit]:
    """Per unit with a working calendar (the unit, or every unit for "all"): the share of its agents' activity
    in the period that falls outside the calendar's working hours (:func:`csreport.metrics.calendar_fit.
    calendar_fits`); ``fit.implausible`` marks a calendar that may not match the unit's real hours. The
    validation counts of the section come from ``ctx.ingest_report``."""
    return calendar_fits(ctx.store, ctx.period, ctx.unit, ctx.targets.parameters)


@dataclass(repr=False)
class ChannelMix(SectionData):
    """Contacts per month × channel over the :data:`OVERVIEW_MONTHS` months ending with the period (``counts``:
    index the month "YYYY-MM" of ``created_at`` in the unit's time zone, one column per channel code, 0 where a
    channel had none)."""

    counts: pd.DataFrame

    @property
    def shares(self) -> pd.DataFrame:
        """Each channel's share of the month's contacts: count / the month's contacts (rows sum to 1)."""
        return self.counts.div(self.counts.sum(axis=1), axis=0)

    @property
    def latest(self) -> pd.Series:
        """The last month's contacts per channel, largest first."""
        return self.counts.iloc[-1].sort_values(ascending=False)

    @property
    def total(self) -> int:
        """Contacts of all the months and channels."""
        return int(self.counts.to_numpy().sum())


@builds("01.overview")
def channel_mix(ctx: ReportContext) -> ChannelMix | None:
    """The :class:`ChannelMix` of the unit's contacts; None when it has no contact in those months. (The
    overview's volume sentence reads the scorecard's ``contacts`` row.)"""
    history = ctx.read("contacts", months=OVERVIEW_MONTHS, columns=["created_at", "channel"])
    if history.empty:
        return None
    history["period"] = history["created_at"].dt.strftime("%Y-%m")
    return ChannelMix(history.groupby(["period", "channel"]).size().unstack(fill_value=0))
