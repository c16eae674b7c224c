"""The contacts' KPI helper columns kept beside the store (csreport/metrics/derived.py): written once, read afterwards,
the same numbers as computing them on every pass, and never read for another store or other parameters.

Fixture: five contacts of unit east in November 2026 (a typed Parquet source, so the store references it),
office hours 09:00-12:00 and 13:00-18:00 on weekdays. Business first responses worked out by hand:
a 1 h (Mon 10-11), b 2 h (Tue 17-18, Wed 09-10), c 2 h (Fri 17-18, Mon 09-10), d 2 h (Mon 11-12 and 13-14, the
lunch hour does not count), e 0.5 h (created Sunday evening, answered Monday 09:30).
Customer k1 makes a, then b 31 hours later (a is a repeat within 7 days), then c ten days after b."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

import csreport.metrics.derived as derived_module
import csreport.metrics.kpis as kpis_module
from csreport.data.calendars import Calendars, parse_calendar
from csreport.data.ingest import ingest
from csreport.data.store import Store, open_store
from csreport.metrics.derived import kept_derived
from csreport.metrics.scorecard import KpiCache
from csreport.metrics.targets import load_targets

OFFICE = {"hours": {"mon-fri": ["09:00-12:00", "13:00-18:00"]}}
BUSINESS_FIRST_RESPONSE_H = {"a": 1, "b": 2, "c": 2, "d": 2, "e": 0.5}


@pytest.fixture
def store(tmp_path) -> Store:
    contacts = pd.DataFrame(
        {
            "contact_id": ["a", "b", "c", "d", "e"],
            "created_at": pd.to_datetime(
                ["2026-11-02 10:00", "2026-11-03 17:00", "2026-11-13 17:00", "2026-11-02 11:00", "2026-11-01 20:00"]
            ),
            "business_unit": "east",
            "channel": "email",
            "customer_id": ["k1", "k1", "k1", "k2", "k3"],
            "first_response_at": pd.to_datetime(
                ["2026-11-02 11:00", "2026-11-04 10:00", "2026-11-16 10:00", "2026-11-02 14:00", "2026-11-02 09:30"]
            ),
        }
    )
    (tmp_path / "data").mkdir()
    contacts.to_parquet(tmp_path / "data" / "contacts.parquet")
    ingest(tmp_path / "data", tmp_path / "work")
    store = open_store(tmp_path / "work")
    return store.with_calendars(Calendars({"east": parse_calendar("east", OFFICE, "c.yml", store.run_zone)}))


def kpis_of(store: Store, fcr_days: float = 7.0) -> dict:
    targets = load_targets()
    targets = replace(targets, parameters=replace(targets.parameters, fcr_repeat_window_days=fcr_days))
    cache = KpiCache(store, targets, store.calendars)
    cache.preload(["2026-11"], ["east", "all"])
    return {key: cache.kpis(*key) for key in [("2026-11", "east"), ("2026-11", "all")]}


def kept_files(store: Store) -> list:
    folder = store.path.parent / "derived"
    files = sorted(folder.glob("contacts-*.parquet")) if folder.exists() else []
    return files  # (the sorted value lists are .npy files: see below)


def test_the_kept_columns_are_the_hand_computed_ones(store):
    kpis_of(store)
    (path,) = kept_files(store)
    kept = pd.read_parquet(path).set_index("contact_id")
    assert sorted(kept.index) == ["a", "b", "c", "d", "e"]  # every contact, once
    business_hours = (kept["_first_response_bs"] / 3600).to_dict()
    assert business_hours == BUSINESS_FIRST_RESPONSE_H
    assert kept["_repeated"].to_dict() == {"a": True, "b": False, "c": False, "d": False, "e": False}


def test_the_same_numbers_as_computing_the_columns_on_every_pass(store, monkeypatch):
    kept = kpis_of(store)
    monkeypatch.setattr(kpis_module, "kept_derived", lambda store, table, derived: (store.relation(table), derived))
    computed = kpis_of(store)
    for key, measures in computed.items():
        for name, measure in measures.items():
            other = kept[key][name]
            assert (other.value, other.n, other.low, other.high) == pytest.approx(
                (measure.value, measure.n, measure.low, measure.high), nan_ok=True
            ), (key, name)
    east = kept[("2026-11", "east")]
    assert east["first_response_business_median_s"].value == 2 * 3600
    assert east["fcr_rate"].value == pytest.approx(4 / 5)


def test_written_once_then_read(store, monkeypatch):
    writes = []
    copy, write_sorted = derived_module._copy, derived_module.write_sorted
    monkeypatch.setattr(derived_module, "_copy", lambda sql: (writes.append("columns"), copy(sql)))
    monkeypatch.setattr(derived_module, "write_sorted", lambda *args: (writes.append("list"), write_sorted(*args)))
    first = kpis_of(store)
    # the helper columns, then the value lists of first response kept sorted: elapsed, business and business of
    # the contacts created on working days (the calendar-driven check, csreport.metrics.calendar_driven)
    assert writes == ["columns", "list", "list", "list"]
    ingest(store.path.parent.parent / "data", store.path.parent)  # a run validates again: nothing changed, reused
    second = kpis_of(store)
    assert len(writes) == 4
    assert second[("2026-11", "east")]["fcr_rate"].value == first[("2026-11", "east")]["fcr_rate"].value


def test_other_parameters_get_their_own_file_and_a_new_validation_removes_the_old_ones(store, tmp_path):
    kpis_of(store)
    # a sorted list of the earlier Parquet layout, left by an older version for this same store: no longer read
    key = kept_files(store)[0].name.split("-")[1]
    old_list = store.path.parent / "derived" / f"contacts-{key}-0123456789abcdef.sorted.parquet"
    old_list.write_bytes(b"PAR1")
    old_list.with_name(old_list.name + ".lock").touch()
    kpis_of(store, fcr_days=10.0)  # writes a file, so the folder is tidied
    assert not old_list.exists() and not old_list.with_name(old_list.name + ".lock").exists()
    wider = kpis_of(store, fcr_days=14.0)  # c, ten days after b, now makes b a repeat too
    assert len(kept_files(store)) == 3
    assert wider[("2026-11", "east")]["fcr_rate"].value == pytest.approx(3 / 5)
    # the source changes (b was another customer's: a is no repeat, c is eleven days after a): validation
    # writes a new store, whose first pass removes the files of the old one
    source = tmp_path / "data" / "contacts.parquet"
    frame = pd.read_parquet(source)
    frame.loc[frame["contact_id"] == "b", "customer_id"] = "k9"
    frame.to_parquet(source)
    ingest(tmp_path / "data", tmp_path / "work")
    renewed = kpis_of(store)
    assert len(kept_files(store)) == 1
    kept = [f.name for f in (store.path.parent / "derived").iterdir()]
    assert len({name.split("-")[1] for name in kept}) == 1  # the old store's sorted lists and locks went too
    assert sum(name.endswith((".sorted.npy", ".sorted.groups.json")) for name in kept) == 6  # 3 lists, 2 files each
    assert renewed[("2026-11", "east")]["fcr_rate"].value == pytest.approx(5 / 5)


def test_a_folder_that_cannot_be_written_reads_the_store_as_before(store):
    (store.path.parent / "derived").write_text("not a folder")
    columns = set(store.columns("contacts"))
    from csreport.metrics.helper_columns import contacts_derived

    derived = contacts_derived(columns, load_targets().parameters)
    assert kept_derived(store, "contacts", derived) == (store.relation("contacts"), derived)
    assert kpis_of(store)[("2026-11", "east")]["first_response_business_median_s"].value == 2 * 3600


def test_a_copy_that_fails_reads_the_store_as_before(store, monkeypatch):
    """A disk that fills up while the kept file is written: the pass reads the store itself, the same numbers."""

    def full_disk(sql):
        raise OSError("IO Error: No space left on device")

    monkeypatch.setattr(derived_module, "_copy", full_disk)
    assert kpis_of(store)[("2026-11", "east")]["first_response_business_median_s"].value == 2 * 3600
    assert kept_files(store) == [] and not list((store.path.parent / "derived").glob(".*"))  # no partial file


def test_a_source_moved_since_validation_is_the_clear_error(store, tmp_path):
    from csreport.errors import UnusableInputError

    (tmp_path / "data" / "contacts.parquet").rename(tmp_path / "elsewhere.parquet")
    with pytest.raises(UnusableInputError, match="moved or changed since validation"):
        kpis_of(store)
    assert kept_files(store) == []


def test_value_lists_that_cannot_be_kept_sorted_are_collected_as_before(store, monkeypatch):
    """The helper columns are kept but a sorted value list fails to be written (a full disk): the pass collects
    the values itself, with the same numbers, and leaves no partial file."""

    def full_disk(select, values_path, groups_file):
        groups_file.write_text("[]")  # the groups were written, then the disk filled up
        values_path.write_bytes(b"\x93NUMPY")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(derived_module, "write_sorted", full_disk)
    kpis = kpis_of(store)
    assert kpis[("2026-11", "east")]["first_response_business_median_s"].value == 2 * 3600
    assert kpis[("2026-11", "all")]["first_response_median_s"].value == 13.5 * 3600  # of 1, 3, 13.5, 17, 65 h
    assert len(kept_files(store)) == 1
    assert [f.name for f in (store.path.parent / "derived").iterdir() if not f.name.endswith(".lock")] == [
        kept_files(store)[0].name
    ]  # no partial file
