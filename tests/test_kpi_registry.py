"""The KPI registry: a KPI registered through the public path reaches the scorecard, the exports and the
findings' calibrated comparisons; the maturing KPIs are the registry's, for the scorecard and the findings alike;
every scorecard KPI has a declaration with its formula."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from csreport.data.ingest import ingest
from csreport.data.store import open_store
from csreport.errors import ParameterError
from csreport.findings.collect import collect_findings
from csreport.findings.rules import Rules, load_rules
from csreport.language import i18n
from csreport.metrics import registry
from csreport.metrics.definitions import Definition
from csreport.metrics.dictionary import data_dictionary_markdown
from csreport.metrics.maturing import maturing_kpis
from csreport.metrics.scorecard import KpiCache, scorecard
from csreport.metrics.specs import Proportion
from csreport.metrics.targets import Parameters, load_targets
from csreport.pipeline.exports import write_run_exports

MONTHS = [str(pd.Period("2026-10", "M") - k) for k in range(12, -1, -1)]  # 2025-10 … 2026-10
PER_MONTH = 40
# answered phone contacts that waited over a minute: 4 of 40 in each of the twelve months before, 12 of 40 now
LONG_WAITS = dict.fromkeys(MONTHS[:-1], 4) | {"2026-10": 12}


def long_wait_spec(params: Parameters, columns: set[str]) -> Proportion:
    """The toy KPI's computation: answered queued contacts that waited over 60 s / answered queued contacts."""
    return Proportion("long_wait_rate", ("channel", "queue_wait_s", "abandoned"), "waited > 60 s / answered",
                      "no answered queued contacts", success="queue_wait_s > 60",
                      among="_offered AND NOT abandoned")  # fmt: skip


LONG_WAIT = registry.Kpi(
    "long_wait_rate",
    Definition(
        "long waits",
        "answered queued contacts that waited over 60 s / answered queued contacts",
        "排队等待超过 60 秒的已接通联络 / 已接通的排队联络",
    ),
    "ratio",
    "proportion",
    "lower",
    scorecard=True,
    labels={"en": "Long waits", "zh": "长时间等待占比"},
    evidence=registry.EvidenceRule(
        "contacts", "_offered AND NOT abandoned AND queue_wait_s > 60", ("queue_wait_s", "abandoned"), "queue_wait_s"
    ),
    spec=long_wait_spec,
)


@pytest.fixture
def long_wait():
    """The toy KPI, registered for the test and taken back after it."""
    registry.register(LONG_WAIT)
    yield LONG_WAIT
    registry.unregister("long_wait_rate")


@pytest.fixture
def data(tmp_path):
    """Thirteen months of 40 answered phone contacts of unit east on the 5th of each month (:data:`LONG_WAITS`
    of them waited 90 s, the others 10 s), each resolved an hour later."""
    rows = []
    for month in MONTHS:
        for i in range(PER_MONTH):
            rows.append({"contact_id": f"{month}-{i:02d}", "created_at": f"{month}-05 10:{i:02d}:00",
                         "business_unit": "east", "channel": "phone", "abandoned": "false",
                         "queue_wait_s": 90 if i < LONG_WAITS[month] else 10,
                         "resolved_at": f"{month}-05 11:{i:02d}:00"})  # fmt: skip
    folder = tmp_path / "data"
    folder.mkdir()
    pd.DataFrame(rows).to_csv(folder / "contacts.csv", index=False)
    return folder


def test_a_registered_kpi_is_on_the_scorecard_in_the_exports_and_in_the_findings(long_wait, data, tmp_path):
    store_dir = tmp_path / "validated"
    ingest(data, store_dir)
    store = open_store(store_dir)
    targets = load_targets()
    cache = KpiCache(store, targets)
    card = scorecard(store, "2026-10", "east", targets, cache).set_index("kpi")
    row = card.loc["long_wait_rate"]
    assert (row["value"], row["n"], row["unit"]) == (pytest.approx(12 / 40), 40, "ratio")
    assert row["previous"] == pytest.approx(4 / 40) and row["change_vs_previous"] == pytest.approx(0.2)
    assert card.index[-1] == "long_wait_rate"  # after the package's KPIs, in declaration order
    assert i18n.label("kpi", "long_wait_rate", "zh") == "长时间等待占比"

    # the findings' calibrated comparison: Laney's p′ chart of the twelve months before (pooled p̄ = 48/480),
    # σz floored at 1 (every baseline month is at p̄), z = (0.3 − 0.1) / √(0.1 · 0.9 / 40), t with
    # max(2, round(0.7 · 11)) = 8 degrees of freedom
    found = collect_findings(store, "2026-10", "east", targets, cache=cache)
    calibrated = found.calibration.set_index("kpi").loc["long_wait_rate"]
    z = (0.3 - 0.1) / math.sqrt(0.1 * 0.9 / 40)
    assert calibrated["usual_level"] == pytest.approx(0.1)
    assert calibrated["p_calibrated"] == pytest.approx(2 * stats.t.sf(z, 8), rel=1e-6)

    # the exports: the run's scorecard CSV holds it with its unit
    from csreport.report.chapters.context import open_report

    ctx = open_report("2026-10", "east", "en", data, tmp_path / "work")
    write_run_exports(tmp_path / "run", ctx, ctx.evidence)
    exported = pd.read_csv(tmp_path / "run" / "exports" / "scorecard.csv", encoding="utf-8-sig").set_index("kpi")
    assert exported.loc["long_wait_rate", "value"] == pytest.approx(0.3)
    assert exported.loc["long_wait_rate", "measure_unit"] == "ratio"
    # and the data dictionary defines it
    assert "| long waits | answered queued contacts that waited over 60 s" in data_dictionary_markdown()


