"""A batch on an existing ``dask.distributed`` cluster: ``csreport batch ... --scheduler tcp://host:8786``.

Each run is one task, ``run_report`` in a worker process, so a worker keeps whatever it warmed (imports, a warm
kernel) from one run to the next. The batch itself stays as on the local pool: the data is validated once by the
command, before any task; ``--resume`` skips unchanged runs before submitting; every submitted run comes back as
exactly one result, ``ok`` or ``failed``. A run whose worker dies (killed, out of memory) is retried by the
scheduler on another worker (up to ``distributed.scheduler.allowed-failures`` times, default 3); when every try
dies it is reported failed and gets a ``<unit>.failed/manifest.json`` saying so — never silently lost, and rerun
by ``--resume``.

Workers must see the data, the validated store and the output folder at the same paths as the command that
submits (a shared file system); the command checks this on every worker before submitting. Each worker's runs
share its cores as on the local pool: BLAS, OpenMP and DuckDB threads = the worker machine's cores // the
worker's threads. A worker process runs one report at a time (the warm engine keeps one kernel per process), so
start workers with ``--nthreads 1`` and as many processes (``--nworkers``) as parallel runs.

Dask's own bookkeeping costs a worker CPU that its runs then lack: the statistical profiler samples the running
task's stack every 10 ms and the event loop measures itself every 20 ms. On a 2-core machine with two workers they
took 18 % of a core while idle (4.9 % with :data:`WORKER_CONFIG`), and more during runs. The batch does not change
a cluster it is given; it names the settings when a worker runs with the defaults (README "Running at scale").
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable

from csreport.errors import ParameterError
from csreport.pipeline.run import RunResult, RunSpec, run_report

SCHEDULER_ENV = "CSREPORT_DASK_SCHEDULER"
CONNECT_TIMEOUT_S = 20
WORKER_WAIT_S = 60
_ONE_RUN_PER_PROCESS = threading.Lock()
# Worker settings for csreport's long, CPU-bound tasks: no statistical profiler (a 10 ms stack sample of a task that
# runs for half a minute tells nobody anything) and a 1 s event-loop tick instead of 20 ms.
WORKER_CONFIG = {"distributed.worker.profile.enabled": False, "distributed.admin.tick.interval": "1s"}


def worker_environment() -> dict[str, str]:
    """:data:`WORKER_CONFIG` as the environment variables a ``dask scheduler`` / ``dask worker`` command reads."""
    return {
        "DASK_" + key.upper().replace(".", "__").replace("-", "_"): str(value) for key, value in WORKER_CONFIG.items()
    }


def _untuned() -> list[str]:
    """The :data:`WORKER_CONFIG` keys this process's Dask config does not have."""
    import dask

    return sorted(k for k, v in WORKER_CONFIG.items() if str(dask.config.get(k, None)) != str(v))


def run_on_worker(spec: RunSpec, fingerprint: str, threads: dict[str, int] | None = None) -> RunResult:
    """The task: give this run its share of the worker machine's cores (``threads`` by worker address, from
    :func:`thread_shares`), then execute, merge and render the report."""
    from distributed import get_worker

    from csreport.pipeline.batch import _share_cores

    worker = get_worker()
    share = (threads or {}).get(worker.address) or (os.cpu_count() or 1) // max(1, worker.state.nthreads)
    _share_cores(max(1, share))
    with _ONE_RUN_PER_PROCESS:  # the warm engine keeps one kernel per process: runs in threads would share it
        return run_report(spec, fingerprint)


def check_worker(paths: list[str], writable: str) -> dict:
    """Runs on each worker before the batch: its host, cores and what it cannot see or write (None if all)."""
    import socket

    missing = [p for p in paths if not os.path.exists(p)]
    problem = f"cannot see {', '.join(missing)}" if missing else None
    if not problem and not os.access(writable, os.W_OK):
        problem = f"cannot write to {writable}"
    return {"host": socket.gethostname(), "cores": os.cpu_count() or 1, "problem": problem, "untuned": _untuned()}


