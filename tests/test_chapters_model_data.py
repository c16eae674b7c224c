"""The data of chapters 1 and 5 in the report model (csreport/report/chapters/background_data.py and the builders of
csreport/report/chapters/competition.py): each builder's numbers against values worked out by hand, on small stand-in
contexts (no store, no language)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from csreport.report.chapters import background_data, competition
from csreport.report.chapters.model import builders


def test_the_builders_of_chapters_1_and_5_are_registered_under_their_sections():
    found = builders()
    assert found["01.scope"] is background_data.scope_data
    assert found["01.data_quality"] is background_data.calendar_fit_data
    assert found["01.overview"] is background_data.channel_mix
    assert found["01.kpi_scorecard"] is background_data.service_level_trend
    assert found["05.benchmarks"] is competition.comparison
    assert found["05.features"] is competition.feature_matrix


def _contacts_ctx(rows: pd.DataFrame, months_asked: list):
    def read(table, months=1, columns=None):
        months_asked.append((table, months, columns))
        return rows.copy()

    return SimpleNamespace(read=read)


def test_the_channel_mix_counts_each_month_and_channel_with_shares_of_the_month():
    stamps = ["2026-09-03", "2026-09-20", "2026-09-21", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-30"]
    channels = ["phone", "phone", "chat", "chat", "chat", "chat", "email"]
    asked = []
    ctx = _contacts_ctx(pd.DataFrame({"created_at": pd.to_datetime(stamps), "channel": channels}), asked)
    mix = background_data.channel_mix(ctx)
    assert asked == [("contacts", 12, ["created_at", "channel"])]
    # September: phone 2, chat 1; October: chat 3, email 1 (a channel without contacts in a month counts 0)
    assert mix.counts.loc["2026-09"].to_dict() == {"chat": 1, "email": 0, "phone": 2}
    assert mix.counts.loc["2026-10"].to_dict() == {"chat": 3, "email": 1, "phone": 0}
    assert mix.shares.loc["2026-09", "phone"] == pytest.approx(2 / 3)
    assert mix.shares.loc["2026-10", "chat"] == pytest.approx(3 / 4)
    assert list(mix.latest.index) == ["chat", "email", "phone"] and list(mix.latest) == [3, 1, 0]
    assert mix.total == 7


def test_no_contacts_in_the_months_gives_no_channel_mix():
    empty = pd.DataFrame({"created_at": pd.to_datetime([]), "channel": pd.Series([], dtype=object)})
    assert background_data.channel_mix(_contacts_ctx(empty, [])) is None


class _Store:
    def __init__(self, columns: dict[str, list[str]], calendars=None):
        self._columns, self.calendars = columns, calendars

    @property
    def tables(self):
        return list(self._columns)

    def columns(self, table):
        return self._columns[table]

    def query(self, sql):
        assert "{contacts}" in sql
        return pd.DataFrame({"first": [pd.Timestamp("2024-11-02 08:00")], "last": [pd.Timestamp("2026-10-24 17:00")]})


def _scope_ctx(unit: str, columns: dict[str, list[str]], calendars=None, contacts: int = 3):
    store = _Store(columns, calendars)
    return SimpleNamespace(unit=unit, store=store, contacts=pd.DataFrame({"contact_id": range(contacts)}),
                           has=lambda table: table in store.tables)  # fmt: skip


def test_the_scope_names_the_tables_present_and_missing_and_the_columns_a_table_lacks():
    from csreport.data.schemas import SCHEMAS

    contacts = [c for c in SCHEMAS["contacts"].columns if c not in ("cost", "handle_s")]
    ctx = _scope_ctx("east", {"contacts": contacts, "surveys": list(SCHEMAS["surveys"].columns)}, contacts=5)
    scope = background_data.scope_data(ctx)
    assert scope.contacts == 5
    assert (str(scope.first_contact)[:7], str(scope.last_contact)[:7]) == ("2024-11", "2026-10")
    assert scope.present == ["contacts", "surveys"]
    assert scope.missing == [t for t in SCHEMAS if t not in ("contacts", "surveys")]
    assert scope.absent_columns == {"contacts": [c for c in SCHEMAS["contacts"].columns if c in ("cost", "handle_s")]}
    assert scope.own_calendar is False  # no calendars: the run's zone


def test_a_unit_with_its_own_calendar_is_in_its_own_zone_and_all_units_never():
    calendars = SimpleNamespace(of=lambda unit: object() if unit == "east" else None)
    columns = {"contacts": ["contact_id"]}
    assert background_data.scope_data(_scope_ctx("east", columns, calendars)).own_calendar is True
    assert background_data.scope_data(_scope_ctx("west", columns, calendars)).own_calendar is False
    assert background_data.scope_data(_scope_ctx("all", columns, calendars)).own_calendar is False


def _card(*rows):
    columns = ["kpi", "unit", "value", "direction", "industry_average", "small_sample"]
    return pd.DataFrame(list(rows), columns=columns)


def _benchmarks(**kpis):
    return {k: {"industry_average": avg, "competitors": pd.Series(values)} for k, (avg, values) in kpis.items()}


def test_the_comparison_ranks_us_among_the_competitors_by_the_kpis_direction():
    card = _card(
        ["service_level", "ratio", 0.90, "higher", 0.80, False],
        ["average_handle_time", "seconds", 400.0, "lower", 300.0, True],
        ["contacts", "count", 1000.0, None, 900.0, False],  # no direction: not compared
        ["nps", "score", float("nan"), "higher", 20.0, False],  # no value: not compared
    )
    bench = _benchmarks(service_level=(0.80, {"A": 0.85, "B": 0.95}), average_handle_time=(300.0, {"A": 350.0}),
                        contacts=(900.0, {"A": 800.0}), nps=(20.0, {"A": 25.0}))  # fmt: skip
    ctx = SimpleNamespace(period="2026-10", unit="east", scorecard=card,
                          cache=SimpleNamespace(benchmarks=lambda period, unit: bench))  # fmt: skip
    table = competition.comparison(ctx).set_index("kpi")
    assert list(table.index) == ["service_level", "average_handle_time"]
    sl, aht = table.loc["service_level"], table.loc["average_handle_time"]
    # 0.95 > 0.90 > 0.85: second of three; 0.90 − 0.80 = 0.10 above the average, 0.10 / 0.80 = 12.5 %
    assert (sl["rank"], sl["field"], sl["best"], sl["lead"], sl["higher"]) == (2, 3, 0.95, True, True)
    assert sl["gap"] == pytest.approx(0.10) and sl["relative_gap"] == pytest.approx(0.125)
    # lower is better: 350 < 400, second of two; 400 − 300 = +100 s is a lag, 100 / 300 = 1/3
    assert (aht["rank"], aht["field"], aht["best"], aht["lead"], aht["small_sample"]) == (2, 2, 350.0, False, True)
    assert not aht["higher"]
    assert aht["relative_gap"] == pytest.approx(1 / 3)


def test_without_benchmarks_the_comparison_is_empty():
    card = _card(["service_level", "ratio", 0.90, "higher", None, False])
    ctx = SimpleNamespace(period="2026-10", unit="east", scorecard=card,
                          cache=SimpleNamespace(benchmarks=lambda period, unit: {}))  # fmt: skip
    assert competition.comparison(ctx).empty


def test_the_feature_matrix_says_which_source_offers_which_feature():
    rows = pd.DataFrame(
        {
            "source": ["us", "us", "competitor_a", "competitor_a", "competitor_b", "us"],
            "feature": ["chatbot", "callback", "chatbot", "callback", "chatbot", "chatbot"],
            "offered": [False, True, True, False, True, True],  # "us" lists chatbot twice: offered in one row
        }
    )
    store = SimpleNamespace(read=lambda table: rows if table == "competitor_features" else None)
    ctx = SimpleNamespace(store=store, has=lambda table: table == "competitor_features")
    matrix = competition.feature_matrix(ctx)
    assert matrix.to_dict() == {
        "competitor_a": {"callback": False, "chatbot": True},
        "competitor_b": {"callback": False, "chatbot": True},  # no row for callback: not offered
        "us": {"callback": True, "chatbot": True},
    }
    assert competition.feature_matrix(SimpleNamespace(has=lambda table: False)) is None
