"""Language: message catalogues (``csreport/locales/<lang>.yml``) and Babel formatting of numbers,
percentages, durations, currency and months for ``en`` and ``zh``.

``text(key, lang, **values)`` looks a message up and fills its ``{placeholders}``. A key missing from the
chosen language falls back to English and is recorded in :data:`MISSING`, so a test can fail on any
untranslated key after rendering a chapter.
"""

from __future__ import annotations

import math
import re
from functools import cache
from pathlib import Path

import pandas as pd
import yaml
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from csreport.errors import ParameterError

LANGUAGES = ("en", "zh")
LOCALES = {"en": "en_GB", "zh": "zh_CN"}
CATALOGUE_DIR = Path(__file__).parent / "locales"
MISSING: set[tuple[str, str]] = set()  # (lang, key) looked up but not translated


def check_lang(lang: str) -> str:
    """``lang`` if it is supported, else a :class:`ParameterError` naming the choices."""
    if lang not in LANGUAGES:
        raise ParameterError(f"lang {lang!r} is not supported; use one of {', '.join(LANGUAGES)}.")
    return lang


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The flat key → message mapping of ``lang`` (nested YAML keys joined with dots)."""
    raw = yaml.safe_load((CATALOGUE_DIR / f"{check_lang(lang)}.yml").read_text(encoding="utf-8")) or {}
    flat: dict[str, str] = {}

    def walk(prefix: str, node) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(name + ".", value)
            else:
                flat[name] = str(value)

    walk("", raw)
    return flat


def text(key: str, lang: str, **values) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in; English (recorded as missing) when ``lang``
    lacks it; the key itself when no catalogue has it."""
    messages = catalogue(lang)
    if key in messages:
        message = messages[key]
    else:
        MISSING.add((lang, key))
        message = catalogue("en").get(key, key)
    return message.format(**values) if values else message


@cache
def _reason_patterns() -> list[tuple[str, re.Pattern]]:
    """(key, pattern) of every English ``reason.*`` template, most specific (longest fixed text) first."""
    patterns = []
    for key, template in catalogue("en").items():
        if not key.startswith("reason."):
            continue
        parts = re.split(r"\{(\w+)\}", template)  # fixed text, name, fixed text, name, ...
        # a value is one item (no ": "), except a nested reason ({reason}, {detail})
        regex = "".join(
            re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" if p in _NESTED else f"(?P<{p}>(?:(?!: ).)+?)"
            for i, p in enumerate(parts)
        )
        fixed = sum(len(p) for p in parts[::2])
        patterns.append((fixed, key, re.compile(f"^{regex}$", re.DOTALL)))
    return [(key, pattern) for _, key, pattern in sorted(patterns, key=lambda p: -p[0])]


_NESTED = {"reason", "detail"}  # placeholders of a reason template that hold another reason


def reason(message: str | None, lang: str, _nested: bool = False) -> str:
    """A reason why a KPI or an analysis has no result, in ``lang``.

    The code writes reasons in English; each form is a ``reason.<key>`` template of ``locales/en.yml`` (e.g.
    ``"{table} has no {columns} column"``). The reason is matched against the templates and the ``lang``
    template of the same key is filled with the matched values, themselves translated when they are reasons
    ("no FCR flag and contacts has no customer_id column"). A reason no template matches is returned as it is
    and recorded in :data:`MISSING` as ``reason: <text>``, so a test finds it."""
    if not message:
        return ""
    for key, pattern in _reason_patterns():
        found = pattern.match(message)
        if found:
            values = {
                name: reason(value, lang, _nested=True) if name in _NESTED else value
                for name, value in found.groupdict().items()
            }
            return text(key, lang, **values)
    if lang != "en" and not _nested:
        MISSING.add((lang, f"reason: {message}"))
    return message


def label(kind: str, name: str, lang: str) -> str:
    """A display name such as ``label("kpi", "service_level", "zh")``; the raw name when none exists (data
    values such as category codes from a customer's own data are shown as they are)."""
    key = f"{kind}.{name}"
    if key in catalogue("en"):
        return text(key, lang)
    return str(name)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def number(value, lang: str, digits: int = 0) -> str:
    """``12,345`` / ``12,345.6`` with the locale's separators; "n/a" text for a missing value."""
    if _missing(value):
        return text("na", lang)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


