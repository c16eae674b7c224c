import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csreport.data.ingest import ingest
from csreport.errors import UnusableInputError


def quarantine(out, table="contacts"):
    return pd.read_csv(out / "quarantine" / f"{table}.csv", dtype=str)


def test_valid_file_is_accepted_whole(data_dir, tmp_path):
    report = ingest(data_dir(contacts="contacts_valid.csv"), tmp_path / "out")
    t = report.tables["contacts"]
    assert (t.rows_read, t.rows_accepted, t.rows_quarantined) == (6, 6, 0)
    assert not (tmp_path / "out" / "quarantine" / "contacts.csv").exists()
    store = pd.read_parquet(tmp_path / "out" / "store" / "contacts.parquet")
    assert list(store["contact_id"]) == ["C1", "C2", "C3", "C4", "C5", "C6"]  # sorted by created_at
    assert str(store["created_at"].dtype).startswith("datetime64")
    assert store["abandoned"].tolist()[:3] == [False, False, True]


def test_each_rule_quarantines_its_row(data_dir, tmp_path):
    out = tmp_path / "out"
    report = ingest(data_dir(contacts="contacts_bad_rows.csv"), out)
    t = report.tables["contacts"]
    # 10 data rows: line 2 valid; lines 3-11 break one rule each
    assert (t.rows_read, t.rows_accepted, t.rows_quarantined) == (10, 1, 9)
    q = quarantine(out)
    found = {(int(r.source_row), r.column, r.rule) for r in q.itertuples()}
    assert found == {
        (3, "channel", "isin"),
        (4, "queue_wait_s", "greater_than_or_equal_to"),
        (5, "handle_s", "type:float"),
        (6, "resolved_at", "not_before"),
        (7, "contact_id", "unique"),
        (8, "created_at", "required"),
        (9, "abandoned", "type:bool"),
        (10, "first_response_at", "not_before"),
        (11, "created_at", "type:timestamp"),
    }
    assert q.loc[q["rule"] == "isin", "value"].item() == "fax"
    assert q["source_file"].str.endswith("contacts.csv").all()
    reasons = {(r["column"], r["rule"]): r["rows"] for r in t.reasons}
    assert reasons[("channel", "isin")] == 1 and sum(reasons.values()) == 9


def test_mixed_date_formats_and_offsets(data_dir, tmp_path):
    ingest(data_dir(contacts="contacts_mixed_dates.csv"), tmp_path / "out", tz="Asia/Shanghai")
    store = pd.read_parquet(tmp_path / "out" / "store" / "contacts.parquet")
    # 06:30Z is 14:30 in Shanghai (UTC+8); every row is the same local instant
    assert set(store["created_at"]) == {pd.Timestamp("2026-10-05 14:30:00")}
    assert len(store) == 6


def test_offset_follows_run_timezone(data_dir, tmp_path):
    ingest(data_dir(contacts="contacts_mixed_dates.csv"), tmp_path / "out", tz="UTC")
    store = pd.read_parquet(tmp_path / "out" / "store" / "contacts.parquet").set_index("contact_id")
    assert store.loc["D3", "created_at"] == pd.Timestamp("2026-10-05 06:30:00")  # Z stays 06:30 in UTC
    assert store.loc["D4", "created_at"] == pd.Timestamp("2026-10-05 06:30:00")  # +08:00 moves back 8 hours
    assert store.loc["D1", "created_at"] == pd.Timestamp("2026-10-05 14:30:00")  # no offset: already local


def test_survey_ranges_and_duplicates(data_dir, tmp_path):
    out = tmp_path / "out"
    report = ingest(data_dir(contacts="contacts_valid.csv", surveys="surveys_out_of_range.csv"), out)
    t = report.tables["surveys"]
    assert (t.rows_read, t.rows_accepted, t.rows_quarantined) == (6, 1, 5)
    found = {(int(r.source_row), r.column, r.rule) for r in quarantine(out, "surveys").itertuples()}
    assert found == {
        (3, "csat", "in_range"),
        (4, "nps", "in_range"),
        (5, "ces", "in_range"),
        (6, "csat", "type:int"),
        (7, "survey_id", "unique"),
    }


