"""Store queries run on one kept DuckDB connection per process and thread (opening one costs ~0.08 s of CPU);
a failed query drops it, another thread or a changed thread budget gets its own."""

from __future__ import annotations

import threading

import pandas as pd
import pytest

from csreport.data import sql
from csreport.data.store import Store
from csreport.errors import UnusableInputError


@pytest.fixture
def opened(monkeypatch):
    """Count the connections opened (this thread's kept one forgotten first)."""
    sql.forget_kept_connection()
    calls = []
    real = sql.connect
    monkeypatch.setattr(sql, "connect", lambda: calls.append(1) or real())
    yield calls
    sql.forget_kept_connection()


@pytest.fixture
def store(tmp_path):
    pd.DataFrame({"contact_id": ["a", "b", "c"]}).to_parquet(tmp_path / "contacts.parquet")
    return Store(tmp_path)


def test_queries_of_one_thread_share_one_connection(store, opened):
    assert store.query("SELECT count(*) AS n FROM {contacts}")["n"].iloc[0] == 3
    assert store.query("SELECT count(*) AS n FROM {contacts} WHERE contact_id > 'a'")["n"].iloc[0] == 2
    assert len(opened) == 1


def test_another_thread_opens_its_own(store, opened):
    store.query("SELECT 1 AS one")
    seen = []
    worker = threading.Thread(target=lambda: seen.append(store.query("SELECT 2 AS two")["two"].iloc[0]))
    worker.start()
    worker.join()
    assert seen == [2] and len(opened) == 2


def test_a_changed_thread_budget_opens_a_new_connection(store, opened, monkeypatch):
    store.query("SELECT 1 AS one")
    monkeypatch.setenv("CSREPORT_THREADS", "1")
    assert store.query("SELECT current_setting('threads') AS t")["t"].iloc[0] == 1
    assert len(opened) == 2


def test_a_failed_query_drops_the_connection_and_a_moved_file_is_still_a_clear_error(store, opened, tmp_path):
    store.query("SELECT 1 AS one")
    (tmp_path / "contacts.parquet").rename(tmp_path / "moved.parquet")
    with pytest.raises(UnusableInputError, match="cannot read its data"):
        store._run(f"SELECT * FROM read_parquet('{tmp_path / 'contacts.parquet'}')")
    assert store.query("SELECT 3 AS three")["three"].iloc[0] == 3
    assert len(opened) == 2
