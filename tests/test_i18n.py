"""Message catalogues and locale formatting."""

from __future__ import annotations

import pytest

from csreport.errors import ParameterError
from csreport.language import i18n


def _stem(key: str) -> str:
    """A key without its plural form (``ch6.recommendations_intro.one`` → ``ch6.recommendations_intro``)."""
    head, _, form = key.rpartition(".")
    return head if form in i18n.PLURAL_FORMS else key


def test_catalogues_have_the_same_keys_and_placeholders():
    """Every message in every language with the same placeholders; a message with plural forms has an
    ``other`` form in every language (the forms themselves follow each language's plural rules: Chinese has
    only ``other``), and each form uses only the placeholders of the English ``other``."""
    en = i18n.catalogue("en")
    for lang in i18n.LANGUAGES:
        messages = i18n.catalogue(lang)
        assert {_stem(k) for k in messages} == {_stem(k) for k in en}, lang
        for key, message in messages.items():
            if _stem(key) != key:
                assert f"{_stem(key)}.other" in messages, key
                assert set(_fields(message)) <= set(_fields(en[f"{_stem(key)}.other"])), key
            else:
                assert sorted(_fields(message)) == sorted(_fields(en[key])), (lang, key)


def test_every_locale_file_says_how_its_language_formats():
    for lang in i18n.LANGUAGES:
        locale = i18n.settings(lang)
        assert locale.babel and locale.month and locale.day and locale.name and locale.html, lang
        assert locale.typeset in ("latin", "cjk") and locale.minus, lang
    assert i18n.settings("en").suffix == "" and i18n.settings("zh").suffix == ".zh"  # reports/<period>/east.zh/


def test_no_language_branches_in_the_code():
    """Every language detail lives in the locale files: no ``lang == "zh"`` (or any language literal) in the
    report's code. The sample generator (it writes Chinese and English data) and the comment classifier (it
    segments Chinese comments, a property of the data, not of the report language) are the exceptions."""
    import re
    from pathlib import Path

    import csreport

    root = Path(csreport.__file__).parent  # the whole package, wherever i18n sits in it
    pattern = re.compile(r"""lang\w*\s*(==|!=|\bin\b)\s*\(?["'](en|zh)["']|["'](en|zh)["']\s+if\b""")
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in root.rglob("*.py")
        if "sample" not in path.parts and path.name != "comments.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, found


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
        (lambda lang: i18n.month("2026-10", lang), "October 2026", "2026 年 10 月"),
        (lambda lang: i18n.day("2026-10-24", lang), "24 October", "10 月 24 日"),
        (lambda lang: i18n.number(-1.154, lang, 2), "\u22121.15", "\u22121.15"),  # one minus sign: U+2212
        (lambda lang: i18n.percent(-0.0004, lang), "0.0%", "0.0%"),  # rounds to zero: no "−0.0%"
        (lambda lang: i18n.change(0.0004, "ratio", lang), "less than 0.1 points", "不到 0.1 个百分点"),
        (
            lambda lang: i18n.text("report.title", lang, unit="X", month=i18n.month("2026-10", lang)),
            "Customer service report: X, October 2026",
            "客户服务分析报告：X，2026 年 10 月",
        ),
        (lambda lang: i18n.value(None, "ratio", lang), "n/a", "不适用"),
    ],
)
def test_formatting_per_locale(call, en, zh):
    assert (call("en"), call("zh")) == (en, zh)


def test_a_group_of_durations_is_written_in_the_unit_of_its_largest():
    """A resolution median of 17 min beside a target of 24 h: one unit, hours (86,400 s ≥ 2 h), the median with
    two decimals because it is under one hour: 1,020 / 3,600 = 0.2833 → 0.28 h; 60 s → 0.02 h."""
    unit = i18n.duration_unit([1020, None, 86_400])
    assert unit == "hours"
    assert [i18n.duration(s, "en", unit) for s in (1020, 86_400, 60)] == ["0.28 h", "24.0 h", "0.02 h"]
    assert i18n.value(1020, "s", "zh", unit) == "0.28 小时"
    # largest 100 s < 2 min: seconds, whole; largest 90 min: minutes, one decimal (45 s = 0.75 min: two)
    assert i18n.duration_unit([4, 30, 100]) == "seconds" and i18n.duration(4.4, "en", "seconds") == "4 s"
    assert i18n.duration_unit([45, 5400]) == "minutes"
    assert [i18n.duration(s, "en", "minutes") for s in (45, 5400)] == ["0.75 min", "90.0 min"]
    assert i18n.duration_unit([None, float("nan")]) is None
    assert i18n.duration(1020, "en") == "17.0 min"  # without a unit: the one this value reads best in


