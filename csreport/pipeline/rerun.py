"""Re-run one chapter into an existing report (``csreport run --chapter 03``): the chapter notebook is executed
again with the run's parameters, the report notebook is merged from it and the five chapters kept as they were,
and rendered again; ``manifest.json`` records the chapter's new notebook hash and parameters. The report folder is
replaced at once, as a run replaces it; findings.json, the evidence and the exports are kept (the parent's numbers,
which a chapter only reads).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

from csreport.errors import CsreportError, ParameterError
from csreport.pipeline import notebooks
from csreport.pipeline.run import (
    RunResult,
    RunSpec,
    _first_line,
    _publish,
    _sha256,
    chapter_record,
    inputs_key,
    prepare,
    render_report,
)


def chapter_name(chapter: str) -> str:
    """The chapter notebook named by ``chapter``: its number (``3``, ``03``) or its name (``03_service_quality``)."""
    wanted = str(chapter).strip()
    for name in notebooks.CHAPTERS:
        if wanted == name or (wanted.isdigit() and int(wanted) == int(name[:2])):
            return name
    raise ParameterError(f"--chapter {chapter}: no such chapter; chapters: {', '.join(notebooks.CHAPTERS)} (or 01-06).")


def rerun_chapter(spec: RunSpec, chapter: str) -> RunResult:
    """Execute ``chapter`` again into the report at ``spec.target`` and render the report again.

    The report must exist and be complete (a finished ``csreport run``); otherwise a ParameterError says so. A
    chapter that fails leaves the report as it was: the failed copy, with the error in its chapter notebook, is kept
    in ``<unit>.failed``."""
    name = chapter_name(chapter)
    manifest_path = spec.target / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not manifest or manifest.get("status") != "ok" or not (spec.target / "chapters").is_dir():
        raise ParameterError(
            f"{spec.target}: no finished report to re-run chapter {name} in. Run it whole first: csreport run "
            f"--period {spec.period} --unit {spec.unit} --lang {spec.lang} (without --chapter)."
        )
    started = time.perf_counter()
    try:
        ctx = prepare(spec)
    except CsreportError as exc:
        return RunResult(spec, "failed", time.perf_counter() - started, str(exc), bad_parameter=True)
    fingerprint = ctx.ingest_report.fingerprint
    work = Path(tempfile.mkdtemp(prefix=f".{spec.target.name}.tmp-", dir=spec.target.parent))
    shutil.copytree(spec.target, work, dirs_exist_ok=True)
    work.chmod(0o755)
    parameters = spec.parameters() | {"fingerprint": fingerprint}
    source = notebooks.chapter_sources(spec.notebook_dir)[name]
    timings = dict(manifest.get("timings_s") or {})
    status, error = "ok", None
    try:
        t = time.perf_counter()
        try:
            notebooks.execute_chapter(source, work / "chapters" / f"{name}.ipynb", parameters, source.parent,
                                      spec.engine, spec.kernel_reports * len(notebooks.CHAPTERS))  # fmt: skip
        except Exception as exc:  # papermill's and the kernel's errors; the chapter notebook keeps the trace
            raise CsreportError(f"chapter {name} failed: {_first_line(exc)}; see {name}.ipynb") from exc
        timings[name] = time.perf_counter() - t
        executed = [work / "chapters" / f"{n}.ipynb" for n in notebooks.CHAPTERS]
        renderer, version = render_report(work, executed, spec, ctx, timings)
    except Exception as exc:  # noqa: BLE001 - reported in the result and the failed copy's manifest
        status, error = "failed", str(exc) if isinstance(exc, CsreportError) else f"{type(exc).__name__}: {exc}"
        renderer, version = manifest.get("renderer"), None
    seconds = time.perf_counter() - started
    chapters = dict(manifest.get("chapters") or {})
    chapters[name] = chapter_record(source, parameters)
    manifest.update(
        status=status,
        error=error,
        failed_chapter=None if status == "ok" else name,
        chapters=chapters,
        renderer=renderer,
        renderer_requested=spec.renderer,
        timings_s={k: round(v, 3) for k, v in timings.items()},
        rerun={"chapter": name, "seconds": round(seconds, 3)},
        # a batch --resume may skip this report only when every chapter was run from today's notebooks with the
        # run's parameters; else the key is dropped and the next batch runs the report again
        inputs_key=inputs_key(spec, fingerprint) if _current(chapters, spec, parameters) else None,
    )
    if version:
        manifest["versions"] = {**manifest.get("versions", {}), "quarto": version}
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    if status == "ok":
        _publish(work, spec.target)
        shutil.rmtree(spec.target.with_name(spec.target.name + ".failed"), ignore_errors=True)
    else:
        _publish(work, spec.target.with_name(spec.target.name + ".failed"))
    return RunResult(spec, status, seconds, error, None if status == "ok" else name)


def _current(chapters: dict, spec: RunSpec, parameters: dict) -> bool:
    """True when every chapter's record names today's notebook (by SHA-256) and these parameters."""
    sources = notebooks.chapter_sources(spec.notebook_dir)
    return set(chapters) == set(sources) and all(
        chapters[n].get("sha256") == _sha256(p) and chapters[n].get("parameters") == parameters
        for n, p in sources.items()
    )
