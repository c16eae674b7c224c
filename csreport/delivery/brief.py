"""The report's opening brief for an e-mail, read from a finished run folder.

This is the one place that knows which files of a run the message body comes from:

- ``findings.json``: the key messages (the recommendations, each with its action, owner, evidence and money; or
  a ``brief`` list of messages when the run writes one), the total value at stake (``value_at_stake_total``,
  counted once, when the run writes it) and the number of standing issues (``standing``, when written);
- ``exports/scorecard.csv``: the scorecard at a glance (the headline KPIs and those at risk or missed; the KPIs
  that met their target are named);
- ``chapters/01_background.ipynb``: the scorecard's chart (the service-level trend), embedded in the body.

Everything is read defensively: a key that is missing or of another shape leaves its part of the brief out, it
never stops a delivery. The text in these files is in the report's language and is untrusted (it quotes data
values such as unit and category names): the renderers escape it.
"""

from __future__ import annotations

import base64
import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

from csreport.data.store import ALL_UNITS
from csreport.language import i18n
from csreport.language.labels import default_label
from csreport.metrics.registry import headline_kpis

MAX_MESSAGES = 5  # the brief's key messages (the report's own brief shows at most five)
STATUSES = ("met", "at risk", "missed")
CHART_CELL = "kpi_scorecard"  # the chapter 1 cell whose chart the body shows
MAX_CHART_BYTES = 400_000


@dataclass(frozen=True)
class KeyMessage:
    """One key message: what to do, who owns it, what is at stake (money in the report's currency) and why."""

    action: str
    owner: str | None = None
    value_at_stake: float | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class GlanceRow:
    """One KPI of the scorecard at a glance, formatted for the reader's language; ``status`` is one of
    :data:`STATUSES` or None."""

    kpi: str
    value: str
    previous: str
    target: str
    status: str | None


@dataclass(frozen=True)
class Chart:
    """A chart of the report as PNG, with its alt text: the chart's title, " — ", then its caption."""

    png: bytes
    alt: str

    @property
    def caption(self) -> str:
        """The caption under the chart (source and n): the alt text without the title the chart shows."""
        return self.alt.split(" — ", 1)[-1]


@dataclass(frozen=True)
class Brief:
    """What the message body says about one report, before it is rendered as HTML or text."""

    period: str
    unit: str
    lang: str
    title: str
    messages: tuple[KeyMessage, ...]
    more_messages: int
    value_total: float | None
    standing: int | None
    glance: tuple[GlanceRow, ...]
    also_met: tuple[str, ...]  # KPIs that met their target and are not in the glance table
    status_counts: dict[str, int]
    chart: Chart | None

    unit_label: str  # the unit's name in the report's language, as the report's title names it

    @property
    def month(self) -> str:
        return i18n.month(self.period, self.lang)


def read_brief(run_dir: Path, period: str, unit: str, lang: str, chart: bool = True) -> Brief:
    """The brief of the finished report in ``run_dir`` (``reports/<period>/<unit>[.<lang>]``)."""
    document = _json(run_dir / "findings.json")
    messages = _messages(document)
    rows = _scorecard(run_dir / "exports" / "scorecard.csv")
    unit_label = _unit_label(run_dir, unit, lang)
    standing = document.get("standing")
    return Brief(
        period=period,
        unit=unit,
        lang=lang,
        unit_label=unit_label,
        title=i18n.text("report.title", lang, unit=unit_label, month=i18n.month(period, lang)),
        messages=tuple(messages[:MAX_MESSAGES]),
        more_messages=max(0, len(messages) - MAX_MESSAGES),
        value_total=_number(document.get("value_at_stake_total")),
        standing=len(standing) if isinstance(standing, list) else None,
        glance=tuple(_glance(row, lang) for row in rows if _at_a_glance(row)),
        also_met=tuple(
            i18n.label("kpi", r["kpi"], lang) for r in rows if r.get("status") == "met" and not _at_a_glance(r)
        ),
        status_counts={s: sum(row.get("status") == s for row in rows) for s in STATUSES},
        chart=_chart(run_dir / "chapters" / "01_background.ipynb") if chart else None,
    )