def test_composite_key_and_period(data_dir, tmp_path):
    out = tmp_path / "out"
    report = ingest(data_dir(contacts="contacts_valid.csv", agent_months="agent_months_bad_period.csv"), out)
    found = {(int(r.source_row), r.column, r.rule) for r in quarantine(out, "agent_months").itertuples()}
    assert found == {(3, "period", "type:period"), (4, "agent_id", "unique"), (5, "qa_score", "in_range")}
    assert report.tables["agent_months"].rows_accepted == 1


def test_missing_required_column_names_file_found_columns_and_fix(data_dir, tmp_path):
    with pytest.raises(UnusableInputError) as err:
        ingest(data_dir(contacts="contacts_missing_created_at.csv"), tmp_path / "out")
    message = str(err.value)
    assert "contacts.csv: required columns 'created_at', 'business_unit' missing" in message
    assert "found: contact_id, created, unit, channel" in message
    assert "params/mapping/<file>.yml" in message


@pytest.mark.parametrize(
    ("fixture", "match"),
    [
        ("contacts_empty.csv", "the file is empty"),
        ("contacts_header_only.csv", "has a header but no rows"),
    ],
)
def test_empty_files_are_unusable(data_dir, tmp_path, fixture, match):
    with pytest.raises(UnusableInputError, match=match):
        ingest(data_dir(contacts=fixture), tmp_path / "out")


def test_contacts_are_required(data_dir, tmp_path):
    with pytest.raises(UnusableInputError, match="no contacts table"):
        ingest(data_dir(surveys="surveys_out_of_range.csv"), tmp_path / "out")


def test_unknown_ids_are_warnings_not_rejections(data_dir, tmp_path):
    root = data_dir(contacts="contacts_valid.csv")
    (root / "agents.csv").write_text("agent_id,business_unit,team,hire_date\nA1,east,east-1,2024-01-01\n")
    report = ingest(root, tmp_path / "out")
    assert report.tables["contacts"].rows_quarantined == 0
    (warning,) = report.tables["contacts"].warnings
    assert warning.startswith("4 rows have a agent_id value not found in agents")  # C3 (A2), C4-C6 (A3)


def test_store_is_reused_until_the_input_changes(data_dir, tmp_path):
    root = data_dir(contacts="contacts_valid.csv")
    first = ingest(root, tmp_path / "out")
    again = ingest(root, tmp_path / "out")
    assert again.reused and again.fingerprint == first.fingerprint
    (root / "contacts.csv").write_text((root / "contacts.csv").read_text().replace("C6,", "C7,"))
    changed = ingest(root, tmp_path / "out")
    assert not changed.reused and changed.fingerprint != first.fingerprint


def test_database_password_never_stored(tmp_path, monkeypatch):
    import sqlite3

    db = tmp_path / "cs.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE contacts (contact_id TEXT, created_at TEXT, business_unit TEXT, channel TEXT)")
        con.execute("INSERT INTO contacts VALUES ('C1', '2026-10-01 09:00:00', 'east', 'phone')")
    monkeypatch.setenv("CSREPORT_DB_URL", f"sqlite:///{db}")
    report = ingest(None, tmp_path / "out")
    assert report.tables["contacts"].rows_accepted == 1
    # a password-bearing URL that cannot be opened: the message shows it redacted
    monkeypatch.setenv("CSREPORT_DB_URL", "postgresql://report:s3cret@localhost:1/cs")
    with pytest.raises(Exception) as err:
        ingest(None, tmp_path / "out2")
    assert "s3cret" not in str(err.value)
    assert "s3cret" not in (tmp_path / "out" / "ingest.json").read_text()


