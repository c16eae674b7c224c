"""The report context a chapter notebook opens: parameters checked, data validated (reused when unchanged),
and the data and results the chapter sections share, each computed once on first use."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from csreport import i18n
from csreport.analyses.agents import rate_ranking
from csreport.analyses.cost_benefit import ProcessCosts
from csreport.chapters import output
from csreport.errors import ParameterError
from csreport.findings.collect import collect_findings, load_process_costs
from csreport.findings.money import Economics
from csreport.findings.recommend import recommend
from csreport.findings.rules import load_rules
from csreport.ingest import IngestReport, ingest
from csreport.mapping import IDENTITY, load_mapping
from csreport.scorecard import KpiCache, scorecard, trend
from csreport.store import ALL_UNITS, Store, parse_period
from csreport.targets import Targets, load_targets

PERIOD_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
UNIT_PATTERN = re.compile(r"^[\w][\w.\- ]{0,63}$")


def check_period(period: str) -> str:
    """``YYYY-MM`` or a :class:`ParameterError` (periods become directory names)."""
    if not isinstance(period, str) or not PERIOD_PATTERN.match(period):
        raise ParameterError(f"period {period!r} is not a month like 2026-10 (YYYY-MM).")
    return period


def check_unit(unit: str) -> str:
    """A business unit name that is safe as one path component: letters, digits, ``_ - . space``, no
    separators and no ``..``; else a :class:`ParameterError`."""
    if not isinstance(unit, str) or not UNIT_PATTERN.match(unit) or ".." in unit:
        raise ParameterError(
            f"business unit {unit!r} cannot be used: use letters, digits, '_', '-', '.' or spaces "
            "(no path separators, no '..'), at most 64 characters."
        )
    return unit


@dataclass
class ReportContext:
    """One period × business unit in one language, over a validated store."""

    period: str
    unit: str
    lang: str
    store: Store
    targets: Targets
    ingest_report: IngestReport
    cache: KpiCache = field(init=False)

    def __post_init__(self):
        self.cache = KpiCache(self.store, self.targets)

    def t(self, key: str, **values) -> str:
        """The message ``key`` in the report language."""
        return i18n.text(key, self.lang, **values)

    @property
    def month(self) -> str:
        return i18n.month(self.period, self.lang)

    @property
    def unit_label(self) -> str:
        return self.t("report.all_units") if self.unit == ALL_UNITS else self.unit

    def has(self, table: str) -> bool:
        return table in self.store.tables

    def read(self, table: str, months: int = 1, columns: list[str] | None = None) -> pd.DataFrame:
        """Rows of ``table`` for this unit in the ``months`` months ending with the period."""
        return self.store.read(table, self.period, self.unit, months, columns)

    def read_all(self, table: str) -> pd.DataFrame:
        """Every row of ``table`` for this unit (tables without a time column: customers, agents)."""
        return self.store.read(table, unit=self.unit)

    def agent_months(self, months: int = 1) -> pd.DataFrame:
        """agent_months rows of the ``months`` months ending with the period, for this unit's agents
        (agent_months has no unit column: the unit comes from the agents table)."""
        rows = self.read("agent_months", months)
        if self.unit != ALL_UNITS and not rows.empty and self.has("agents"):
            rows = rows[rows["agent_id"].isin(self.read_all("agents")["agent_id"])]
        return rows

    @cached_property
    def contacts(self) -> pd.DataFrame:
        return self.read("contacts")

    @cached_property
    def history(self) -> pd.DataFrame:
        """Contacts of this unit in the 24 months ending with the period (trends, models, follow-up)."""
        return self.read("contacts", months=24)

    @cached_property
    def surveys_history(self) -> pd.DataFrame:
        return self.read("surveys", months=24)

    def missing(self, what: str) -> None:
        """Say in one sentence that a section's input is missing (the section then moves on)."""
        output.say(self.t("report.missing", what=what))

    @cached_property
    def scorecard(self) -> pd.DataFrame:
        self.cache.preload([self.period], [self.unit])
        return scorecard(self.store, self.period, self.unit, self.targets, self.cache)

    def trend(self, kpi: str, months: int = 13) -> pd.DataFrame:
        """Monthly series of ``kpi`` ending with the period; the months are computed together, once."""
        end = parse_period(self.period)
        self.cache.preload([str(end - k) for k in range(months - 1, -1, -1)], [self.unit])
        return trend(self.store, kpi, self.unit, months, self.period, self.targets, self.cache)

    @cached_property
    def agent_fcr_ranking(self):
        """First-contact resolution per agent over the last 3 months, ranked with funnel limits (chapter 4's
        ranking and its training link use the same one)."""
        contacts = self.read("contacts", 3, ["agent_id", "first_contact_resolution"])
        return rate_ranking(contacts, "first_contact_resolution", self.read_all("agents"))

    @cached_property
    def rules(self):
        params = self.targets.parameters
        return load_rules(confidence=params.confidence, min_sample=params.min_sample)

    @cached_property
    def findings(self):
        return collect_findings(self.store, self.period, self.unit, self.targets, self.rules, self.cache)

    @cached_property
    def recommendations(self):
        return recommend(self.findings, self.lang, economics=self.economics)

    @cached_property
    def economics(self) -> Economics:
        """What the money on recommendations is built from (cost per contact, monthly spend, agent-hour cost)."""
        customers = self.read_all("customers") if self.has("customers") else None
        return Economics.of(self.scorecard, customers, self.targets.parameters)

    @cached_property
    def process_costs(self) -> ProcessCosts:
        """Cost-benefit per service process (channel × category) of the period."""
        return load_process_costs(self.store, self.period, self.unit, self.targets.parameters)


def open_report(
    period: str,
    business_unit: str = ALL_UNITS,
    lang: str = "en",
    data_dir: str | Path | None = "../data/sample",
    work_dir: str | Path = "../reports/_validated",
    targets_file: str | Path | None = None,
    mapping_file: str | Path | None = None,
) -> ReportContext:
    """Check the parameters, validate ``data_dir`` into ``work_dir`` (reused when its fingerprint is
    unchanged; ``data_dir`` empty or None reads the database in ``CSREPORT_DB_URL``) and return the context."""
    check_period(period)
    check_unit(business_unit)
    i18n.check_lang(lang)
    if data_dir and not Path(data_dir).is_dir():
        raise ParameterError(
            f"data directory {data_dir} not found. Generate the sample with 'make sample' or pass data_dir."
        )
    mapping = load_mapping(mapping_file) if mapping_file else IDENTITY
    report = ingest(data_dir or None, work_dir, mapping)
    store = Store(Path(report.store_dir))
    units = store.units()
    if business_unit != ALL_UNITS and business_unit not in units:
        raise ParameterError(f"business unit {business_unit!r} has no contacts; units: {', '.join(units)} or all.")
    return ReportContext(period, business_unit, lang, store, load_targets(targets_file), report)
