"""Per-unit time zones: a unit's months start at its local midnight and its hours of day are its local hours
(the calendar's ``timezone`` in params/calendars.yml); "all units" and a unit without a calendar keep the run's
zone. Hand-computed on tests/fixtures/unit_zones/ validated with ``--timezone UTC``:

contact ``*-edge`` at 2026-09-30T23:30Z is, locally, 2026-10-01 07:30 in Asia/Shanghai (October), 23:30 on
30 September in UTC (September), 00:30 on 1 October in Europe/London (British Summer Time, UTC+1: October), and
23:30 on 30 September for the unit without a calendar (the run's zone, UTC: September). ``ld-nov-edge`` at
2026-10-31T23:30Z is 23:30 on 31 October in London (GMT since 25 October: still October).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csreport.data.calendars import load_calendars
from csreport.data.ingest import ingest
from csreport.data.store import Store
from csreport.metrics.kpis import compute_many
from csreport.metrics.targets import Parameters

FIXTURE = Path(__file__).parent / "fixtures" / "unit_zones"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    data = tmp_path_factory.mktemp("zones_data")
    shutil.copy(FIXTURE / "contacts.csv", data / "contacts.csv")
    report = ingest(data, tmp_path_factory.mktemp("zones_out"), tz="UTC")
    plain = Store(Path(report.store_dir))
    return plain.with_calendars(load_calendars(FIXTURE / "calendars.yml", default_zone=plain.run_zone))


def ids(frame) -> set[str]:
    return set(frame["contact_id"])


@pytest.mark.parametrize(
    "unit, september, october",
    [
        ("shanghai", {"sh-sep"}, {"sh-edge", "sh-oct"}),
        ("utc", {"ut-sep", "ut-edge"}, {"ut-oct"}),
        ("london", {"ld-sep"}, {"ld-edge", "ld-oct", "ld-nov-edge"}),
        ("nocal", {"no-sep", "no-edge"}, {"no-oct"}),
    ],
)
def test_a_units_month_starts_at_its_local_midnight(store, unit, september, october):
    assert ids(store.read("contacts", "2026-09", unit)) == september
    assert ids(store.read("contacts", "2026-10", unit)) == october


def test_all_units_use_the_runs_zone(store):
    assert store.zone("all") == "UTC"
    assert ids(store.read("contacts", "2026-10", "all")) == {"sh-oct", "ut-oct", "ld-oct", "ld-nov-edge", "no-oct"}


@pytest.mark.parametrize(
    "unit, hours",
    [
        ("shanghai", {"sh-sep": 20, "sh-edge": 7, "sh-oct": 20}),
        ("utc", {"ut-sep": 12, "ut-edge": 23, "ut-oct": 12}),
        ("london", {"ld-sep": 13, "ld-edge": 0, "ld-oct": 13, "ld-nov-edge": 23}),
        ("nocal", {"no-sep": 12, "no-edge": 23, "no-oct": 12}),
    ],
)
def test_hour_of_day_is_the_units_local_hour(store, unit, hours):
    frame = store.read("contacts", "2026-10", unit, months=2, local=True)
    assert dict(zip(frame["contact_id"], frame["created_at"].dt.hour, strict=True)) == hours


def test_without_calendars_every_unit_keeps_the_runs_zone(store):
    plain = Store(store.path)
    assert ids(plain.read("contacts", "2026-10", "shanghai")) == {"sh-oct"}
    frame = plain.read("contacts", "2026-10", "shanghai", local=True)
    assert frame["created_at"].dt.hour.tolist() == [12]
    assert plain.month_sql("created_at", *plain.window("2026-10")) is None


def test_grouped_kpis_count_each_units_local_month_and_all_units_in_the_runs_zone(store):
    units = ["shanghai", "utc", "london", "nocal", "all"]
    kpis = compute_many(store, ["2026-09", "2026-10"], units, Parameters())
    counts = {(p, u): kpis[(p, u)]["contacts"].value for p in ("2026-09", "2026-10") for u in units}
    assert counts == {
        ("2026-09", "shanghai"): 1, ("2026-09", "utc"): 2, ("2026-09", "london"): 1, ("2026-09", "nocal"): 2,
        ("2026-09", "all"): 8,
        ("2026-10", "shanghai"): 2, ("2026-10", "utc"): 1, ("2026-10", "london"): 3, ("2026-10", "nocal"): 1,
        ("2026-10", "all"): 5,
    }  # fmt: skip


def test_coverage_is_counted_in_the_units_days(store):
    # shanghai's last contact, 2026-10-15T12:00:00.25Z, is 20:00:00.25 local; its first, 2026-09-15 20:00 local
    # (one with fractions of a second, one without: both read)
    coverage = store.coverage("shanghai")
    assert (str(coverage.first), str(coverage.last)) == ("2026-09-15 20:00:00", "2026-10-15 20:00:00.250000")
    assert coverage.days("2026-09") == 16  # 15 … 30 September
