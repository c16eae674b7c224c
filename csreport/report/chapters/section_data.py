"""How a section's data shows itself to an analyst: ``data = ctx.section_data("06.staffing")`` then ``data`` in a
notebook cell shows one line per field (numbers, codes, Measures, short lists) and each DataFrame as a table of
its first rows, instead of one long ``repr`` with every DataFrame inlined.

A builder's result class takes :class:`SectionData` as a base (a mixin of display methods only: it adds no
field, and a kept model pickles as before). :func:`describe` and :func:`describe_html` work on any value, so the
report model (:class:`~csreport.report.chapters.model.ReportModel`) lists its sections with them too.
"""

from __future__ import annotations

import dataclasses
import html
from typing import Any

import pandas as pd

from csreport.metrics.measure import Measure

#: rows of a DataFrame shown in a notebook (the whole frame stays in the field: ``data.per_interval``)
ROWS_SHOWN = 10
_SHORT = 80  # characters of a value shown on its field's line


def summary(value: Any) -> str:
    """One line for ``value``: a DataFrame or Series by its size and columns, a Measure by its value, n, interval
    and method (or why it is not available), a nested result by its fields, anything else by its ``repr``."""
    if isinstance(value, pd.DataFrame):
        columns = ", ".join(map(str, value.columns))
        return f"DataFrame, {len(value)} rows × {value.shape[1]} columns: {columns}"
    if isinstance(value, pd.Series):
        return f"Series {value.name or ''}, {len(value)} values".replace("Series ,", "Series,")
    if isinstance(value, Measure):
        if not value.available:
            return f"Measure {value.name}: not available ({value.reason})"
        interval = f", interval {value.low:.4g} to {value.high:.4g}" if value.low is not None else ""
        return f"Measure {value.name}: {value.value:.4g} {value.unit}, n {value.n}{interval}, {value.method}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts = [f"{f.name}={_short(getattr(value, f.name))}" for f in dataclasses.fields(value) if f.repr]
        return f"{type(value).__name__}({', '.join(parts)})"
    return _short(value)


def _short(value: Any) -> str:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        kind = "DataFrame" if isinstance(value, pd.DataFrame) else "Series"
        return f"<{kind} {len(value)} rows>"
    text = repr(value)
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


def _fields(value: Any) -> list[tuple[str, Any]]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [(f.name, getattr(value, f.name)) for f in dataclasses.fields(value) if f.repr]
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    return []


def _title(value: Any) -> str:
    doc = (type(value).__doc__ or "").strip()
    first = doc.split("\n\n")[0].replace("\n", " ") if doc and not doc.startswith(type(value).__name__ + "(") else ""
    return f"{type(value).__name__}: {first}" if first else type(value).__name__


def describe(value: Any) -> str:
    """``value`` as plain text: its class and what it holds (the class docstring's first paragraph), then one line
    per field (:func:`summary`)."""
    fields = _fields(value)
    if not fields:
        return summary(value)
    width = max(len(name) for name, _ in fields)
    return "\n".join([_title(value), *(f"  {name:<{width}}  {summary(v)}" for name, v in fields)])


def describe_html(value: Any) -> str:
    """``value`` as HTML for a notebook: the title, a table of its fields, then each DataFrame field's first
    :data:`ROWS_SHOWN` rows."""
    fields = _fields(value)
    left = "style='text-align:left'"
    rows = "".join(f"<tr><th {left}>{html.escape(name)}</th><td {left}>{html.escape(summary(v))}</td></tr>"
                   for name, v in fields)  # fmt: skip
    frames = "".join(
        f"<p><code>{html.escape(name)}</code> (first {min(ROWS_SHOWN, len(v))} of {len(v)} rows)</p>"
        + v.head(ROWS_SHOWN).to_html()
        for name, v in fields
        if isinstance(v, pd.DataFrame) and not v.empty
    )
    return f"<p><b>{html.escape(_title(value))}</b></p><table>{rows}</table>{frames}"


class SectionData:
    """Base of a section builder's result, shown field by field (:func:`describe`, :func:`describe_html`) in a
    notebook and by ``repr``. Declare the subclass with ``@dataclass(repr=False)``: a dataclass's own ``repr``
    would otherwise come first (and inline every DataFrame)."""

    def __repr__(self) -> str:
        return describe(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(describe(self))

    def _repr_html_(self) -> str:
        return describe_html(self)


def describe_model(model) -> str:
    """The report model (:class:`~csreport.report.chapters.model.ReportModel`) as plain text: its period and unit, then
    one line per section's data (:func:`summary`)."""
    lines = [f"ReportModel {model.period} × {model.unit}: {len(model.sections)} sections' data, "
             f"ctx.section_data(name) for one"]  # fmt: skip
    width = max((len(name) for name in model.sections), default=0)
    lines += [f"  {name:<{width}}  {type(data).__name__}" for name, data in model.sections.items()]
    return "\n".join(lines)
