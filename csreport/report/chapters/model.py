"""The report model: everything the chapters show for one period × unit, built once and kept beside the store.

A chapter section is split in two:

* a **builder** (``@builds("03.bottlenecks")``) computes the section's numbers from the data, once per report, in
  no language: it returns a value of plain numbers, :class:`~csreport.metrics.measure.Measure` objects and DataFrames;
* the **section** (``@out.section``) only renders: it reads ``ctx.section_data("03.bottlenecks")`` (and the
  model's scorecard, findings, analyses, recommendations) and writes sentences, tables and charts in the report
  language. It never reads the store, computes a KPI or fits a model.

:func:`build_part` runs a chapter's builders once. The model is kept in one part per chapter
(``<work_dir>/computed/<period>_<unit>_<key16>.model-<chapter>.pkl``, with the same key, envelope, lock and atomic
write as the computed report of :mod:`csreport.report.computed`, so it is rebuilt whenever the data, the parameter
files, the analyst's thresholds or the package's code change). A run builds every part in its parent process
(:func:`build_for_run`) while the chapter kernels run; a kernel loads its own chapter's part, an analyst's
``ctx.model`` all of them (:func:`kept_model`).

:func:`rendering` gives a context over a kept model with the store taken away: the chapters render from the model
alone (``tests/test_report_model.py`` renders every chapter this way and compares it with a normal run).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csreport.data.store import Coverage
from csreport.report.computed import recommendations_path, report_key, report_path
from csreport.report.computed_analyses import analyses_path
from csreport.report.keeping import kept, reserving

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


def chapter_of(section: str) -> str:
    """The chapter number of section ``section`` (``"03"`` for ``"03.bottlenecks"``)."""
    return section.split(".", 1)[0]


def model_chapters() -> list[str]:
    """The chapters with sections in the model, in order (``["01", "02", ...]``)."""
    return sorted({chapter_of(name) for name in builders()})


def build_part(ctx: ReportContext, chapter: str) -> dict[str, Any]:
    """Chapter ``chapter``'s part of the model: each of its sections' data, by section name."""
    return {name: build(ctx) for name, build in builders().items() if chapter_of(name) == chapter}


def model_key(ctx: ReportContext) -> str:
    """The key of ``ctx``'s model: the computed report's (data fingerprint, period, unit, parameter files,
    thresholds, the package's code)."""
    return report_key(ctx.ingest_report.fingerprint, ctx.period, ctx.unit, ctx.params_digest)


def part_path(ctx: ReportContext, chapter: str, key: str | None = None) -> Path:
    """``<work_dir>/computed/<period>_<unit>_<key16>.model-<chapter>.pkl`` beside the computed report."""
    report = report_path(ctx.ingest_report.store_dir, ctx.period, ctx.unit, key or model_key(ctx))
    return report.with_name(f"{report.stem}.model-{chapter}.pkl")


def kept_part(ctx: ReportContext, chapter: str) -> dict[str, Any]:
    """Chapter ``chapter``'s part of the kept model, built and kept on first use (a process building it is
    waited for, then read). A chapter's kernel loads its own part only."""
    key = model_key(ctx)
    return kept(part_path(ctx, chapter, key), key, lambda: build_part(ctx, chapter))


def kept_model(ctx: ReportContext) -> ReportModel:
    """The whole kept model of ``ctx``: its data facts, the computed report, the analyses and every chapter's
    part (each built and kept on first use)."""
    store = ctx.store
    facts = DataFacts({t: list(store.columns(t)) for t in store.tables}, store.coverage(ctx.unit), store.zone(ctx.unit))
    model = ReportModel(model_key(ctx), ctx.period, ctx.unit, facts, ctx.report, ctx.analyses)
    for chapter in model_chapters():
        model.sections.update(kept_part(ctx, chapter))
    return model


def section_of(ctx: ReportContext, name: str) -> Any:
    """The data of section ``name``: from the model when ``ctx`` holds it whole, else from its chapter's kept part
    (so chapter 1's kernel waits for chapter 1's sections only)."""
    if "model" in ctx.__dict__:
        return ctx.model.section(name)
    part = kept_part(ctx, chapter_of(name))
    if name not in part:
        raise KeyError(f"the report model has no section {name!r}; sections: {', '.join(builders())}")
    return part[name]


def build_for_run(ctx: ReportContext, reserved: Callable[[], None], timed: Callable[[str, Callable], None]) -> None:
    """Build everything a run's chapters read, in the order they read it, holding each object's lock from the
    start (:func:`~csreport.report.keeping.reserving`; ``reserved()`` is called once the locks are held, before
    any kernel starts): the computed report, its recommendations in the report language, chapter 1's sections,
    then the analyses and the other chapters' sections. Chapter 1's kernel so renders while the analyses it does
    not show are computed; every kernel waits for exactly what it reads, and computes none of it. ``timed(name,
    work)`` runs and times each step."""
    key = model_key(ctx)
    report = report_path(ctx.ingest_report.store_dir, ctx.period, ctx.unit, key)
    first, *later = model_chapters()
    steps = [
        ("compute", report, lambda: ctx.report),
        ("recommendations", recommendations_path(report, ctx.lang), lambda: ctx.recommendations),
        (f"model_{first}", part_path(ctx, first, key), lambda: kept_part(ctx, first)),
        ("analyses", analyses_path(ctx.ingest_report.store_dir, ctx.period, ctx.unit, key), lambda: ctx.analyses),
    ] + [(f"model_{c}", part_path(ctx, c, key), functools.partial(kept_part, ctx, c)) for c in later]
    with reserving(path for _, path, _ in steps):
        reserved()
        for name, _, work in steps:
            timed(name, work)


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
