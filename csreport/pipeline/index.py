"""``reports/index.html`` (English) and ``reports/index.zh.html`` (Chinese): the period × unit grid of the runs
in that language with headline KPIs, status and links to each report and its PDF and Excel files; the failed
runs listed apart with their reason. There is one index per language, each linking to the others, so every
link of an index opens a report in its language; a column is named by the unit's label (``params/labels.yml``,
recorded in the run's manifest)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from csreport.data.store import ALL_UNITS
from csreport.language import i18n
from csreport.language.labels import default_label
from csreport.metrics.registry import headline_kpis
from csreport.pipeline.exports import write_batch_exports
from csreport.pipeline.offline import CSP_BUILTIN, csp_meta
from csreport.pipeline.render import CSS
from csreport.report.page import STATUS_MARKS


def status_mark(status: str | None, lang: str) -> str:
    """The scorecard's status mark as HTML (✓ met, ▲ at risk, × missed, coloured by ``marks.css``, the status
    in words as its tooltip); "" for n/a or no status."""
    if status not in STATUS_MARKS:
        return ""
    symbol, tone = STATUS_MARKS[status]
    words = html.escape(i18n.label("status", status, lang), quote=True)
    return f'<span class="cs-{tone}" title="{words}">{symbol}</span>'


def status_legend(lang: str) -> str:
    """The legend of the status marks, as the scorecard's caption shows them, with the same colours."""
    parts = {tone: f"{status_mark(key, lang)} {html.escape(i18n.label('status', key, lang))}"
             for key, (_, tone) in STATUS_MARKS.items()}  # fmt: skip
    template = i18n.text("index.status_legend", lang, **{tone: "{" + tone + "}" for tone in parts})
    return html.escape(template).format(**parts)


