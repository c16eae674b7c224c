"""Language: message catalogues (``csreport/language/locales/<lang>.yml``) and Babel formatting of numbers,
percentages, durations, currency and months.

Every detail of a language lives in its locale file, none in code: the messages, and under ``locale:`` its
Babel locale, date patterns, list and sentence separators, minus sign, typesetting rules
(:mod:`csreport.language.typeset`), plural forms (a message with ``one`` / ``other`` … variants, chosen by Babel's
plural rules, see :func:`plural`), the tags of its HTML and PDF pages and the names of its report folder and
index. A language is supported when its file exists; adding ``locales/fr.yml`` adds French.

``text(key, lang, **values)`` looks a message up, fills its ``{placeholders}`` and sets the result by the
language's typesetting rules. A key missing from the chosen language falls back to English and is recorded in
:data:`MISSING`, so a test can fail on any untranslated key after rendering a chapter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import yaml
from babel import Locale as BabelLocale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent, get_minus_sign_symbol

from csreport.errors import ParameterError
from csreport.language import typeset

CATALOGUE_DIR = Path(__file__).parent / "locales"
DEFAULT = "en"  # the language a missing message falls back to


def _shipped() -> tuple[str, ...]:
    """The languages with a locale file, the default first."""
    found = sorted(p.stem for p in CATALOGUE_DIR.glob("*.yml"))
    return tuple(sorted(found, key=lambda lang: lang != DEFAULT))


LANGUAGES = _shipped()
MISSING: set[tuple[str, str]] = set()  # (lang, key) looked up but not translated
PLURAL_FORMS = ("zero", "one", "two", "few", "many", "other")  # CLDR plural categories


@dataclass(frozen=True)
class LocaleSettings:
    """The ``locale:`` section of a locale file: how the language formats and typesets."""

    name: str  # the language in its own words (links between the indexes)
    babel: str  # Babel locale of numbers, dates and currency
    html: str  # lang tag of the HTML pages
    pandoc: str  # the tag pandoc has translations for (contents, figure) in the PDF
    typst_region: str  # Typst text region ("" = the template's default)
    month: str  # Babel date pattern of a month
    day: str  # Babel date pattern of a day without the year
    list: str  # between the items of a list in a sentence
    clauses: str  # between clauses of their own
    sentences: str  # between the sentences of a paragraph
    minus: str  # the minus sign of numbers (Babel's CLDR sign replaced)
    typeset: str  # rules of csreport.language.typeset: latin | cjk
    proportional_quotes: bool  # PDF: quotes and apostrophes at their proportional width
    suffix: str  # report folder and index suffix: reports/<period>/<unit><suffix>, index<suffix>.html


def check_lang(lang: str) -> str:
    """``lang`` if it is supported, else a :class:`ParameterError` naming the choices."""
    if lang not in LANGUAGES:
        raise ParameterError(f"lang {lang!r} is not supported; use one of {', '.join(LANGUAGES)}.")
    return lang


@cache
def _raw(lang: str) -> dict:
    return yaml.safe_load((CATALOGUE_DIR / f"{check_lang(lang)}.yml").read_text(encoding="utf-8")) or {}


@cache
def settings(lang: str) -> LocaleSettings:
    """The ``locale:`` settings of ``lang``."""
    raw = dict(_raw(lang).get("locale") or {})
    raw["proportional_quotes"] = bool(raw.get("proportional_quotes"))
    return LocaleSettings(**{k: raw[k] if k == "proportional_quotes" else str(raw.get(k) or "")
                             for k in LocaleSettings.__dataclass_fields__})  # fmt: skip


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The flat key → message mapping of ``lang`` (nested YAML keys joined with dots; ``locale:`` apart)."""
    flat: dict[str, str] = {}

    def walk(prefix: str, node) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(name + ".", value)
            else:
                flat[name] = str(value)

    walk("", {k: v for k, v in _raw(lang).items() if k != "locale"})
    return flat


def reload() -> None:
    """Forget the loaded locale files (after :data:`CATALOGUE_DIR` or a file changed, e.g. in a test)."""
    for cached in (_raw, settings, catalogue, _reason_patterns, _babel):
        cached.cache_clear()


def typeset_text(message: str, lang: str) -> str:
    """``message`` set by the typesetting rules of ``lang`` (:mod:`csreport.language.typeset`)."""
    return typeset.RULES[settings(lang).typeset](message)


