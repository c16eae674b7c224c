"""Tables from a PostgreSQL server (``CSREPORT_DB_URL=postgresql://user@host:5432/db``), read in bounded memory.

Each table is streamed by ``COPY (SELECT <columns> FROM <table>) TO STDOUT (FORMAT csv)`` into a file in the
ingest's work directory, block by block, so memory does not grow with the table; DuckDB then reads that file with
the column types the server reports. Only the columns of the data contract (after the mapping) are selected: the
server never sends, and csreport never holds, a table's other columns.

A table in a database has no row order of its own, so rows are numbered (``_row``, the ``source_row`` of the
quarantine file) in the order of the table's key and then its other contract columns: the numbering, and which
copy of a duplicated key is kept (the first), depend only on the table's content, never on how the server happens
to store it. Row ``n`` is ``SELECT ... ORDER BY <key>, ... OFFSET n - 1 LIMIT 1``.

The password never leaves this module: messages name the server as ``database 'cs' on db.example:5432 (user
report)``, and driver messages are scrubbed of it. Prefer ``PGPASSWORD`` or ``~/.pgpass`` to a password in the URL.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

from csreport.data.mapping import TableMapping
from csreport.data.reader import DB_URL_ENV, RawTable
from csreport.data.schemas import SCHEMAS
from csreport.data.sql import literal, quote
from csreport.errors import UnusableInputError

SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2")
# server type (information_schema.columns.data_type) → the DuckDB type its CSV text is read as; others are text
DUCKDB_TYPES = {
    "smallint": "BIGINT",
    "integer": "BIGINT",
    "bigint": "BIGINT",
    "real": "DOUBLE",
    "double precision": "DOUBLE",
    "numeric": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMPTZ",
}
# the reading session: ISO timestamps, in UTC with their offset
_SESSION = ("SET DateStyle = 'ISO, YMD'", "SET TimeZone = 'UTC'")


def is_postgres(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL server (``postgresql://``, ``postgres://``, SQLAlchemy's ``+driver``)."""
    return url.split("://", 1)[0].lower() in SCHEMES


def _conninfo(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme.lower() in SCHEMES else url


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise UnusableInputError(
            f"{DB_URL_ENV} names a PostgreSQL server, and reading one needs the psycopg driver: "
            f"pip install 'csreport[postgres]'."
        ) from None
    return psycopg


def _parts(url: str) -> dict[str, str]:
    _psycopg()
    from psycopg.conninfo import conninfo_to_dict

    try:
        return {k: str(v) for k, v in conninfo_to_dict(_conninfo(url)).items()}
    except Exception:  # noqa: BLE001 - an unparsable URL; its text may hold the password, so say nothing of it
        raise UnusableInputError(
            f"{DB_URL_ENV} is not a valid PostgreSQL URL; use postgresql://user@host:5432/database."
        ) from None


def server_name(url: str) -> str:
    """``database 'cs' on db.example:5432 (user report)``: the server, without the password."""
    parts = _parts(url)
    return (
        f"database '{parts.get('dbname', '?')}' on {parts.get('host', 'localhost')}:{parts.get('port', '5432')} "
        f"(user {parts.get('user', '?')})"
    )


def _scrub(message: str, url: str) -> str:
    """The driver's message, first meaningful line, with the password (if any) replaced by ``***``."""
    password = _parts(url).get("password")
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    text = lines[-1] if lines else "no reason given"
    for prefix in ("FATAL:", "ERROR:"):
        text = text.split(prefix, 1)[-1].strip()
    return text.replace(password, "***") if password else text


def connect(url: str):
    """A psycopg connection to the server in ``url``; failures name the server, never the password."""
    psycopg = _psycopg()
    shown = server_name(url)
    try:
        con = psycopg.connect(_conninfo(url), connect_timeout=10, application_name="csreport", autocommit=True)
    except psycopg.Error as exc:
        raise UnusableInputError(
            f"PostgreSQL {shown}: cannot connect ({_scrub(str(exc), url)}). Check the server, the user and the "
            f"password in {DB_URL_ENV} (or PGPASSWORD / ~/.pgpass)."
        ) from None
    for statement in _SESSION:
        con.execute(statement)
    return con


def table_names(url: str) -> set[str]:
    """Tables and views in the schemas of the user's search path."""
    with connect(url) as con:
        rows = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = ANY (current_schemas(false))"
        ).fetchall()
    return {name for (name,) in rows}


