"""Read, map and validate every input table into a typed Parquet store, quarantining bad rows.

``ingest(data_dir, out_dir)`` writes::

    <out_dir>/store/<table>.parquet      accepted rows, contract columns and types, sorted by time
    <out_dir>/quarantine/<table>.csv     one line per rule a rejected row breaks (source file and row, column,
                                         rule, value, the row's time as read and its month YYYY-MM, or
                                         "unknown" when the time is absent or does not parse)
    <out_dir>/ingest.json                per-table counts, reasons, warnings, the data fingerprint and the
                                         coverage: per business unit the first and last contact (created_at)

For every table ``rows_read == rows_accepted + rows_quarantined`` is asserted. A store whose fingerprint
(input bytes, mapping, timezone, csreport version) is unchanged is reused, so a batch of runs ingests once.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import duckdb

from csreport import __version__
from csreport.data.ingest_checks import check_usable
from csreport.data.ingest_sql import checked_query, reference_select, unknown_columns
from csreport.data.mapping import IDENTITY, Mapping
from csreport.data.reader import (
    DB_URL_ENV,
    RawTable,
    database_signature,
    database_tables,
    find_table_files,
    open_database_table,
    open_file,
    redact_url,
)
from csreport.data.schemas import SCHEMAS
from csreport.data.sql import connect, literal, quote
from csreport.data.store import Store, coverage_from_frame, coverage_query
from csreport.errors import ReconciliationError, UnusableInputError

DEFAULT_TIMEZONE = "Asia/Shanghai"
_DUCKDB_MEMORY_LIMIT = "2GB"
_REFERENCES = [  # (table, column, referenced table, referenced column)
    ("contacts", "agent_id", "agents", "agent_id"),
    ("contacts", "customer_id", "customers", "customer_id"),
    ("surveys", "contact_id", "contacts", "contact_id"),
    ("surveys", "customer_id", "customers", "customer_id"),
    ("agent_months", "agent_id", "agents", "agent_id"),
]


@dataclass(frozen=True)
class TableReport:
    """What happened to one table: counts, the commonest reasons and referential warnings."""

    table: str
    source: str
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    columns: list[str]
    reasons: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None
    # source columns not in the data contract: {"column", "kept" (as a customer attribute), "did_you_mean"}
    unknown_columns: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class IngestReport:
    """The result of :func:`ingest`: where the store is, its fingerprint and one report per table present."""

    store_dir: str
    quarantine_dir: str
    fingerprint: str
    timezone: str
    tables: dict[str, TableReport]
    reused: bool = False
    coverage: dict[str, list[str]] = field(default_factory=dict)  # unit ("all" too) → [first, last] created_at

    def to_json(self) -> dict:
        return {**asdict(self), "tables": {k: asdict(v) for k, v in self.tables.items()}}

    @classmethod
    def from_json(cls, data: dict) -> IngestReport:
        tables = {k: TableReport(**v) for k, v in data["tables"].items()}
        return cls(**{**data, "tables": tables, "reused": True})


def _connect(work_dir: Path, tz: str) -> duckdb.DuckDBPyConnection:
    con = connect()
    con.execute(f"SET memory_limit = '{_DUCKDB_MEMORY_LIMIT}'")
    con.execute(f"SET temp_directory = {literal(str(work_dir / 'duckdb_tmp'))}")
    con.execute(f"SET TimeZone = {literal(tz)}")
    return con


def _file_digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def fingerprint(sources: dict[str, Path], mapping: Mapping, tz: str, db_url: str | None = None) -> str:
    """A digest of everything the store depends on: input bytes, mapping file, timezone, csreport version."""
    digest = hashlib.sha256()
    for table, path in sorted(sources.items()):
        # the resolved path counts too: a store may reference (not copy) its Parquet sources
        digest.update(f"{table}:{path.resolve()}:{_file_digest(path)}".encode())
    if mapping.path:
        digest.update(Path(mapping.path).read_bytes())
    if db_url:
        digest.update(redact_url(db_url).encode())
        # the database's content: row counts and row hashes; None (a database csreport cannot sign) never matches
        signature = database_signature(db_url, mapping)
        digest.update((signature if signature is not None else f"unsigned:{time.time_ns()}").encode())
    digest.update(f"{tz}:{__version__}".encode())
    return digest.hexdigest()


LOCK_NAME = ".ingest.lock"


@contextmanager
def _locked(out_dir: Path):
    """Hold ``out_dir``'s validation lock; a lock file this call created is removed again when the input turns
    out unusable (a failed validation leaves no file behind)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_NAME
    new = not path.exists()
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        except UnusableInputError:
            if new:
                path.unlink(missing_ok=True)
            raise
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _atomic_copy(con: duckdb.DuckDBPyConnection, query: str, target: Path, options: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        con.execute(f"COPY ({query}) TO {literal(tmp)} ({options})")
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_copy(con: duckdb.DuckDBPyConnection, table: str, columns: list[str], store: Path) -> int:
    """Write the accepted rows of temp table ``checked`` to ``store/<table>.parquet``, sorted by time."""
    time_col = SCHEMAS[table].metadata["time_column"]
    order = f" ORDER BY {quote(time_col)}, _row" if time_col in columns else " ORDER BY _row"
    select = ", ".join(quote(c) for c in columns)
    _atomic_copy(
        con,
        f"SELECT {select} FROM checked WHERE NOT _bad{order}",
        store / f"{table}.parquet",
        "FORMAT parquet, ROW_GROUP_SIZE 100000, COMPRESSION zstd",
    )
    return con.execute("SELECT count(*) FROM checked WHERE NOT _bad").fetchone()[0]


def _write_reference(
    con: duckdb.DuckDBPyConnection, table: str, reference: str, columns: list[str], store: Path
) -> int:
    """Store ``table`` as a query over its typed Parquet source minus the quarantined rows; returns the
    number of rows that query yields (counted, not derived, so that the reconciliation is a real check)."""
    excluded = store / f"{table}.quarantined_rows.parquet"
    _atomic_copy(con, "SELECT _row FROM checked ORDER BY _row", excluded, "FORMAT parquet")
    select = ", ".join(quote(c) for c in columns)
    sql = (
        f"SELECT {select} FROM ({reference}) AS source "
        f"ANTI JOIN read_parquet({literal(str(excluded.resolve()))}) AS excluded USING (_row)"
    )
    (store / f"{table}.sql").write_text(sql + "\n", encoding="utf-8")
    return con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]