def text(key: str, lang: str, **values) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in and typeset; English (recorded as missing) when
    ``lang`` lacks it; the key itself when no catalogue has it."""
    messages = catalogue(lang)
    if key in messages:
        message = messages[key]
    else:
        MISSING.add((lang, key))
        message = catalogue(DEFAULT).get(key, key)
    return typeset_text(message.format(**values) if values else message, lang)


@cache
def _babel(lang: str) -> BabelLocale:
    return BabelLocale.parse(settings(lang).babel)


def plural(key: str, count, lang: str, **values) -> str:
    """The message ``key`` in the plural form Babel's rules give ``count`` in ``lang`` (``key.one``,
    ``key.other`` …; ``other`` when the language has no message of that form), with ``values`` filled in."""
    form = _babel(lang).plural_form(abs(count))
    chosen = f"{key}.{form}"
    return text(chosen if chosen in catalogue(lang) else f"{key}.other", lang, **values)


def quote(value, lang: str) -> str:
    """``value`` (a customer's own words) in the language's quotation marks, as it is (not typeset)."""
    marks = catalogue(lang).get("format.quote") or catalogue(DEFAULT)["format.quote"]
    return marks.replace("{text}", str(value))


def sentences(parts, lang: str) -> str:
    """Sentences joined into a paragraph with the language's separator (a space in English, none after the
    Chinese full stop); empty parts are left out."""
    return settings(lang).sentences.join(str(p) for p in parts if p)


@cache
def _reason_patterns() -> list[tuple[str, re.Pattern]]:
    """(key, pattern) of every English ``reason.*`` template, most specific (longest fixed text) first."""
    patterns = []
    for key, template in catalogue(DEFAULT).items():
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
    if lang != DEFAULT and not _nested:
        MISSING.add((lang, f"reason: {message}"))
    return message


def reason_keys(message: str | None) -> set[str]:
    """The ``reason.*`` template keys ``message`` matches, nested reasons included (``no FCR flag and contacts
    has no customer_id column`` → ``{"no_fcr", "no_column"}``); empty when no template matches."""
    if not message:
        return set()
    for key, pattern in _reason_patterns():
        found = pattern.match(message)
        if found:
            nested = [reason_keys(v) for name, v in found.groupdict().items() if name in _NESTED]
            return {key.removeprefix("reason."), *(k for keys in nested for k in keys)}
    return set()


def label(kind: str, name: str, lang: str) -> str:
    """A display name of the catalogue such as ``label("kpi", "service_level", "zh")``; the raw name when none
    exists. Data values (categories, channels, units …) are named by :mod:`csreport.language.labels` instead."""
    key = f"{kind}.{name}"
    if key in catalogue(DEFAULT):
        return text(key, lang)
    source = _LABEL_SOURCES.get(kind)  # e.g. a KPI's labels given in the KPI registry
    declared = source(name, lang) if source is not None else None
    return typeset_text(declared, lang) if declared else str(name)


#: kind → function (name, lang) → a display name declared outside the locale files, or None
_LABEL_SOURCES: dict[str, Callable[[str, str], str | None]] = {}


def declare_labels(kind: str, source: Callable[[str, str], str | None]) -> None:
    """Let ``source`` name the ``kind`` values the locale files do not (the KPI registry names the KPIs added to
    it: :func:`csreport.metrics.registry.label`). The language layer imports no stage above it; the stage
    declares its labels here instead."""
    _LABEL_SOURCES[kind] = source


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _signed(formatted: str, lang: str) -> str:
    """Babel's output with the language's minus sign (Babel writes the CLDR sign, a hyphen-minus in en and zh)."""
    return formatted.replace(get_minus_sign_symbol(settings(lang).babel), settings(lang).minus)


def number(value, lang: str, digits: int = 0) -> str:
    """``12,345`` / ``12,345.6`` with the locale's separators and minus sign; "n/a" text for a missing value.
    A value that rounds to zero has no sign (``−0.0`` reads as a change that did not happen)."""
    if _missing(value):
        return text("na", lang)
    if round(float(value), digits) == 0:
        value = 0.0
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return _signed(format_decimal(value, format=pattern, locale=settings(lang).babel), lang)


def percent(value, lang: str, digits: int = 1) -> str:
    """A ratio as a percentage: 0.712 → ``71.2%``."""
    if _missing(value):
        return text("na", lang)
    if round(float(value) * 100, digits) == 0:
        value = 0.0
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return _signed(format_percent(value, format=pattern, locale=settings(lang).babel), lang)


def is_zero(amount, unit: str = "ratio") -> bool:
    """Whether a change is written as zero (``0.0 points``, ``0 s``) at the precision :func:`change` gives it:
    such a change is said as "unchanged", never as "changed by 0.0"."""
    if _missing(amount):
        return False
    shown = points(amount, DEFAULT) if unit == "ratio" else value(abs(amount), unit, DEFAULT)
    return shown == (points(0.0, DEFAULT) if unit == "ratio" else value(0.0, unit, DEFAULT))


def points(value, lang: str, digits: int = 1) -> str:
    """A difference of two ratios in percentage points: −0.064 → ``6.4 points`` (sign left to the sentence)."""
    if _missing(value):
        return text("na", lang)
    return text("unit.points", lang, value=number(abs(value) * 100, lang, digits))


DURATION_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600}  # seconds per unit of a written duration


def _readable_unit(seconds: float) -> str:
    """The unit one duration reads best in: seconds below 2 min, minutes below 2 h, else hours."""
    return "seconds" if abs(seconds) < 120 else "minutes" if abs(seconds) < 7200 else "hours"


def duration_unit(seconds_values) -> str | None:
    """The one unit a group of durations of the same kind is written in (a table's row of value, target and
    benchmarks; the median and p90 of a time): the unit the largest of them reads best in, so no value of the group
    grows to thousands; None when every value is missing."""
    present = [abs(float(v)) for v in seconds_values if not _missing(v)]
    return _readable_unit(max(present)) if present else None


def duration(seconds, lang: str, unit: str | None = None) -> str:
    """Seconds as ``42 s``, ``7.5 min`` or ``3.2 h``: in ``unit`` (seconds, minutes or hours; see
    :func:`duration_unit`) when given, else in whichever reads best. Seconds are whole; minutes and hours have one
    decimal, two below 1 (17 min in hours: ``0.28 h``, not ``0.3 h``)."""
    if _missing(seconds):
        return text("na", lang)
    unit = unit or _readable_unit(seconds)
    amount = seconds / DURATION_UNITS[unit]
    digits = 0 if unit == "seconds" else 1 if round(abs(amount), 1) >= 1 else 2
    return text(f"unit.{unit}", lang, value=number(amount, lang, digits))


def money(value, lang: str, currency: str = "CNY") -> str:
    """An amount in ``currency`` with the locale's symbol, separators and minus sign."""
    if _missing(value):
        return text("na", lang)
    return _signed(format_currency(value, currency, locale=settings(lang).babel), lang)


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
    formatted = format_currency(rounded, currency, format="¤#,##0", currency_digits=False, locale=settings(lang).babel)
    return _signed(formatted, lang)


