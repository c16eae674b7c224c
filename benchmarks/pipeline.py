"""Pipeline benchmark (not a timed test).

- floor: six papermill executions of notebooks that only import the libraries the chapters import, one after
  the other (what running six chapters costs before they do any work);
- single report: ``run_report`` for one unit of the latest sample month (six chapters in one warm kernel started
  for it, the report computed once, merge, HTML and PDF), compared with the floor (target ≤ 0.75 × floor);
- second chapter open: ``open_report`` of a report already computed (the run's fingerprint passed, as a chapter
  gets it), then reading its scorecard and findings (target < 0.5 s);
- batch: the grid of months × units with ``--workers`` workers, papermill's standard engine (``nbclient``, a
  kernel per chapter) and then the warm engine, same specs, results compared (findings.json and the manifest
  headline of every run); the ratio warm / cold (target ≤ 0.4), and the peak memory of a worker with its kernels
  (RSS sampled every 0.5 s; target < 3 GB);
- ``--resume`` rerun of the warm batch with nothing changed (target < 3 s);
- renderers: the single report's ``report.ipynb`` rendered by the built-in renderer and by Quarto (when on PATH),
  medians of wall-clock and CPU seconds (``benchmarks/renderers.py``). ``--only renderers`` runs this part alone
  on one fresh report and adds its keys to pipeline.json, keeping the others.

``--months N --units east,west,...`` set the batch grid (the issue's grid is 12 months × 4 units = 48 runs, about
35 min per engine on a quiet 2-core host: ``--months 12 --units east,west,north,south``). Prints a table and
writes benchmarks/results/pipeline.json (with the grid and the host's load average, so a reduced or busy run
is recorded as such).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import pandas as pd
import papermill
import psutil
from renderers import render_seconds

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = Path(__file__).parent / "results"
IMPORTS = """import duckdb, pandas, numpy, scipy, matplotlib, seaborn, sklearn, statsmodels.api, jieba, babel
import csreport.report.chapters, csreport.report.charts, csreport.analyses.comments, csreport.analyses.segmentation
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


class PeakMemory:
    """Peak RSS of each child process of this one (a batch worker) together with its descendants (kernels)."""

    def __init__(self):
        self.peaks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.wait(0.5):
            for worker in me.children():
                try:
                    total = worker.memory_info().rss + sum(
                        p.memory_info().rss for p in worker.children(recursive=True) if p.is_running()
                    )
                except psutil.Error:
                    continue
                self.peaks[worker.pid] = max(self.peaks.get(worker.pid, 0), total)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _outcome(result) -> dict:
    """What must be equal between the engines: status, findings.json and the manifest's headline."""
    target = result.spec.target
    if result.status != "ok":
        return {"status": result.status, "error": result.error}
    manifest = json.loads((target / "manifest.json").read_text())
    return {"status": "ok", "findings": json.loads((target / "findings.json").read_text()),
            "headline": manifest["headline"], "outputs": _chapter_outputs(target)}  # fmt: skip


