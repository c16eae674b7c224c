import sqlite3

import duckdb
import pandas as pd
import pytest
from openpyxl import Workbook

from csreport.data.mapping import IDENTITY, TableMapping
from csreport.data.reader import detect_encoding, find_table_files, open_database_table, open_file, redact_url
from csreport.errors import UnusableInputError

TEXT = "contact_id,created_at,business_unit,channel,category\nC1,2026-10-01 09:00:00,华东,phone,账单\n"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("gbk"), "gb18030"),
    ],
)
def test_encodings_are_detected_and_read(tmp_path, raw, expected):
    path = tmp_path / "contacts.csv"
    path.write_bytes(raw)
    assert detect_encoding(path) == expected
    con = duckdb.connect()
    table = open_file(con, "contacts", path, TableMapping(), tmp_path)
    assert table.columns[0] == "contact_id"  # the BOM is not part of the first column name
    assert con.execute("SELECT business_unit, category, _row FROM raw_contacts").fetchall() == [("华东", "账单", 2)]


def test_undecodable_file_is_unusable(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"contact_id\n\xff\xfe\x00\x81\xff\n")
    with pytest.raises(UnusableInputError, match="contacts.csv: unreadable text encoding"):
        detect_encoding(path)


def test_empty_file_is_unusable(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"")
    with pytest.raises(UnusableInputError, match="contacts.csv: the file is empty"):
        detect_encoding(path)


def test_excel_title_rows_are_skipped_and_sheet_rows_kept(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Contact export October 2026"])
    ws.append([])
    ws.append(["contact_id", "created_at", "business_unit", "channel"])
    ws.append(["C1", pd.Timestamp("2026-10-01 09:00"), "east", "phone"])
    ws.append([None, None, None, None])
    ws.append(["C2", "2026-10-02 10:00:00", "west", "chat"])
    wb.save(tmp_path / "contacts.xlsx")
    con = duckdb.connect()
    table = open_file(con, "contacts", tmp_path / "contacts.xlsx", TableMapping(), tmp_path)
    assert table.header_row == 3
    # sheet rows: header on row 3, C1 on row 4, a blank spacer row 5, C2 on row 6
    assert con.execute("SELECT contact_id, created_at, _row FROM raw_contacts ORDER BY _row").fetchall() == [
        ("C1", "2026-10-01 09:00:00", 4),
        ("C2", "2026-10-02 10:00:00", 6),
    ]


def test_excel_without_header_is_unusable(tmp_path):
    wb = Workbook()
    wb.active.append(["just", "a", "sheet"])
    wb.save(tmp_path / "contacts.xlsx")
    with pytest.raises(UnusableInputError, match="no header row with contract column names"):
        open_file(duckdb.connect(), "contacts", tmp_path / "contacts.xlsx", TableMapping(), tmp_path)


def test_unknown_data_file_is_named(tmp_path):
    (tmp_path / "contacts.csv").write_text(TEXT)
    (tmp_path / "tickets.csv").write_text(TEXT)
    with pytest.raises(UnusableInputError, match=r"tickets.csv: not a table of the data contract"):
        find_table_files(tmp_path, IDENTITY)


def test_two_files_for_one_table(tmp_path):
    (tmp_path / "contacts.csv").write_text(TEXT)
    (tmp_path / "contacts.parquet").write_bytes(b"")
    with pytest.raises(UnusableInputError, match="also in"):
        find_table_files(tmp_path, IDENTITY)


def test_hidden_and_other_files_are_ignored(tmp_path):
    (tmp_path / "contacts.csv").write_text(TEXT)
    (tmp_path / "_scenario_truth.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("x")
    assert list(find_table_files(tmp_path, IDENTITY)) == ["contacts"]


def test_parquet_rows_are_numbered(tmp_path):
    pd.DataFrame({"contact_id": ["a", "b"], "channel": ["phone", "chat"]}).to_parquet(tmp_path / "contacts.parquet")
    con = duckdb.connect()
    open_file(con, "contacts", tmp_path / "contacts.parquet", TableMapping(), tmp_path)
    assert con.execute("SELECT contact_id, _row FROM raw_contacts ORDER BY _row").fetchall() == [("a", 1), ("b", 2)]


def test_sqlite_table(tmp_path):
    db = tmp_path / "cs.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE contacts (contact_id TEXT, created_at TEXT, business_unit TEXT, channel TEXT)")
        con.execute("INSERT INTO contacts VALUES ('C1', '2026-10-01 09:00:00', 'east', 'phone')")
    duck = duckdb.connect()
    table = open_database_table(duck, "contacts", f"sqlite:///{db}", TableMapping())
    assert table.kind == "database"
    assert duck.execute("SELECT contact_id, _row FROM raw_contacts").fetchall() == [("C1", 1)]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://report:s3cret@db.example:5432/cs", "postgresql://report:***@db.example:5432/cs"),
        ("sqlite:///tmp/cs.db", "sqlite:///tmp/cs.db"),
    ],
)
def test_redact_url(url, shown):
    assert redact_url(url) == shown
