"""Scale benchmark (not a timed test): the Dask executor against the local pool, PostgreSQL against Parquet.

- reports: the grid of months × units on the local pool (2 processes) and on a 2-worker ``LocalCluster``
  (one thread each, with the worker settings README "Running at scale" recommends:
  ``csreport.pipeline.dask_executor.WORKER_CONFIG``; ``--dask-defaults`` uses Dask's defaults instead), both from
  the same validated sample; ratio Dask / local (target ≤ 1.15) and reports per hour per core;
- ingest: 2M contacts (the sample's contacts repeated with new ids) validated from a Parquet file and from a
  PostgreSQL table (``COPY`` streamed, as ``CSREPORT_DB_URL`` does): rows per second of each, their ratio, and
  each one's peak memory (its own process; target < 2 GB for PostgreSQL).

The issue's grid is 12 months × 4 units (48 reports each way, about 35 min each way on 2 cores); ``--grid 2x2``
runs a smaller one. The PostgreSQL server is the one in CSREPORT_TEST_PG_URL, or a throwaway one started with
tools/pg_test_server.sh. Writes benchmarks/results/scale.json. Usage::

    python benchmarks/scale.py --grid 12x4 [--contacts 2000000] [--skip-reports | --skip-ingest]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = Path(__file__).parent / "results"
WORK = Path(__file__).parent / "work"
TARGETS = {"dask_vs_local": 1.15, "postgres_peak_rss_gb": 2.0}

INGEST = r"""
import json, os, sys, time
from csreport.data.ingest import ingest
data, out = sys.argv[1] or None, sys.argv[2]
t = time.perf_counter()
report = ingest(data, out, force=True)
seconds = time.perf_counter() - t
contacts = report.tables["contacts"]
# VmHWM: this process's own peak resident memory (ru_maxrss would carry the parent's across fork and exec)
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"seconds": seconds, "rows": contacts.rows_read, "quarantined": contacts.rows_quarantined,
                  "peak_rss_gb": hwm / 1024**2}))
"""


def _ingest(data: str, out: Path, env: dict | None = None) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", INGEST, data, str(out)], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode:
        raise SystemExit(f"ingest of {data or 'CSREPORT_DB_URL'} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def reports(grid: tuple[int, int], sample: Path, dask_defaults: bool = False) -> dict:
    """The grid on the local pool, then on a 2-worker LocalCluster; same specs, separate output folders."""
    import dask
    from distributed import LocalCluster

    from csreport.data.store import ALL_UNITS
    from csreport.pipeline.batch import run_batch
    from csreport.pipeline.dask_executor import WORKER_CONFIG
    from csreport.pipeline.run import RunSpec, validate_data

    months, n_units = grid
    end = json.loads((sample / "_scenario_truth.json").read_text())["end"]
    import pandas as pd

    periods = [str(p) for p in pd.period_range(end=pd.Period(end, "M"), periods=months, freq="M")]
    work = Path(tempfile.mkdtemp(prefix="csreport-scale-"))
    timings = {}
    for name in ("local", "dask"):
        out = work / name
        _, store = validate_data(sample, out)  # validated before the clock starts, as the command does
        units = [*store.units(), ALL_UNITS][:n_units]
        specs = [RunSpec(p, u, "en", sample, out, renderer="builtin") for p in periods for u in units]
        if name == "local":
            t = time.perf_counter()
            results = run_batch(specs, workers=2)
        else:
            with (
                dask.config.set({} if dask_defaults else WORKER_CONFIG),
                LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
            ):
                t = time.perf_counter()
                results = run_batch(specs, scheduler=cluster.scheduler_address)
        seconds = time.perf_counter() - t
        failed = [f"{r.spec.period} {r.spec.unit}: {r.error}" for r in results if r.status != "ok"]
        timings[name] = {"seconds": round(seconds, 1), "runs": len(specs), "failed": failed}
        print(f"{name}: {len(specs)} reports in {seconds:.1f} s ({len(failed)} failed)", flush=True)
    cores = os.cpu_count() or 1
    local, dask = timings["local"]["seconds"], timings["dask"]["seconds"]
    return {
        "grid": f"{months} months x {n_units} units",
        "periods": periods,
        "runs_each_way": timings["local"]["runs"],
        "local_pool_seconds": local,
        "dask_localcluster_seconds": dask,
        "dask_vs_local": round(dask / local, 3),
        "dask_worker_config": "Dask defaults" if dask_defaults else WORKER_CONFIG,
        "failed": {"local": timings["local"]["failed"], "dask": timings["dask"]["failed"]},
        "reports_per_hour_per_core_local": round(timings["local"]["runs"] * 3600 / local / cores, 1),
        "reports_per_hour_per_core_dask": round(timings["dask"]["runs"] * 3600 / dask / cores, 1),
    }


def _two_million(sample: Path, contacts: int) -> Path:
    """contacts.parquet with ``contacts`` rows: the sample's contacts repeated, each copy with its own ids."""
    import duckdb

    target = WORK / f"contacts_{contacts}" / "contacts.parquet"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sample / "contacts.parquet"
        duckdb.execute(
            f"COPY (SELECT * REPLACE (contact_id || '-' || copy AS contact_id) FROM range(100) r(copy), "
            f"read_parquet('{source}') ORDER BY copy LIMIT {contacts}) TO '{target}' (FORMAT parquet)"
        )
    return target.parent


