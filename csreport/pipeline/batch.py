"""Many reports at once: a grid of periods × units run by a pool of worker processes, one failed run never
stopping the others, ``--resume`` skipping runs whose inputs are unchanged, and the index page at the end."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from csreport.data.calendars import load_calendars
from csreport.data.periods import expand_periods, parse_period  # noqa: F401 - expand_periods: this module's interface too
from csreport.data.store import ALL_UNITS, Store
from csreport.errors import ParameterError
from csreport.params_file import read_params_file
from csreport.pipeline.run import RunResult, RunSpec, inputs_key, prepare, run_report


def expand_units(text: str, available: list[str]) -> list[str]:
    """``all`` → every unit in the data plus the all-units report; else the listed units (checked)."""
    if str(text).strip() == ALL_UNITS:
        return [*available, ALL_UNITS]
    units = [u.strip() for u in str(text).split(",") if u.strip()]
    unknown = [u for u in units if u != ALL_UNITS and u not in available]
    if unknown:
        names = ", ".join(repr(u) for u in unknown)
        raise ParameterError(
            f"business unit{'s' if len(unknown) > 1 else ''} {names} {'have' if len(unknown) > 1 else 'has'} no "
            f"contacts; units: {', '.join(available)} or all."
        )
    return units


def runs_in_data(specs: list[RunSpec], store: Store, every_unit: bool = False) -> tuple[list[RunSpec], list[str]]:
    """The runs of ``specs`` whose period has data for their unit, and a note for each unit and period left out.

    A period outside a unit's data is the user's mistake, as in ``csreport run``: a :class:`ParameterError`
    naming every such period at once, before any run starts. Only when the units were not named (``--units
    all``: ``every_unit``) is a unit whose data starts later or ends earlier left out of a period, with a note;
    a period outside the data of every unit is an error all the same."""
    if not specs:
        return [], []
    settings = specs[0].settings
    store = store.with_calendars(load_calendars(settings.calendars, default_zone=store.run_zone))
    whole = store.coverage(ALL_UNITS)
    kept, notes, outside = [], {}, {}
    for spec in specs:
        coverage = store.coverage(spec.unit)
        if coverage is None or coverage.contains(spec.period):
            kept.append(spec)
        elif every_unit and spec.unit != ALL_UNITS and whole is not None and whole.contains(spec.period):
            notes[(spec.unit, spec.period)] = (
                f"{spec.unit} has no contacts in {spec.period} (its contacts run from {coverage.first_day.date()} "
                f"to {coverage.last_day.date()}): no report for it in that month."
            )
        else:
            outside.setdefault(spec.unit, (coverage, []))[1].append(spec.period)
    if outside:
        problems = []
        for unit, (coverage, periods) in outside.items():
            periods = sorted(set(periods))
            where = "the data" if unit == ALL_UNITS else f"the data of unit {unit}"
            problems.append(
                f"period{'s' if len(periods) > 1 else ''} {_spans(periods)} {'are' if len(periods) > 1 else 'is'} "
                f"outside {where}: contacts from {coverage.first_day.date()} to {coverage.last_day.date()}."
            )
        raise ParameterError(" ".join(problems) + " Choose --periods in that range.")
    return kept, list(notes.values())


def _spans(periods: list[str]) -> str:
    """Sorted months as runs: ``2026-11:2027-02, 2027-05``."""
    runs: list[list[str]] = []
    for period in periods:
        if runs and str(parse_period(runs[-1][-1]) + 1) == period:
            runs[-1].append(period)
        else:
            runs.append([period])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}:{r[-1]}" for r in runs)


GRID_KEYS = ("periods", "units", "langs", "workers", "mapping")


def read_grid(path: Path) -> dict:
    """``params/batch.yml``: periods, units, langs (optional), workers (optional) and mapping (optional: a
    params/mapping/*.yml file, a path like ``--mapping``'s: relative to the working directory)."""
    raw = read_params_file(path, "batch file", "See params/batch.yml for the keys.")
    unknown = set(raw) - set(GRID_KEYS)
    if unknown:
        raise ParameterError(f"{path}: unknown keys {sorted(unknown)}; known: {', '.join(GRID_KEYS)}.")
    if raw.get("mapping"):
        raw["mapping"] = Path(str(raw["mapping"]))
    return raw


def _unchanged(spec: RunSpec, fingerprint: str) -> bool:
    manifest = spec.target / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        done = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return done.get("status") == "ok" and done.get("inputs_key") == inputs_key(spec, fingerprint)


def _run(spec: RunSpec, fingerprint: str) -> RunResult:
    return run_report(spec, fingerprint)


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "CSREPORT_THREADS")


def _share_cores(threads: int) -> None:
    """Worker initialiser: this worker and the kernels it starts use ``threads`` threads (BLAS, OpenMP and
    DuckDB), so that parallel runs share the cores instead of each reaching for all of them."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)


def run_batch(
    specs: list[RunSpec],
    workers: int = 1,
    resume: bool = False,
    on_done: Callable[[RunResult], None] | None = None,
    fingerprint: str | None = None,
    scheduler: str | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> list[RunResult]:
    """Run ``specs`` with ``workers`` processes, or on the Dask cluster whose scheduler is at ``scheduler``
    (:mod:`csreport.pipeline.dask_executor`); the data is validated once, before any worker starts (or by the
    caller, who passes the ``fingerprint`` it validated); no run re-hashes the inputs. ``on_notice`` receives
    advice about the Dask cluster for the caller to show."""
    if not specs:
        return []
    # same work_dir as the runs
    fingerprint = prepare(replace(specs[0], unit=ALL_UNITS), fingerprint or "").ingest_report.fingerprint
    results: list[RunResult] = []
    todo = []
    for spec in specs:
        if resume and _unchanged(spec, fingerprint):
            result = RunResult(spec, "skipped", 0.0)
            results.append(result)
            if on_done:
                on_done(result)
        else:
            todo.append(spec)
    try:
        return results + _execute(todo, fingerprint, workers, scheduler, on_done, on_notice)
    finally:
        remove_leftovers(todo)


def remove_leftovers(specs: list[RunSpec]) -> list[Path]:
    """Delete the work directories (``.<unit>.tmp-*``) and set-aside old reports (``.<unit>.old-*``) that runs
    of ``specs`` left when their process was killed (a run removes its own when it ends); called when every run
    of the batch has ended, so none of them is in use. The removed paths are returned."""
    removed = []
    for spec in specs:
        for pattern in (f".{spec.target.name}.tmp-*", f".{spec.target.name}.old-*"):
            for path in spec.target.parent.glob(pattern):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _execute(
    todo: list[RunSpec], fingerprint: str, workers: int, scheduler: str | None, on_done, on_notice=None
) -> list[RunResult]:
    results: list[RunResult] = []
    if scheduler:
        from csreport.pipeline.dask_executor import run_on_dask

        return run_on_dask(todo, fingerprint, scheduler, on_done, on_notice=on_notice)
    if workers <= 1:
        for spec in todo:
            result = _run(spec, fingerprint)
            results.append(result)
            if on_done:
                on_done(result)
        return results
    # spawn, not fork: the parent holds DuckDB and thread-pool threads, and a forked child can inherit a held lock
    threads = max(1, (os.cpu_count() or 1) // workers)
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_share_cores,
        initargs=(threads,),
    ) as pool:
        futures = {pool.submit(_run, spec, fingerprint): spec for spec in todo}
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a crashed worker is one failed run, not a failed batch
                result = RunResult(futures[future], "failed", 0.0, f"worker crashed: {type(exc).__name__}: {exc}")
            results.append(result)
            if on_done:
                on_done(result)
    return results
