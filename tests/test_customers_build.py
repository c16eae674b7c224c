"""Chapter 2's section builders (csreport/report/chapters/customers_build.py): the numbers they keep, worked out by hand
on small frames, what they return when their data is absent, and the chapter rendered from the kept model alone
when optional tables are missing."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from csreport.data.store import Store
from csreport.metrics.targets import load_targets
from csreport.report.chapters import SECTIONS, ReportContext
from csreport.report.chapters import customers as chapter
from csreport.report.chapters.customers_build import (
    comments_data,
    complaints_data,
    customer_groups_data,
    needs_data,
)
from csreport.report.chapters.model import rendering
from tests.optional_data import required_only, variant

TREND = pd.DataFrame({"period": ["2026-09", "2026-10"], "value": [0.1, 0.2]})


def _ctx(tables: dict[str, pd.DataFrame], **more) -> SimpleNamespace:
    """What a builder reads of a report context: the tables present, the month's contacts, a table's rows."""
    return SimpleNamespace(
        has=lambda table: table in tables,
        contacts=tables["contacts"],
        read_all=lambda table: tables[table].copy(),
        trend=lambda kpi: TREND,
        **more,
    )


def test_customer_groups_are_shares_of_the_contacting_customers_and_of_the_base():
    customers = pd.DataFrame({"customer_id": [1, 2, 3, 4], "segment": ["a", "a", "b", "b"], "age": [20, 30, 31, 70]})
    contacts = pd.DataFrame({"customer_id": [1, 3, 3, None]})  # customers 1 and 3; a contact of no customer
    data = customer_groups_data(_ctx({"customers": customers, "contacts": contacts}))
    assert data.missing is None and (data.contacting, data.base) == (2, 4)
    shares = {(d, v): (c, b) for d, v, c, b in data.shares.itertuples(index=False)}
    assert shares == {
        ("segment", "a"): (0.5, 0.5),
        ("segment", "b"): (0.5, 0.5),
        ("age_band", "25–34"): (0.5, 0.5),  # ages 30 and 31; of them customer 3 contacted
        ("age_band", "<25"): (0.5, 0.25),
        ("age_band", "65+"): (0.0, 0.25),  # no contacting customer of 70
    }
    assert list(data.shares["dimension"]) == ["segment", "segment", "age_band", "age_band", "age_band"]


@pytest.mark.parametrize(
    ("tables", "missing"),
    [
        ({"contacts": pd.DataFrame({"customer_id": [1]})}, "customers"),
        ({"contacts": pd.DataFrame({"channel": ["chat"]}), "customers": pd.DataFrame({"customer_id": [1]})},
         "customer_id"),
    ],
)  # fmt: skip
def test_customer_groups_say_which_input_is_missing(tables, missing):
    assert customer_groups_data(_ctx(tables)).missing == missing


def test_needs_count_contacts_per_category_with_the_complaint_share_of_known_flags():
    contacts = pd.DataFrame(
        {"category": ["billing", "billing", "billing", "delivery"], "is_complaint": [True, False, None, True]}
    )
    data = needs_data(_ctx({"contacts": contacts}))
    assert data.flagged
    assert list(data.by_category.index) == ["billing", "delivery"]  # most contacts first
    assert list(data.by_category["n"]) == [3, 1]
    assert list(data.by_category["complaint_share"]) == [0.5, 1.0]  # 1 of the 2 billing contacts with a flag
    assert list(data.by_category["known"]) == [2, 1]


def test_needs_without_a_complaint_flag_leave_its_share_out_and_without_categories_are_none():
    data = needs_data(_ctx({"contacts": pd.DataFrame({"category": ["billing", "delivery", "delivery"]})}))
    assert not data.flagged and list(data.by_category.columns) == ["n"]
    assert list(data.by_category["n"]) == [2, 1]
    assert needs_data(_ctx({"contacts": pd.DataFrame({"category": [None, None]})})) is None
    assert needs_data(_ctx({"contacts": pd.DataFrame({"channel": ["chat"]})})) is None


def test_complaints_name_the_fewest_categories_holding_four_fifths_and_the_outcome_shares():
    complaint = [True] * 10 + [False] * 10
    categories = ["delivery"] * 5 + ["billing"] * 3 + ["other"] * 2 + ["billing"] * 10
    resolved = [True, True, True, False, None, True, True, True, True, False] + [False] * 10  # 7 of 9 known
    contacts = pd.DataFrame({"is_complaint": complaint, "category": categories, "resolved": resolved})
    data = complaints_data(_ctx({"contacts": contacts}))
    assert (data.complaints, data.contacts) == (10, 20)
    assert data.by_category.to_dict() == {"delivery": 5, "billing": 3, "other": 2}
    assert data.named == 2  # delivery 50 %, with billing 80 %: the two hold four fifths
    assert math.isclose(data.resolved, 7 / 9)
    assert data.escalated is None
    assert data.trend is TREND


def test_complaints_without_any_or_without_their_columns():
    none = complaints_data(_ctx({"contacts": pd.DataFrame({"is_complaint": [False, None], "category": ["a", "b"]})}))
    assert (none.complaints, none.contacts, none.by_category) == (0, 2, None)
    assert complaints_data(_ctx({"contacts": pd.DataFrame({"category": ["a"]})})) is None


def test_resolved_complaints_without_a_flag_are_those_with_a_resolution_time():
    contacts = pd.DataFrame(
        {"is_complaint": [True, True, True, True], "category": ["a"] * 4, "resolved_at": [1, None, 2, 3],
         "escalated": [True, False, False, None]}
    )  # fmt: skip
    data = complaints_data(_ctx({"contacts": contacts}))
    assert data.resolved == 0.75 and math.isclose(data.escalated, 1 / 3)


def test_example_comments_are_the_first_with_text_among_the_last_two_hundred():
    texts = [f"old {i}" for i in range(10)] + [None, "late 1", None, "late 2", "late 3", "late 4"] + [None] * 194
    analysis = SimpleNamespace(available=True, comments=pd.DataFrame({"text": texts}))
    ctx = _ctx({"contacts": pd.DataFrame(), "surveys": pd.DataFrame()}, analyses=SimpleNamespace(comments=analysis))
    assert comments_data(ctx) == ["late 1", "late 2", "late 3"]  # the 10 old ones are before the last 200
    assert comments_data(_ctx({"contacts": pd.DataFrame()})) is None


def _render(ctx) -> list:
    out = []
    for name in ["title", *SECTIONS["02_customers"][1]]:
        section = getattr(chapter, name)(ctx)
        out.append((name, section.heading, list(section.sentences), [t.to_dict("split") for t in section.tables],
                    list(section.captions), len(section.figures)))  # fmt: skip
    return out


@pytest.mark.parametrize(
    ("case", "lang"),
    [(("table", "customers"), "en"), (("table", "surveys"), "zh"), (("required",), "en")],
    ids=["no-customers", "no-surveys", "required-only"],
)
def test_the_chapter_renders_from_the_kept_model_alone_with_optional_data_missing(
    small_export, case, lang, tmp_path, shown
):
    if case[0] == "table":
        report = variant(small_export, tmp_path, drop_table=case[1])
    else:
        report = variant(small_export, tmp_path, keep_only=required_only())
    ctx = ReportContext("2026-10", "east", lang, Store(Path(report.store_dir)), load_targets(), report)
    expected = _render(ctx)
    assert _render(rendering(ctx)) == expected
    if case[0] == "table":
        assert any(case[1] in " ".join(sentences) for _, _, sentences, *_ in expected)  # it says what is missing