def _chapter_outputs(target: Path) -> dict:
    """Every output of every executed chapter (text, Markdown, PNG bytes as base64), execution counts included."""
    found = {}
    for path in sorted((target / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        found[path.stem] = [
            [cell.execution_count, [{k: v for k, v in o.items() if k in ("output_type", "name", "text", "data")}
                                    for o in cell.outputs if o.get("name") != "stderr"]]
            for cell in nb.cells if cell.cell_type == "code"
        ]  # fmt: skip
    return found


def _close(a, b) -> bool:
    """Equal, floats within 1e-9 relative (DuckDB's parallel float sums are not bitwise repeatable)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return a == b


def renderers_only(notebook: Path | None) -> None:
    from csreport.pipeline.run import RunSpec, run_report

    sample = ROOT / "data" / "sample"
    period = json.loads((sample / "_scenario_truth.json").read_text())["end"]
    work = Path(tempfile.mkdtemp(prefix="csreport-renderers-"))
    if notebook is None:
        notebook = run_report(RunSpec(period, "east", "en", sample, work / "run", renderer="builtin")).spec.target
        notebook = notebook / "report.ipynb"
    result = render_seconds(notebook, work)
    path = RESULTS / "pipeline.json"
    saved = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps(saved | result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, indent=2))
    shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--units", default="east,west,north,south")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--only", choices=["renderers"], help="run one part alone")
    parser.add_argument("--notebook", type=Path, help="--only renderers: render this executed report.ipynb")
    args = parser.parse_args()
    if args.only == "renderers":
        return renderers_only(args.notebook)
    from csreport.pipeline import warm
    from csreport.pipeline.batch import run_batch
    from csreport.pipeline.run import RunSpec, run_report, validate_data
    from csreport.report.chapters import open_report

    load_before = os.getloadavg()
    sample = ROOT / "data" / "sample"
    period = json.loads((sample / "_scenario_truth.json").read_text())["end"]
    work = Path(tempfile.mkdtemp(prefix="csreport-pipeline-"))
    fingerprint, _ = validate_data(sample, work / "warm")  # the batches' validated store
    floor = floor_seconds(work)
    started = time.perf_counter()
    single = run_report(RunSpec(period, "east", "en", sample, work / "single", renderer="builtin"))
    single_seconds = time.perf_counter() - started
    timings = json.loads((single.spec.target / "manifest.json").read_text())["timings_s"]

    started = time.perf_counter()
    ctx = open_report(period, "east", "en", sample, work / "single" / "_validated", fingerprint=fingerprint)
    ctx.scorecard, ctx.findings, ctx.trend("service_level")  # noqa: B018
    second_open = time.perf_counter() - started
    warm.shutdown_all()

    result = {
        "floor_seconds": round(floor, 2),
        "single_report_seconds": round(single_seconds, 2),
        "single_report_vs_floor": round(single_seconds / floor, 2),
        "single_report_timings_s": timings,
        "second_chapter_open_seconds": round(second_open, 3),
    }
    if not args.skip_batch:
        end = pd.Period(period, "M")
        periods = [str(end - k) for k in range(args.months - 1, -1, -1)]
        units = [u.strip() for u in args.units.split(",") if u.strip()]
        seconds, peaks, outcomes = {}, {}, {}
        for engine in ("nbclient", "warm"):
            out = work / f"batch-{engine}"
            specs = [RunSpec(p, u, "en", sample, out, work_dir=work / "warm" / "_validated", renderer="builtin",
                             engine=engine) for p in periods for u in units]  # fmt: skip
            # each engine computes its reports itself: the kept reports and KPI helper columns of the first batch
            # (beside the shared validated store) would otherwise be read by the second, which then skips that work
            for kept in ("computed", "derived"):
                shutil.rmtree(work / "warm" / "_validated" / kept, ignore_errors=True)
            with PeakMemory() as memory:
                started = time.perf_counter()
                results = run_batch(specs, workers=args.workers)
                seconds[engine] = time.perf_counter() - started
            peaks[engine] = max(memory.peaks.values(), default=0) / 1e9
            outcomes[engine] = {(r.spec.period, r.spec.unit): _outcome(r) for r in results}
            failed = [r for r in results if r.status != "ok"]
            if failed:
                print(f"{engine}: {len(failed)} runs failed, e.g. {failed[0].error}")
        same = outcomes["nbclient"].keys() == outcomes["warm"].keys()
        equal = same and all(
            _close({**outcomes["nbclient"][k], "outputs": None}, {**outcomes["warm"][k], "outputs": None})
            for k in outcomes["warm"]
        )
        outputs_equal = same and all(
            outcomes["nbclient"][k].get("outputs") == outcomes["warm"][k].get("outputs") for k in outcomes["warm"]
        )
        started = time.perf_counter()
        resumed = run_batch(specs, workers=args.workers, resume=True)
        resume_seconds = time.perf_counter() - started
        result |= {
            "batch_grid": f"{args.months} months × {len(units)} units ({', '.join(units)})",
            "batch_runs": len(specs),
            "batch_workers": args.workers,
            "batch_seconds_cold": round(seconds["nbclient"], 1),
            "batch_seconds_warm": round(seconds["warm"], 1),
            "batch_warm_vs_cold": round(seconds["warm"] / seconds["nbclient"], 2),
            "batch_results_equal": equal,
            "batch_chapter_outputs_identical": outputs_equal,
            "peak_worker_memory_gb_cold": round(peaks["nbclient"], 2),
            "peak_worker_memory_gb_warm": round(peaks["warm"], 2),
            "resume_noop_seconds": round(resume_seconds, 2),
            "resume_skipped": sum(r.status == "skipped" for r in resumed),
        }
    result |= render_seconds(single.spec.target / "report.ipynb", work)
    result["load_average_1min_before_after"] = [round(load_before[0], 1), round(os.getloadavg()[0], 1)]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "pipeline.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    targets = {
        "single_report_vs_floor": "<= 0.75",
        "second_chapter_open_seconds": "< 0.5",
        "batch_warm_vs_cold": "<= 0.4",
        "peak_worker_memory_gb_warm": "< 3",
        "resume_noop_seconds": "< 3",
    }
    print(f"{'measure':<34}{'value':>12}{'target':>12}")
    for name, value in result.items():
        if not isinstance(value, dict):
            print(f"{name:<34}{value!s:>12}{targets.get(name, ''):>12}")
    print(f"single report timings: {timings}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
