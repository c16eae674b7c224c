"""Data sets with parts of the contract left out, for the "any subset of optional data" tests.

The full set is simulated once from ``tests/fixtures/scenario_small_export.yml`` (two units, 14 months, about
4,000 contacts) and validated once; a variant is the validated store with one optional table removed or one
optional column dropped from its Parquet copy, so each variant costs a file copy, not a new validation. The
cases come from the schemas (:data:`csreport.schemas.SCHEMAS`), never from a hand list.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd

from csreport.schemas import SCHEMAS
from csreport.sql import connect, literal, quote
from csreport.store import Store

SCENARIO = Path(__file__).parent / "fixtures" / "scenario_small_export.yml"


def optional_columns() -> list[tuple[str, str]]:
    """(table, column) for every optional column of every table of the contract."""
    return [
        (table, column)
        for table, schema in SCHEMAS.items()
        for column in schema.columns
        if column not in schema.metadata["required_columns"]
    ]


def optional_tables() -> list[str]:
    return [t for t, schema in SCHEMAS.items() if not schema.metadata["required_table"]]


def required_only() -> dict[str, list[str]]:
    """Every table reduced to its required columns, the optional tables absent: only contacts remains."""
    return {"contacts": SCHEMAS["contacts"].metadata["required_columns"]}


def simulate(out: Path) -> Path:
    """The full small data set as CSV files (the shape of an export)."""
    from csreport.sample.generate import generate
    from csreport.sample.scenario import load_scenario

    raw = out / "raw"
    generate(load_scenario(SCENARIO), raw)
    data = out / "data"
    data.mkdir()
    for table in SCHEMAS:
        frame = pd.read_parquet(raw / f"{table}.parquet")
        frame.to_csv(data / f"{table}.csv", index=False)
    return data


def variant(
    validated,
    target: Path,
    *,
    drop_table: str | None = None,
    drop_column: tuple[str, str] | None = None,
    keep_only: dict[str, list[str]] | None = None,
):
    """A copy of the validated store (``validated``: its :class:`~csreport.ingest.IngestReport`) in ``target``
    with a table removed, a column dropped, or only ``keep_only`` tables and columns kept; returns the
    report of the copy."""
    source = Path(validated.store_dir)
    store = target / "store"
    shutil.copytree(source, store)
    tables = dict(validated.tables)
    drop_tables = {drop_table} if drop_table else set()
    columns: dict[str, list[str]] = {}
    if keep_only is not None:
        drop_tables |= set(tables) - set(keep_only)
        columns = dict(keep_only)
    if drop_column is not None:
        table, column = drop_column
        columns[table] = [c for c in Store(store).columns(table) if c != column]
    for table in drop_tables:
        (store / f"{table}.parquet").unlink(missing_ok=True)
        tables.pop(table, None)
    for table, keep in columns.items():
        path = store / f"{table}.parquet"
        with connect() as con:
            con.execute(
                f"COPY (SELECT {', '.join(quote(c) for c in keep)} FROM read_parquet({literal(str(path))})) "
                f"TO {literal(str(path) + '.new')} (FORMAT parquet)"
            )
        Path(str(path) + ".new").replace(path)
    return replace(validated, store_dir=str(store), tables=tables)
