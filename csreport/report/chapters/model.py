"""The report model: everything the chapters show for one period × unit, built once and kept beside the store.

A chapter section is split in two:

* a **builder** (``@builds("03.bottlenecks")``) computes the section's numbers from the data, once per report, in
  no language: it returns a value of plain numbers, :class:`~csreport.metrics.measure.Measure` objects and DataFrames;
* the **section** (``@out.section``) only renders: it reads ``ctx.section_data("03.bottlenecks")`` (and the
  model's scorecard, findings, analyses, recommendations) and writes sentences, tables and charts in the report
  language. It never reads the store, computes a KPI or fits a model.

:func:`build_model` runs every builder once. A run builds the model in its parent process while the first chapter
kernel starts; every kernel and an analyst's notebook then load the same kept model
(``<work_dir>/computed/<period>_<unit>_<key16>.model.pkl``, the same key, envelope, lock and atomic write as the
computed report of :mod:`csreport.report.computed`, so it is rebuilt whenever the data, the parameter files, the
analyst's thresholds or the package's code change).

:func:`rendering` gives a context over a kept model with the store taken away: the chapters render from the model
alone (``tests/test_report_model.py`` renders every chapter this way and compares it with a normal run).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from csreport.data.store import Coverage
from csreport.report.computed import kept, report_key, report_path

if TYPE_CHECKING:
    from csreport.report.chapters.context import ReportContext

#: section name ("<chapter number>.<section function>") → its builder; filled when the chapter modules import
BUILDERS: dict[str, Callable[[ReportContext], Any]] = {}

#: the modules holding builders (every chapter module)
CHAPTER_MODULES = ("background", "brief", "customers", "customers_loyalty", "service_quality", "staff",
                   "competition", "outlook")  # fmt: skip


def builds(name: str) -> Callable:
    """Register the decorated function as the builder of section ``name`` (e.g. ``"03.bottlenecks"``)."""

    def register(builder: Callable) -> Callable:
        if name in BUILDERS and BUILDERS[name] is not builder:
            raise ValueError(f"section {name!r} has two builders: {BUILDERS[name].__qualname__} and "
                             f"{builder.__qualname__}")  # fmt: skip
        BUILDERS[name] = builder
        return builder

    return register


def builders() -> dict[str, Callable]:
    """Every section builder, by name (the chapter modules imported first)."""
    for module in CHAPTER_MODULES:
        importlib.import_module(f"csreport.report.chapters.{module}")
    return dict(sorted(BUILDERS.items()))


@dataclass
class DataFacts:
    """What the chapters need to know of the data without reading it: its tables and columns, the unit's
    coverage (first and last contact) and time zone."""

    columns: dict[str, list[str]]  # table → its columns
    coverage: Coverage | None
    zone: str

    @property
    def tables(self) -> list[str]:
        return list(self.columns)


@dataclass
class ReportModel:
    """Every number one period × unit's report shows, in no language.

    ``report``: the scorecard, findings, standing issues, evidence, effects and money
    (:class:`~csreport.report.computed.ComputedReport`); ``analyses``: the model-based analyses
    (:class:`~csreport.report.computed_analyses.ReportAnalyses`); ``sections``: each section's data, by section name."""

    key: str
    period: str
    unit: str
    facts: DataFacts
    report: Any  # ComputedReport
    analyses: Any  # ReportAnalyses
    sections: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> Any:
        """The data of section ``name`` (``"03.bottlenecks"``)."""
        try:
            return self.sections[name]
        except KeyError:
            raise KeyError(f"the report model has no section {name!r}; sections: {', '.join(self.sections)}") from None

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # a notebook lists the sections, not every number
        from csreport.report.chapters.section_data import describe_model

        printer.text(describe_model(self))


def build_model(ctx: ReportContext, key: str) -> ReportModel:
    """Build the model of ``ctx``'s period × unit: the computed report, the analyses, then every section's data."""
    store = ctx.store
    facts = DataFacts({t: list(store.columns(t)) for t in store.tables}, store.coverage(ctx.unit), store.zone(ctx.unit))
    model = ReportModel(key, ctx.period, ctx.unit, facts, ctx.report, ctx.analyses)
    for name, builder in builders().items():
        model.sections[name] = builder(ctx)
    return model


def model_path(ctx: ReportContext, key: str):
    return report_path(ctx.store, ctx.period, ctx.unit, key).with_suffix(".model.pkl")


def kept_model(ctx: ReportContext, first: Callable[[], object] | None = None) -> ReportModel:
    """The kept model of ``ctx`` (data fingerprint, period, unit, parameter files, thresholds), built and kept on
    first use. ``first`` runs before the model is built, under its lock: a run computes the report, its
    recommendations and the analyses there, so a chapter kernel that asks for the model meanwhile waits for the
    run's instead of building one itself."""
    key = report_key(ctx.ingest_report.fingerprint, ctx.period, ctx.unit, ctx.params_digest)

    def build() -> ReportModel:
        if first is not None:
            first()
        return build_model(ctx, key)

    return kept(model_path(ctx, key), key, build)


class StoreRead(RuntimeError):
    """A section read the data while rendering a kept model (it must read ``ctx.section_data`` instead)."""


class _FactsStore:
    """Stands in for the store while rendering a kept model: it knows the data's tables, columns, coverage and time
    zone (the model's :class:`DataFacts`) and refuses every read."""

    def __init__(self, facts: DataFacts):
        self._facts = facts

    @property
    def tables(self) -> list[str]:
        return self._facts.tables

    def columns(self, table: str) -> list[str]:
        return list(self._facts.columns.get(table, []))

    def has(self, table: str, *columns: str) -> bool:
        return table in self._facts.columns and set(columns) <= set(self._facts.columns[table])

    def coverage(self, unit: str | None = None) -> Coverage | None:
        return self._facts.coverage

    def zone(self, unit: str | None = None) -> str:
        return self._facts.zone

    def __getattr__(self, name: str):
        raise StoreRead(f"a section used store.{name} while rendering the report model; a section reads "
                        f"ctx.section_data(...) and the model, and its builder reads the data")  # fmt: skip


def rendering(ctx: ReportContext, lang: str | None = None) -> ReportContext:
    """A context over ``ctx``'s kept model with the store taken away: a section that reads the data, computes a
    KPI outside the kept ones or fits a model raises :class:`StoreRead`. ``lang`` (default: ``ctx.lang``) is the
    language to render in."""
    from csreport.metrics.scorecard import KpiCache
    from csreport.report.chapters.context import ReportContext

    model = ctx.model
    store = _FactsStore(model.facts)
    view = ReportContext.__new__(ReportContext)
    view.__dict__.update(
        {
            k: v
            for k, v in ctx.__dict__.items()
            if k in ("period", "unit", "targets", "ingest_report", "settings", "thresholds", "rules")
        }
    )
    view.lang, view.store = lang or ctx.lang, store
    cache = KpiCache.__new__(KpiCache)
    cache.__dict__.update(ctx.cache.__dict__)
    cache.store = store
    cache._kpis, cache._same_age, cache._same_age_pending = {}, {}, None
    cache._benchmarks, cache._benchmark_summaries = None, {}
    cache.restore(model.report.cache_state)
    view.cache = cache
    view.__dict__.update(model=model, report=model.report, analyses=model.analyses)
    return view