def test_a_changed_sqlite_database_is_validated_again(tmp_path, monkeypatch):
    """A database has no file list to hash: the store is reused only while the database's content is unchanged
    (SQLite: the database file), so an updated row is read, not served from the old store."""
    import sqlite3

    db = tmp_path / "cs.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE contacts (contact_id TEXT, created_at TEXT, business_unit TEXT, channel TEXT)")
        con.execute("INSERT INTO contacts VALUES ('C1', '2026-10-01 09:00:00', 'east', 'phone')")
    monkeypatch.setenv("CSREPORT_DB_URL", f"sqlite:///{db}")
    first = ingest(None, tmp_path / "out")
    assert ingest(None, tmp_path / "out").reused
    with sqlite3.connect(db) as con:
        con.execute("UPDATE contacts SET channel = 'chat'")
    changed = ingest(None, tmp_path / "out")
    assert not changed.reused and changed.fingerprint != first.fingerprint
    from csreport.data.store import open_store

    assert open_store(tmp_path / "out").read("contacts")["channel"].tolist() == ["chat"]


def test_no_source_at_all(tmp_path, monkeypatch):
    monkeypatch.delenv("CSREPORT_DB_URL", raising=False)
    with pytest.raises(UnusableInputError, match="CSREPORT_DB_URL is not set"):
        ingest(None, tmp_path / "out")


ROW = st.fixed_dictionaries(
    {
        "contact_id": st.sampled_from(["C1", "C2", "C3", "C4", ""]),
        "created_at": st.sampled_from(["2026-10-01 09:00:00", "2026/10/02 10:00", "not a date", ""]),
        "business_unit": st.sampled_from(["east", "west", ""]),
        "channel": st.sampled_from(["phone", "chat", "fax", "PHONE"]),
        "queue_wait_s": st.sampled_from(["0", "12.5", "-1", "x", ""]),
        "abandoned": st.sampled_from(["true", "false", "是", "maybe", ""]),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=25))
def test_rows_read_equal_accepted_plus_quarantined(tmp_path_factory, rows):
    root = tmp_path_factory.mktemp("data")
    pd.DataFrame(rows).to_csv(root / "contacts.csv", index=False)
    out = tmp_path_factory.mktemp("out")
    t = ingest(root, out).tables["contacts"]
    assert t.rows_read == len(rows) == t.rows_accepted + t.rows_quarantined
    accepted = pd.read_parquet(out / "store" / "contacts.parquet")
    assert len(accepted) == t.rows_accepted
    q_rows = pd.read_csv(out / "quarantine" / "contacts.csv")["source_row"].nunique() if t.rows_quarantined else 0
    assert q_rows == t.rows_quarantined
    assert json.loads((out / "ingest.json").read_text())["tables"]["contacts"]["rows_read"] == len(rows)


def _typed_contacts(handle_s):
    return pd.DataFrame(
        {
            "contact_id": ["C1", "C2", "C3"],
            "created_at": pd.to_datetime(["2026-10-01 09:00", "2026-10-02 09:00", "2026-11-01 09:00"]),
            "business_unit": ["east", "east", "west"],
            "channel": ["phone", "chat", "email"],
            "handle_s": handle_s,
        }
    )


