"""Message catalogues and locale formatting."""

from __future__ import annotations

import pytest

from csreport import i18n
from csreport.errors import ParameterError


def test_catalogues_have_the_same_keys_and_placeholders():
    en, zh = i18n.catalogue("en"), i18n.catalogue("zh")
    assert set(en) == set(zh)
    for key in en:
        assert sorted(_fields(en[key])) == sorted(_fields(zh[key])), key


def _fields(message: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(message) if name]


@pytest.mark.parametrize(
    ("call", "en", "zh"),
    [
        (lambda lang: i18n.percent(0.7123, lang), "71.2%", "71.2%"),
        (lambda lang: i18n.number(12345.6, lang, 1), "12,345.6", "12,345.6"),
        (lambda lang: i18n.duration(452, lang), "7.5 min", "7.5 分钟"),
        (lambda lang: i18n.duration(42, lang), "42 s", "42 秒"),
        (lambda lang: i18n.points(-0.064, lang), "6.4 points", "6.4 个百分点"),
        (lambda lang: i18n.month("2026-10", lang), "October 2026", "2026年10月"),
        (lambda lang: i18n.value(None, "ratio", lang), "n/a", "不适用"),
    ],
)
def test_formatting_per_locale(call, en, zh):
    assert (call("en"), call("zh")) == (en, zh)


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        (262999.48, "CN¥263,000", "¥263,000"),  # ≥ 1,000: three significant figures, whole units
        (2406080.74, "CN¥2,410,000", "¥2,410,000"),
        (5468.05, "CN¥5,470", "¥5,470"),
        (1000.0, "CN¥1,000", "¥1,000"),
        (999.6, "CN¥1,000", "¥1,000"),  # 100–999: whole units, rounded up to 1,000
        (196.07, "CN¥196", "¥196"),
        (5.41, "CN¥5.41", "¥5.41"),  # below 100: cents matter (a cost per contact)
        (11.2, "CN¥11.20", "¥11.20"),
        (-1234.5, "-CN¥1,230", "-¥1,230"),
        (None, "n/a", "不适用"),
    ],
)
def test_money_in_a_sentence_is_rounded_to_what_a_reader_needs(value, en, zh):
    assert (i18n.amount(value, "en"), i18n.amount(value, "zh")) == (en, zh)
    if value is not None:  # tables keep the cents
        assert i18n.money(value, "en").endswith(f"{abs(value):,.2f}")


@pytest.mark.parametrize(("value", "shown"), [(112.2, "112"), (63.5, "64"), (156.5, "157"), (0.4, "0"), (2, "2")])
def test_counts_in_a_sentence_are_whole(value, shown):
    assert i18n.count(value, "en") == i18n.count(value, "zh") == shown


def test_lists_in_a_sentence_use_the_language_s_separator():
    assert i18n.join(["delivery", "billing", "returns"], "en") == "delivery, billing, returns"
    assert i18n.join(["delivery", "billing", "returns"], "zh") == "delivery、billing、returns"
    assert i18n.join(["a", "b"], "zh", clauses=True) == "a；b"
    assert i18n.join(["a", "b"], "en", clauses=True) == "a; b"
    assert i18n.join([], "zh") == ""


def test_missing_translation_falls_back_and_is_recorded(monkeypatch):
    monkeypatch.setitem(i18n.catalogue("en"), "test.only_english", "Only {x}")
    i18n.MISSING.discard(("zh", "test.only_english"))
    assert i18n.text("test.only_english", "zh", x="here") == "Only here"
    assert ("zh", "test.only_english") in i18n.MISSING
    i18n.MISSING.discard(("zh", "test.only_english"))


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ParameterError, match="use one of en, zh"):
        i18n.check_lang("fr")


def test_labels_fall_back_to_the_data_value():
    assert i18n.label("kpi", "service_level", "zh") == "服务水平"
    assert i18n.label("channel", "carrier-pigeon", "en") == "carrier-pigeon"


def test_reasons_are_translated_from_their_english_templates():
    from csreport import i18n

    assert i18n.reason("contacts has no queue_wait_s, abandoned column", "zh") == (
        "contacts 表缺少 queue_wait_s, abandoned 列"
    )
    assert i18n.reason("not enough data: 14 months of history, the backtest needs at least 17", "zh") == (
        "数据不足:历史数据 14 个月,回测至少需要 17 个月"
    )
    assert i18n.reason("no FCR flag and contacts has no customer_id column", "zh") == (
        "没有首次解决标记,且contacts 表缺少 customer_id 列"
    )
    assert i18n.reason("no FCR flag and contacts has no customer_id column", "en") == (
        "no FCR flag and contacts has no customer_id column"
    )
    assert i18n.reason(None, "zh") == ""
    i18n.MISSING.clear()
    assert i18n.reason("a reason nobody wrote a template for", "zh") == "a reason nobody wrote a template for"
    assert ("zh", "reason: a reason nobody wrote a template for") in i18n.MISSING
    i18n.MISSING.clear()
