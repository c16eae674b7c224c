"""Pipeline benchmark (not a timed test).

- floor: six papermill executions of notebooks that only import the libraries the chapters import, one after
  the other (what running six chapters costs before they do any work);
- single report: ``run_report`` for one unit of the latest sample month (six chapters, merge, HTML and PDF),
  compared with the floor (target ≤ 2 × floor);
- batch: the grid of months × 4 units with 1 worker and with 2 workers (target speed-up ≥ 1.7), then a
  ``--resume`` rerun with nothing changed (target < 3 s).

``--months N`` sets the batch grid (default 12, as the issue asks; the full grid takes about an hour on
2 cores). Prints a table and writes benchmarks/results/pipeline.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pandas as pd
import papermill

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = Path(__file__).parent / "results"
IMPORTS = """import duckdb, pandas, numpy, scipy, matplotlib, seaborn, sklearn, statsmodels.api, jieba, babel
import csreport.chapters, csreport.charts, csreport.analyses.comments, csreport.analyses.segmentation
import csreport.analyses.drivers, csreport.analyses.loyalty, csreport.analyses.forecast, csreport.findings.collect"""


def floor_seconds(work: Path) -> float:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_code_cell(IMPORTS))
    source = work / "imports.ipynb"
    nbformat.write(nb, source)
    started = time.perf_counter()
    for i in range(6):
        papermill.execute_notebook(str(source), str(work / f"imports-{i}.ipynb"), progress_bar=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    from csreport.pipeline.batch import run_batch
    from csreport.pipeline.run import RunSpec, run_report

    sample = ROOT / "data" / "sample"
    period = json.loads((sample / "_scenario_truth.json").read_text())["end"]
    work = Path(tempfile.mkdtemp(prefix="csreport-pipeline-"))
    run_report(RunSpec(period, "east", "en", sample, work / "warm", renderer="builtin"))  # validates once
    floor = floor_seconds(work)
    started = time.perf_counter()
    single = run_report(RunSpec(period, "east", "en", sample, work / "single", renderer="builtin"))
    single_seconds = time.perf_counter() - started
    timings = json.loads((single.spec.target / "manifest.json").read_text())["timings_s"]

    end = pd.Period(period, "M")
    periods = [str(end - k) for k in range(args.months - 1, -1, -1)]
    units = ["east", "west", "north", "south"]
    batch = {}
    for workers in (1, 2):
        out = work / f"batch-{workers}"
        specs = [RunSpec(p, u, "en", sample, out, work_dir=work / "warm" / "_validated", renderer="builtin")
                 for p in periods for u in units]  # fmt: skip
        started = time.perf_counter()
        results = run_batch(specs, workers=workers)
        batch[workers] = time.perf_counter() - started
        failed = [r for r in results if r.status != "ok"]
        if failed:
            print(f"{len(failed)} runs failed, e.g. {failed[0].error}")
    started = time.perf_counter()
    resumed = run_batch(specs, workers=2, resume=True)
    resume_seconds = time.perf_counter() - started
    result = {
        "floor_seconds": round(floor, 2),
        "single_report_seconds": round(single_seconds, 2),
        "single_report_vs_floor": round(single_seconds / floor, 2),
        "single_report_timings_s": timings,
        "batch_runs": len(specs),
        "batch_seconds_1_worker": round(batch[1], 1),
        "batch_seconds_2_workers": round(batch[2], 1),
        "batch_speedup_2_workers": round(batch[1] / batch[2], 2),
        "resume_noop_seconds": round(resume_seconds, 2),
        "resume_skipped": sum(r.status == "skipped" for r in resumed),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pipeline.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'measure':<28}{'value':>10}{'target':>12}")
    print(f"{'floor_seconds':<28}{result['floor_seconds']:>10}")
    print(f"{'single_report_seconds':<28}{result['single_report_seconds']:>10}")
    print(f"{'single_report_vs_floor':<28}{result['single_report_vs_floor']:>10}{'<= 2.0':>12}")
    print(f"{'batch_speedup_2_workers':<28}{result['batch_speedup_2_workers']:>10}{'>= 1.7':>12}")
    print(f"{'resume_noop_seconds':<28}{result['resume_noop_seconds']:>10}{'< 3':>12}")
    print(f"({len(specs)} batch runs: {args.months} months × 4 units; single report timings: {timings})")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
