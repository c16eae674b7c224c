"""Checking a run's parameters: the engine, the renderer and the report's folder. The period (``YYYY-MM``) and
the business unit are checked in :mod:`csreport.data.periods` (re-exported here for the callers that import them
from this module)."""

from __future__ import annotations

from csreport.data.periods import (  # noqa: F401 - re-exported
    PERIOD_PATTERN,
    UNIT_PATTERN,
    check_period,
    check_unit,
    expand_periods,
    parse_period,
)
from csreport.errors import ParameterError
from csreport.language import i18n


def report_folder(unit: str, lang: str) -> str:
    """The folder of the report of ``unit`` in ``lang`` under ``<out>/<period>/``: the unit's name for English,
    the default language, and ``<unit>.<lang>`` for another (``east``, ``east.zh``): the folder suffix of the
    language's locale file."""
    return f"{unit}{i18n.settings(lang).suffix}"


ENGINES = ("warm", "nbclient")
RENDERERS = ("auto", "quarto", "builtin")


def check_engine(engine: str) -> str:
    """``engine`` when it is a papermill engine of the chapters (``warm`` or ``nbclient``), else a
    :class:`ParameterError`."""
    if engine not in ENGINES:
        raise ParameterError(f"engine {engine!r}: use one of {', '.join(ENGINES)}.")
    return engine


def check_renderer(renderer: str) -> str:
    """``renderer`` when it is ``auto``, ``quarto`` or ``builtin``, else a :class:`ParameterError`."""
    if renderer not in RENDERERS:
        raise ParameterError(f"renderer {renderer!r} unknown; use one of {', '.join(RENDERERS)}.")
    return renderer
