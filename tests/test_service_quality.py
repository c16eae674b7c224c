"""Chapter 3's sections (csreport/report/chapters/service_quality.py): how they write what the model keeps."""

from __future__ import annotations

from types import SimpleNamespace

from csreport.language import i18n
from csreport.metrics.measure import Measure
from csreport.report.chapters import output as out
from csreport.report.chapters import service_quality
from csreport.report.chapters.service_quality_data import KpiTable


def test_each_kind_of_time_is_written_in_one_unit_down_the_kpi_table():
    """A resolution median of 18 min and a p90 of 46.4 h are the same kind of time: both in hours (the
    largest, 167,040 s ≥ 2 h), the median 1,080 / 3,600 = 0.30 h (interval 900 s = 0.25 h to 1,260 s = 0.35 h),
    never "18.0 min" one row above "46.4 h". ASA, another kind, stays in seconds."""
    measures = {
        "asa_s": Measure("asa_s", 4.0, 2379, "s", 3.0, 5.0),
        "resolution_median_s": Measure("resolution_median_s", 1080.0, 3369, "s", 900.0, 1260.0),
        "resolution_p90_s": Measure("resolution_p90_s", 167_040.0, 3369, "s", 158_040.0, 176_400.0),
        "resolution_business_median_s": Measure("resolution_business_median_s", 1020.0, 3369, "s", 894.0, 1266.0),
    }
    ctx = SimpleNamespace(lang="en", targets=SimpleNamespace(parameters=SimpleNamespace(min_sample=30)),
                          t=lambda key, **values: i18n.text(key, "en", **values))  # fmt: skip
    table = service_quality._kpi_table(ctx, KpiTable(measures, set()))
    assert table.iloc[:, 1].tolist() == ["4 s", "0.30 h", "46.4 h", "0.28 h"]
    assert table.iloc[:, 2].tolist() == ["3 s – 5 s", "0.25 h – 0.35 h", "43.9 h – 49.0 h", "0.25 h – 0.35 h"]


def test_the_kind_of_a_time_drops_its_statistic_and_basis():
    names = ("resolution_business_p90_s", "resolution_median_s", "first_response_business_median_s", "asa_s")
    kinds = [out.time_kind(k) for k in names]
    assert kinds == ["resolution", "resolution", "first_response", "asa"]