def percent(value, lang: str, digits: int = 1) -> str:
    """A ratio as a percentage: 0.712 → ``71.2%``."""
    if _missing(value):
        return text("na", lang)
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=pattern, locale=LOCALES[lang])


def points(value, lang: str, digits: int = 1) -> str:
    """A difference of two ratios in percentage points: −0.064 → ``6.4 points`` (sign left to the sentence)."""
    if _missing(value):
        return text("na", lang)
    return text("unit.points", lang, value=number(abs(value) * 100, lang, digits))


def duration(seconds, lang: str) -> str:
    """Seconds as ``42 s``, ``7.5 min`` or ``3.2 h`` (whichever reads best)."""
    if _missing(seconds):
        return text("na", lang)
    if abs(seconds) < 120:
        return text("unit.seconds", lang, value=number(seconds, lang, 0))
    if abs(seconds) < 7200:
        return text("unit.minutes", lang, value=number(seconds / 60, lang, 1))
    return text("unit.hours", lang, value=number(seconds / 3600, lang, 1))


def money(value, lang: str, currency: str = "CNY") -> str:
    """An amount in ``currency`` with the locale's symbol and separators."""
    if _missing(value):
        return text("na", lang)
    return format_currency(value, currency, locale=LOCALES[lang])


def amount(value, lang: str, currency: str = "CNY") -> str:
    """Money in running text, rounded to what a reader needs (tables keep :func:`money`'s full precision):
    from 1,000 up, three significant figures in whole units (262,999.48 → ``CN¥263,000``, 5,468.05 →
    ``CN¥5,470``); from 100 to 999, whole units (196.07 → ``CN¥196``); below 100 with cents (5.41 →
    ``CN¥5.41``). Rounding is half away from zero."""
    if _missing(value):
        return text("na", lang)
    size = abs(float(value))
    if size < 100:
        return money(value, lang, currency)
    step = 10 ** max(0, math.floor(math.log10(size)) + 1 - 3) if size >= 1000 else 1
    rounded = math.copysign(math.floor(size / step + 0.5) * step, float(value))
    return format_currency(rounded, currency, format="¤#,##0", currency_digits=False, locale=LOCALES[lang])


def count(value, lang: str) -> str:
    """A count of discrete things (customers, contacts, agents) in running text: a whole number, rounded half
    away from zero (378.2 → ``378``, 156.5 → ``157``); an average of counts reads "about N" in the sentence."""
    if _missing(value):
        return text("na", lang)
    return number(math.copysign(math.floor(abs(float(value)) + 0.5), float(value)), lang)


def join(items, lang: str, clauses: bool = False) -> str:
    """Items listed in a sentence: ``a, b, c`` in English, ``a、b、c`` (the enumeration comma) in Chinese;
    with ``clauses``, parts that are clauses of their own: ``a; b`` / ``a；b``."""
    if clauses:
        return ("；" if lang == "zh" else "; ").join(str(item) for item in items)
    return ("、" if lang == "zh" else ", ").join(str(item) for item in items)


def month(period: str, lang: str) -> str:
    """``2026-10`` → ``October 2026`` / ``2026年10月``."""
    start = pd.Period(period, "M").start_time.date()
    return format_date(start, format="LLLL y" if lang == "en" else "y年M月", locale=LOCALES[lang])


def day(when, lang: str) -> str:
    """A calendar day without the year: ``24 October`` / ``10月24日``."""
    return format_date(pd.Timestamp(when).date(), format="d MMMM" if lang == "en" else "M月d日", locale=LOCALES[lang])


def value(amount, unit: str, lang: str) -> str:
    """A KPI value in its unit: ratio → percent, s → duration, currency → money, score/nps → one decimal,
    count → integer."""
    if unit == "ratio":
        return percent(amount, lang)
    if unit == "s":
        return duration(amount, lang)
    if unit == "currency":
        return money(amount, lang)
    if unit == "count":
        return number(amount, lang)
    return number(amount, lang, 1)


def change(amount, unit: str, lang: str) -> str:
    """The size of a change (no sign) in the KPI's unit: points for ratios, else the value format."""
    if _missing(amount):
        return text("na", lang)
    return points(amount, lang) if unit == "ratio" else value(abs(amount), unit, lang)