def count(value, lang: str) -> str:
    """A count of discrete things (customers, contacts, agents) in running text: a whole number, rounded half
    away from zero (378.2 → ``378``, 156.5 → ``157``); an average of counts reads "about N" in the sentence."""
    if _missing(value):
        return text("na", lang)
    return number(math.copysign(math.floor(abs(float(value)) + 0.5), float(value)), lang)


def join(items, lang: str, clauses: bool = False) -> str:
    """Items listed in a sentence with the language's separator (``a, b, c`` / ``a、b、c``); with ``clauses``,
    parts that are clauses of their own (``a; b`` / ``a；b``)."""
    locale = settings(lang)
    return (locale.clauses if clauses else locale.list).join(str(item) for item in items)


def month(period: str, lang: str) -> str:
    """``2026-10`` → ``October 2026`` / ``2026 年 10 月`` (the locale's month pattern)."""
    start = pd.Period(period, "M").start_time.date()
    return format_date(start, format=settings(lang).month, locale=settings(lang).babel)


def day(when, lang: str) -> str:
    """A calendar day without the year: ``24 October`` / ``10 月 24 日`` (the locale's day pattern)."""
    return format_date(pd.Timestamp(when).date(), format=settings(lang).day, locale=settings(lang).babel)


def value(amount, unit: str, lang: str, time_unit: str | None = None) -> str:
    """A KPI value in its unit: ratio → percent, s → duration (in ``time_unit`` when given, see
    :func:`duration_unit`), currency → money, score/nps → one decimal, count → integer."""
    if unit == "ratio":
        return percent(amount, lang)
    if unit == "s":
        return duration(amount, lang, time_unit)
    if unit == "currency":
        return money(amount, lang)
    if unit == "count":
        return number(amount, lang)
    return number(amount, lang, 1)


_SMALLEST = {"ratio": 0.001, "s": 1.0, "currency": 0.01, "count": 1.0}  # the least change each unit shows


def change(amount, unit: str, lang: str) -> str:
    """The size of a change (no sign) in the KPI's unit: points for ratios, else the value format; a change
    that is not zero but rounds to it reads "less than 0.1 points" (never "0.0 points")."""
    if _missing(amount):
        return text("na", lang)
    if amount and is_zero(amount, unit):
        return text("change.below", lang, value=change(_SMALLEST.get(unit, 0.1), unit, lang))
    return points(amount, lang) if unit == "ratio" else value(abs(amount), unit, lang)
