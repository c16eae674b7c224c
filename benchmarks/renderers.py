"""Render time of one report by each renderer (part of the pipeline benchmark; ``benchmarks/pipeline.py
--only renderers`` runs it alone): the built-in renderer (nbconvert HTML + pandoc → Typst PDF) and Quarto (when
a ``quarto`` executable is on PATH) render the same executed ``report.ipynb`` alternately, ``repeats`` times
each. Wall-clock and CPU seconds (this process and its children: pandoc, Quarto's Deno, Typst) are recorded
with the host's load average; CPU seconds hold up better than wall time on a loaded host.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import time
from pathlib import Path

import nbformat


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def render_seconds(notebook: Path, work: Path, repeats: int = 3) -> dict:
    """Medians (seconds) of rendering ``notebook`` with each renderer, every run in a fresh folder of ``work``."""
    from csreport.pipeline.quarto import quarto_version, render_quarto
    from csreport.pipeline.render import render_html, render_pdf

    nb = nbformat.read(notebook, as_version=4)
    title, lang = nb.metadata["title"], nb.metadata["lang"]
    renderers = ["builtin", "quarto"] if shutil.which("quarto") else ["builtin"]
    wall: dict[str, list[float]] = {r: [] for r in renderers}
    cpu: dict[str, list[float]] = {r: [] for r in renderers}
    for i in range(repeats):
        for renderer in renderers:
            folder = work / f"render-{renderer}-{i}"
            folder.mkdir(parents=True)
            copy = Path(shutil.copy(notebook, folder / "report.ipynb"))
            started, cpu_started = time.perf_counter(), _cpu()
            if renderer == "quarto":
                render_quarto(copy, title, lang)
            else:
                render_html(copy, folder / "report.html", title, lang, "Contents")
                render_pdf(copy, folder / "report.pdf", title, lang)
            wall[renderer].append(time.perf_counter() - started)
            cpu[renderer].append(_cpu() - cpu_started)
    result = {"render_repeats": repeats, "render_load_average": [round(x, 1) for x in os.getloadavg()]}
    for renderer in renderers:
        result[f"render_seconds_{renderer}"] = round(statistics.median(wall[renderer]), 2)
        result[f"render_cpu_seconds_{renderer}"] = round(statistics.median(cpu[renderer]), 2)
        result[f"render_runs_seconds_{renderer}"] = [round(t, 2) for t in wall[renderer]]
    if "quarto" in renderers:
        result["render_quarto_version"] = quarto_version()
        ratio = result["render_seconds_quarto"] / result["render_seconds_builtin"]
        result["render_quarto_vs_builtin"] = round(ratio, 2)
    return result