def _colons_in_first_clause(message: str) -> int:
    """Colons (ASCII or full-width) in a message's first clause, brackets left out: a label's colon, once."""
    import re

    plain = re.sub(r"[（(][^）)]*[）)]", "", message)
    return len(re.findall("[:：]", re.split("[；;。]", plain)[0]))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_numbered_caption_or_a_missing_result_has_one_colon_not_two(lang):
    """图 1：来源：联络表 and "no result: not enough data: …" read as a stutter; the figure number and the
    missing result take no colon of their own."""
    for key, message in i18n.catalogue(lang).items():
        if key.startswith("caption.") and "{" not in message.partition("；")[0]:
            figure = i18n.text("report.figure", lang, n=1, caption=message)
            assert _colons_in_first_clause(figure) <= 1, figure
    reason = i18n.reason("not enough data: contacts need channel, created_at and handle_s", lang)
    missing = i18n.text("report.not_enough", lang, reason=reason)
    assert _colons_in_first_clause(missing) == 0, missing


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
        (-1234.5, "\u2212CN¥1,230", "\u2212¥1,230"),
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
    assert i18n.label("kpi", "carrier-pigeon", "en") == "carrier-pigeon"


def test_plural_forms_follow_the_language_s_rules():
    key = "ch6.recommendations_intro"
    assert i18n.plural(key, 1, "en", n=1, shown=1) == "One recommendation follows from the findings:"
    assert i18n.plural(key, 3, "en", n=3, shown=3).startswith("3 recommendations follow from the findings")
    assert i18n.plural(key, 1, "zh", n=1, shown=1).startswith("根据各项发现共得出 1 条建议")  # zh: other only


def test_sentences_are_joined_as_the_language_joins_them():
    assert i18n.sentences(["One.", "", "Two."], "en") == "One. Two."
    assert i18n.sentences(["一。", "二。"], "zh") == "一。二。"


@pytest.mark.parametrize(
    ("raw", "set_"),
    [
        (
            "共读取 337,800 行,其中 559 行(0.17%)未通过校验;其余",
            "共读取 337,800 行，其中 559 行（0.17%）未通过校验；其余",
        ),
        ("客户服务分析报告:华东,2026年10月", "客户服务分析报告：华东，2026 年 10 月"),
        ("我们领先最多的是 平均应答速度", "我们领先最多的是平均应答速度"),  # no space between Chinese words
        ("首次响应时间(P90,自然时间)", "首次响应时间（P90，自然时间）"),
        ("单次联络成本¥5.34,日均+3.3%", "单次联络成本 ¥5.34，日均 +3.3%"),  # one space between Han and Latin
        ("“技术”类 12个月", "“技术”类 12 个月"),
        ("contacts 表缺少 queue_wait_s, abandoned 列", "contacts 表缺少 queue_wait_s, abandoned 列"),  # Latin run
        ("周三 11:00 排队最长", "周三 11:00 排队最长"),
    ],
)
def test_chinese_text_is_set_by_the_rules_of_chinese_layout(raw, set_):
    from csreport.language.typeset import cjk

    assert cjk(raw) == set_
    assert cjk(set_) == set_  # setting twice changes nothing


def test_reasons_are_translated_from_their_english_templates():
    from csreport.language import i18n

    assert i18n.reason("contacts has no queue_wait_s, abandoned column", "zh") == (
        "contacts 表缺少 queue_wait_s, abandoned 列"
    )
    assert i18n.reason("not enough data: 14 months of history, the backtest needs at least 17", "zh") == (
        "数据不足：历史数据 14 个月，回测至少需要 17 个月"
    )
    assert i18n.reason("no FCR flag and contacts has no customer_id column", "zh") == (
        "没有首次解决标记，且 contacts 表缺少 customer_id 列"
    )
    assert i18n.reason("no FCR flag and contacts has no customer_id column", "en") == (
        "no FCR flag and contacts has no customer_id column"
    )
    assert i18n.reason(None, "zh") == ""
    i18n.MISSING.clear()
    assert i18n.reason("a reason nobody wrote a template for", "zh") == "a reason nobody wrote a template for"
    assert ("zh", "reason: a reason nobody wrote a template for") in i18n.MISSING
    i18n.MISSING.clear()


def test_a_skipped_section_names_what_the_data_lack_whatever_its_number():
    """A plural subject ("the contacts columns queue_wait_s, abandoned") once read "… is missing"."""
    what = "the contacts columns queue_wait_s, abandoned"
    assert i18n.text("report.missing", "en", what=what) == (
        "This section is skipped: the data lack the contacts columns queue_wait_s, abandoned."
    )
