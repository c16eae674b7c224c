"""Lighthouse over the written pages (not a timed test): accessibility and best-practices scores of a sample
report in English and Chinese and of the index page, with Debian's Chromium, served from 127.0.0.1 only.

Needs Node.js with npm (``npx`` fetches the pinned Lighthouse from the npm registry once) and Chromium
(``CHROME_PATH``, default /usr/bin/chromium). ``--reports DIR`` audits the pages already in DIR (default: runs
the latest sample month for one unit in en and zh into a temporary directory first). Targets: accessibility
≥ 0.98, best practices 1.0. Prints a table and writes benchmarks/results/lighthouse.json; exit code 1 if a
page misses a target.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = Path(__file__).parent / "results"
LIGHTHOUSE = "lighthouse@13.5.0"
CATEGORIES = ("accessibility", "best-practices")
TARGETS = {"accessibility": 0.98, "best-practices": 1.0}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no access log on the terminal
        pass


def sample_reports(out: Path, unit: str) -> Path:
    """The latest sample month for ``unit`` in en and zh with the built-in renderer, and the index page."""
    from csreport.pipeline.index import write_index
    from csreport.pipeline.run import RunSpec, run_report

    sample = ROOT / "data" / "sample"
    period = json.loads((sample / "_scenario_truth.json").read_text())["end"]
    for lang in ("en", "zh"):
        result = run_report(RunSpec(period, unit, lang, sample, out, renderer="builtin"))
        if result.status != "ok":
            raise SystemExit(f"sample report {unit} {lang} failed: {result.error}")
    write_index(out)
    return out


def pages(reports: Path) -> list[Path]:
    """The index page(s) and the first English and first Chinese report.html under ``reports``."""
    found = sorted(reports.glob("index*.html"))
    runs = sorted(p for p in reports.glob("*/*/report.html") if not p.parent.name.startswith("."))
    english = [p for p in runs if not p.parent.name.endswith(".zh")]
    chinese = [p for p in runs if p.parent.name.endswith(".zh")]
    return found + english[-1:] + chinese[-1:]


def audit(url: str, chrome: str) -> dict:
    """One Lighthouse run (default mobile emulation): category scores and every failed audit with its items."""
    command = ["npx", "--yes", LIGHTHOUSE, url, "--output=json", "--output-path=stdout", "--quiet",
               f"--only-categories={','.join(CATEGORIES)}",
               "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "CHROME_PATH": chrome})
    if done.returncode != 0:
        raise SystemExit(f"lighthouse failed on {url}:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout)
    failed = []
    for category in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            result = report["audits"][ref["id"]]
            if ref["weight"] and result["score"] is not None and result["score"] < 1:
                items = result.get("details", {}).get("items", [])
                failed.append({"audit": ref["id"], "score": result["score"], "title": result["title"],
                               "items": [str(i.get("node", {}).get("snippet") or i.get("description") or i)[:200]
                                         for i in items[:5]]})  # fmt: skip
    return {
        "lighthouse": report["lighthouseVersion"],
        "scores": {c: report["categories"][c]["score"] for c in CATEGORIES},
        "failed_audits": failed,
        "console_errors": len(report["audits"]["errors-in-console"].get("details", {}).get("items", [])),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=Path, help="audit the pages in this directory (default: make them)")
    parser.add_argument("--unit", default="east")
    args = parser.parse_args()
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    reports = args.reports or sample_reports(Path(tempfile.mkdtemp(prefix="csreport-lighthouse-")), args.unit)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(reports)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    results = {}
    try:
        for page in pages(reports):
            name = page.relative_to(reports).as_posix()
            results[name] = audit(f"http://127.0.0.1:{server.server_port}/{name}", chrome)
    finally:
        server.shutdown()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "lighthouse.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"{'page':<34} {'accessibility':>13} {'best practices':>14}  failed audits")
    missed = False
    for name, result in results.items():
        scores = result["scores"]
        missed |= any(scores[c] < TARGETS[c] for c in CATEGORIES)
        failed = ", ".join(a["audit"] for a in result["failed_audits"]) or "–"
        print(f"{name:<34} {scores['accessibility']:>13.2f} {scores['best-practices']:>14.2f}  {failed}")
    print(f"targets: accessibility ≥ {TARGETS['accessibility']}, best practices {TARGETS['best-practices']}")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
