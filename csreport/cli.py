"""The ``csreport`` command: ``validate`` and ``sample-data`` (report runs arrive with the pipeline)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from csreport.errors import CsreportError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Customer-service analysis reports: validate data, make sample data.",
)
console = Console()
if not console.is_terminal and "COLUMNS" not in os.environ:
    console = Console(width=120)  # logs and pipes: no 80-column wrapping of the tables
err_console = Console(stderr=True)


def _fail(exc: CsreportError) -> None:
    err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(2)


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
    from csreport.ingest import ingest
    from csreport.mapping import load_mapping

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
    if any(t.rows_quarantined for t in report.tables.values()):
        console.print(f"Quarantined rows, with their reasons: {report.quarantine_dir}/<table>.csv")
    console.print(f"Validated store: {report.store_dir}")


@app.command("sample-data")
def sample_data(
    scenario: Path = typer.Option(Path("params/scenarios/default.yml"), "--scenario", help="Scenario file."),
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

    if fmt not in FORMATS:
        _fail(CsreportError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}."))
    try:
        spec = load_scenario(scenario).with_overrides(contacts=contacts, seed=seed)
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
