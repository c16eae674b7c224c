"""The KPI lists are the registry's: the headline KPIs, which the batch index shows per report and the e-mail brief
at a glance whatever their status (a KPI registered as headline joins both, with no other list to edit), and the KPIs
of chapter 3's service and efficiency tables."""

from __future__ import annotations

import dataclasses
import json

import pytest

from csreport.delivery.brief import read_brief
from csreport.metrics import registry
from csreport.pipeline.index import write_index
from csreport.report.chapters.service_quality_data import efficiency_kpis, service_kpis
from tests.test_deliver import PERIOD, finished_report
from tests.test_kpi_registry import LONG_WAIT

#: the toy KPI's row of a run's scorecard.csv: 12 of 40 answered contacts waited over a minute, target met
LONG_WAIT_ROW = f"{PERIOD},east,long_wait_rate,ratio,0.3,0.1,0.35,met\n"


@pytest.fixture(params=[False, True], ids=["not headline", "headline"])
def long_wait(request):
    """The toy KPI of tests/test_kpi_registry.py, registered as a headline KPI or not, taken back after the test."""
    kpi = registry.register(dataclasses.replace(LONG_WAIT, headline=request.param))
    yield kpi
    registry.unregister(kpi.name)


def test_the_package_headline_kpis_in_their_order():
    assert registry.headline_kpis() == ["contacts", "service_level", "csat_mean", "nps"]


def test_a_kpi_registered_as_headline_is_in_the_index(long_wait, tmp_path):
    run = tmp_path / PERIOD / "east"
    run.mkdir(parents=True)
    headline = {"service_level": {"value": 0.712, "unit": "ratio", "status": "missed"},
                "long_wait_rate": {"value": 0.3, "unit": "ratio", "status": "met"}}  # fmt: skip
    manifest = {"status": "ok", "period": PERIOD, "unit": "east", "lang": "en", "headline": headline}
    (run / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    page = write_index(tmp_path, "en").read_text(encoding="utf-8")
    assert "Service level: 71.2%" in page
    shown = 'Long waits: 30.0% <span class="cs-met" title="met">✓</span>'  # its declared label, 0.3 as a percentage
    assert (shown in page) is long_wait.headline
    if long_wait.headline:  # after the package's headline KPIs, in declaration order
        assert page.index("Service level: 71.2%") < page.index("Long waits: 30.0%")


def test_a_kpi_registered_as_headline_is_at_a_glance_in_the_brief_even_when_met(long_wait, tmp_path):
    run_dir = finished_report(tmp_path)
    scorecard = run_dir / "exports" / "scorecard.csv"
    scorecard.write_text(scorecard.read_text(encoding="utf-8") + LONG_WAIT_ROW, encoding="utf-8")
    brief = read_brief(run_dir, PERIOD, "east", "en")
    glance = [(r.kpi, r.value, r.status) for r in brief.glance]
    if long_wait.headline:
        assert glance[-1] == ("Long waits", "30.0%", "met") and "Long waits" not in brief.also_met
    else:  # met and no headline: only named among the KPIs that met their target
        assert "Long waits" not in [kpi for kpi, _, _ in glance] and "Long waits" in brief.also_met
    # the package's headline KPIs of the run's scorecard stay where they were
    assert glance[:2] == [("Contacts", "3,698", None), ("Service level", "90.7%", "met")]


def test_chapter_3s_tables_list_the_kpis_declared_for_them_in_their_order():
    """The tables as they were before the registry declared them: each median beside its p90."""
    assert service_kpis() == [
        "service_level", "asa_s", "abandonment_rate",
        "first_response_median_s", "first_response_p90_s",
        "first_response_business_median_s", "first_response_business_p90_s",
        "resolution_median_s", "resolution_p90_s", "resolution_business_median_s", "resolution_business_p90_s",
        "resolution_rate", "fcr_rate", "reopen_rate", "escalation_rate",
    ]  # fmt: skip
    assert efficiency_kpis() == ["aht_s", "occupancy", "cost_per_contact", "handled_contacts"]


def test_a_kpi_declared_for_a_chapter_3_table_joins_it():
    kpi = registry.register(dataclasses.replace(LONG_WAIT, chapter_table="service"))
    try:
        assert service_kpis()[-1] == "long_wait_rate" and "long_wait_rate" not in efficiency_kpis()
    finally:
        registry.unregister(kpi.name)
    assert "long_wait_rate" not in service_kpis()