def _ingest_table(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    mapping: Mapping,
    tz: str,
    store: Path,
    quarantine: Path,
    rows_read: int,
) -> TableReport:
    tmap = mapping.table(raw.table)
    query, columns = checked_query(raw, tmap, tz)
    reference = reference_select(raw, tmap, tz)
    try:
        if reference:  # typed Parquet: keep only the bad rows, the store reads the source itself
            con.execute(f"CREATE OR REPLACE TEMP TABLE checked AS SELECT * FROM ({query}) WHERE _bad")
            accepted = _write_reference(con, raw.table, reference, columns, store)
            quarantined = con.execute("SELECT count(*) FROM checked").fetchone()[0]
        else:
            con.execute(f"CREATE OR REPLACE TEMP TABLE checked AS {query}")
            accepted = _write_copy(con, raw.table, columns, store)
            quarantined = con.execute("SELECT count(*) FILTER (_bad) FROM checked").fetchone()[0]
    except duckdb.Error as exc:
        raise UnusableInputError(f"{raw.source}: cannot be read ({str(exc).splitlines()[0]}).") from None
    if accepted + quarantined != rows_read:
        raise ReconciliationError(
            f"{raw.source}: read {rows_read} rows but accepted {accepted} + quarantined {quarantined}; "
            f"this is a csreport bug, please report it."
        )
    target = quarantine / f"{raw.table}.csv"
    if quarantined:
        _atomic_copy(
            con,
            f"SELECT {literal(raw.source)} AS source_file, _row AS source_row, v['column'] AS \"column\", "
            f"v.rule AS rule, v.value AS value, _time_raw AS time_raw, _month AS month "
            f"FROM (SELECT _row, _time_raw, _month, unnest(_violations) AS v FROM checked "
            f'WHERE _bad) ORDER BY _row, "column"',
            target,
            "FORMAT csv, HEADER true",
        )
    elif target.exists():
        target.unlink()
    reasons = [
        {"column": c, "rule": r, "rows": n}
        for c, r, n in con.execute(
            "SELECT v['column'], v.rule, count(DISTINCT _row) AS n FROM (SELECT _row, unnest(_violations) AS v "
            "FROM checked WHERE _bad) GROUP BY ALL ORDER BY n DESC, 1, 2"
        ).fetchall()
    ]
    con.execute("DROP TABLE checked")
    return TableReport(raw.table, raw.source, rows_read, accepted, quarantined, columns, reasons,
                       encoding=raw.encoding, unknown_columns=unknown_columns(raw, tmap))  # fmt: skip


def _orphans(tables: Store, reference: tuple[str, str, str, str]) -> tuple[int, list]:
    table, column, ref_table, ref_column = reference
    row = tables.query(
        f"SELECT count(*) AS n, list(DISTINCT {quote(column)})[1:5] AS examples FROM {{{table}}} "
        f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} NOT IN "
        f"(SELECT {quote(ref_column)} FROM {{{ref_table}}})"
    ).iloc[0]
    return int(row["n"]), list(row["examples"]) if row["n"] else []  # no orphans: the list is NULL


def _reference_warnings(store: Path, reports: dict[str, TableReport]) -> None:
    """Count ids with no match in the table they refer to; such rows are kept, with a warning. The checks
    run two at a time: one alone does not keep both cores busy."""
    tables = Store(store)
    checks = [r for r in _REFERENCES if r[0] in reports and r[2] in reports and r[1] in reports[r[0]].columns]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda r: _orphans(tables, r), checks))
    for (table, column, ref_table, _), (n, examples) in zip(checks, results, strict=True):
        if n:
            reports[table].warnings.append(
                f"{n:,} rows have a {column} value not found in {ref_table} (e.g. {', '.join(map(str, examples))}); "
                f"they are kept."
            )


