"""A section's data as an analyst sees it in a notebook (csreport/report/chapters/section_data.py): field by field, its
DataFrames as their first rows."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from IPython.lib.pretty import pretty

from csreport.metrics.measure import Measure
from csreport.report.chapters import section_data
from csreport.report.chapters.model import builders
from csreport.report.chapters.section_data import SectionData, describe, describe_html


@dataclass(repr=False)
class Toy(SectionData):
    """Agents needed per half hour.

    More detail that the title leaves out."""

    target: float
    rate: Measure
    table: pd.DataFrame


def _toy(rows: int = 12) -> Toy:
    table = pd.DataFrame({"interval": range(rows), "required": [2 * i for i in range(rows)]})
    return Toy(0.8, Measure("churn_rate", 0.25, 40, "ratio", 0.125, 0.5, method="churned / active"), table)


def test_describe_shows_one_line_per_field():
    assert describe(_toy()).splitlines() == [
        "Toy: Agents needed per half hour.",
        "  target  0.8",
        "  rate    Measure churn_rate: 0.25 ratio, n 40, interval 0.125 to 0.5, churned / active",
        "  table   DataFrame, 12 rows × 2 columns: interval, required",
    ]
    assert repr(_toy()) == pretty(_toy()) == describe(_toy())
    missing = Measure.unavailable("churn_rate", "ratio", "no customers table")
    assert section_data.summary(missing) == "Measure churn_rate: not available (no customers table)"


def test_the_notebook_shows_the_first_rows_of_each_dataframe():
    shown = describe_html(_toy(12))
    assert "first 10 of 12 rows" in shown
    assert "<td>18</td>" in shown and "<td>20</td>" not in shown  # required of rows 9 and 10


def test_every_builders_data_shows_field_by_field():
    builders()  # imports every chapter module
    kinds = [cls for cls in _subclasses(SectionData) if cls is not Toy]
    assert kinds, "no builder returns SectionData"
    for cls in kinds:
        assert cls.__repr__ is SectionData.__repr__, f"declare {cls.__name__} with @dataclass(repr=False)"


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)