def test_a_kpi_cannot_be_declared_twice_differently(long_wait):
    other = registry.Kpi("long_wait_rate", None, "ratio", "proportion", "higher")
    with pytest.raises(ValueError, match="declared already"):
        registry.register(other)
    assert registry.register(LONG_WAIT) is LONG_WAIT  # the same declaration again is no error


def test_the_maturing_kpis_are_the_registrys_for_the_scorecard_and_the_findings(data, tmp_path):
    declared = {k.name for k in registry.kpis() if k.maturity is not None}
    assert "first_response_median_s" in declared and "reopen_rate" in declared and "fcr_rate" in declared
    params = Parameters()
    with_flag = maturing_kpis({"created_at", "first_contact_resolution", "resolved_at"}, params)
    assert set(with_flag) == declared - {"fcr_rate"}  # an exported FCR flag is final at once
    assert with_flag["resolution_rate"].dated_by == "resolved_at" and with_flag["reopen_rate"].dated_by is None
    by_repeat = maturing_kpis({"created_at"}, params)
    assert set(by_repeat) == declared and by_repeat["fcr_rate"].horizon_days == 7.0
    assert by_repeat["resolution_rate"].dated_by is None  # maturing, but cannot be aged without resolved_at

    # the findings hold no list of their own: the rules have none, and a file that sets one is refused
    assert not hasattr(Rules(), "maturing_metrics")
    rules_file = tmp_path / "findings.yml"
    rules_file.write_text("maturing_metrics: [resolution_rate]\n")
    with pytest.raises(ParameterError, match="declared once"):
        load_rules(rules_file)

    # the scorecard marks them in the data's last month; the findings skip exactly those in the calibration
    ingest(data, tmp_path / "validated")
    store = open_store(tmp_path / "validated")
    card = scorecard(store, "2026-10", "east")
    shown = set(registry.scorecard_kpis())
    assert set(card.loc[card["maturing"], "kpi"]) == shown & set(maturing_kpis(set(store.columns("contacts")), params))
    # resolution rate (every contact resolved) has its calibrated test in September, none in the last month
    settled = collect_findings(store, "2026-09", "east").calibration.set_index("kpi")
    assert settled.loc["resolution_rate", "usual_level"] == pytest.approx(1.0)
    last = collect_findings(store, "2026-10", "east").calibration.set_index("kpi")
    assert last.loc[sorted(shown & declared), "p_calibrated"].isna().all()
    assert not math.isnan(last.loc["service_level", "p_calibrated"])


def test_every_scorecard_kpi_has_a_declaration_with_a_formula_in_the_data_dictionary():
    dictionary = data_dictionary_markdown()
    for name in registry.scorecard_kpis():
        kpi = registry.kpi(name)
        assert kpi is not None and kpi.formula, name
        assert f"| {kpi.definition.term} | {kpi.formula.replace('|', chr(92) + '|')} |" in dictionary, name
        assert i18n.label("kpi", name, "en") != name and i18n.label("kpi", name, "zh") != name, name


def test_the_targets_file_agrees_with_the_declared_directions():
    targets = load_targets()
    for key, target in targets.targets.items():
        declared = next(k for k in registry.kpis() if k.target_key == key)
        assert target.direction == declared.direction, key


def test_the_sample_benchmarks_put_best_in_class_on_the_declared_better_side():
    from csreport.sample.market import BENCHMARK_LEVELS

    for metric, (average, best, _decimals) in BENCHMARK_LEVELS.items():
        better = registry.kpi(metric).direction
        assert (best > average) == (better == "higher"), metric


def test_every_declared_kpi_is_computed_in_its_unit_and_compared_by_its_declared_method(small_export):
    # the small export has every table of the contract; its last full month has every KPI available
    store = open_store(Path(small_export.store_dir).parent)
    month = str(pd.Period(store.last_month(), "M") - 1)
    measures = KpiCache(store, load_targets()).kpis(month, "all")
    for kpi in registry.kpis():
        measure = measures[kpi.name]
        assert measure.unit == kpi.unit, kpi.name
        if measure.available:
            assert measure.kind == kpi.comparison, kpi.name
    shown = [k for k in registry.scorecard_kpis() if measures[k].available]
    assert len(shown) == len(registry.scorecard_kpis())  # every comparison above was checked on a value


def test_a_registered_survey_kpi_is_computed_from_surveys_and_missing_without_them():
    from csreport.metrics.kpis import PeriodData, compute_kpis
    from csreport.metrics.satisfaction import survey_kpis

    def bottom_box(params, columns):
        return Proportion("csat_bottom2", ("csat",), "share scoring 1–2", "no CSAT responses", "surveys",
                          success="csat <= 2", among="csat IS NOT NULL")  # fmt: skip

    declared = registry.Kpi("csat_bottom2", None, "ratio", "proportion", "lower", tables=("surveys",), spec=bottom_box)
    registry.register(declared)
    try:
        surveys = pd.DataFrame({"csat": [1, 2, 5, 4, None]})
        measure = survey_kpis(surveys)["csat_bottom2"]
        assert (measure.value, measure.n) == (pytest.approx(2 / 4), 4)  # 1 and 2 of the four scores
        empty = pd.DataFrame()
        contacts = pd.DataFrame({"contact_id": ["c1"], "created_at": [pd.Timestamp("2026-10-01 09:00")],
                                 "business_unit": ["east"], "channel": ["email"]})  # fmt: skip
        kpis = compute_kpis(PeriodData("2026-10", "east", contacts, empty, empty, empty, empty))
        assert not kpis["csat_bottom2"].available and kpis["csat_bottom2"].reason == "no surveys in the period"
    finally:
        registry.unregister("csat_bottom2")
