"""Typesetting rules of running text, chosen per language by the ``locale.typeset`` setting of its locale file
(:mod:`csreport.language.i18n` applies them to every message it fills).

``latin``: single spaces (a placeholder left empty leaves no double space).

``cjk``, after the W3C *Requirements for Chinese Text Layout* (clreq) as digital Chinese text usually applies
them: full-width punctuation next to Chinese characters (，：；（）— a half-width comma, colon, semicolon or pair
of parentheses that touches a Han character becomes full-width, so a value written in English punctuation
cannot leave ``行,其中`` in a Chinese sentence; commas between digits stay: ``337,800``); no space between Han
characters or next to full-width punctuation (``是 平均应答速度`` → ``是平均应答速度``); one space between a Han
character and Latin letters, digits or a number's sign, symbol or unit (``2026 年 10 月``, ``共 3,698 次``,
``95% 区间``, ``成本 ¥5.34``).
"""

from __future__ import annotations

import re

HAN = r"\u2e80-\u2fff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# full-width and CJK punctuation: no space on either side
FULL = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65“”‘’…—·"
# what opens or closes a Latin run next to Han: letters, digits, a sign, a currency or a percent
LATIN_START = r"A-Za-z0-9\u00c0-\u024f¥$€£+\u2212≈<>=\-"
LATIN_END = r"A-Za-z0-9\u00c0-\u024f%‰°"

_WIDE = {",": "，", ":": "：", ";": "；"}
_PUNCT_AFTER_HAN = re.compile(rf"(?<=[{HAN}）”])\s*([,:;])\s*")
_PUNCT_BEFORE_HAN = re.compile(rf"([,:;])\s*(?=[{HAN}（“])")
_PARENS = re.compile(r"\s*\(([^()]*)\)\s*")
_SPACE_BETWEEN_WIDE = re.compile(rf"(?<=[{HAN}{FULL}]) +(?=[{HAN}{FULL}])")
_SPACE_AROUND_FULL = re.compile(rf" +(?=[{FULL}])|(?<=[{FULL}]) +")
_HAN_THEN_LATIN = re.compile(rf"(?<=[{HAN}])(?=[{LATIN_START}])")
_LATIN_THEN_HAN = re.compile(rf"(?<=[{LATIN_END}])(?=[{HAN}])")
_SPACES = re.compile(r" {2,}")
_HAS_HAN = re.compile(rf"[{HAN}]")


def latin(text: str) -> str:
    """``text`` with runs of spaces collapsed (a placeholder left empty leaves no double space)."""
    return _SPACES.sub(" ", text)


def _parenthesis(match: re.Match) -> str:
    """A pair of half-width parentheses full-width when it holds or touches Chinese: ``时间(P90,自然)`` →
    ``时间（P90，自然）``; a pair in a Latin run stays (``Spearman (rho)``)."""
    inner, whole = match.group(1), match.group(0)
    before = match.string[: match.start()].rstrip()[-1:]
    after = match.string[match.end() :].lstrip()[:1]
    if _HAS_HAN.search(inner) or _HAS_HAN.match(before or " ") or _HAS_HAN.match(after or " "):
        return f"（{inner.strip()}）"
    return whole


def cjk(text: str) -> str:
    """``text`` set by the Chinese rules of the module docstring."""
    text = _PARENS.sub(_parenthesis, text)
    text = _PUNCT_AFTER_HAN.sub(lambda m: _WIDE[m.group(1)], text)
    text = _PUNCT_BEFORE_HAN.sub(lambda m: _WIDE[m.group(1)], text)
    text = _SPACE_BETWEEN_WIDE.sub("", text)
    text = _SPACE_AROUND_FULL.sub("", text)
    text = _HAN_THEN_LATIN.sub(" ", text)
    text = _LATIN_THEN_HAN.sub(" ", text)
    return _SPACES.sub(" ", text)


RULES = {"latin": latin, "cjk": cjk}
