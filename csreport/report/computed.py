"""A report's numbers, computed once per (data fingerprint, period, unit, parameter files) and kept on disk next
to the validated store, so that the run, its six chapter kernels and an analyst's notebook all read the same
object instead of recomputing it.

What is kept (:class:`ComputedReport`): the scorecard, the findings, the evidence behind each finding (the rows a
manager can open; ``findings.json``, ``evidence/*.csv`` and the chapters read it from here, never recompute it),
and the KPI cache behind them (every KPI of the period, its previous month, the same month last year and the
13-month trend window, the baselines at the same age of a maturing month, plus the benchmark summaries), so that
``ctx.trend(...)`` and ``ctx.cache.kpis(...)`` read no data either; the analyses the findings and the chapters
share, who churns (chapter 2), the process costs (chapter 3) and the training needs (chapter 4), computed once for
both; and the attainment of the service standards (chapter 3 and the exports). Recommendations are written from
the kept findings once per report language and kept beside it (:func:`kept_recommendations`). The model-based
analyses of the chapters are kept beside it (:mod:`csreport.report.computed_analyses`).

Format (documented in the README): ``<work_dir>/computed/<period>_<unit>_<key16>.pkl``, a pickle of
``{"key": key, "csreport": version, "report": ComputedReport}``; ``key`` is the SHA-256 of the csreport
version, the digest of the package's source code (:func:`code_digest`), the data fingerprint, period, unit and
the bytes of the targets, findings-rules, recommendations and mapping files. Any change to the code that builds
or holds a kept object changes the digest, so no format number is bumped by hand. A file whose key differs is
recomputed, never trusted; files are written atomically (temporary file, then rename), so parallel runs never
read half a file. The directory is as trusted as the validated store beside it (pickle executes code when
loaded: do not load files from elsewhere).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

import csreport
from csreport import __version__
from csreport.analyses.churn_groups import ChurnGroups
from csreport.analyses.cost_benefit import ProcessCosts
from csreport.data.periods import parse_period
from csreport.data.store import Store
from csreport.findings.collect import (
    collect_findings,
    load_process_costs,
    load_training_needs,
    missing_inputs,
    who_churns,
)
from csreport.findings.effects import EffectGroup, group_effects
from csreport.findings.evidence import Evidence, collect_evidence, without
from csreport.findings.money import Economics, row_values
from csreport.findings.record import Finding
from csreport.findings.rules import Rules
from csreport.metrics.scorecard import KpiCache, attainment, scorecard
from csreport.metrics.targets import Targets
from csreport.report.keeping import kept

TREND_MONTHS = 13  # the chapters' trend charts: the period and the 12 months before it


@dataclass
class ComputedReport:
    """What every chapter of one period × unit reads: the scorecard, the findings and the KPI cache state.

    ``findings``: what is news this month; ``standing``: the standing issues; ``evidence`` and
    ``standing_evidence`` their rows, in the same orders; ``effects``: the findings and standing issues grouped
    into effects (indexes into ``findings + standing``); ``money_rows``: each of those items' monthly money per
    evidence row (None: not priced); ``economics``: what the money is built from."""

    key: str
    period: str
    unit: str
    fingerprint: str
    scorecard: pd.DataFrame
    findings: list[Finding]
    cache_state: dict
    evidence: list[Evidence]  # one per finding, in the findings' order
    who_churns: ChurnGroups | None = None  # None without a customers table
    process_costs: ProcessCosts | None = None
    standing: list[Finding] = field(default_factory=list)
    standing_evidence: list[Evidence] = field(default_factory=list)
    effects: list[EffectGroup] = field(default_factory=list)
    money_rows: list = field(default_factory=list)
    economics: Economics | None = None
    tests: int = 0  # news tests adjusted together (Benjamini–Hochberg)
    #: attainment of every service standard (:func:`~csreport.metrics.scorecard.attainment`): chapter 3's standards
    #: table and the exports' "service standards" sheet
    attainment: pd.DataFrame | None = None
    #: training needs of the ``training_months`` ending with the period (None without agents, agents.team or the
    #: contacts' agent_id, category, first_contact_resolution): the training-gap finding's and chapter 4's
    training_needs: pd.DataFrame | None = None

    @property
    def items(self) -> list[Finding]:
        """The findings, then the standing issues: what :attr:`effects` index."""
        return [*self.findings, *self.standing]

    @property
    def item_evidence(self) -> list[Evidence]:
        return [*self.evidence, *self.standing_evidence]


@functools.cache
def code_digest() -> str:
    """SHA-256 of the package's Python source (every ``csreport/**/*.py``, by relative path): a kept report is
    recomputed whenever the code that builds it changes, with no format number to bump by hand."""
    root = Path(csreport.__file__).parent  # the package's folder, wherever this module sits in it
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def report_key(fingerprint: str, period: str, unit: str, params_digest: str) -> str:
    """SHA-256 naming one computed report (see the module docstring for what it covers)."""
    parts = {"version": __version__, "code": code_digest(), "fingerprint": fingerprint, "period": period,
             "unit": unit, "params": params_digest}  # fmt: skip
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def report_path(store: Store | Path | str, period: str, unit: str, key: str) -> Path:
    """``<work_dir>/computed/<period>_<unit>_<key16>.pkl`` beside the store's directory (``store``: the store or
    its directory)."""
    return Path(getattr(store, "path", store)).parent / "computed" / f"{period}_{unit}_{key[:16]}.pkl"


def compute(
    store: Store, period: str, unit: str, targets: Targets, rules: Rules, key: str, fingerprint: str
) -> ComputedReport:
    """Compute the scorecard, the news and standing issues of ``period`` × ``unit``, their evidence, effects and
    money, and the KPIs of the trend window (the months the findings are tested against, at least the 13 the
    chapters' trends show), all in one KPI pass."""
    cache = KpiCache(store, targets)
    end = parse_period(period)
    trend_months = max(TREND_MONTHS, rules.baseline_months + 1)
    cache.preload([str(end - k) for k in range(trend_months - 1, -1, -1)], [unit])
    card = scorecard(store, period, unit, targets, cache)
    churn = who_churns(store, period, unit, rules) if store.has("customers") else None
    costs = load_process_costs(store, period, unit, targets.parameters)
    needs = None if missing_inputs(store, "training_gap") else load_training_needs(
        store, period, unit, targets.parameters, rules)  # fmt: skip
    found = collect_findings(store, period, unit, targets, rules, cache, churn_by_group=churn, costs=costs,
                             card=card, needs=needs)  # fmt: skip
    if found.calibration is not None:
        card = card.merge(found.calibration, on="kpi", how="left")
    evidence = collect_evidence(store, found.findings, cache.params, churn)
    evidence = _exclusions(found.findings, evidence)
    standing_evidence = collect_evidence(store, found.standing, cache.params, churn, prefix="s")
    customers = store.read("customers", unit=unit) if store.has("customers") else None
    economics = Economics.of(card, customers, targets.parameters)
    items, item_evidence = [*found.findings, *found.standing], [*evidence, *standing_evidence]
    effects = group_effects(items, item_evidence, [i < len(found.findings) for i in range(len(items))],
                            rules.effect_overlap, _populations(card, customers), rules.causes)  # fmt: skip
    spend = None
    if customers is not None and "monthly_spend" in customers.columns:
        spend = pd.to_numeric(customers.drop_duplicates("customer_id").set_index("customer_id")["monthly_spend"],
                              errors="coerce")  # fmt: skip
        spend.index = spend.index.astype(str)
    money_rows = [
        row_values(f, e, economics, spend, targets.parameters) for f, e in zip(items, item_evidence, strict=True)
    ]
    standards = attainment(store, period, unit, targets, cache)
    cache.benchmarks(period, unit)
    state = cache.state()
    return ComputedReport(key, period, unit, fingerprint, card, found.findings, state, evidence, churn, costs,
                          found.standing, standing_evidence, effects, money_rows, economics, found.tests,
                          standards, needs)  # fmt: skip


def _exclusions(findings: list[Finding], evidence: list[Evidence]) -> list[Evidence]:
    """A parent finding that holds beyond its children (``evidence["excluding"]``) keeps only the rest of its
    rows, so no row is told (or priced) twice."""
    keys = {(f.kind, f.metric, f.subject): e for f, e in zip(findings, evidence, strict=True)}
    out = []
    for finding, rows in zip(findings, evidence, strict=True):
        children = [keys[tuple(k)] for k in finding.evidence.get("excluding") or () if tuple(k) in keys]
        out.append(without(rows, children) if children else rows)
    return out


def _populations(card: pd.DataFrame, customers: pd.DataFrame | None) -> dict[str, int]:
    """How many contacts and customers a unit-month's evidence is drawn from (the chance overlap of two slices)."""
    values = card.set_index("kpi")["value"] if not card.empty else pd.Series(dtype=float)
    out = {}
    contacts = values.get("contacts")
    if contacts is not None and not pd.isna(contacts):
        out["contact_id"] = int(contacts)
    if customers is not None:
        out["customer_id"] = int(customers["customer_id"].nunique())
    return out


def computed_report(
    store: Store, period: str, unit: str, targets: Targets, rules: Rules, fingerprint: str, params_digest: str
) -> ComputedReport:
    """The kept report of this (fingerprint, period, unit, parameter files), computed and kept on first use."""
    key = report_key(fingerprint, period, unit, params_digest)
    path = report_path(store, period, unit, key)
    return kept(path, key, lambda: compute(store, period, unit, targets, rules, key, fingerprint))


def kept_recommendations(report_file: Path, key: str, lang: str, labels_digest: str, write: Callable[[], list]) -> list:
    """The recommendations of the report kept at ``report_file`` (under ``key``) in ``lang``: ``write()``
    (:func:`~csreport.findings.recommend.recommend_effects` over the report's effects, in that language), run
    once per report, language and labels file and kept beside the report as
    ``<period>_<unit>_<key16>.recommendations-<lang>.pkl``."""
    key_in_lang = hashlib.sha256(f"{key}\0{lang}\0{labels_digest}".encode()).hexdigest()
    return kept(recommendations_path(report_file, lang), key_in_lang, write)


def recommendations_path(report_file: Path, lang: str) -> Path:
    """``<period>_<unit>_<key16>.recommendations-<lang>.pkl`` beside the kept report at ``report_file``."""
    return report_file.with_name(f"{report_file.stem}.recommendations-{lang}.pkl")