def _unit_label(run_dir: Path, unit: str, lang: str) -> str:
    """The unit's display name the report's run recorded (``manifest.json`` ``unit_label``: params/labels.yml
    and the mapping's labels); the default name of the code when the manifest has none."""
    if unit == ALL_UNITS:
        return i18n.text("report.all_units", lang)
    label = _json(run_dir / "manifest.json").get("unit_label")
    return label if isinstance(label, str) and label else default_label(unit)


def _json(path: Path) -> dict:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _messages(document: dict) -> list[KeyMessage]:
    """The run's own brief when it has one (a list of messages, or ``{"messages": [...]}``), else its
    recommendations in rank order."""
    brief = document.get("brief")
    items = brief.get("messages") if isinstance(brief, dict) else brief
    if not isinstance(items, list) or not items:
        items = document.get("recommendations")
    if not isinstance(items, list):
        return []
    items = [item for item in items if isinstance(item, dict)]
    if all(isinstance(item.get("rank"), int) for item in items):
        items = sorted(items, key=lambda item: item["rank"])
    found = []
    for item in items:
        action = _text(item.get("action")) or _text(item.get("message")) or _text(item.get("text"))
        if action is None:
            continue
        money = item.get("money") if isinstance(item.get("money"), dict) else item
        found.append(
            KeyMessage(
                action=action,
                owner=_text(item.get("owner")),
                value_at_stake=_number(money.get("value_at_stake")),
                evidence=_text(item.get("evidence")),
            )
        )
    return found


def _scorecard(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [row for row in csv.DictReader(handle) if row.get("kpi")]
    except (OSError, csv.Error, UnicodeDecodeError):
        return []


def _at_a_glance(row: dict[str, str]) -> bool:
    """The headline KPIs (the registry's, :func:`~csreport.metrics.registry.headline_kpis`), and every KPI that
    missed its target or is at risk (those met are named after the table)."""
    return row.get("status") in ("at risk", "missed") or row.get("kpi") in headline_kpis()


def _float(text: str | None) -> float | None:
    try:
        return _number(float(text)) if text not in (None, "") else None
    except ValueError:
        return None


def _glance(row: dict[str, str], lang: str) -> GlanceRow:
    """One scorecard row at a glance; a time's value, previous month and target in one unit (4.8 h against a
    target of 1.0 h, never of 60.0 min)."""
    unit = row.get("measure_unit") or "ratio"
    value, previous, target = (_float(row.get(k)) for k in ("value", "previous", "target"))
    time_unit = i18n.duration_unit([value, previous, target]) if unit == "s" else None
    return GlanceRow(
        kpi=i18n.label("kpi", row["kpi"], lang),
        value=i18n.value(value, unit, lang, time_unit),
        previous=i18n.value(previous, unit, lang, time_unit),
        target=i18n.value(target, unit, lang, time_unit) if target is not None else "–",
        status=row.get("status") if row.get("status") in STATUSES else None,
    )


def _chart(notebook: Path) -> Chart | None:
    """The PNG (and its alt text) that chapter 1's scorecard cell drew, if it drew one."""
    cells = _json(notebook).get("cells")
    for cell in cells if isinstance(cells, list) else []:
        source = cell.get("source") if isinstance(cell, dict) else None
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") != "code" or not isinstance(source, str) or CHART_CELL not in source:
            continue
        for output in cell.get("outputs") or []:
            data = output.get("data") if isinstance(output, dict) else None
            encoded = data.get("image/png") if isinstance(data, dict) else None
            if not isinstance(encoded, str):
                continue
            try:
                png = base64.b64decode("".join(encoded.split()), validate=True)
            except ValueError:
                return None
            alt = ((output.get("metadata") or {}).get("image/png") or {}).get("alt")
            if png.startswith(b"\x89PNG") and len(png) <= MAX_CHART_BYTES:
                return Chart(png, alt if isinstance(alt, str) else "")
    return None