def test_typed_parquet_is_referenced_not_copied(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    _typed_contacts([300.0, -5.0, 120.0]).to_parquet(data / "contacts.parquet")
    report = ingest(data, tmp_path / "out")
    store_dir = tmp_path / "out" / "store"
    assert (store_dir / "contacts.sql").exists() and not (store_dir / "contacts.parquet").exists()
    t = report.tables["contacts"]
    assert (t.rows_read, t.rows_accepted, t.rows_quarantined) == (3, 2, 1)  # C2 has a negative handle time
    from csreport.data.store import open_store

    store = open_store(tmp_path / "out")
    assert store.read("contacts", "2026-10")["contact_id"].tolist() == ["C1"]  # C2 quarantined, C3 in November
    assert sorted(store.read("contacts")["contact_id"]) == ["C1", "C3"]
    assert quarantine(tmp_path / "out")[["source_row", "column", "value"]].values.tolist() == [
        ["2", "handle_s", "-5.0"]
    ]


def test_parquet_with_text_timestamps_is_copied(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    frame = _typed_contacts([300.0, 10.0, 120.0])
    frame["created_at"] = ["2026-10-01 09:00", "2026/10/02 09:00", "2026-11-01T01:00:00Z"]
    frame.to_parquet(data / "contacts.parquet")
    ingest(data, tmp_path / "out")
    store = pd.read_parquet(tmp_path / "out" / "store" / "contacts.parquet")
    assert store["created_at"].tolist() == [
        pd.Timestamp("2026-10-01 09:00"),
        pd.Timestamp("2026-10-02 09:00"),
        pd.Timestamp("2026-11-01 09:00"),
    ]


def test_moved_data_is_validated_again(tmp_path):
    first = tmp_path / "first"
    first.mkdir()
    _typed_contacts([300.0, 10.0, 120.0]).to_parquet(first / "contacts.parquet")
    ingest(first, tmp_path / "out")
    moved = first.rename(tmp_path / "moved")
    report = ingest(moved, tmp_path / "out")
    assert not report.reused  # the referenced source moved, so the store is rebuilt, not reused
    from csreport.data.store import open_store

    assert len(open_store(tmp_path / "out").read("contacts")) == 3


@pytest.mark.parametrize("comment", ["x" * 2_200_000, "等待太久" * 350_000], ids=["2-MB-ascii", "4-MB-chinese"])
def test_one_very_long_comment_keeps_the_survey_file(data_dir, tmp_path, comment):
    """One long free-text comment was beyond DuckDB's line limit and made the whole surveys file unreadable."""
    root = data_dir(contacts="contacts_valid.csv")
    lines = ["survey_id,responded_at,business_unit,csat,comment", "S1,2026-10-01 10:00:00,east,5,fine"]
    lines += [f"S2,2026-10-02 10:00:00,east,2,{comment}", "S3,2026-10-03 10:00:00,east,9,too high"]
    (root / "surveys.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    t = ingest(root, out).tables["surveys"]
    assert (t.rows_read, t.rows_accepted, t.rows_quarantined) == (3, 2, 1)  # S3's csat 9 is out of range
    store = pd.read_parquet(out / "store" / "surveys.parquet").set_index("survey_id")
    assert store.loc["S2", "comment"] == comment


def test_extra_customer_columns_are_kept(data_dir, tmp_path):
    # BRIEF §3: a customer's plan or contract type is kept and may be analysed as an attribute
    from csreport.data.store import open_store

    report = ingest(data_dir(contacts="contacts_valid.csv", customers="customers_extra_columns.csv"), tmp_path / "o")
    assert report.tables["customers"].columns[-3:] == ["International plan", "contract", "total day minutes"]
    customers = open_store(tmp_path / "o").read("customers").set_index("customer_id")
    plan = customers["International plan"]
    assert plan.isna().tolist() == [False, False, True, False]  # empty is missing
    assert plan.dropna().tolist() == ["yes", "no", "no"]  # trimmed
    assert customers.loc["c4", "contract"] == "month-to-month"
    assert customers.loc["c4", "total day minutes"] == "301.2"  # as it came; analyses decide how to read it
    assert report.tables["customers"].rows_accepted == 4


def test_extra_columns_of_other_tables_are_not_kept(data_dir, tmp_path):
    data = data_dir(contacts="contacts_valid.csv")
    frame = pd.read_csv(data / "contacts.csv", dtype=str)
    frame.assign(note="x").to_csv(data / "contacts.csv", index=False)
    report = ingest(data, tmp_path / "o")
    assert "note" not in report.tables["contacts"].columns


def test_a_relative_work_dir_gives_an_absolute_store(data_dir, tmp_path, monkeypatch):
    """``--out reports`` is relative; a report opens the store from a background thread while papermill moves
    the process into the chapter's folder, so the store's path must not depend on the working directory. An
    older manifest holding a relative path is reused with the store where it is now."""
    data = data_dir(contacts="contacts_valid.csv")
    monkeypatch.chdir(tmp_path)
    report = ingest(data, "work")
    assert report.store_dir == str(tmp_path / "work" / "store")
    assert report.quarantine_dir == str(tmp_path / "work" / "quarantine")
    manifest = tmp_path / "work" / "ingest.json"
    older = json.loads(manifest.read_text())
    older["store_dir"], older["quarantine_dir"] = "work/store", "work/quarantine"
    manifest.write_text(json.dumps(older))
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    reused = ingest(data, tmp_path / "work")
    assert reused.fingerprint == report.fingerprint and reused.store_dir == str(tmp_path / "work" / "store")
