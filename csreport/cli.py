"""The ``csreport`` command: ``validate``, ``sample-data``, ``run`` (one report) and ``batch`` (many)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from csreport.errors import CsreportError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Customer-service analysis reports: validate data, make sample data, run reports.",
)
console = Console()
if not console.is_terminal and "COLUMNS" not in os.environ:
    console = Console(width=120)  # logs and pipes: no 80-column wrapping of the tables
err_console = Console(stderr=True)


PARAMS_HELP = "Folder of parameter files (targets.yml, findings.yml ...); default: ./params, else the packaged ones."
ENGINE_HELP = "Papermill engine of the chapters: warm (one kept kernel per worker) or nbclient (a kernel per chapter)."


def _fail(exc: CsreportError) -> None:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(2)


def _check_options(
    *,
    langs: list[str] = (),
    lang_option: str = "--lang",
    engine: str | None = None,
    renderer: str | None = None,
    data: str | None = None,
    params: Path | None = None,
    mapping: Path | None = None,
) -> None:
    """The options a user can get wrong, checked at once: before the report pipeline is imported (seconds) and
    before anything is written. Each message names the option and the fix."""
    from csreport.data.mapping import load_mapping
    from csreport.data.reader import DB_URL_ENV
    from csreport.language import i18n
    from csreport.pipeline.runparams import check_engine, check_renderer

    for lang in langs:
        try:
            i18n.check_lang(lang)
        except CsreportError:
            raise CsreportError(
                f"{lang_option} {lang}: not a report language; use one of {', '.join(i18n.LANGUAGES)}."
            ) from None
    if engine is not None:
        check_engine(engine)
    if renderer is not None and check_renderer(renderer) == "quarto" and not shutil.which("quarto"):
        raise CsreportError("--renderer quarto: no 'quarto' executable on PATH. Install Quarto or use builtin.")
    if data == "" and not os.environ.get(DB_URL_ENV):
        raise CsreportError(
            f"--data '': reads the database in {DB_URL_ENV}, which is not set. Set it to a database URL, or pass "
            "--data DIR with the folder of your tables."
        )
    if data and not Path(data).is_dir():
        raise CsreportError(
            f"--data {data}: folder not found. Pass --data DIR with the folder of your tables (contacts.csv, "
            f".xlsx or .parquet), or generate sample data there with 'csreport sample-data --out {data}'."
        )
    if params is not None and not Path(params).is_dir():
        raise CsreportError(f"--params {params}: not a folder. Pass a folder like the project's params/.")
    if mapping is not None:
        load_mapping(mapping)  # a bad mapping file is a usage error, not a failed run


@app.command()
def validate(
    data_dir: Path | None = typer.Argument(
        None, help="Directory of <table>.csv|.xlsx|.parquet files; omit to read the database in CSREPORT_DB_URL."
    ),
    out: Path = typer.Option(
        Path("reports/_validated"), "--out", help="Where the store, quarantine files and ingest.json go."
    ),
    mapping: Path | None = typer.Option(None, "--mapping", help="A params/mapping/*.yml file for a foreign export."),
    timezone: str = typer.Option("Asia/Shanghai", "--timezone", help="Run timezone for timestamps with offsets."),
) -> None:
    """Read, map and validate every table; print rows read / accepted / quarantined and the top reasons.

    Exits 0 when the data is usable (bad rows are quarantined, not fatal) and 2 on unusable input.
    """
    from csreport.data.ingest import ingest
    from csreport.data.ingest_checks import unknown_notes
    from csreport.data.mapping import load_mapping

    try:
        with console.status("validating ...") as status:
            report = ingest(
                data_dir,
                out,
                load_mapping(mapping),
                timezone,
                progress=lambda t: status.update(f"validating {t} ..."),
                force=True,
            )
    except CsreportError as exc:
        _fail(exc)
    table = Table(title=f"Validation of {data_dir or 'CSREPORT_DB_URL'}")
    for col, justify in [
        ("table", "left"),
        ("rows read", "right"),
        ("accepted", "right"),
        ("quarantined", "right"),
        ("top reasons", "left"),
    ]:
        table.add_column(col, justify=justify)
    for t in report.tables.values():
        reasons = "; ".join(f"{r['column']} {r['rule']} ({r['rows']:,})" for r in t.reasons[:3]) or "-"
        table.add_row(t.table, f"{t.rows_read:,}", f"{t.rows_accepted:,}", f"{t.rows_quarantined:,}", reasons)
    console.print(table)
    for t in report.tables.values():
        for warning in t.warnings:
            console.print(f"[yellow]warning[/] {t.table}: {warning}", highlight=False)
    for t in report.tables.values():
        for note in unknown_notes(t.unknown_columns):
            console.print(f"[yellow]note[/] {t.table}: {escape(note)}", highlight=False)
    if any(t.rows_quarantined for t in report.tables.values()):
        console.print(f"Quarantined rows, with their reasons: {report.quarantine_dir}/<table>.csv")
    console.print(f"Validated store: {report.store_dir}")


@app.command("sample-data")
def sample_data(
    scenario: Path | None = typer.Option(
        None,
        "--scenario",
        help="Scenario file (default: the project's params/scenarios/default.yml, else the packaged one).",
    ),
    out: Path = typer.Option(Path("data/sample"), "--out", help="Directory to write (replaced)."),
    contacts: int | None = typer.Option(
        None, "--contacts", min=1000, help="About this many contacts (default: the scenario's)."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Random seed (default: the scenario's)."),
    fmt: str = typer.Option("parquet", "--format", help="parquet or csv."),
) -> None:
    """Generate a sample data set with planted events; ground truth goes to <out>/_scenario_truth.json."""
    from csreport.sample.generate import FORMATS, generate
    from csreport.sample.scenario import load_scenario
    from csreport.settings import Settings

    if fmt not in FORMATS:
        _fail(CsreportError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}."))
    try:
        spec = load_scenario(scenario or Settings.resolve().scenario).with_overrides(contacts=contacts, seed=seed)
    except CsreportError as exc:
        _fail(exc)
    with Progress(
        TextColumn("simulating months"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("months", total=spec.months)
        truth = generate(spec, out, fmt, progress=lambda done, total: progress.update(task, completed=done))
    rows = ", ".join(f"{t} {n:,}" for t, n in truth["rows"].items())
    console.print(f"Wrote {out} ({spec.name}, seed {spec.seed}, {spec.periods[0]}..{spec.end}): {rows}")
    console.print(f"Ground truth of {len(truth['events'])} planted events: {out}/_scenario_truth.json")


def _result_table(results) -> Table:
    table = Table(title="Report runs")
    for col, justify in [("period", "left"), ("unit", "left"), ("lang", "left"), ("status", "left"),
                         ("seconds", "right"), ("output or error", "left")]:  # fmt: skip
        table.add_column(col, justify=justify)
    for r in sorted(results, key=lambda r: (r.spec.period, r.spec.unit, r.spec.lang)):
        colour = {"ok": "green", "skipped": "cyan"}.get(r.status, "red")
        where = str(r.spec.target) if r.status != "failed" else f"{r.error} ({r.spec.target}.failed)"
        table.add_row(r.spec.period, r.spec.unit, r.spec.lang, f"[{colour}]{r.status}[/]", f"{r.seconds:.1f}", where)
    return table


@app.command()
def run(
    period: str = typer.Option(..., "--period", help="Month of the report, YYYY-MM."),
    unit: str = typer.Option("all", "--unit", help="Business unit, or 'all' for every unit."),
    lang: str = typer.Option("en", "--lang", help="en or zh."),
    data: str = typer.Option("data/sample", "--data", help="Input tables; '' reads the database in CSREPORT_DB_URL."),
    out: Path = typer.Option(Path("reports"), "--out", help="Reports directory."),
    renderer: str = typer.Option("auto", "--renderer", help="auto, quarto or builtin."),
    params: Path | None = typer.Option(None, "--params", help=PARAMS_HELP),
    engine: str = typer.Option("warm", "--engine", help=ENGINE_HELP),
    mapping: Path | None = typer.Option(None, "--mapping", help="A params/mapping/*.yml file for a foreign export."),
    chapter: str | None = typer.Option(
        None, "--chapter", help="Re-run only this chapter (03 or 03_service_quality) into the existing report."
    ),
) -> None:
    """Execute the six chapters for one period × unit and write report.html, report.pdf, findings.json and
    manifest.json to <out>/<period>/<unit>/ (a run that fails goes to <unit>.failed with the failing notebook).
    With --chapter, only that chapter runs again, into the report already there, which is rendered again.

    Exits 2 at once, writing nothing, on a usage error: a bad option, a period outside the data, an unknown
    unit, unusable input."""
    from csreport.data.periods import check_period, check_unit

    try:
        check_period(period)
        check_unit(unit)
        _check_options(langs=[lang], engine=engine, renderer=renderer, data=data, params=params, mapping=mapping)
    except CsreportError as exc:
        _fail(exc)
    from csreport.pipeline.index import index_name, write_indexes
    from csreport.pipeline.run import RunSpec, run_report

    try:
        spec = RunSpec(period, unit, lang, Path(data) if data else None, out, renderer=renderer, params_dir=params,
                       engine=engine, mapping_file=mapping)  # fmt: skip
        if chapter:
            from csreport.pipeline.rerun import chapter_name, rerun_chapter

            with console.status(f"running chapter {chapter_name(chapter)} of {period} × {unit} ({lang}) ..."):
                result = rerun_chapter(spec, chapter)
        else:
            with console.status(f"running the report {period} × {unit} ({lang}) ..."):
                result = run_report(spec)
        if result.bad_parameter:  # a period outside the data, an unknown unit, unusable input: nothing written
            raise CsreportError(result.error)
        write_indexes(spec.out_dir)
    except CsreportError as exc:
        _fail(exc)
    console.print(_result_table([result]))
    if result.status != "ok":
        raise typer.Exit(1)
    console.print(f"Report: {spec.target / 'report.html'} and report.pdf; index: {spec.out_dir / index_name(lang)}")


@app.command()
def batch(
    periods: str | None = typer.Option(None, "--periods", help="YYYY-MM:YYYY-MM, a comma-separated list, or 'latest'."),
    units: str | None = typer.Option(None, "--units", help="'all' (every unit plus all-units) or 'east,west'."),
    langs: str | None = typer.Option(None, "--langs", help="Comma-separated languages (default en)."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Parallel runs (default 2)."),
    grid: Path | None = typer.Option(None, "--grid", help="A params/batch.yml file with these keys."),
    resume: bool = typer.Option(False, "--resume", help="Skip runs whose inputs are unchanged since they succeeded."),
    data: str = typer.Option("data/sample", "--data", help="Input tables; '' reads the database in CSREPORT_DB_URL."),
    out: Path = typer.Option(Path("reports"), "--out", help="Reports directory."),
    renderer: str = typer.Option("auto", "--renderer", help="auto, quarto or builtin."),
    mapping: Path | None = typer.Option(
        None, "--mapping", help="A params/mapping/*.yml file for a foreign export (or the grid's 'mapping' key)."
    ),
    params: Path | None = typer.Option(None, "--params", help=PARAMS_HELP),
    engine: str = typer.Option("warm", "--engine", help=ENGINE_HELP),
    kernel_reports: int = typer.Option(
        8, "--kernel-reports", min=1, help="Reports a worker's warm kernel runs before it is replaced (bounds memory)."
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        envvar="CSREPORT_DASK_SCHEDULER",
        help="Run on this Dask cluster (tcp://host:8786) instead of local processes; see README 'Running at scale'.",
    ),
    deliver: bool = typer.Option(
        False, "--deliver", help="Then e-mail the batch's reports to their readers (as csreport deliver)."
    ),
) -> None:
    """Run a grid of periods × units (× languages) in parallel; failures are isolated, summarised at the end,
    and make the exit code 1. A usage error (a bad option, a period outside the data, an unknown unit, unusable
    input) exits 2 at once, before any run starts."""
    from csreport.data.periods import check_unit, expand_periods

    try:
        if periods and periods != "latest":
            expand_periods(periods)
        for name in (units or "").split(","):
            if name.strip():
                check_unit(name.strip())
        _check_options(langs=langs.split(",") if langs else [], lang_option="--langs", engine=engine,
                       renderer=renderer, data=data, params=params, mapping=mapping)  # fmt: skip
    except CsreportError as exc:
        _fail(exc)
    from csreport.pipeline.batch import expand_units, read_grid, run_batch, runs_in_data
    from csreport.pipeline.index import index_name, write_indexes
    from csreport.pipeline.run import RunSpec, validate_data
    from csreport.settings import Settings

    try:
        config = read_grid(grid) if grid else {}
        periods = periods or config.get("periods")
        if not periods:
            raise CsreportError("no periods: pass --periods 2026-01:2026-10 or --grid params/batch.yml.")
        lang_list = (langs.split(",") if langs else config.get("langs")) or ["en"]
        workers = workers or int(config.get("workers", 2))
        data_dir = Path(data) if data else None
        mapping = mapping or config.get("mapping")
        _check_options(langs=lang_list, lang_option="langs", mapping=mapping)  # the grid file's values too
        if deliver:  # a wrong delivery file or mail server is found now, not after the reports
            from csreport.delivery.command import preflight

            preflight(Settings.resolve(params).delivery)
        fingerprint, store = validate_data(data_dir, out, mapping)
        if periods == "latest":
            periods = store.last_month()
        available = store.units()
        settings = Settings.resolve(params)  # once for the batch
        unit_text = units or config.get("units", "all")
        specs = [
            RunSpec(
                p,
                u,
                lang,
                data_dir,
                out,
                renderer=renderer,
                params_dir=params,
                engine=engine,
                kernel_reports=kernel_reports,
                settings=settings,
                mapping_file=mapping,
            )
            for p in expand_periods(periods)
            for u in expand_units(unit_text, available)
            for lang in lang_list
        ]
        specs, notes = runs_in_data(specs, store, every_unit=str(unit_text).strip() == "all")
        for text in notes:
            console.print(f"[yellow]note[/] {text}", highlight=False)
        with Progress(TextColumn("reports"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      TextColumn("{task.description}"), console=console) as progress:  # fmt: skip
            task = progress.add_task("", total=len(specs))

            def done(result) -> None:
                progress.update(
                    task, advance=1, description=f"{result.spec.period} {result.spec.unit}: {result.status}"
                )

            def notice(text: str) -> None:
                progress.console.print(f"[yellow]note[/] {text}", highlight=False)

            results = run_batch(specs, workers, resume, done, fingerprint, scheduler=scheduler, on_notice=notice)
        write_indexes(out)
    except CsreportError as exc:
        _fail(exc)
    console.print(_result_table(results))
    failed = [r for r in results if r.status == "failed"]
    ok = sum(r.status == "ok" for r in results)
    skipped = sum(r.status == "skipped" for r in results)
    indexes = ", ".join(str(out / index_name(x)) for x in lang_list)
    console.print(f"{ok} done, {skipped} unchanged (skipped), {len(failed)} failed. Index: {indexes}")
    attention = False
    if deliver:
        try:
            units_run = sorted({r.spec.unit for r in results})
            attention = _deliver(out, params, sorted({r.spec.period for r in results}), units_run, False, False,
                                 False, None)  # fmt: skip
        except CsreportError as exc:
            _fail(exc)
    if failed or attention:
        raise typer.Exit(1)


def _delivery_table(delivery) -> Table:
    """Who got (or, in a dry run, would get) what: one row per message."""
    dry = delivery.outbox is not None
    table = Table(title="Delivery (dry run: nothing sent)" if dry else "Delivery")
    for col in ("period", "report", "to", "attached", "status", "message file" if dry else "detail"):
        table.add_column(col, overflow="fold")
    colours = {"sent": "green", "dry run": "cyan", "delivered": "dim", "partial": "yellow"}
    for o in delivery.outcomes:
        readers = o.item.readers
        to = ", ".join(o.recipients or readers.addresses)
        attached = ", ".join(readers.attach) or "-"
        detail = str(o.eml) if o.eml else o.detail
        colour = colours.get(o.status, "red")
        table.add_row(o.item.period, readers.folder, to, attached, f"[{colour}]{o.status}[/]", detail)
    return table


def _deliver(out: Path, params: Path | None, periods: list[str], units: str | list[str] | None, force: bool,
             dry_run: bool, allow_partial: bool, outbox: Path | None) -> bool:  # fmt: skip
    """Run a delivery and print its table; True when something needs attention (exit code 1)."""
    from csreport.delivery.command import deliver_reports
    from csreport.settings import Settings

    settings = Settings.resolve(params)
    delivery = deliver_reports(out, settings.delivery, periods, units, force=force, dry_run=dry_run,
                               allow_partial=allow_partial, outbox=outbox)  # fmt: skip
    where = f"via {delivery.server}" if delivery.server else f"dry run into {delivery.outbox}"
    console.print(f"Readers: {delivery.config.path}; {where}.", highlight=False, soft_wrap=True)
    if delivery.outcomes:
        console.print(_delivery_table(delivery))
    if delivery.without_readers:
        console.print(f"No readers in {delivery.config.path} for: {', '.join(delivery.without_readers)}.",
                      highlight=False, soft_wrap=True)  # fmt: skip
    counts = {s: sum(o.status == s for o in delivery.outcomes) for s in ("sent", "dry run", "delivered")}
    console.print(f"{counts['sent']} sent, {counts['dry run']} written (dry run), {counts['delivered']} delivered "
                  f"before (nothing new), {len(delivery.attention)} need attention.", highlight=False)  # fmt: skip
    for o in delivery.attention:
        console.print(f"[red]{o.status}[/] {o.item.report} → {', '.join(o.recipients or o.item.readers.addresses)}: "
                      f"{o.detail}", highlight=False, soft_wrap=True)  # fmt: skip
    if delivery.attention and not dry_run:
        console.print("The next csreport deliver sends these again.", highlight=False)
    return bool(delivery.attention)


@app.command()
def deliver(
    period: str | None = typer.Option(None, "--period", help="Month of the reports, YYYY-MM."),
    periods: str | None = typer.Option(None, "--periods", help="YYYY-MM:YYYY-MM, a comma-separated list, or 'latest'."),
    units: str | None = typer.Option(
        None, "--units", help="'all' (default: every unit, and all-units) or 'east,west'."
    ),
    out: Path = typer.Option(Path("reports"), "--out", help="Reports directory (the delivery log is kept there)."),
    params: Path | None = typer.Option(None, "--params", help=PARAMS_HELP + " Readers: delivery.yml."),
    force: bool = typer.Option(False, "--force", help="Send again to readers who already have this version."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Write each message as an .eml file; send nothing."),
    outbox: Path | None = typer.Option(None, "--outbox", help="Where --dry-run writes (default <out>/_outbox)."),
    allow_partial: bool = typer.Option(
        False, "--allow-partial-month", help="Deliver reports of a month the data covers only in part."
    ),
) -> None:
    """E-mail each finished report to its readers (params/delivery.yml) over SMTP (CSREPORT_SMTP_URL and
    CSREPORT_SMTP_PASSWORD), once per version of the report, logged in <out>/delivery.log.jsonl. Exits 1 when a
    message failed or a report was not ready (listed at the end; the next run sends them), 2 on a usage error."""
    try:
        from csreport.delivery.command import resolve_periods

        attention = _deliver(out, params, resolve_periods(out, period, periods), units, force, dry_run,
                             allow_partial, outbox)  # fmt: skip
    except CsreportError as exc:
        _fail(exc)
    if attention:
        raise typer.Exit(1)


@app.command()
def init(
    directory: Path = typer.Argument(
        ..., help="Folder of the new report project (created; must be empty if it exists)."
    ),
) -> None:
    """Start a report project: write notebooks/, params/, _quarto.yml and a README from the packaged template."""
    from csreport.pipeline.project import init_project

    try:
        written = init_project(directory)
    except CsreportError as exc:
        _fail(exc)
    console.print(f"Wrote {len(written)} files to {directory}. Next: see {directory / 'README.md'}.")


def main() -> None:  # pragma: no cover - console entry point wrapper
    """Run the CLI; errors that escape a command become one line on stderr and exit code 2, no traceback."""
    try:
        app()  # standalone mode: typer.Exit and click's own errors exit here with their codes
    except CsreportError as exc:
        err_console.print(f"error: {exc}", highlight=False)
        sys.exit(2)
    except OSError as exc:  # a file or directory csreport could not read or write
        where = f"{exc.filename}: " if exc.filename else ""
        err_console.print(f"error: {where}{exc.strerror or exc}. Check the path and its permissions.", highlight=False)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()