def _manifests(out_dir: Path) -> list[tuple[Path, dict]]:
    found = []
    for path in sorted(out_dir.glob("*/*/manifest.json")):
        if path.parent.name.startswith("."):
            continue
        try:
            found.append((path.parent, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue
    return found


def run_lang(directory: Path, manifest: dict) -> str:
    """The report language of a run: its manifest's, else the one whose folder suffix its folder has
    (``east.zh`` → zh; a manifest written before the language was recorded)."""
    if manifest.get("lang"):
        return manifest["lang"]
    name = directory.name.removesuffix(".failed")
    suffixes = sorted(((i18n.settings(lang).suffix, lang) for lang in i18n.LANGUAGES), key=lambda s: -len(s[0]))
    return next(lang for suffix, lang in suffixes if name.endswith(suffix))


def run_unit(directory: Path, manifest: dict) -> str:
    name = directory.name.removesuffix(".failed")
    return manifest.get("unit") or name.removesuffix(i18n.settings(run_lang(directory, manifest)).suffix)


def unit_label(manifest: dict, unit: str) -> str:
    """The unit's display name the run recorded (params/labels.yml in the run's language), else the default."""
    return manifest.get("unit_label") or default_label(unit)


def _cell(directory: Path, manifest: dict, out_dir: Path, lang: str) -> str:
    link = html.escape(directory.relative_to(out_dir).as_posix())
    lines = []
    for kpi in headline_kpis():
        entry = manifest.get("headline", {}).get(kpi)
        if entry and entry.get("value") is not None:
            value = i18n.value(entry["value"], entry.get("unit", "ratio"), lang)
            mark = status_mark(entry.get("status"), lang)
            shown = i18n.text("format.labelled", lang, label=i18n.label("kpi", kpi, lang), text=value)
            lines.append(f"{html.escape(shown)} {mark}".rstrip())
    links = " · ".join(
        f'<a href="{link}/{name}">{html.escape(i18n.text(key, lang))}</a>'
        for name, key in (("report.html", "index.open_html"), ("report.pdf", "report.nav_pdf"),
                          ("report.xlsx", "report.nav_excel"))
    )  # fmt: skip
    return f'<td class="ok">{"<br>".join(lines)}<br>{links}</td>'


def _failed_cell(anchor: str, lang: str) -> str:
    return f'<td class="failed"><a href="#{anchor}">{html.escape(i18n.text("index.failed", lang))}</a></td>'


def _failed_list(failed: list[tuple[str, str, Path, dict]], out_dir: Path, lang: str) -> str:
    """The failed runs apart from the grid: month, unit, reason (the manifest's error), and the kept folder."""
    if not failed:
        return ""
    rows = []
    for period, unit, directory, manifest in failed:
        link = html.escape(directory.relative_to(out_dir).as_posix())
        chapter = manifest.get("failed_chapter")
        target = f"{link}/chapters/{chapter}.ipynb" if chapter else f"{link}/manifest.json"
        rows.append(
            f'<tr id="{_anchor(period, unit)}"><td>{html.escape(i18n.month(period, lang))}</td>'
            f"<td>{html.escape(unit_label(manifest, unit))}</td>"
            f"<td>{html.escape(manifest.get('error') or '')}</td>"
            f'<td><a href="{target}">{html.escape(i18n.text("index.failed_details", lang))}</a></td></tr>'
        )
    head = "".join(
        f"<th>{html.escape(i18n.text(f'index.col.{c}', lang))}</th>" for c in ("month", "unit", "reason", "kept")
    )
    return (f'<h2>{html.escape(i18n.text("index.failed_runs", lang))}</h2>'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")  # fmt: skip


def _anchor(period: str, unit: str) -> str:
    return "failed-" + re.sub(r"[^\w-]+", "-", f"{period}-{unit}")


def index_name(lang: str) -> str:
    """The index file of ``lang``: ``index.html`` for English, ``index.zh.html`` for Chinese (the locale's
    ``locale.suffix``)."""
    return f"index{i18n.settings(i18n.check_lang(lang)).suffix}.html"


def write_indexes(out_dir: Path) -> list[Path]:
    """Write the index of every report language (see :func:`write_index`)."""
    return [write_index(out_dir, lang) for lang in i18n.LANGUAGES]


def write_index(out_dir: Path, lang: str = "en") -> Path:
    """Write the index of the reports in ``lang`` (``index.html``, ``index.zh.html``) from the manifests under
    ``out_dir/<period>/<unit>/``: a grid of months × units (each column named by the unit's label) linking each
    report and its PDF and Excel files, the failed runs listed apart with their reason, and links to the
    indexes of the other languages."""
    out_dir = Path(out_dir)
    runs = [(d, m) for d, m in _manifests(out_dir) if run_lang(d, m) == lang]
    grid: dict[tuple[str, str], tuple[Path, dict]] = {}
    failed = []
    labels: dict[str, str] = {}
    for directory, manifest in runs:
        unit = run_unit(directory, manifest)
        labels.setdefault(unit, unit_label(manifest, unit))
        if manifest.get("status") == "ok":
            grid[(manifest["period"], unit)] = (directory, manifest)
            labels[unit] = unit_label(manifest, unit)
        else:
            failed.append((manifest["period"], unit, directory, manifest))
    failed.sort(key=lambda f: (f[0], labels[f[1]]), reverse=False)
    failed_at = {(period, unit) for period, unit, _, _ in failed}
    periods = sorted({p for p, _ in grid} | {p for p, _ in failed_at}, reverse=True)
    columns = sorted(labels, key=lambda unit: (unit != ALL_UNITS, labels[unit]))
    title = i18n.text("index.title", lang)
    others = [
        f'<a href="{index_name(other)}" hreflang="{i18n.settings(other).html}">'
        f"{html.escape(i18n.text('index.in_language', other, language=i18n.settings(other).name))}</a>"
        for other in i18n.LANGUAGES
        if other != lang
    ]
    exports = write_batch_exports(out_dir)
    link = (
        f'<p><a href="exports/scorecards.csv">{html.escape(i18n.text("index.exports", lang))}</a></p>'
        if exports
        else ""
    )
    head = "".join(f"<th>{html.escape(labels[c])}</th>" for c in columns)
    rows = []
    for period in periods:
        cells = "".join(
            _cell(*grid[(period, c)], out_dir, lang)
            if (period, c) in grid
            else _failed_cell(_anchor(period, c), lang)
            if (period, c) in failed_at
            else "<td>–</td>"
            for c in columns
        )
        rows.append(f"<tr><th>{html.escape(i18n.month(period, lang))}</th>{cells}</tr>")
    body = (
        f'<!DOCTYPE html><html lang="{i18n.settings(lang).html}"><head><meta charset="utf-8">'
        f'{csp_meta(CSP_BUILTIN)}<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS} td.failed {{ background: #fdecea; }}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(i18n.text('index.legend', lang))}{i18n.settings(lang).sentences}{status_legend(lang)}</p>"
        f"{link}"
        f'<nav class="languages">{" · ".join(others)}</nav>'
        + (
            f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            if rows
            else f"<p>{html.escape(i18n.text('index.none', lang))}</p>"
        )
        + f"{_failed_list(failed, out_dir, lang)}</main></body></html>"
    )
    target = out_dir / index_name(lang)
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(target)
    return target
