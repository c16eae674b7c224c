"""Find and open the input tables: CSV (UTF-8, UTF-8 with BOM, GB18030/GBK), Excel, Parquet, or a SQL database.

Each table is exposed to DuckDB as a view ``raw_<table>`` with the export's own column names plus ``_row``,
the row number a person sees in the source (the line number of a CSV whose header is line 1, the sheet row of
an Excel file, the 1-based row of a Parquet file or database result).
"""

from __future__ import annotations

import codecs
import datetime
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from csreport.data.mapping import Mapping, TableMapping
from csreport.data.schemas import SCHEMAS
from csreport.data.sql import literal
from csreport.errors import UnusableInputError

DB_URL_ENV = "CSREPORT_DB_URL"
EXTENSIONS = (".csv", ".xlsx", ".parquet")
_SNIFF_BYTES = 4 << 20
_EXCEL_HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class RawTable:
    """One opened input table, registered in a DuckDB connection as view ``view``."""

    table: str
    source: str
    kind: str
    view: str
    columns: tuple[str, ...]
    types: dict[str, str]
    encoding: str | None = None
    header_row: int = 1
    source_sql: str | None = None  # for Parquet: the SELECT behind the view, so a store can reference it


def redact_url(url: str) -> str:
    """A database URL with its password replaced by ``***``, safe to print."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"


def find_table_files(data_dir: Path, mapping: Mapping) -> dict[str, Path]:
    """Map table name to its file in ``data_dir``; an unknown or ambiguous data file is an error."""
    if not data_dir.is_dir():
        raise UnusableInputError(
            f"{data_dir}: data directory not found. Pass an existing directory (for the sample data run "
            f"'csreport sample-data --out {data_dir}')."
        )
    stems = {mapping.table(t).file or t: t for t in SCHEMAS}
    found: dict[str, Path] = {}
    for path in sorted(data_dir.iterdir()):
        if path.name.startswith((".", "_")) or path.suffix.lower() not in EXTENSIONS or not path.is_file():
            continue
        table = stems.get(path.stem)
        if table is None:
            raise UnusableInputError(
                f"{path}: not a table of the data contract. Name it after one of {', '.join(SCHEMAS)}, "
                f"give it a 'file:' entry in a params/mapping file, or move it out of {data_dir}."
            )
        if table in found:
            raise UnusableInputError(
                f"{path}: table '{table}' is also in {found[table].name}; keep one file per table."
            )
        found[table] = path
    return found


def detect_encoding(path: Path) -> str:
    """``utf-8`` (with or without BOM) or ``gb18030`` (which covers GBK and GB2312), from the file's bytes."""
    with path.open("rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if not head:
        raise UnusableInputError(f"{path}: the file is empty. Export the table again with its header row.")
    sample = head if len(head) < _SNIFF_BYTES else head[: head.rfind(b"\n") + 1 or len(head)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        return "utf-8" if encoding == "utf-8-sig" else encoding
    raise UnusableInputError(
        f"{path}: unreadable text encoding (neither UTF-8 nor GB18030/GBK). Save the file as UTF-8 CSV."
    )


def _transcode_to_utf8(path: Path, encoding: str, work_dir: Path) -> Path:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    fd, tmp = tempfile.mkstemp(suffix=".csv", dir=work_dir)
    try:
        with path.open("rb") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(1 << 20):
                dst.write(decoder.decode(chunk))
            dst.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError as exc:
        raise UnusableInputError(
            f"{path}: not valid {encoding} at byte {exc.start}. Save the file as UTF-8 CSV."
        ) from None
    return Path(tmp)


#: Longest CSV line read (bytes). DuckDB's default (2 MB) made a whole file unreadable when one free-text
#: comment was long; a line up to this size is read like any other (its row accepted or quarantined by the rules).
MAX_LINE_BYTES = 256 * 1024 * 1024


def _register_csv(con: duckdb.DuckDBPyConnection, path: Path, view: str, work_dir: Path) -> str:
    encoding = detect_encoding(path)
    readable = path if encoding == "utf-8" else _transcode_to_utf8(path, encoding, work_dir)
    # row_number() over the scan follows file order because DuckDB preserves insertion order.
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT row_number() OVER () + 1 AS _row, * "
        f"FROM read_csv({literal(str(readable))}, all_varchar = true, header = true, null_padding = true, "
        f"max_line_size = {MAX_LINE_BYTES})"
    )
    return encoding


def _excel_header_row(frame: pd.DataFrame, expected: set[str]) -> int:
    best, best_hits = -1, 0
    for i in range(min(_EXCEL_HEADER_SEARCH_ROWS, len(frame))):
        hits = sum(str(v).strip() in expected for v in frame.iloc[i] if pd.notna(v))
        if hits > best_hits:
            best, best_hits = i, hits
    return best


def _excel_cell_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, datetime.datetime):  # pandas Timestamps are datetimes too
        return value.isoformat(sep=" ")
    return str(value)


