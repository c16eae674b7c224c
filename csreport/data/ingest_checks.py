"""What makes input unusable, checked before validation writes anything, and what it does not read.

:func:`check_usable` opens nothing itself: given every table of the input opened (:mod:`csreport.data.reader`), it
names every file that lacks a required column at once (with a guess among the columns found), then the first
empty table. :func:`unknown_notes` says, per column outside the data contract, whether it was kept or not read
and which contract column it may have been meant to be.
"""

from __future__ import annotations

import difflib

import duckdb

from csreport.data.ingest_sql import missing_required, unknown_columns
from csreport.data.mapping import Mapping
from csreport.data.reader import RawTable
from csreport.errors import UnusableInputError


def check_usable(con: duckdb.DuckDBPyConnection, raws: list[RawTable], mapping: Mapping) -> dict[str, int]:
    """Every table's required columns, then its rows: one :class:`UnusableInputError` naming every file that
    lacks a required column (all of them at once), or the first empty table; else the rows read per table."""
    problems = []
    for raw in raws:
        missing = missing_required(raw, mapping.table(raw.table))
        if missing:
            found = ", ".join(raw.columns) or "none"
            unknown = [u["column"] for u in unknown_columns(raw, mapping.table(raw.table))]
            guesses = [(m, difflib.get_close_matches(m, unknown, n=1, cutoff=0.6)) for m in missing]
            guessed = "".join(f" Is '{g[0]}' your '{m}'?" for m, g in guesses if g)
            problems.append(
                f"{raw.source}: required column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(repr(m) for m in missing)} missing (found: {found}).{guessed} Map "
                f"{'them' if len(missing) > 1 else 'it'} in params/mapping/<file>.yml (--mapping) or rename the column."
            )
    if problems:
        raise UnusableInputError("\n".join(problems))
    rows = {}
    for raw in raws:
        try:
            rows[raw.table] = con.execute(f"SELECT count(*) FROM {raw.view}").fetchone()[0]
        except duckdb.Error as exc:
            raise UnusableInputError(f"{raw.source}: cannot be read ({str(exc).splitlines()[0]}).") from None
        if rows[raw.table] == 0:
            raise UnusableInputError(f"{raw.source}: the table has a header but no rows. Export it again with data.")
    return rows


def unknown_notes(entries: list[dict]) -> list[str]:
    """One sentence per source column outside the data contract (``TableReport.unknown_columns``): kept as a
    customer attribute, or not read, with the contract column it may have been meant to be."""
    notes = []
    for entry in entries:
        column, guess = entry["column"], entry.get("did_you_mean")
        what = "kept as a customer attribute" if entry.get("kept") else "not read"
        fix = f" Did you mean '{guess}'? Rename the column, or map it in params/mapping/<file>.yml (--mapping)."
        notes.append(f"column '{column}' is not in the data contract: {what}.{fix if guess else ''}")
    return notes
