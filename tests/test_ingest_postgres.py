"""Validation from a real PostgreSQL server (CSREPORT_DB_URL=postgresql://...) gives what the files give.

Needs the server that ``.ci/run`` starts (tools/pg_test_server.sh; its URL in CSREPORT_TEST_PG_URL); without one
these tests skip and say why.
"""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pytest
from typer.testing import CliRunner

from csreport.cli import app
from csreport.data.ingest import ingest
from csreport.data.store import open_store
from csreport.errors import UnusableInputError
from csreport.report.chapters.context import open_report
from tests.conftest import FIXTURES
from tests.postgres import create_database, drop_database, load_directory, load_table, server_url, with_database

ADMIN_URL, NO_SERVER = server_url()
pytestmark = pytest.mark.skipif(ADMIN_URL is None, reason=NO_SERVER)
READER_PASSWORD = "rd-Pw.7f3c1a"  # the limited reader role's password; must never be shown


@pytest.fixture(scope="module")
def database():
    url = create_database(ADMIN_URL)
    yield url
    drop_database(ADMIN_URL, url)


@pytest.fixture(scope="module")
def sample_db(database, sample_dir):
    """The sample data set loaded into PostgreSQL with its Parquet column types."""
    load_directory(database, sample_dir)
    return database


def _quarantine(path) -> Counter:
    """Quarantine lines as (column, rule, value), without the source name and row number (a database orders
    rows by key, a file by position)."""
    if not path.exists():
        return Counter()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return Counter(zip(frame["column"], frame["rule"], frame["value"], strict=True))


def test_sample_from_postgres_equals_the_files(sample_db, sample_dir, sample_truth, tmp_path, monkeypatch):
    files = ingest(sample_dir, tmp_path / "files")
    monkeypatch.setenv("CSREPORT_DB_URL", sample_db)
    server = ingest(None, tmp_path / "server")
    assert set(server.tables) == set(files.tables) == {t.stem for t in sample_dir.glob("*.parquet")}
    assert files.tables["contacts"].rows_quarantined > 0  # the sample plants bad rows: the comparison means something
    for name, expected in files.tables.items():
        got = server.tables[name]
        assert (got.rows_read, got.rows_accepted, got.rows_quarantined) == (
            expected.rows_read,
            expected.rows_accepted,
            expected.rows_quarantined,
        ), name
        assert got.columns == expected.columns and got.reasons == expected.reasons, name
        assert [w.split(" (e.g.")[0] for w in got.warnings] == [w.split(" (e.g.")[0] for w in expected.warnings]
        assert _quarantine(tmp_path / "server" / "quarantine" / f"{name}.csv") == _quarantine(
            tmp_path / "files" / "quarantine" / f"{name}.csv"
        ), name
    by_file = open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path / "files")
    by_server = open_report(sample_truth["end"], "east", "en", None, tmp_path / "server")
    pd.testing.assert_frame_equal(by_server.scorecard, by_file.scorecard)


def test_bad_rows_typed_as_text_are_quarantined_as_in_the_csv(database, data_dir, tmp_path, monkeypatch):
    """contacts_bad_rows.csv as a table of text columns: same counts and reasons as the CSV file itself."""
    load_table(database, "contacts", FIXTURES / "contacts_bad_rows.csv")
    files = ingest(data_dir(contacts="contacts_bad_rows.csv"), tmp_path / "files").tables["contacts"]
    monkeypatch.setenv("CSREPORT_DB_URL", database)
    server = ingest(None, tmp_path / "server").tables["contacts"]
    assert (server.rows_read, server.rows_accepted, server.rows_quarantined) == (
        files.rows_read,
        files.rows_accepted,
        files.rows_quarantined,
    )
    assert server.reasons == files.reasons
    assert _quarantine(tmp_path / "server/quarantine/contacts.csv") == _quarantine(
        tmp_path / "files/quarantine/contacts.csv"
    )


