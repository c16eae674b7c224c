"""The message body of a brief, rendered twice: HTML (inline styles, the chart by CID, nothing from the internet)
and plain text, in the brief's language. Every text that comes from the run is escaped in the HTML; the words
are the locale's (``deliver.*`` in ``csreport/language/locales``)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from csreport.delivery.brief import Brief, GlanceRow, KeyMessage
from csreport.language import i18n

# the scorecard's status marks and their colours (csreport/pipeline/marks.css: .cs-met, .cs-risk, .cs-missed)
MARKS = {"met": ("✓", "#047857"), "at risk": ("▲", "#b45309"), "missed": ("×", "#b91c1c")}
FONT = (
    "-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',"
    "sans-serif"
)
MUTED = "#57606a"


@dataclass(frozen=True)
class Note:
    """A sentence above the brief (what is attached, where the report is online, that it is an update), as
    text and as HTML (its link, if any, a link)."""

    text: str
    html: str


def note(key: str, lang: str, url: str | None = None, **values) -> Note:
    """The locale's ``deliver.<key>`` sentence with ``values`` (and ``url``, shown as a link in HTML)."""
    template = i18n.text(f"deliver.{key}", lang)
    text = template.format(url=url, **values)
    escaped = {name: _e(value) for name, value in values.items()}
    if url is not None:
        escaped["url"] = f'<a href="{_e(url)}" style="color:#0550ae">{_e(url)}</a>'
    return Note(text, _e(template).format(**escaped))


def _t(key: str, lang: str, **values) -> str:
    return i18n.text(f"deliver.{key}", lang, **values)


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _money_line(message: KeyMessage, lang: str) -> str:
    parts = []
    if message.owner:
        parts.append(_t("owner", lang, owner=message.owner))
    if message.value_at_stake is not None:
        parts.append(_t("at_stake", lang, value=i18n.amount(message.value_at_stake, lang)))
    return _t("separator", lang).join(parts)


def _status(row: GlanceRow, lang: str) -> str:
    return i18n.label("status", row.status, lang) if row.status else ""


def _summary(brief: Brief) -> str:
    counts = brief.status_counts
    total = sum(counts.values())
    if not total:
        return ""
    return i18n.text("ch1.scorecard_sentence", brief.lang, total=total, met=counts["met"],
                     risk=counts["at risk"], missed=counts["missed"])  # fmt: skip


def _closing(brief: Brief) -> list[str]:
    lines = []
    if brief.value_total is not None:
        lines.append(_t("total", brief.lang, value=i18n.amount(brief.value_total, brief.lang)))
    if brief.more_messages:
        lines.append(_t("more", brief.lang, n=i18n.number(brief.more_messages, brief.lang)))
    if brief.standing:
        lines.append(_t("standing", brief.lang, n=i18n.number(brief.standing, brief.lang)))
    return lines


def render_text(brief: Brief, notes: list[Note], footer: str) -> str:
    """The plain-text alternative."""
    lang = brief.lang
    lines = [brief.title, "=" * min(72, 2 * len(brief.title)), ""]
    lines += [item.text for item in notes]
    lines += ["", _t("messages", lang), "-" * 8]
    if not brief.messages:
        lines.append(_t("no_messages", lang, month=brief.month))
    for i, message in enumerate(brief.messages, start=1):
        lines.append(f"{i}. {message.action}")
        if detail := _money_line(message, lang):
            lines.append(f"   {detail}")
        if message.evidence:
            lines.append(f"   {message.evidence}")
    lines += _closing(brief)
    if brief.glance:
        lines += ["", _t("glance", lang), "-" * 8]
        if summary := _summary(brief):
            lines.append(summary)
        for row in brief.glance:
            mark = MARKS[row.status][0] + " " if row.status else ""
            line = _t("glance_row", lang, kpi=row.kpi, value=row.value, previous=row.previous, target=row.target)
            lines.append(f"- {line} {mark}{_status(row, lang)}".rstrip())
        if brief.also_met:
            lines.append(_t("also_met", lang, kpis=i18n.join(brief.also_met, lang)))
    lines += ["", "--", footer]
    return "\n".join(lines) + "\n"


def _note_html(item: Note) -> str:
    return f'<p style="margin:0 0 8px">{item.html}</p>'


