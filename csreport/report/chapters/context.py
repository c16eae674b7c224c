"""The report context a chapter notebook opens: parameters checked, data validated (reused when unchanged; not
even re-hashed when the run passes the fingerprint it validated), and the report's numbers computed once per
(data, period, unit, parameter files) and kept beside the store (:mod:`csreport.report.computed`): the run, every
chapter and an analyst's notebook read the same :class:`~csreport.report.computed.ComputedReport`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from csreport.analyses.agents import rate_ranking
from csreport.analyses.churn_groups import ChurnGroups
from csreport.analyses.cost_benefit import ProcessCosts
from csreport.data.calendars import load_calendars
from csreport.data.ingest import IngestReport, ingest
from csreport.data.mapping import IDENTITY, load_mapping, run_labels
from csreport.data.periods import check_period, check_unit, parse_period
from csreport.data.store import ALL_UNITS, Store
from csreport.errors import ParameterError
from csreport.findings.money import Economics
from csreport.findings.recommend import load_recommendation_rules, recommend_effects
from csreport.findings.rules import load_rules
from csreport.language import i18n
from csreport.language.labels import Labels
from csreport.metrics.measure import Measure
from csreport.metrics.scorecard import KpiCache, trend
from csreport.metrics.targets import Targets, load_targets, with_thresholds
from csreport.report.chapters import output
from csreport.report.computed import ComputedReport, computed_report, kept_recommendations, report_path
from csreport.report.computed_analyses import ReportAnalyses, computed_analyses
from csreport.settings import Settings


@dataclass
class ReportContext:
    """One period × business unit in one language, over a validated store."""

    period: str
    unit: str
    lang: str
    store: Store
    targets: Targets
    ingest_report: IngestReport
    settings: Settings | None = None
    #: the analyst's thresholds (notebook parameters) that replaced the targets file's values; part of the key of
    #: the report computed once, so a changed threshold computes its own
    thresholds: dict = field(default_factory=dict)
    cache: KpiCache = field(init=False)

    def __post_init__(self):
        self.cache = KpiCache(self.store, self.targets)
        self.settings = self.settings or Settings.resolve()

    def t(self, key: str, **values) -> str:
        """The message ``key`` in the report language."""
        return i18n.text(key, self.lang, **values)

    def plural(self, key: str, count, **values) -> str:
        """The message ``key`` in the plural form of ``count`` (:func:`csreport.language.i18n.plural`)."""
        return i18n.plural(key, count, self.lang, **values)

    def say(self, *sentences: str) -> None:
        """A paragraph of sentences, joined as the report language joins them (a space, or none in Chinese)."""
        output.say(*sentences, sep=i18n.settings(self.lang).sentences)

    def with_small_note(self, caption: str, frame, note: str) -> str:
        """``caption`` followed by ``note`` (what ⚠ means) when a cell of ``frame`` carries the small-sample
        mark, joined as the report language joins sentences."""
        return output.with_small_note(caption, frame, note, sep=i18n.settings(self.lang).sentences)

    @cached_property
    def labels(self) -> Labels:
        """Display names of data values (``params/labels.yml`` and the mapping's labels)."""
        return run_labels(self.settings)

    def label(self, kind: str, code) -> str:
        """The display name of a data value in the report language, e.g. ``label("channel", "chat")``."""
        return self.labels.name(kind, code, self.lang)

    @property
    def month(self) -> str:
        return i18n.month(self.period, self.lang)

    @property
    def coverage(self):
        """The first and last contact of this unit (:class:`csreport.data.store.Coverage`)."""
        return self.store.coverage(self.unit)

    @property
    def unit_label(self) -> str:
        return self.t("report.all_units") if self.unit == ALL_UNITS else self.label("units", self.unit)

    def has(self, table: str) -> bool:
        return table in self.store.tables

    def read(self, table: str, months: int = 1, columns: list[str] | None = None) -> pd.DataFrame:
        """Rows of ``table`` for this unit in the ``months`` months ending with the period, sliced at the unit's
        local midnight, with timestamps in the unit's time zone (hour-of-day views show its own hours)."""
        return self.store.read(table, self.period, self.unit, months, columns, local=True)

    @property
    def zone(self) -> str:
        """The time zone of this report's months and hours (:meth:`csreport.data.store.Store.zone`)."""
        return self.store.zone(self.unit)

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
        """Say in one sentence that a section's input is missing and how to add it (the section then moves on)."""
        output.say(self.t("report.missing", what=what))

    def not_enough(self, reason: str | None) -> None:
        """Say in one sentence why an analysis has no result (its reason in the report language)."""
        output.say(self.t("report.not_enough", reason=i18n.reason(reason, self.lang)))

    def absent_columns(self, table: str, *columns: str) -> list[str]:
        """Those of ``columns`` that ``table`` lacks (all of them when the table is absent)."""
        have = set(self.store.columns(table)) if self.has(table) else set()
        return [c for c in columns if c not in have]

    @cached_property
    def report(self) -> ComputedReport:
        """The report's numbers, computed once per (data fingerprint, period, unit, parameter files) and kept on
        disk beside the store; the KPI cache takes over its state, so trends read nothing either."""
        report = computed_report(self.store, self.period, self.unit, self.targets, self.rules,
                                 self.ingest_report.fingerprint, self.params_digest)  # fmt: skip
        self.cache.restore(report.cache_state)
        return report

    @cached_property
    def model(self):
        """The whole report model (:mod:`csreport.report.chapters.model`): every section's data, built once per
        (data fingerprint, period, unit, parameter files, thresholds) and kept beside the store."""
        from csreport.report.chapters.model import kept_model

        return kept_model(self)

    def section_data(self, name: str):
        """The data of section ``name`` (``"03.bottlenecks"``) from the report model: what the section renders
        (read from its chapter's kept part, so a chapter waits for its own sections only)."""
        from csreport.report.chapters.model import section_of

        return section_of(self, name)

    @property
    def params_digest(self) -> str:
        """SHA-256 of the parameter files and the thresholds set for this report (the computed report's key)."""
        if not self.thresholds:
            return self.settings.digest()
        given = json.dumps(self.thresholds, sort_keys=True, default=str)
        return hashlib.sha256(f"{self.settings.digest()}\0{given}".encode()).hexdigest()

    @property
    def scorecard(self) -> pd.DataFrame:
        """One row per KPI: value, n, interval, previous month, same month last year, target, status."""
        return self.report.scorecard

    def measure(self, kpi: str) -> Measure:
        """The KPI ``kpi`` of the period as computed: value, n, interval, method or the reason it is not
        available (:class:`~csreport.metrics.measure.Measure`)."""
        kpis = self._kpis()
        if kpi not in kpis:
            raise KeyError(f"unknown KPI {kpi!r}; KPIs: {', '.join(kpis)}")
        return kpis[kpi]

    def measures(self, *kpis: str) -> pd.DataFrame:
        """The KPIs ``kpis`` of the period (every KPI when none is named; a KPI this data cannot compute is left
        out) as a DataFrame indexed by KPI: value, unit, n, low, high (the interval), method and reason."""
        computed = self._kpis()
        rows = [
            {
                "kpi": k,
                "value": m.value,
                "unit": m.unit,
                "n": m.n,
                "low": m.low,
                "high": m.high,
                "method": m.method,
                "reason": m.reason,
            }
            for k in (kpis or computed)
            if (m := computed.get(k)) is not None
        ]
        columns = ["kpi", "value", "unit", "n", "low", "high", "method", "reason"]
        return pd.DataFrame(rows, columns=columns).set_index("kpi")

    def _kpis(self) -> dict[str, Measure]:
        self.report  # noqa: B018 - the report computed once restores the KPI cache: nothing is computed again
        return self.cache.kpis(self.period, self.unit)

    def trend(self, kpi: str, months: int = 13) -> pd.DataFrame:
        """Monthly series of ``kpi`` ending with the period; the months are computed together, once."""
        end = parse_period(self.period)
        self.cache.preload([str(end - k) for k in range(months - 1, -1, -1)], [self.unit])
        return trend(self.store, kpi, self.unit, months, self.period, self.targets, self.cache)

    @cached_property
    def agent_fcr_ranking(self):
        """First-contact resolution per agent over the last 3 months, ranked with funnel limits (chapter 4's
        ranking and its training link use the same one)."""
        wanted = ["agent_id", "first_contact_resolution"]
        contacts = self.read("contacts", 3, [c for c in wanted if c in self.store.columns("contacts")] or None)
        return rate_ranking(contacts, "first_contact_resolution", self.read_all("agents"))

    @cached_property
    def rules(self):
        params = self.targets.parameters
        return load_rules(self.settings.findings, confidence=params.confidence, min_sample=params.min_sample)

    @property
    def findings(self):
        """What is news this month (:mod:`csreport.findings.news`)."""
        return self.report.findings

    @property
    def standing(self):
        """The standing issues: structural differences and conditions that already held before this month, each
        with the month it was first seen."""
        return self.report.standing

    @cached_property
    def recommendations(self):
        """One recommendation per effect (news first, then standing issues), money counted once; written once per
        report and language and kept beside the report (:func:`csreport.report.computed.kept_recommendations`), so
        findings.json, the exports and every chapter read the same list."""
        report = self.report

        def write():
            rules = load_recommendation_rules(self.settings.recommendations)
            return recommend_effects(report.items, report.effects, self.lang, rules, self.economics,
                                     report.money_rows, [e.finding_id for e in report.item_evidence],
                                     labels=self.labels)  # fmt: skip

        # the store's directory from the validation: a rendering of the kept model has no store to ask
        path = report_path(self.ingest_report.store_dir, self.period, self.unit, report.key)
        return kept_recommendations(path, report.key, self.lang, self.settings.digest("labels"), write)

    @cached_property
    def value_at_stake_total(self) -> float | None:
        """The report's value at stake: every recommendation's rows together, each row counted once (the
        recommendations share no rows, :func:`~csreport.findings.recommend.recommend_effects`); None when none is
        priced."""
        priced = [r.money.value_at_stake for r in self.recommendations if r.money and r.money.value_at_stake]
        return sum(priced) if priced else None

    @property
    def economics(self) -> Economics:
        """What the money on recommendations is built from (cost per contact, monthly spend, agent-hour cost)."""
        return self.report.economics

    @property
    def process_costs(self) -> ProcessCosts:
        """Cost-benefit per service process (channel × category) of the period, computed once with the findings
        and kept with them (:class:`~csreport.report.computed.ComputedReport`)."""
        return self.report.process_costs

    @property
    def who_churns(self) -> ChurnGroups | None:
        """Churn by customer group (:func:`csreport.findings.collect.who_churns`), kept with the findings that
        name its groups; None without a customers table."""
        return self.report.who_churns

    @cached_property
    def analyses(self) -> ReportAnalyses:
        """The model-based analyses of the chapters (segmentation, drivers, comments, loyalty, forecast), computed
        once per (data fingerprint, period, unit, parameter files) and kept beside the report."""
        return computed_analyses(self.store, self.period, self.unit, self.targets, self.ingest_report.fingerprint,
                                 self.params_digest)  # fmt: skip

    @property
    def evidence(self):
        """The rows behind each finding, in the findings' order (:mod:`csreport.findings.evidence`), computed
        once with the findings and kept with them (:class:`~csreport.report.computed.ComputedReport`)."""
        return self.report.evidence

    def evidence_of(self, finding):
        """The evidence of one of this report's findings, or None."""
        for candidate, evidence in zip(self.findings, self.evidence, strict=True):
            if candidate is finding or candidate == finding:
                return evidence
        return None


def open_report(
    period: str,
    business_unit: str = ALL_UNITS,
    lang: str = "en",
    data_dir: str | Path | None = "../data/sample",
    work_dir: str | Path = "../reports/_validated",
    targets_file: str | Path | None = None,
    mapping_file: str | Path | None = None,
    fingerprint: str = "",
    params_dir: str | Path | None = None,
    thresholds: dict | None = None,
) -> ReportContext:
    """Check the parameters, validate ``data_dir`` into ``work_dir`` and return the context.

    ``fingerprint`` is what a run passes after validating once: when ``work_dir`` holds a store of that
    fingerprint it is used as it is (no input is re-hashed). Without it (JupyterLab on default parameters) the
    data is validated, and reused when its fingerprint is unchanged. ``data_dir`` empty or None reads the
    database in ``CSREPORT_DB_URL``. Parameter files come from ``params_dir`` (default: the folder of
    ``targets_file``, else the project's ``params/``, else the packaged defaults). ``thresholds`` (names of
    :data:`~csreport.metrics.targets.THRESHOLDS`: the notebook's threshold parameters) replace the targets file's values
    for this report; None or "" keeps the file's."""
    check_period(period)
    check_unit(business_unit)
    i18n.check_lang(lang)
    if data_dir and not Path(data_dir).is_dir():
        raise ParameterError(
            f"data_dir {data_dir}: folder not found. Set data_dir (the notebook's parameters cell) to the folder of "
            f"your tables, or generate sample data there with 'csreport sample-data --out {Path(data_dir).resolve()}'."
        )
    if params_dir is None and targets_file:
        params_dir = Path(targets_file).parent
    settings = Settings.resolve(params_dir, targets=targets_file, mapping=mapping_file)
    # the analyst's thresholds are checked before any data is read
    thresholds = {k: v for k, v in (thresholds or {}).items() if v is not None and v != ""}
    targets = with_thresholds(load_targets(settings.targets), **thresholds)
    report = validated(work_dir, fingerprint) if fingerprint else None
    if report is None:
        mapping = load_mapping(settings.mapping) if settings.mapping else IDENTITY
        report = ingest(data_dir or None, work_dir, mapping)
    store = Store(Path(report.store_dir))
    store = store.with_calendars(load_calendars(settings.calendars, default_zone=store.run_zone))
    # a run checked the unit against this store before passing its fingerprint (a DuckDB query saved per chapter)
    if business_unit != ALL_UNITS and not fingerprint and business_unit not in store.units():
        units = store.units()
        raise ParameterError(f"business unit {business_unit!r} has no contacts; units: {', '.join(units)} or all.")
    coverage = store.coverage(business_unit)
    if coverage is not None:
        coverage.check(period)  # a period outside the data is an error, not a report about 0 contacts
    return ReportContext(period, business_unit, lang, store, targets, report, settings, thresholds)


def validated(work_dir: str | Path, fingerprint: str) -> IngestReport | None:
    """The validation kept in ``work_dir`` if it is of ``fingerprint`` (what the run validated), else None."""
    manifest = Path(work_dir) / "ingest.json"
    try:
        report = IngestReport.from_json(json.loads(manifest.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return report if report.fingerprint == fingerprint else None