def content_signature(url: str, mapping) -> str:
    """What the contract tables hold, in a few bytes: per table its row count and the sum of a hash of the text
    of every row's contract columns (``hashtext(ROW(...)::text)``), which changes when a row is added, deleted or
    updated, whatever order the server keeps them in. Only the columns validation reads are touched (a reader
    role may be granted no others); one pass per table on the server, two numbers sent back."""
    from psycopg import sql

    parts = []
    present = table_names(url)
    with connect(url) as con:
        for table in SCHEMAS:
            tmap = mapping.table(table)
            name = tmap.file or table
            if name not in present:
                continue
            server = _server_columns(con, name)
            wanted = [c for c in dict.fromkeys(tmap.source_name(k) for k in SCHEMAS[table].columns) if c in server]
            row = sql.SQL(", ").join(map(sql.Identifier, wanted)) if wanted else sql.SQL("1")
            query = sql.SQL("SELECT count(*), coalesce(sum(hashtext(ROW({}, NULL)::text)::numeric), 0) FROM {}")
            count, hashed = con.execute(query.format(row, sql.Identifier(name))).fetchone()
            parts.append(f"{name}:{count}:{hashed}")
    return ";".join(parts)


def _server_columns(con, name: str) -> dict[str, str]:
    """Column name → server data type of table ``name`` (the first match on the search path), in table order."""
    rows = con.execute(
        "SELECT c.column_name, c.data_type FROM information_schema.columns c "
        "JOIN (SELECT table_schema FROM information_schema.tables WHERE table_name = %s "
        "      AND table_schema = ANY (current_schemas(false)) "
        "      ORDER BY array_position(current_schemas(false), table_schema::name) LIMIT 1) t USING (table_schema) "
        "WHERE c.table_name = %s ORDER BY c.ordinal_position",
        (name, name),
    ).fetchall()
    return dict(rows)


def open_table(
    duck: duckdb.DuckDBPyConnection, table: str, url: str, tmap: TableMapping, work_dir: Path | None = None
) -> RawTable:
    """Stream the contract columns of one server table into ``work_dir`` and register it as view ``raw_<table>``.

    ``RawTable.columns`` lists every column the table has (for messages about missing ones); ``types`` only those
    read.
    """
    from psycopg import Error, sql

    name = tmap.file or table
    shown = f"PostgreSQL {server_name(url)} table {name}"
    with connect(url) as con:
        server = _server_columns(con, name)
        wanted = [c for c in dict.fromkeys(tmap.source_name(k) for k in SCHEMAS[table].columns) if c in server]
        types = {c: DUCKDB_TYPES.get(server[c], "VARCHAR") for c in wanted}
        fd, path = tempfile.mkstemp(prefix=f"{table}.", suffix=".csv", dir=work_dir)
        query = sql.SQL("COPY (SELECT {} FROM {}) TO STDOUT (FORMAT csv)").format(
            sql.SQL(", ").join(map(sql.Identifier, wanted)) if wanted else sql.SQL("1"), sql.Identifier(name)
        )
        try:
            with open(fd, "wb") as out, con.cursor() as cur, cur.copy(query) as copy:
                for block in copy:
                    out.write(block)
        except Error as exc:
            raise UnusableInputError(f"{shown}: cannot be read ({_scrub(str(exc), url)}).") from None
    columns = "{" + ", ".join(f"{literal(c)}: {literal(t)}" for c, t in (types or {"_none": "INTEGER"}).items()) + "}"
    scan = (
        f"read_csv({literal(path)}, header = false, auto_detect = false, columns = {columns}, quote = '\"', "
        f"escape = '\"', nullstr = '', allow_quoted_nulls = false)"
    )
    key = [c for c in dict.fromkeys(tmap.source_name(k) for k in SCHEMAS[table].metadata["key"]) if c in types]
    order = ", ".join(quote(c) for c in [*key, *(c for c in wanted if c not in key)]) or "1"
    selected = ", ".join(quote(c) for c in wanted) if wanted else "NULL AS _none"
    numbered = Path(path).with_suffix(".parquet")
    try:
        duck.execute(
            f"COPY (SELECT row_number() OVER (ORDER BY {order} NULLS LAST) AS _row, {selected} FROM {scan}) "
            f"TO {literal(str(numbered))} (FORMAT parquet)"
        )
    except duckdb.Error as exc:
        raise UnusableInputError(f"{shown}: cannot be read ({str(exc).splitlines()[0]}).") from None
    finally:
        os.unlink(path)
    duck.execute(f"CREATE OR REPLACE TEMP VIEW raw_{table} AS SELECT * FROM read_parquet({literal(str(numbered))})")
    types = {n: t for n, t, *_ in duck.execute(f"DESCRIBE raw_{table}").fetchall() if n in types}  # DuckDB's names
    return RawTable(table, shown, "database", f"raw_{table}", tuple(server), types)