def ingest_rates(sample: Path, contacts: int) -> dict:
    from tests.postgres import create_database, drop_database, load_table, server_url

    data = _two_million(sample, contacts)
    admin, started = server_url()[0], None
    if admin is None:
        started = Path(tempfile.mkdtemp(prefix="csreport-pg-"))
        admin = subprocess.run(
            [str(ROOT / "tools/pg_test_server.sh"), "start", str(started)], capture_output=True, text=True, check=True
        ).stdout.strip()
    url = create_database(admin)
    try:
        t = time.perf_counter()
        load_table(url, "contacts", data / "contacts.parquet")
        load_seconds = time.perf_counter() - t
        parquet = _ingest(str(data), WORK / "scale_store_parquet")
        server = _ingest("", WORK / "scale_store_pg", env={**os.environ, "CSREPORT_DB_URL": url})
    finally:
        drop_database(admin, url)
        if started:
            subprocess.run([str(ROOT / "tools/pg_test_server.sh"), "stop", str(started)], check=False)
    assert parquet["rows"] == server["rows"] and parquet["quarantined"] == server["quarantined"]
    return {
        "contacts_rows": parquet["rows"],
        "parquet_seconds": round(parquet["seconds"], 2),
        "parquet_rows_per_s": round(parquet["rows"] / parquet["seconds"]),
        "postgres_seconds": round(server["seconds"], 2),
        "postgres_rows_per_s": round(server["rows"] / server["seconds"]),
        "postgres_vs_parquet_rate": round(
            (server["rows"] / server["seconds"]) / (parquet["rows"] / parquet["seconds"]), 3
        ),
        "parquet_peak_rss_gb": round(parquet["peak_rss_gb"], 2),
        "postgres_peak_rss_gb": round(server["peak_rss_gb"], 2),
        "postgres_load_seconds": round(load_seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grid", default="12x4", help="MONTHSxUNITS of the report grid (the issue's: 12x4)")
    parser.add_argument("--contacts", type=int, default=2_000_000)
    parser.add_argument("--skip-reports", action="store_true")
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--dask-defaults", action="store_true", help="LocalCluster workers with Dask's defaults")
    args = parser.parse_args()
    months, units = (int(x) for x in args.grid.lower().split("x"))
    sample = ROOT / "data" / "sample"
    path = RESULTS / "scale.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    load = os.getloadavg()[0]
    if not args.skip_ingest:
        results["ingest"] = ingest_rates(sample, args.contacts)
        print(json.dumps(results["ingest"], indent=2), flush=True)
    if not args.skip_reports:
        results["reports"] = reports((months, units), sample, args.dask_defaults)
        print(json.dumps(results["reports"], indent=2), flush=True)
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_1min_at_start": round(load, 1),
        "load_average_1min_at_end": round(os.getloadavg()[0], 1),
    }
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    for key, goal in TARGETS.items():
        section = results.get("reports" if key == "dask_vs_local" else "ingest", {})
        if key in section:
            print(f"{key:<28}{section[key]:>10}{goal:>10}  {'yes' if section[key] <= goal else 'NO'}")


if __name__ == "__main__":
    main()
