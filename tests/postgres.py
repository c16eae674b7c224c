"""A PostgreSQL server for the tests and benchmarks: find the one ``.ci/run`` started, make a fresh database in
it, and load tables into it with the types their Parquet files have (COPY, in file order)."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import duckdb

URL_ENV = "CSREPORT_TEST_PG_URL"
# Parquet / DuckDB type → PostgreSQL column type
PG_TYPES = {
    "VARCHAR": "text",
    "BOOLEAN": "boolean",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "DATE": "date",
}


def server_url() -> tuple[str | None, str]:
    """The admin URL of the test server and, when there is none, why (the tests skip with that reason)."""
    url = os.environ.get(URL_ENV)
    if not url:
        return None, (
            f"no PostgreSQL server: {URL_ENV} is not set (.ci/run starts one with tools/pg_test_server.sh and sets it)"
        )
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5):
            pass
    except Exception as exc:  # noqa: BLE001 - any failure means: no server to test against
        return None, f"no PostgreSQL server at {URL_ENV}: {type(exc).__name__}"
    return url, ""


def with_database(url: str, database: str, user: str | None = None, password: str | None = None) -> str:
    """``url`` pointing at another database (and optionally as another user with another password)."""
    parts = urlsplit(url)
    netloc = parts.netloc if user is None else f"{user}:{password}@{parts.netloc.rsplit('@', 1)[-1]}"
    return urlunsplit(parts._replace(netloc=netloc, path=f"/{database}"))


def create_database(admin_url: str) -> str:
    """A new empty database on the test server; returns its URL (same user)."""
    import psycopg

    name = f"csreport_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return with_database(admin_url, name)


def drop_database(admin_url: str, url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def load_table(url: str, table: str, source: Path, text_columns: bool = False) -> int:
    """Create ``table`` with the column types of the Parquet or CSV file ``source`` (all ``text`` when
    ``text_columns`` or CSV) and COPY its rows in, in file order; returns the number of rows."""
    import psycopg

    duck = duckdb.connect()
    if source.suffix == ".csv":
        scan = f"read_csv('{source}', all_varchar = true, header = true)"
        text_columns = True
    else:
        scan = f"read_parquet('{source}')"
    described = duck.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    columns = ", ".join(
        f'"{name}" {"text" if text_columns else PG_TYPES.get(kind, "text")}' for name, kind, *_ in described
    )
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "rows.csv"
        duck.execute(f"COPY (SELECT * FROM {scan}) TO '{csv}' (FORMAT csv, HEADER false)")
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(f'DROP TABLE IF EXISTS "{table}"')
            con.execute(f'CREATE TABLE "{table}" ({columns})')
            with con.cursor() as cur, cur.copy(f'COPY "{table}" FROM STDIN (FORMAT csv)') as copy, csv.open("rb") as f:
                while block := f.read(1 << 20):
                    copy.write(block)
            return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def load_directory(url: str, data_dir: Path) -> dict[str, int]:
    """Every ``<table>.parquet`` / ``.csv`` of ``data_dir`` as a table; returns rows per table."""
    return {
        path.stem: load_table(url, path.stem, path)
        for path in sorted(data_dir.iterdir())
        if path.suffix in (".parquet", ".csv") and not path.name.startswith(("_", "."))
    }