def _register_excel(con: duckdb.DuckDBPyConnection, path: Path, view: str, table: str, tmap: TableMapping) -> int:
    try:
        frame = pd.read_excel(path, sheet_name=tmap.sheet, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for broken files
        raise UnusableInputError(f"{path}: cannot be read as an Excel workbook ({exc}).") from None
    expected = {tmap.source_name(c) for c in SCHEMAS[table].columns}
    header = _excel_header_row(frame, expected)
    if header < 0:
        raise UnusableInputError(
            f"{path}: no header row with contract column names found in the first "
            f"{_EXCEL_HEADER_SEARCH_ROWS} rows (looked for: {', '.join(sorted(expected))}). "
            f"Map the columns in params/mapping/<file>.yml."
        )
    names = [str(v).strip() if pd.notna(v) else f"column_{j + 1}" for j, v in enumerate(frame.iloc[header])]
    body = frame.iloc[header + 1 :].map(_excel_cell_text)
    body.columns = names
    body = body.dropna(how="all")  # blank spacer rows are not data
    body.insert(0, "_row", (body.index + 1).astype("int64"))  # sheet row numbers are 1-based
    body = body.astype({c: "string" for c in names})
    con.register(f"{view}_frame", body)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {view}_frame")
    return header + 1


def parquet_source_sql(path: Path) -> str:
    """SELECT of a Parquet file's columns plus ``_row`` (1-based), usable outside the ingest connection."""
    return (
        f"SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _row "
        f"FROM read_parquet({literal(str(path.resolve()))}, file_row_number = true)"
    )


def _register_parquet(con: duckdb.DuckDBPyConnection, path: Path, view: str) -> None:
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {parquet_source_sql(path)}")
    except duckdb.Error as exc:
        raise UnusableInputError(f"{path}: cannot be read as Parquet ({exc}).") from None


def open_file(con: duckdb.DuckDBPyConnection, table: str, path: Path, tmap: TableMapping, work_dir: Path) -> RawTable:
    """Register one data file as view ``raw_<table>`` and describe it."""
    view = f"raw_{table}"
    suffix = path.suffix.lower()
    encoding, header_row = None, 1
    try:
        if suffix == ".csv":
            encoding = _register_csv(con, path, view, work_dir)
            kind = "csv"
        elif suffix == ".xlsx":
            header_row = _register_excel(con, path, view, table, tmap)
            kind = "excel"
        else:
            _register_parquet(con, path, view)
            kind = "parquet"
        described = con.execute(f"DESCRIBE {view}").fetchall()
    except duckdb.Error as exc:
        raise UnusableInputError(f"{path}: cannot be read ({str(exc).splitlines()[0]}).") from None
    types = {name: typ for name, typ, *_ in described if name != "_row"}
    source_sql = parquet_source_sql(path) if kind == "parquet" else None
    return RawTable(table, str(path), kind, view, tuple(types), types, encoding, header_row, source_sql)


def open_database_table(
    con: duckdb.DuckDBPyConnection, table: str, url: str, tmap: TableMapping, work_dir: Path | None = None
) -> RawTable:
    """Read one table from the SQL database at ``url`` (from ``CSREPORT_DB_URL``) into view ``raw_<table>``;
    a PostgreSQL table is streamed in bounded memory through a file in ``work_dir`` (:mod:`csreport.data.reader_pg`)."""
    from csreport.data import reader_pg

    if reader_pg.is_postgres(url):
        return reader_pg.open_table(con, table, url, tmap, work_dir)
    name = tmap.file or table
    shown = f"{redact_url(url)} table {name}"
    frame = _read_sql_table(url, name, shown)
    frame.insert(0, "_row", range(1, len(frame) + 1))
    con.register(f"raw_{table}_frame", frame)
    con.execute(f"CREATE OR REPLACE TEMP VIEW raw_{table} AS SELECT * FROM raw_{table}_frame")
    types = {n: t for n, t, *_ in con.execute(f"DESCRIBE raw_{table}").fetchall() if n != "_row"}
    return RawTable(table, shown, "database", f"raw_{table}", tuple(types), types)


def database_tables(url: str) -> set[str]:
    """Names of the tables in the database at ``url``."""
    from csreport.data import reader_pg

    if url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(_sqlite_path(url)) as db:
            return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")}
    if reader_pg.is_postgres(url):
        return reader_pg.table_names(url)
    engine = _sqlalchemy_engine(url)
    import sqlalchemy

    return set(sqlalchemy.inspect(engine).get_table_names())


def database_signature(url: str, mapping: Mapping) -> str | None:
    """A digest of the content of the database at ``url`` (the contract tables, named by ``mapping``), or None
    when csreport cannot tell whether the content changed (a database other than SQLite or PostgreSQL): the
    store is then never reused, and validation reads the tables again every time."""
    from csreport.data import reader_pg

    if url.startswith("sqlite:///"):
        path = Path(_sqlite_path(url))
        digest = hashlib.sha256()
        for part in (path, path.with_name(path.name + "-wal")):  # a WAL file holds committed rows not yet in the file
            if part.is_file():
                with part.open("rb") as fh:
                    digest.update(hashlib.file_digest(fh, "sha256").digest())
        return digest.hexdigest()
    if reader_pg.is_postgres(url):
        return reader_pg.content_signature(url, mapping)
    return None


def _sqlite_path(url: str) -> str:
    path = url.removeprefix("sqlite:///")
    if not Path(path).is_file():
        raise UnusableInputError(f"{redact_url(url)}: SQLite database file not found. Check {DB_URL_ENV}.")
    return path


def _sqlalchemy_engine(url: str):
    try:
        import sqlalchemy
    except ImportError:
        raise UnusableInputError(
            f"{redact_url(url)}: only sqlite:/// URLs work without SQLAlchemy. Install 'sqlalchemy' and the "
            f"database driver into the project environment to read this database."
        ) from None
    return sqlalchemy.create_engine(url)


def _read_sql_table(url: str, name: str, shown: str) -> pd.DataFrame:
    query = f'SELECT * FROM "{name}"'
    try:
        if url.startswith("sqlite:///"):
            import sqlite3

            with sqlite3.connect(_sqlite_path(url)) as db:
                frame = pd.read_sql_query(query, db)
        else:
            frame = pd.read_sql_query(query, _sqlalchemy_engine(url))
    except UnusableInputError:
        raise
    except Exception as exc:  # drivers raise their own error types
        raise UnusableInputError(f"{shown}: cannot be read ({type(exc).__name__}).") from None
    return frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object})
