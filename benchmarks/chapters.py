"""Chapter benchmark (not a timed test): each chapter notebook executed with papermill on the sample data,
time after kernel start = the sum of papermill's per-cell durations; target < 15 s per chapter.

Runs the all-units report (the largest slice) and one unit; prints a table and writes
benchmarks/results/chapters.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results"
TARGET_SECONDS = 15.0
UNITS = ("all", "east")


def main() -> None:
    sample = ROOT / "data" / "sample"
    if not (sample / "_scenario_truth.json").exists():
        subprocess.run([sys.executable, "-m", "csreport.cli", "sample-data", "--out", str(sample)], check=True)
    period = json.loads((sample / "_scenario_truth.json").read_text())["end"]
    work = Path(tempfile.mkdtemp(prefix="csreport-bench-"))
    rows = []
    for unit in UNITS:
        for source in sorted((ROOT / "notebooks").glob("0*.ipynb")):
            target = work / f"{unit}-{source.name}"
            started = time.perf_counter()
            papermill.execute_notebook(
                str(source), str(target), cwd=str(source.parent), progress_bar=False,
                parameters={"period": period, "business_unit": unit, "work_dir": str(work / "validated")},
            )  # fmt: skip
            wall = time.perf_counter() - started
            cells = nbformat.read(target, as_version=4).cells
            after_start = sum(c.metadata.get("papermill", {}).get("duration") or 0 for c in cells)
            rows.append({"chapter": source.stem, "unit": unit, "seconds": round(after_start, 2),
                         "wall_seconds": round(wall, 2)})  # fmt: skip
    worst = max(r["seconds"] for r in rows)
    result = {"period": period, "target_seconds": TARGET_SECONDS, "max_seconds": worst, "chapters": rows}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "chapters.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'chapter':<20}{'unit':<7}{'after kernel start s':>22}{'wall s':>9}  < {TARGET_SECONDS:.0f} s")
    for r in rows:
        ok = "yes" if r["seconds"] < TARGET_SECONDS else "NO"
        print(f"{r['chapter']:<20}{r['unit']:<7}{r['seconds']:>22}{r['wall_seconds']:>9}  {ok}")
    print(f"slowest chapter: {worst} s (first run validates the sample into the work directory)")


if __name__ == "__main__":
    main()
