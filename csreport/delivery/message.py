"""One e-mail for one report and one group of readers (:func:`build_message`), and writing it as ``.eml``.

The message is ``multipart/mixed``: a ``multipart/alternative`` body (plain text, then HTML with the chart as a
related part referred to by its Content-ID) followed by the attached files. When the files together exceed the
configured size, none is attached and the body links to the published report instead and says so.
"""

from __future__ import annotations

import email.policy
import mimetypes
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from csreport.delivery.body import Note, note, render_html, render_text
from csreport.delivery.brief import Brief
from csreport.delivery.config import ATTACHMENTS, DeliveryConfig, Readers, address_of
from csreport.language import i18n

MB = 1_000_000


@dataclass(frozen=True)
class Contents:
    """What the message carries besides the brief: the files to attach (already checked to exist), the
    report's fingerprint, where it is published (if configured) and, for an update, when the earlier version
    was sent."""

    files: tuple[Path, ...]
    fingerprint: str
    report: str  # "<period>/<folder>", as in the delivery log
    link: str | None = None
    updated_from: str | None = None  # ISO time of the earlier delivery

    @property
    def size(self) -> int:
        return sum(path.stat().st_size for path in self.files)


def attachment_files(run_dir: Path, readers: Readers) -> list[Path]:
    """The run's files that ``readers`` get attached, in the order of their ``attach`` list."""
    return [run_dir / ATTACHMENTS[name] for name in readers.attach]


def size_text(size: int, lang: str) -> str:
    return i18n.text("deliver.megabytes", lang, value=i18n.number(size / MB, lang, 1))


def subject(brief: Brief, readers: Readers, updated: bool) -> str:
    """The subject template of ``readers`` filled in (the template was checked on load)."""
    text = readers.subject.format(title=brief.title, unit=brief.unit_label, month=brief.month, period=brief.period)
    text = i18n.typeset_text(text, brief.lang)  # the language's spacing and punctuation, as every message
    return i18n.text("deliver.subject_updated", brief.lang, subject=text) if updated else text


def notes(brief: Brief, contents: Contents, config: DeliveryConfig) -> tuple[list[Note], bool]:
    """The sentences above the brief, and whether the files are attached (False when they exceed
    ``max_attachment_mb``: the message then links to the report)."""
    lang = brief.lang
    found: list[Note] = []
    if contents.updated_from:
        found.append(note("updated", lang, date=i18n.day(contents.updated_from, lang)))
    attach = contents.size <= config.max_attachment_mb * MB
    if contents.files and attach:
        files = (
            i18n.text("deliver.file_size", lang, name=p.name, size=size_text(p.stat().st_size, lang))
            for p in contents.files
        )
        found.append(note("attached", lang, files=i18n.join(files, lang)))
    elif contents.files:
        limit = size_text(int(config.max_attachment_mb * MB), lang)
        found.append(note("too_large", lang, contents.link, size=size_text(contents.size, lang), limit=limit))
    if contents.link and (attach or not contents.files):
        found.append(note("online", lang, contents.link))
    return found, attach


def footer(brief: Brief, contents: Contents) -> str:
    return i18n.text("deliver.footer", brief.lang, report=contents.report, fingerprint=contents.fingerprint[:12])


def build_message(brief: Brief, readers: Readers, contents: Contents, config: DeliveryConfig) -> EmailMessage:
    """The e-mail of ``brief`` for ``readers``: headers, text and HTML body, chart and attachments.

    ``Auto-Submitted: auto-generated`` keeps auto-replies away; ``X-Csreport-Report`` and
    ``X-Csreport-Fingerprint`` tie the message to its line in the delivery log."""
    sentences, attach = notes(brief, contents, config)
    closing = footer(brief, contents)
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = subject(brief, readers, contents.updated_from is not None)
    message["From"] = config.sender
    message["To"] = ", ".join(readers.recipients)
    if readers.cc:
        message["Cc"] = ", ".join(readers.cc)
    if config.reply_to:
        message["Reply-To"] = config.reply_to
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("csreport", domain=address_of(config.sender).rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message["X-Csreport-Report"] = contents.report
    message["X-Csreport-Fingerprint"] = contents.fingerprint
    message.set_content(render_text(brief, sentences, closing))
    cid = make_msgid("chart", domain="csreport.invalid") if brief.chart else None
    message.add_alternative(render_html(brief, sentences, closing, cid[1:-1] if cid else None), subtype="html")
    if brief.chart and cid:
        html_part = message.get_payload()[-1]
        html_part.add_related(brief.chart.png, maintype="image", subtype="png", cid=cid, disposition="inline",
                              filename="scorecard.png")  # fmt: skip
    if attach:
        for path in contents.files:
            maintype, subtype = (mimetypes.guess_type(path.name)[0] or "application/octet-stream").split("/")
            name = i18n.text("deliver.file_name", brief.lang, unit=brief.unit_label, period=brief.period)
            message.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype,
                                   filename=f"{name}{path.suffix}")  # fmt: skip
    # the lang tag of the HTML pages; set after the parts, so not moved into one
    message["Content-Language"] = i18n.settings(brief.lang).html
    return message


def write_eml(message: EmailMessage, path: Path) -> Path:
    """``message`` as an RFC 5322 file (CRLF line ends), written whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(message.as_bytes(policy=email.policy.SMTP))
    tmp.replace(path)
    return path