def thread_shares(checks: dict[str, dict], nthreads: dict[str, int]) -> dict[str, int]:
    """Threads per run on each worker: its machine's cores // all worker threads on that machine (as the local
    pool gives each of its ``workers`` processes cores // workers)."""
    per_host: dict[str, int] = {}
    for worker, check in checks.items():
        per_host[check["host"]] = per_host.get(check["host"], 0) + nthreads.get(worker, 1)
    return {w: max(1, c["cores"] // per_host[c["host"]]) for w, c in checks.items()}


def connect(address: str):
    """A client of the scheduler at ``address``; a clear message when dask is missing or the scheduler is not
    there."""
    try:
        from distributed import Client
    except ImportError:
        raise ParameterError(
            f"--scheduler {address}: running on a Dask cluster needs dask.distributed; "
            f"pip install 'csreport[dask]' (or drop --scheduler / unset {SCHEDULER_ENV} to use the local pool)."
        ) from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ParameterError(
            f"--scheduler {address}: no Dask scheduler answered ({type(exc).__name__}). Start one with "
            f"'dask scheduler' and workers with 'dask worker {address}', or check the address."
        ) from None


def _check_workers(client, specs: list[RunSpec], on_notice: Callable[[str], None] | None = None) -> dict[str, int]:
    """Check that every worker sees the inputs and can write the output; return the threads per run by worker.
    ``on_notice`` is told when workers run with Dask's default profiler and tick (see :data:`WORKER_CONFIG`)."""
    first = specs[0]
    paths = sorted({str(p) for s in specs for p in (s.data_dir, s.work_dir, s.notebook_dir) if p is not None})
    first.out_dir.mkdir(parents=True, exist_ok=True)
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_S)  # a worker may be restarting
    except TimeoutError:
        raise ParameterError(
            f"--scheduler {client.scheduler.address}: the scheduler has had no workers for {WORKER_WAIT_S} s. "
            f"Start at least one with 'dask worker {client.scheduler.address}'."
        ) from None
    checks = client.run(check_worker, paths, str(first.out_dir))
    bad = {worker: c["problem"] for worker, c in checks.items() if c["problem"]}
    if bad:
        listed = "; ".join(f"{w}: {why}" for w, why in sorted(bad.items()))
        raise ParameterError(
            f"Dask workers must see the data and the output folder at the same paths as this command ({listed}). "
            f"Put them on a file system every worker mounts at the same path."
        )
    untuned = sorted({w for w, c in checks.items() if c.get("untuned")})
    if untuned and on_notice:
        variables = " ".join(f"{k}={v}" for k, v in worker_environment().items())
        on_notice(
            f"{len(untuned)} of {len(checks)} Dask workers run Dask's profiler every 10 ms and its 20 ms event-loop "
            f"tick, which take CPU from the reports; start workers with {variables} (README 'Running at scale')."
        )
    return thread_shares(checks, client.nthreads())


def _lost(spec: RunSpec, exc: BaseException) -> RunResult:
    """A run that came back without a result (its worker died on every try, or the cluster went away): failed,
    with a ``<unit>.failed/manifest.json`` that says why, so the index shows it and ``--resume`` reruns it."""
    if type(exc).__name__ == "KilledWorker":
        error = "the Dask worker running it died on every try (killed or out of memory); see the worker logs"
    else:
        error = f"no result from the Dask cluster: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    failed = spec.target.with_name(spec.target.name + ".failed")
    failed.mkdir(parents=True, exist_ok=True)
    manifest = {"status": "failed", "error": error, "failed_chapter": None, "period": spec.period,
                "unit": spec.unit, "lang": spec.lang, "parameters": spec.parameters(), "headline": {}}  # fmt: skip
    (failed / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return RunResult(spec, "failed", 0.0, error)


def run_on_dask(
    specs: list[RunSpec],
    fingerprint: str,
    address: str,
    on_done: Callable[[RunResult], None] | None = None,
    run: Callable[..., RunResult] | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> list[RunResult]:
    """Submit one task per spec to the cluster at ``address``; one result per spec, in completion order.

    ``run`` is the task function, called as ``run(spec, fingerprint, threads)`` (default :func:`run_on_worker`);
    ``on_notice`` receives advice about the cluster (untuned workers), for the command to show.
    """
    if not specs:
        return []
    from distributed import as_completed

    client = connect(address)
    try:
        threads = _check_workers(client, specs, on_notice)
        run = run or run_on_worker
        batch = uuid.uuid4().hex[:8]  # task keys unique across batches sharing a cluster
        futures = {
            client.submit(
                run, spec, fingerprint, threads, key=f"csreport-{batch}-{spec.period}-{spec.unit}-{spec.lang}"
            ): spec
            for spec in specs
        }
        results = []
        for future in as_completed(futures, loop=client.loop):
            spec = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost run is one failed run, not a failed batch
                result = _lost(spec, exc)
            results.append(result)
            if on_done:
                on_done(result)
        return results
    finally:
        client.close()
