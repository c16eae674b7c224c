"""Single-report time, before and after a change, on one host in one sitting (not a timed test).

``run_report`` for unit east of the sample's latest month (built-in renderer, a fresh work folder each time), as
the single-report case of ``benchmarks/pipeline.py``, repeated ``--repeat`` times. Run it once with the python
of each checkout to compare, alternating, and give each a ``--label``::

    /path/to/before/.venv/bin/python benchmarks/single_report.py --label before
    .venv/bin/python benchmarks/single_report.py --label after

With ``--append`` a label's runs are added to those kept, so the checkouts can alternate run by run::

    for i in 1 2 3 4 5; do before/.venv/bin/python benchmarks/single_report.py --label before --repeat 1 --append; \
        .venv/bin/python benchmarks/single_report.py --label after --repeat 1 --append; done

Each label's runs (wall seconds, the manifest's timings, the host's load average, the csreport it imported) are
kept in benchmarks/results/single_report.json beside the other labels'; the table compares their medians.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import papermill  # noqa: F401 - registers its engines before csreport.pipeline.warm is imported

import csreport
from csreport.pipeline import warm
from csreport.pipeline.run import RunSpec, run_report

RESULTS = Path(__file__).parent / "results" / "single_report.json"


def one_run(sample: Path, period: str) -> dict:
    work = Path(tempfile.mkdtemp(prefix="single-report-"))
    try:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        result = run_report(RunSpec(period, "east", "en", sample, work / "single", renderer="builtin"))
        seconds = time.perf_counter() - started
        if result.status != "ok":
            raise SystemExit(f"the report failed: {result.error}")
        timings = json.loads((result.spec.target / "manifest.json").read_text(encoding="utf-8"))["timings_s"]
        return {"seconds": round(seconds, 2), "load_before": round(load, 2), "timings_s": timings}
    finally:
        warm.shutdown_all()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", required=True, help="name of this checkout's runs, e.g. before or after")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--append", action="store_true", help="add to the label's kept runs (to alternate checkouts)")
    parser.add_argument("--sample", type=Path, default=Path(__file__).resolve().parents[1] / "data" / "sample")
    args = parser.parse_args()
    period = json.loads((args.sample / "_scenario_truth.json").read_text(encoding="utf-8"))["end"]
    runs = [one_run(args.sample, period) for _ in range(args.repeat)]
    kept = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    if args.append and args.label in kept:
        runs = kept[args.label]["runs"] + runs
    kept[args.label] = {"csreport": str(Path(csreport.__file__).parent), "period": period, "unit": "east",
                        "median_seconds": statistics.median(r["seconds"] for r in runs), "runs": runs}  # fmt: skip
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(kept, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{'label':<10} {'median s':>9}  runs (s)")
    for label, entry in kept.items():
        print(f"{label:<10} {entry['median_seconds']:>9.2f}  {', '.join(str(r['seconds']) for r in entry['runs'])}")


if __name__ == "__main__":
    main()
