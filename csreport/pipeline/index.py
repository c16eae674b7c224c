"""``reports/index.html`` (English) and ``reports/index.zh.html`` (Chinese): the period × unit grid of all runs
with headline KPIs, status and links. There is one index per language, each linking to the other, so a run in
one language never changes the language of the other's index; both list every run (a column per unit and
report language, e.g. ``east`` and ``east.zh``)."""

from __future__ import annotations

import html
import json
from pathlib import Path

from csreport import i18n
from csreport.chapters.background import STATUS_MARKS
from csreport.pipeline.exports import write_batch_exports
from csreport.pipeline.offline import CSP_BUILTIN, csp_meta
from csreport.pipeline.render import CSS

HEADLINE = ("contacts", "service_level", "csat_mean", "nps")


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


def _cell(directory: Path, manifest: dict, out_dir: Path, lang: str) -> str:
    link = html.escape(directory.relative_to(out_dir).as_posix())
    status = manifest.get("status", "failed")
    if status != "ok":
        note = html.escape(manifest.get("error") or "")
        return (f'<td class="failed"><strong>{html.escape(i18n.text("index.failed", lang))}</strong>'
                f'<br><small>{note}</small><br><a href="{link}/manifest.json">manifest</a></td>')  # fmt: skip
    lines = []
    for kpi in HEADLINE:
        entry = manifest.get("headline", {}).get(kpi)
        if entry and entry.get("value") is not None:
            value = i18n.value(entry["value"], entry.get("unit", "ratio"), lang)
            mark = status_mark(entry.get("status"), lang)
            lines.append(f"{html.escape(i18n.label('kpi', kpi, lang))}: {html.escape(value)} {mark}".rstrip())
    return (f'<td class="ok">{"<br>".join(lines)}<br><a href="{link}/report.html">HTML</a> · '
            f'<a href="{link}/report.pdf">PDF</a> · <a href="{link}/report.xlsx">Excel</a></td>')  # fmt: skip


def index_name(lang: str) -> str:
    """The index file of ``lang``: ``index.html`` for English, ``index.<lang>.html`` for another language."""
    return "index.html" if lang == "en" else f"index.{i18n.check_lang(lang)}.html"


def write_indexes(out_dir: Path) -> list[Path]:
    """Write the index of every report language (see :func:`write_index`)."""
    return [write_index(out_dir, lang) for lang in i18n.LANGUAGES]


def write_index(out_dir: Path, lang: str = "en") -> Path:
    """Write ``out_dir/index.html`` (``index.<lang>.html`` for a language other than English) from the
    manifests under ``out_dir/<period>/<unit>/``, with links to the indexes in the other languages."""
    out_dir = Path(out_dir)
    runs = _manifests(out_dir)
    periods = sorted({m["period"] for _, m in runs}, reverse=True)
    columns = sorted({d.name for d, _ in runs})
    grid = {(m["period"], d.name): (d, m) for d, m in runs}
    title = i18n.text("index.title", lang)
    others = [
        f'<a href="{index_name(other)}" hreflang="{other}">{html.escape(i18n.text("index.language", other))}</a>'
        for other in i18n.LANGUAGES
        if other != lang
    ]
    exports = write_batch_exports(out_dir)
    link = (
        f'<p><a href="exports/scorecards.csv">{html.escape(i18n.text("index.exports", lang))}</a></p>'
        if exports
        else ""
    )
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    rows = []
    for period in periods:
        cells = "".join(
            _cell(*grid[(period, c)], out_dir, lang) if (period, c) in grid else "<td>–</td>" for c in columns
        )
        rows.append(f"<tr><th>{html.escape(i18n.month(period, lang))}</th>{cells}</tr>")
    body = (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'{csp_meta(CSP_BUILTIN)}<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS} td.failed {{ background: #fdecea; }}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(i18n.text('index.legend', lang))} {status_legend(lang)}</p>{link}"
        f'<nav class="languages">{" · ".join(others)}</nav>'
        f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></main></body></html>"
    )
    target = out_dir / index_name(lang)
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(body, encoding="utf-8")
    tmp.replace(target)
    return target