def ingest(
    data_dir: str | Path | None,
    out_dir: str | Path,
    mapping: Mapping = IDENTITY,
    tz: str = DEFAULT_TIMEZONE,
    progress: Callable[[str], None] | None = None,
    force: bool = False,
) -> IngestReport:
    """Validate every input table into ``out_dir``; ``data_dir=None`` reads the database in ``CSREPORT_DB_URL``.

    Raises :class:`UnusableInputError` for an unknown, unreadable or empty file, or a missing required column.
    """
    # absolute: a report opens the store from a background thread while papermill changes the process's
    # working directory to the chapter's, so a relative store path (``--out reports``) would not be found
    out_dir = Path(out_dir).resolve()
    db_url = os.environ.get(DB_URL_ENV) if data_dir is None else None
    if data_dir is None and not db_url:
        raise UnusableInputError(
            f"no data directory given and {DB_URL_ENV} is not set. Pass a data directory "
            f"or set {DB_URL_ENV} to a database URL."
        )
    sources = find_table_files(Path(data_dir), mapping) if data_dir is not None else {}
    if data_dir is not None and "contacts" not in sources:
        raise UnusableInputError(
            f"{data_dir}: no contacts table (contacts.csv, .xlsx or .parquet); it is the one required table."
        )
    created = _new_folders(out_dir)
    try:
        return _validate(sources, out_dir, mapping, tz, progress, force, db_url)
    except UnusableInputError:
        _remove_new(created)  # unusable input leaves nothing behind: no store folder, no lock file
        raise


def _new_folders(out_dir: Path) -> list[Path]:
    """``out_dir`` and those of its parents that do not exist yet, deepest first."""
    new = []
    for folder in (out_dir, *out_dir.parents):
        if folder.exists():
            break
        new.append(folder)
    return new


def _remove_new(created: list[Path]) -> None:
    """Remove the folders a failed validation created (deepest first): the output folder with what it holds,
    then each new parent while it is empty."""
    if created:
        shutil.rmtree(created[0], ignore_errors=True)
    for folder in created[1:]:
        try:
            folder.rmdir()  # only if still empty: another process may have written there meanwhile
        except OSError:
            break


def _validate(
    sources: dict[str, Path],
    out_dir: Path,
    mapping: Mapping,
    tz: str,
    progress: Callable[[str], None] | None,
    force: bool,
    db_url: str | None,
) -> IngestReport:
    with _locked(out_dir), ThreadPoolExecutor(max_workers=1) as hasher:
        # hashing releases the GIL: when validation runs anyway (force), it overlaps the hashing
        pending = hasher.submit(fingerprint, sources, mapping, tz, db_url)
        manifest = out_dir / "ingest.json"
        if not force and manifest.exists():
            fp = pending.result()
            cached = IngestReport.from_json(json.loads(manifest.read_text(encoding="utf-8")))
            # the store where it is now (a manifest of an older version may hold a relative path)
            cached = replace(cached, store_dir=str(out_dir / "store"), quarantine_dir=str(out_dir / "quarantine"))
            if cached.fingerprint == fp and set(cached.tables) <= set(Store(Path(cached.store_dir)).tables):
                return cached
        store, quarantine = out_dir / "store", out_dir / "quarantine"
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=".work-") as work:
            con = _connect(Path(work), tz)
            if db_url:
                available = database_tables(db_url)
                tables = [t for t in SCHEMAS if (mapping.table(t).file or t) in available]
                if "contacts" not in tables:
                    raise UnusableInputError(f"database in {DB_URL_ENV}: no 'contacts' table; it is required.")
            else:
                tables = [t for t in SCHEMAS if t in sources]
            # every table opened and checked before anything is written: an unusable file keeps the last store
            raws = []
            for table in tables:
                if progress:
                    progress(table)
                tmap = mapping.table(table)
                raws.append(
                    open_database_table(con, table, db_url, tmap, Path(work))
                    if db_url
                    else open_file(con, table, sources[table], tmap, Path(work))
                )
            rows_read = check_usable(con, raws, mapping)
            manifest.unlink(missing_ok=True)  # the store is rewritten: no manifest may vouch for a part of it
            for stale in [*store.glob("*.parquet"), *store.glob("*.sql"), *quarantine.glob("*.csv")]:
                stale.unlink()
            reports: dict[str, TableReport] = {}
            for raw in raws:
                if progress:
                    progress(raw.table)
                reports[raw.table] = _ingest_table(con, raw, mapping, tz, store, quarantine, rows_read[raw.table])
            con.close()
        _reference_warnings(store, reports)
        coverage = coverage_from_frame(Store(store).query(coverage_query("{contacts}")))
        report = IngestReport(str(store), str(quarantine), pending.result(), tz, reports, coverage=coverage)
        tmp = manifest.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, manifest)
        return report