@pytest.fixture(scope="module")
def reader_url(database):
    """A role that may read only the contract columns of ``contacts_wide`` (not its 'private_notes')."""
    import psycopg

    with psycopg.connect(database, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS contacts_wide")
        con.execute(
            "CREATE TABLE contacts_wide (contact_id text, created_at timestamptz, business_unit text, channel text, "
            "private_notes text)"
        )
        con.execute(
            "INSERT INTO contacts_wide VALUES ('C2', '2026-10-01 09:00:00+08', 'east', 'chat', 'secret'), "
            "('C1', '2026-10-01 02:00:00+00', 'west', 'phone', 'secret'), ('C3', '2026-10-02 10:00:00+08', 'east', "
            "'fax', 'secret')"
        )
        con.execute("DROP ROLE IF EXISTS csreport_reader")
        con.execute(f"CREATE ROLE csreport_reader LOGIN PASSWORD '{READER_PASSWORD}'")
        con.execute("GRANT SELECT (contact_id, created_at, business_unit, channel) ON contacts_wide TO csreport_reader")
    yield with_database(database, database.rsplit("/", 1)[1], "csreport_reader", READER_PASSWORD)
    with psycopg.connect(database, autocommit=True) as con:
        con.execute("DROP TABLE contacts_wide")
        con.execute("DROP ROLE csreport_reader")


def test_only_contract_columns_are_read(reader_url, tmp_path, monkeypatch):
    """The reader may not select private_notes: reading the table works only because csreport never asks for it.
    Timestamps with a time zone arrive in the run's time zone (Asia/Shanghai, +08)."""
    mapping = tmp_path / "wide.yml"
    mapping.write_text("name: wide\ntables:\n  contacts:\n    file: contacts_wide\n", encoding="utf-8")
    from csreport.data.mapping import load_mapping

    monkeypatch.setenv("CSREPORT_DB_URL", reader_url)
    report = ingest(None, tmp_path / "out", load_mapping(mapping)).tables["contacts"]
    assert (report.rows_read, report.rows_accepted, report.rows_quarantined) == (3, 2, 1)
    assert report.reasons == [{"column": "channel", "rule": "isin", "rows": 1}]
    stored = pd.read_parquet(tmp_path / "out" / "store" / "contacts.parquet")
    assert list(stored["contact_id"]) == ["C2", "C1"]  # stored by created_at: C1's 02:00 UTC is 10:00 at +08
    assert [str(t) for t in stored["created_at"]] == ["2026-10-01 09:00:00", "2026-10-01 10:00:00"]
    quarantined = pd.read_csv(tmp_path / "out" / "quarantine" / "contacts.csv")
    assert list(quarantined["source_row"]) == [3]  # rows numbered in key order: C1, C2, C3


def test_wrong_password_names_server_not_password(reader_url, tmp_path, monkeypatch, caplog, capsys):
    wrong = "Wr0ng-pw-91d2"
    url = reader_url.replace(READER_PASSWORD, wrong)
    monkeypatch.setenv("CSREPORT_DB_URL", url)
    host_port = url.rsplit("@", 1)[1].split("/")[0]
    database = url.rsplit("/", 1)[1]
    with pytest.raises(UnusableInputError) as err:
        ingest(None, tmp_path / "out")
    message = str(err.value)
    assert f"database '{database}' on {host_port}" in message and "password authentication failed" in message
    result = CliRunner().invoke(app, ["validate", "--out", str(tmp_path)])
    assert result.exit_code == 2 and database in result.output
    seen = message + result.output + caplog.text + "".join(capsys.readouterr())
    for path in tmp_path.rglob("*"):
        if path.is_file():
            seen += path.read_text(errors="replace")
    assert wrong not in seen and READER_PASSWORD not in seen


def test_ingest_manifest_holds_no_password(sample_db, tmp_path, monkeypatch):
    monkeypatch.setenv("CSREPORT_DB_URL", sample_db)
    ingest(None, tmp_path / "out")
    password = sample_db.split("://", 1)[1].split("@")[0].split(":", 1)[1]
    text = (tmp_path / "out" / "ingest.json").read_text() + (
        tmp_path / "out" / "quarantine" / "contacts.csv"
    ).read_text()
    assert password not in text
    assert json.loads((tmp_path / "out" / "ingest.json").read_text())["tables"]["contacts"]["source"].startswith(
        "PostgreSQL database 'csreport_"
    )


def test_a_changed_table_is_validated_again_an_unchanged_one_reused(database, tmp_path, monkeypatch):
    """The store of a database is reused only while the tables' content is unchanged: an updated row, a deleted
    row, an inserted row each make validation read the tables again."""
    import psycopg

    load_table(database, "contacts", FIXTURES / "contacts_valid.csv")
    monkeypatch.setenv("CSREPORT_DB_URL", database)
    first = ingest(None, tmp_path / "out")
    assert ingest(None, tmp_path / "out").reused
    seen = {first.fingerprint}
    for change in ("UPDATE contacts SET channel = 'chat' WHERE contact_id = 'C1'",
                   "DELETE FROM contacts WHERE contact_id = 'C2'",
                   "INSERT INTO contacts (contact_id, created_at, business_unit, channel) "
                   "VALUES ('C9', '2026-10-03 10:00:00', 'east', 'email')"):  # fmt: skip
        with psycopg.connect(database, autocommit=True) as con:
            con.execute(change)
        again = ingest(None, tmp_path / "out")
        assert not again.reused and again.fingerprint not in seen, change
        seen.add(again.fingerprint)
    assert ingest(None, tmp_path / "out").reused
    rows = open_store(tmp_path / "out").read("contacts").set_index("contact_id")
    assert "C2" not in rows.index and rows.loc["C1", "channel"] == "chat" and "C9" in rows.index
