"""One report run: validate the data once, execute the six chapters with papermill, merge, render, and write
``reports/<period>/<unit>/`` atomically (built in a temporary sibling directory, renamed when complete).

``manifest.json`` records inputs (data fingerprint, notebook hashes, parameters), versions, timings and status;
its ``inputs_key`` lets a batch ``--resume`` skip a run whose inputs are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from csreport import __version__
from csreport.data.ingest import ingest
from csreport.data.mapping import IDENTITY, load_mapping, run_labels
from csreport.data.periods import check_period, check_unit, parse_period
from csreport.data.store import ALL_UNITS, Store
from csreport.errors import CsreportError, ParameterError
from csreport.findings.collect import findings_document
from csreport.findings.evidence import write_evidence
from csreport.language import i18n
from csreport.language.labels import default_label
from csreport.metrics.targets import THRESHOLDS
from csreport.pipeline import notebooks
from csreport.pipeline.exports import write_run_exports
from csreport.pipeline.layout import number_figures
from csreport.pipeline.quarto import quarto_version, render_quarto
from csreport.pipeline.render import choose_renderer, render_html, render_pdf
from csreport.pipeline.runparams import check_engine, check_renderer, report_folder
from csreport.report.chapters.context import open_report
from csreport.report.chapters.model import build_for_run, kept_model
from csreport.settings import Settings

# what a finished run directory holds (README "Reports"); a test fails on anything else
PUBLISHED = (
    "chapters",
    "report.ipynb",
    "report.html",
    "report.pdf",
    "findings.json",
    "manifest.json",
    "evidence",
    "exports",
    "report.xlsx",
)


@dataclass
class RunSpec:
    """What one report needs: the period × unit, language, inputs and where to write.

    Parameter files, notebooks and the Quarto template are resolved once into :attr:`settings` (from
    ``params_dir``, else the project folder = the current directory, else the packaged defaults). ``engine`` is
    the papermill engine of the chapters: ``warm`` (one kept kernel per process, see
    :mod:`csreport.pipeline.warm`) or ``nbclient`` (papermill's standard engine: one new kernel per chapter);
    ``kernel_reports`` is how many reports a warm kernel runs before it is replaced."""

    period: str
    unit: str
    lang: str = "en"
    data_dir: Path | None = Path("data") / "sample"
    out_dir: Path = Path("reports")
    work_dir: Path | None = None  # validated store; default <out_dir>/_validated
    targets_file: Path | None = None  # default: the settings' targets.yml
    renderer: str = "auto"
    notebook_dir: Path | None = None  # default: the settings' notebooks
    extra: dict = field(default_factory=dict)
    params_dir: Path | None = None
    engine: str = "warm"
    kernel_reports: int = 8
    settings: Settings | None = None
    mapping_file: Path | None = None  # params/mapping/*.yml for a foreign export (None: canonical names)

    def __post_init__(self):
        check_period(self.period)
        check_unit(self.unit)
        i18n.check_lang(self.lang)
        check_engine(self.engine)
        check_renderer(self.renderer)
        self.out_dir = Path(self.out_dir).resolve()
        self.work_dir = Path(self.work_dir).resolve() if self.work_dir else self.out_dir / "_validated"
        self.data_dir = Path(self.data_dir).resolve() if self.data_dir else None
        self.settings = self.settings or Settings.resolve(self.params_dir, targets=self.targets_file)
        self.targets_file = self.settings.targets
        self.notebook_dir = Path(self.notebook_dir) if self.notebook_dir else self.settings.notebooks
        self.mapping_file = Path(self.mapping_file).resolve() if self.mapping_file else None

    @property
    def target(self) -> Path:
        return self.out_dir / self.period / report_folder(self.unit, self.lang)

    def parameters(self) -> dict:
        """Notebook parameters (never credentials: a database URL stays in the environment)."""
        return {
            "period": self.period,
            "business_unit": self.unit,
            "lang": self.lang,
            "data_dir": str(self.data_dir) if self.data_dir else "",
            "work_dir": str(self.work_dir),
            "targets_file": str(self.settings.targets),
            "params_dir": str(self.settings.params_dir),
            "mapping_file": str(self.mapping_file) if self.mapping_file else "",
            **self.extra,
        }


@dataclass
class RunResult:
    spec: RunSpec
    status: str  # ok | failed | skipped
    seconds: float
    error: str | None = None
    failed_chapter: str | None = None
    # the run's parameters or input cannot be reported (a period outside the data, an unknown unit, a missing
    # required column): a usage error, found before anything was written
    bad_parameter: bool = False


NOT_INPUTS = ("delivery.yml",)  # params files that do not shape a report: editing readers reruns nothing


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inputs_key(spec: RunSpec, fingerprint: str) -> str:
    """Hash of what determines a report: notebook sources, parameters, params files, data fingerprint and
    the package version."""
    parts = {
        "notebooks": {n: _sha256(p) for n, p in notebooks.chapter_sources(spec.notebook_dir).items()},
        "parameters": spec.parameters(),
        "params": {
            p.name: _sha256(p) for p in sorted(spec.settings.params_dir.glob("*.yml")) if p.name not in NOT_INPUTS
        }
        | {"settings": spec.settings.digest()},
        "fingerprint": fingerprint,
        "version": __version__,
        "renderer": spec.renderer,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def validate_data(data_dir: Path | None, out_dir: Path, mapping_file: Path | None = None) -> tuple[str, Store]:
    """Validate ``data_dir`` (mapped by ``mapping_file`` when given) into ``<out_dir>/_validated`` (reused while
    unchanged): the data fingerprint and the store (a batch validates once, before its runs)."""
    mapping = load_mapping(mapping_file) if mapping_file else IDENTITY
    report = ingest(Path(data_dir).resolve() if data_dir else None, Path(out_dir).resolve() / "_validated", mapping)
    return report.fingerprint, Store(Path(report.store_dir))


def prepare(spec: RunSpec, fingerprint: str = ""):
    """The context of the run: the data validated into the work directory (reused while unchanged; not
    re-hashed when ``fingerprint``, what the caller validated, is given). A failed validation is the run's
    error."""
    thresholds = {k: spec.extra[k] for k in THRESHOLDS if k in spec.extra}  # the chapters get them as parameters
    ctx = open_report(spec.period, spec.unit, spec.lang, spec.data_dir, spec.work_dir, spec.targets_file,
                      spec.mapping_file, fingerprint=fingerprint, params_dir=spec.settings.params_dir,
                      thresholds=thresholds)  # fmt: skip
    if fingerprint and spec.unit != ALL_UNITS and spec.unit not in (units := ctx.store.units()):
        raise ParameterError(f"business unit {spec.unit!r} has no contacts; units: {', '.join(units)} or all.")
    return ctx


def run_report(spec: RunSpec, fingerprint: str | None = None) -> RunResult:
    """Execute, merge and render one report; the finished directory replaces any earlier one at once."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    crashed = None
    try:
        # the user's mistakes first (a period outside the data, an unknown unit, unusable input): such a run is
        # not a report that failed, and writes nothing (no <unit>.failed folder, no period folder)
        ctx = prepare(spec, fingerprint or "")
        fingerprint = ctx.ingest_report.fingerprint
    except CsreportError as exc:
        return RunResult(spec, "failed", time.perf_counter() - started, str(exc), bad_parameter=True)
    except Exception as exc:  # noqa: BLE001 - not the user's mistake: a failed run, kept in <unit>.failed below
        crashed = exc
    timings["validate"] = time.perf_counter() - started
    spec.target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{spec.target.name}.tmp-", dir=spec.target.parent))
    work.chmod(0o755)
    status, error, failed_chapter = "ok", None, None
    chapters: dict[str, dict] = {}  # what made each chapter: the notebook's SHA-256 and its parameters
    renderer, renderer_version, coverage = None, None, None
    try:
        if crashed is not None:
            raise crashed
        coverage = period_coverage(ctx.coverage, spec.period)
        parameters = spec.parameters() | {"fingerprint": fingerprint}
        chapter_dir = work / "chapters"
        chapter_dir.mkdir()
        executed = []
        # The report model (csreport.report.chapters.model) is built once, here, in a thread of this process while the
        # chapters run in their kernels (separate processes), and findings.json, the evidence and the exports are
        # written from it. Before the first kernel starts, the thread takes the lock of everything it is to build,
        # then builds it in the order the chapters read it: the report (scorecard, findings, KPI cache), its
        # recommendations in the report language, chapter 1's sections, the analyses, the other chapters' sections.
        # A kernel waits for exactly what it reads and loads it (chapter 1 renders while the analyses are computed),
        # and computes none of it. Only that thread uses ``ctx`` until it is joined.
        with ThreadPoolExecutor(1, thread_name_prefix="csreport-report") as background:
            reserved = threading.Event()
            building = background.submit(_build_model, ctx, timings, reserved)
            reserved.wait()  # the kernels start once the build holds the lock of everything it is to build
            writing = background.submit(_timed, timings, "findings", lambda: _write_findings(work, spec, ctx))
            for name, source in notebooks.chapter_sources(spec.notebook_dir).items():
                t = time.perf_counter()
                target = chapter_dir / f"{name}.ipynb"
                try:
                    notebooks.execute_chapter(source, target, parameters, source.parent, spec.engine,
                                              spec.kernel_reports * len(notebooks.CHAPTERS))  # fmt: skip
                except Exception as exc:  # papermill raises its own and kernel errors; the notebook keeps the trace
                    if building.done() and building.exception():
                        raise building.exception() from None  # the chapter failed because the report did
                    failed_chapter = name
                    raise CsreportError(f"chapter {name} failed: {_first_line(exc)}; see {name}.ipynb") from exc
                timings[name] = time.perf_counter() - t
                executed.append(target)
                chapters[name] = chapter_record(source, parameters)
            for task in (building, writing):
                task.result()  # re-raises what the thread raised
        renderer, renderer_version = render_report(work, executed, spec, ctx, timings)
        headline = ctx.scorecard.set_index("kpi")[["value", "unit", "status"]].to_dict("index")
    except CsreportError as exc:
        status, error, headline = "failed", str(exc), {}
    except Exception as exc:  # noqa: BLE001 - a batch must survive any failure of one run; reported, not hidden
        status, error, headline = "failed", f"{type(exc).__name__}: {exc}", {}
    seconds = time.perf_counter() - started
    manifest = {
        "status": status,
        "error": error,
        "failed_chapter": failed_chapter,
        "period": spec.period,
        "unit": spec.unit,
        "unit_label": unit_label(spec),  # the index names the unit's column by it
        "lang": spec.lang,
        "parameters": spec.parameters(),
        "chapters": chapters,
        "data_fingerprint": fingerprint,
        "inputs_key": inputs_key(spec, fingerprint) if fingerprint else None,
        "versions": {"csreport": __version__, "python": platform.python_version()}
        | ({"quarto": renderer_version} if renderer_version else {}),
        "renderer": renderer,  # the one used: quarto or builtin (None when the run failed before rendering)
        "renderer_requested": spec.renderer,
        "timings_s": {k: round(v, 3) for k, v in timings.items()} | {"total": round(seconds, 3)},
        "headline": {k: _plain(v) for k, v in headline.items()},
        "coverage": coverage,
    }
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    _publish(work, spec.target if status == "ok" else spec.target.with_name(spec.target.name + ".failed"))
    if status == "ok":
        shutil.rmtree(spec.target.with_name(spec.target.name + ".failed"), ignore_errors=True)
    return RunResult(spec, status, seconds, error, failed_chapter)


def render_report(work: Path, executed: list[Path], spec: RunSpec, ctx, timings: dict) -> tuple[str, str | None]:
    """Merge the ``executed`` chapters into ``work``/report.ipynb, number its figures and render it (Quarto, or
    the built-in HTML and PDF); the renderer used and its version (Quarto's, else None)."""
    title = ctx.t("report.title", unit=ctx.unit_label, month=ctx.month)
    report_nb = work / "report.ipynb"
    notebooks.merge(executed, report_nb, title, spec.lang)
    number_figures(report_nb, spec.lang)
    t = time.perf_counter()
    renderer = choose_renderer(spec.renderer)
    if renderer == "quarto":
        version = quarto_version()
        render_quarto(report_nb, title, spec.lang, spec.settings.quarto)
        timings["quarto"] = time.perf_counter() - t
        return renderer, version
    render_html(report_nb, work / "report.html", title, spec.lang, ctx.t("report.contents"))
    timings["html"] = time.perf_counter() - t
    t = time.perf_counter()
    render_pdf(report_nb, work / "report.pdf", title, spec.lang)
    timings["pdf"] = time.perf_counter() - t
    return renderer, None


def chapter_record(source: Path, parameters: dict) -> dict:
    """What ``manifest.json`` says made a chapter: the notebook run (its path and SHA-256, of the file as it was
    executed) and the parameters papermill gave it."""
    return {"notebook": str(source), "sha256": _sha256(source), "parameters": dict(parameters)}


def period_coverage(span, period: str) -> dict | None:
    """The days of ``period`` the unit's data cover (``span``: its :class:`~csreport.data.store.Coverage`), for
    ``manifest.json``: first and last day with data, days covered and days in the month; ``partial`` when the
    data's start or end cuts the month (``csreport deliver`` holds such a report back unless told otherwise)."""
    if span is None:
        return None
    return {
        "first_day": str(span.first_day.date()),
        "last_day": str(span.last_day.date()),
        "days": span.days(period),
        "days_in_month": int(parse_period(period).days_in_month),
        "partial": bool(span.partial(period)),
    }


def unit_label(spec: RunSpec) -> str:
    """The unit's display name in the run's language (params/labels.yml and the mapping's labels), as the
    report's title names it; the default name when the labels file cannot be read (the run's error says why)."""
    if spec.unit == ALL_UNITS:
        return i18n.text("report.all_units", spec.lang)
    try:
        labels = run_labels(replace(spec.settings, mapping=spec.mapping_file))
    except CsreportError:
        return default_label(spec.unit)
    return labels.name("units", spec.unit, spec.lang)


def _timed(timings: dict, name: str, work) -> None:
    started = time.perf_counter()
    work()
    timings[name] = time.perf_counter() - started


def _build_model(ctx, timings: dict, reserved: threading.Event) -> None:
    """Build ``ctx``'s report model in the order the chapters read it
    (:func:`~csreport.report.chapters.model.build_for_run`), each step timed; ``reserved`` is set once its locks are
    held (or the build failed before)."""
    started = time.perf_counter()
    try:
        build_for_run(ctx, reserved.set, lambda name, work: _timed(timings, name, work))
    finally:
        reserved.set()
    ctx.model = kept_model(ctx)  # the kept parts, assembled: findings.json and the exports read it
    timings["model"] = time.perf_counter() - started


def _write_findings(work: Path, spec: RunSpec, ctx) -> None:
    """findings.json, the evidence CSVs and the exports of the run (in its work directory)."""
    report = ctx.report
    document = findings_document(
        spec.period,
        spec.unit,
        ctx.findings,
        ctx.recommendations,
        ctx.evidence,
        ctx.standing,
        report.standing_evidence,
        ctx.value_at_stake_total,
        report.tests,
    )
    (work / "findings.json").write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    write_evidence(work, report.item_evidence)
    write_run_exports(work, ctx, ctx.evidence)


def _plain(entry: dict) -> dict:
    value = entry.get("value")
    return {**entry, "value": None if value is None or value != value else float(value)}


def _first_line(exc: Exception) -> str:
    """``RuntimeError: planted failure`` from a papermill execution error (its ename / evalue), else the
    exception's type and the first line of its message."""
    if hasattr(exc, "ename"):
        return f"{exc.ename}: {getattr(exc, 'evalue', '')}"
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return type(exc).__name__ + (f": {lines[0]}" if lines else "")


def _publish(work: Path, target: Path) -> None:
    """Replace ``target`` by the finished ``work`` directory: rename the old one aside, rename the new one in."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    work.rename(target)
    shutil.rmtree(old, ignore_errors=True)
