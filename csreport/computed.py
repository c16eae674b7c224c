"""A report's numbers, computed once per (data fingerprint, period, unit, parameter files) and kept on disk next
to the validated store, so that the run, its six chapter kernels and an analyst's notebook all read the same
object instead of recomputing it.

What is kept (:class:`ComputedReport`): the scorecard, the findings, the evidence behind each finding (the rows a
manager can open; ``findings.json``, ``evidence/*.csv`` and the chapters read it from here, never recompute it),
and the KPI cache behind them (every KPI of the period, its previous month, the same month last year and the
13-month trend window, plus the benchmark summaries), so that ``ctx.trend(...)`` and ``ctx.cache.kpis(...)`` read
no data either; and the two analyses the findings and the chapters share, who churns (chapter 2) and the process
costs (chapter 3), computed once for both. Recommendations are written from the kept findings in the report
language on use. The model-based analyses of the chapters are kept beside it (:mod:`csreport.computed_analyses`).

Format (documented in the README): ``<work_dir>/computed/<period>_<unit>_<key16>.pkl``, a pickle of
``{"format": FORMAT, "key": key, "csreport": version, "report": ComputedReport}``; ``key`` is the SHA-256 of the
format, the csreport version, the data fingerprint, period, unit and the bytes of the targets, findings-rules,
recommendations and mapping files. A file whose format or key differs is recomputed, never trusted; files are
written atomically (temporary file, then rename), so parallel runs never read half a file. The directory is as
trusted as the validated store beside it (pickle executes code when loaded: do not load files from elsewhere).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from csreport import __version__
from csreport.analyses.churn_groups import ChurnGroups
from csreport.analyses.cost_benefit import ProcessCosts
from csreport.findings.collect import collect_findings, load_process_costs, who_churns
from csreport.findings.evidence import Evidence, collect_evidence
from csreport.findings.record import Finding
from csreport.findings.rules import Rules
from csreport.runparams import parse_period
from csreport.scorecard import KpiCache, scorecard
from csreport.store import Store
from csreport.targets import Targets

FORMAT = 3  # 2: the evidence is kept with the findings; 3: who churns and the process costs too
TREND_MONTHS = 13  # the chapters' trend charts: the period and the 12 months before it


@dataclass
class ComputedReport:
    """What every chapter of one period × unit reads: the scorecard, the findings and the KPI cache state."""

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


def report_key(fingerprint: str, period: str, unit: str, params_digest: str) -> str:
    """SHA-256 naming one computed report (see the module docstring for what it covers)."""
    parts = {"format": FORMAT, "version": __version__, "fingerprint": fingerprint, "period": period, "unit": unit,
             "params": params_digest}  # fmt: skip
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def report_path(store: Store, period: str, unit: str, key: str) -> Path:
    """``<work_dir>/computed/<period>_<unit>_<key16>.pkl`` beside the store's directory."""
    return Path(store.path).parent / "computed" / f"{period}_{unit}_{key[:16]}.pkl"


def compute(
    store: Store, period: str, unit: str, targets: Targets, rules: Rules, key: str, fingerprint: str
) -> ComputedReport:
    """Compute the scorecard and the findings of ``period`` × ``unit``, and the KPIs of the trend window.

    The scorecard and findings are computed from the KPIs of the period, its previous month and the same month
    last year, computed together (as a run always did); the trend window's other months are computed together
    as a chapter's trend always did, and added without replacing those (one value per KPI and month)."""
    cache = KpiCache(store, targets)
    cache.preload([period], [unit])
    card = scorecard(store, period, unit, targets, cache)
    churn = who_churns(store, period, unit, rules) if store.has("customers") else None
    costs = load_process_costs(store, period, unit, targets.parameters)
    findings = collect_findings(store, period, unit, targets, rules, cache, churn_by_group=churn, costs=costs)
    evidence = collect_evidence(store, findings, cache.params)
    cache.benchmarks(period, unit)
    state = cache.state()
    window = KpiCache(store, targets)
    end = parse_period(period)
    window.preload([str(end - k) for k in range(TREND_MONTHS - 1, -1, -1)], [unit])
    for month, kpis in window.state()["kpis"].items():
        state["kpis"].setdefault(month, kpis)
    return ComputedReport(key, period, unit, fingerprint, card, findings, state, evidence, churn, costs)


def load(path: Path, key: str) -> ComputedReport | None:
    """The report kept at ``path`` if it is of this format and key, else None."""
    try:
        with path.open("rb") as fh:
            kept = pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("format") != FORMAT or kept.get("key") != key:
        return None
    return kept["report"]


def save(path: Path, report: ComputedReport) -> None:
    """Write ``report`` atomically (a temporary file in the same directory, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump({"format": FORMAT, "key": report.key, "csreport": __version__, "report": report}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)  # fmt: skip
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def computed_report(
    store: Store, period: str, unit: str, targets: Targets, rules: Rules, fingerprint: str, params_digest: str
) -> ComputedReport:
    """The kept report of this (fingerprint, period, unit, parameter files), computed and kept on first use."""
    key = report_key(fingerprint, period, unit, params_digest)
    path = report_path(store, period, unit, key)
    report = load(path, key)
    if report is None:
        with _computing(path):  # a process already computing this report is waited for, then read
            report = load(path, key)
            if report is None:
                report = compute(store, period, unit, targets, rules, key, fingerprint)
                save(path, report)
    return report


@contextmanager
def _computing(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` while computing the report kept at ``path``.

    A run computes its report in the background while its first chapter's kernel starts; the kernel asks for the
    same report and waits here instead of computing it a second time (an flock, as ingest's, released when
    the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