def _messages_html(brief: Brief) -> str:
    lang = brief.lang
    if not brief.messages:
        return f"<p>{_e(_t('no_messages', lang, month=brief.month))}</p>"
    items = []
    for message in brief.messages:
        detail = _money_line(message, lang)
        items.append(
            f'<li style="margin:0 0 12px"><strong>{_e(message.action)}</strong>'
            + (f'<br><span style="color:{MUTED}">{_e(detail)}</span>' if detail else "")
            + (f'<br><span style="font-size:13px">{_e(message.evidence)}</span>' if message.evidence else "")
            + "</li>"
        )
    return f'<ol style="padding-left:22px;margin:0 0 8px">{"".join(items)}</ol>'


def _glance_html(brief: Brief, chart_cid: str | None) -> str:
    lang = brief.lang
    cell = "padding:6px 8px;border-bottom:1px solid #d0d7de;text-align:{align}"
    head = "".join(
        f'<th scope="col" style="{cell.format(align=align)};background:#f6f8fa">'
        f"{_e(i18n.text(f'ch1.col.{key}', lang))}</th>"
        for key, align in (
            ("kpi", "left"),
            ("value", "right"),
            ("previous", "right"),
            ("target", "right"),
            ("status", "left"),
        )  # fmt: skip
    )
    nowrap = cell.format(align="right") + ";white-space:nowrap"
    rows = []
    for row in brief.glance:
        symbol, colour = MARKS.get(row.status, ("", MUTED))
        status = f'<span style="color:{colour};font-weight:bold">{_e(symbol)}</span> {_e(_status(row, lang))}'
        rows.append(
            f'<tr><th scope="row" style="{cell.format(align="left")};font-weight:normal">{_e(row.kpi)}</th>'
            + "".join(f'<td style="{nowrap}">{_e(v)}</td>' for v in (row.value, row.previous, row.target))
            + f'<td style="{cell.format(align="left")};white-space:nowrap">{status.strip()}</td></tr>'
        )
    parts = [f'<h2 style="font-size:17px;margin:24px 0 8px">{_e(_t("glance", lang))}</h2>']
    if summary := _summary(brief):
        parts.append(f'<p style="margin:0 0 8px">{_e(summary)}</p>')
    parts.append(
        '<table role="table" style="border-collapse:collapse;width:100%;font-size:14px">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )
    if brief.also_met:
        also = _t("also_met", lang, kpis=i18n.join(brief.also_met, lang))
        parts.append(f'<p style="margin:8px 0 0;font-size:13px;color:{MUTED}">{_e(also)}</p>')
    if chart_cid and brief.chart:
        parts.append(
            f'<p style="margin:16px 0 4px"><img src="cid:{_e(chart_cid)}" alt="{_e(brief.chart.alt)}" width="600" '
            'style="display:block;width:100%;max-width:600px;height:auto;border:0"></p>'
            f'<p style="margin:0;font-size:12px;color:{MUTED}">{_e(brief.chart.caption)}</p>'
        )
    return "".join(parts)


def render_html(brief: Brief, notes: list[Note], footer: str, chart_cid: str | None = None) -> str:
    """The HTML body: one page with inline styles (mail readers drop style sheets), no script, no remote
    resource; the chart, if any, refers to the related part ``chart_cid``."""
    lang = brief.lang
    tag = i18n.settings(lang).html
    closing = "".join(f'<p style="margin:0 0 8px">{_e(line)}</p>' for line in _closing(brief))
    glance = _glance_html(brief, chart_cid) if brief.glance else ""
    return (
        f'<!DOCTYPE html><html lang="{tag}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(brief.title)}</title></head>"
        f'<body style="margin:0;padding:0;background:#f6f8fa">'
        f'<div style="max-width:680px;margin:0 auto;padding:24px;background:#ffffff;color:#1f2328;'
        f'font-family:{FONT};font-size:15px;line-height:1.5">'
        f'<h1 style="font-size:21px;margin:0 0 12px">{_e(brief.title)}</h1>'
        + "".join(_note_html(item) for item in notes)
        + f'<h2 style="font-size:17px;margin:24px 0 8px">{_e(_t("messages", lang))}</h2>'
        + _messages_html(brief)
        + closing
        + glance
        + f'<hr style="border:0;border-top:1px solid #d0d7de;margin:24px 0 8px">'
        f'<p style="margin:0;font-size:12px;color:{MUTED}">{_e(footer)}</p>'
        "</div></body></html>"
    )
