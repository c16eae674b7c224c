"""Scorecard benchmark (not a timed test): 12 months × (4 units + all units) over the 10M-contact sample,
median of 3 runs.

Needs the 10M-contact store of benchmarks/ingest.py (it builds it when missing). Runs in a child process so
that peak memory is the scorecards' own. Prints a table and writes benchmarks/results/scorecard.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
WORK, RESULTS = HERE / "work", HERE / "results"
TARGETS = {"seconds": 5.0, "peak_rss_gb": 3.0}
REPEATS = 3  # the median run is reported; every run's time is kept

MEASURE = r"""
import json, resource, sys, time
from csreport.ingest import ingest
from csreport.scorecard import KpiCache, scorecard
from csreport.store import open_store
from csreport.targets import load_targets
ingest(sys.argv[1], sys.argv[2])  # reused when unchanged, as in a report run
store = open_store(sys.argv[2])
periods = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]
t = time.perf_counter()
targets = load_targets()
cache = KpiCache(store, targets)
units = [*store.units(), "all"]
cache.preload(periods, units)
cards = [scorecard(store, p, u, targets, cache) for p in periods for u in units]
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "scorecards": len(cards), "kpi_rows": sum(len(c) for c in cards),
                  "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2}))
"""


def main() -> None:
    data = WORK / "contacts_10m"
    if not (data / "_scenario_truth.json").exists():
        subprocess.run([sys.executable, str(HERE / "ingest.py")], check=True)
    runs = []
    for _ in range(REPEATS):
        command = [sys.executable, "-c", MEASURE, str(data), str(WORK / "store_big")]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    runs.sort(key=lambda r: r["seconds"])
    result = {k: round(v, 2) if isinstance(v, float) else v for k, v in runs[len(runs) // 2].items()}
    result["seconds_all_runs"] = [round(r["seconds"], 2) for r in runs]
    result["peak_rss_gb"] = round(max(r["peak_rss_gb"] for r in runs), 2)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scorecard.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'measure':<14}{'value':>10}{'target':>10}  ok")
    for key, goal in TARGETS.items():
        print(f"{key:<14}{result[key]:>10}{goal:>10}  {'yes' if result[key] <= goal else 'NO'}")
    print(
        f"({result['scorecards']} scorecards, {result['kpi_rows']} KPI rows; median of {REPEATS} runs, "
        f"all runs {result['seconds_all_runs']} s)"
    )


if __name__ == "__main__":
    main()
