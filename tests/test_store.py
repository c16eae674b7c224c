import pytest

from csreport.data.ingest import ingest
from csreport.data.periods import parse_period
from csreport.data.store import open_store
from csreport.errors import ParameterError


@pytest.fixture
def store(data_dir, tmp_path):
    ingest(data_dir(contacts="contacts_valid.csv"), tmp_path / "out")
    return open_store(tmp_path / "out")


def test_month_and_unit_slice(store):
    # October 2026: C2, C3 (east), C4, C5 (west); C1 is 30 September, C6 is 1 November
    assert sorted(store.read("contacts", "2026-10")["contact_id"]) == ["C2", "C3", "C4", "C5"]
    assert sorted(store.read("contacts", "2026-10", unit="east")["contact_id"]) == ["C2", "C3"]
    assert sorted(store.read("contacts", "2026-10", unit="west")["contact_id"]) == ["C4", "C5"]


def test_units_add_up_to_all(store):
    total = len(store.read("contacts", "2026-10"))
    assert sum(len(store.read("contacts", "2026-10", unit=u)) for u in store.units()) == total


def test_window_of_months(store):
    assert len(store.read("contacts", "2026-10", months=2)) == 5  # September and October
    assert len(store.read("contacts")) == 6


def test_missing_table_is_empty_not_an_error(store):
    assert store.read("surveys", "2026-10").empty
    assert not store.has("surveys")
    assert store.has("contacts", "queue_wait_s") and not store.has("contacts", "cost")


@pytest.mark.parametrize("bad", ["2026-13", "2026/10", "October", "", None])
def test_bad_period(bad):
    with pytest.raises(ParameterError, match="is not a month in the form YYYY-MM"):
        parse_period(bad)


def test_no_store(tmp_path):
    with pytest.raises(ParameterError, match="no validated store"):
        open_store(tmp_path)


def test_a_moved_source_is_a_clear_error(tmp_path):
    import pandas as pd

    from csreport.errors import UnusableInputError

    data = tmp_path / "data"
    data.mkdir()
    pd.DataFrame(
        {
            "contact_id": ["C1"],
            "created_at": [pd.Timestamp("2026-10-01 09:00")],
            "business_unit": ["east"],
            "channel": ["phone"],
        }
    ).to_parquet(data / "contacts.parquet")
    ingest(data, tmp_path / "out")  # a typed Parquet source: the store refers to it
    data.rename(tmp_path / "elsewhere")
    with pytest.raises(UnusableInputError, match="moved or changed since validation; run 'csreport validate"):
        open_store(tmp_path / "out").read("contacts", "2026-10")


def test_rows_of_a_referenced_source_come_in_file_order(tmp_path):
    """A typed Parquet source is read through an anti join (minus its quarantined rows), whose output order
    varies between processes; row reads must not (an analysis that splits or samples rows would give other
    numbers on the same data)."""
    import pandas as pd

    rows = 300_000
    data = tmp_path / "data"
    data.mkdir()
    ids = [f"C{i:06d}" for i in range(rows)]
    pd.DataFrame(
        {
            "contact_id": ids,
            "created_at": pd.Timestamp("2026-10-01") + pd.to_timedelta(range(rows), unit="s"),
            "business_unit": "east",
            "channel": ["phone", "chat", "email"] * (rows // 3),
        }
    ).assign(contact_id=lambda f: f["contact_id"].where(f.index % 1000 != 7, None)).to_parquet(
        data / "contacts.parquet", row_group_size=10_000
    )  # every 1000th row (from the 8th) has no id: quarantined
    report = ingest(data, tmp_path / "out")
    assert report.tables["contacts"].rows_quarantined == rows // 1000
    read = open_store(tmp_path / "out").read("contacts", "2026-10")["contact_id"].tolist()
    assert read == [c for i, c in enumerate(ids) if i % 1000 != 7]
