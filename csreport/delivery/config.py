"""``params/delivery.yml``: who receives which report, in which language, with which attachments.

The file names readers per business unit (``all`` is the all-units report); a unit's readers are one group
(a mapping) or several (a list of mappings), each with its recipients, language, attachments and subject
template. ``defaults`` fill in what a group leaves out. The mail server is not in this file: it comes from the
environment (:mod:`csreport.delivery.smtp`), so the file can be committed.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from email.utils import getaddresses
from pathlib import Path

from csreport.data.periods import check_unit
from csreport.errors import ParameterError
from csreport.language import i18n
from csreport.params_file import read_params_file
from csreport.pipeline.runparams import report_folder

#: attachment name in delivery.yml → file of the run folder
ATTACHMENTS = {"pdf": "report.pdf", "xlsx": "report.xlsx", "html": "report.html"}
#: the placeholders a subject template may use
SUBJECT_FIELDS = ("title", "unit", "month", "period")
TOP_KEYS = {"sender", "reply_to", "report_url", "max_attachment_mb", "chart", "timeout_s", "retries", "backoff_s",
            "defaults", "units"}  # fmt: skip
READER_KEYS = {"recipients", "cc", "lang", "attach", "subject"}
FIX = "See the comments in the example params/delivery.yml (csreport init writes one)."
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+$")


@dataclass(frozen=True)
class Readers:
    """One group of readers of one unit's report: one message per report goes to all of them.

    ``recipients`` (To) and ``cc`` are the addresses as written (``Name <a@b>`` allowed); ``attach`` names files
    of :data:`ATTACHMENTS`; ``subject`` is a template with the fields of :data:`SUBJECT_FIELDS`."""

    unit: str
    lang: str
    recipients: tuple[str, ...]
    cc: tuple[str, ...] = ()
    attach: tuple[str, ...] = ("pdf",)
    subject: str = "{title}"

    @property
    def addresses(self) -> tuple[str, ...]:
        """The bare addresses of recipients and cc, in order: the envelope of the message."""
        return tuple(address_of(entry) for entry in (*self.recipients, *self.cc))

    @property
    def folder(self) -> str:
        """The run folder of this unit's report in this language: ``east``, ``east.zh``."""
        return report_folder(self.unit, self.lang)


@dataclass(frozen=True)
class DeliveryConfig:
    """The whole of ``params/delivery.yml``, checked.

    ``max_attachment_mb``: above this total the message carries no attachment and links to the report at
    ``report_url`` instead; ``timeout_s``, ``retries`` and ``backoff_s``: the SMTP connection's timeout and how
    often, and after how long (doubling), a temporary failure is tried again."""

    path: Path
    sender: str
    readers: dict[str, tuple[Readers, ...]]
    reply_to: str | None = None
    report_url: str | None = None
    max_attachment_mb: float = 10.0
    chart: bool = True
    timeout_s: float = 60.0
    retries: int = 3
    backoff_s: float = 5.0

    @property
    def units(self) -> list[str]:
        return list(self.readers)

    def report_link(self, period: str, folder: str) -> str | None:
        """The published ``report.html`` of ``period``/``folder`` under ``report_url`` (None without one)."""
        if not self.report_url:
            return None
        return f"{self.report_url.rstrip('/')}/{period}/{folder}/report.html"


def address_of(entry: str) -> str:
    """``a@b`` of ``Name <a@b>`` or ``a@b``."""
    return getaddresses([entry])[0][1]


def _address(path: Path, where: str, value) -> str:
    text = str(value).strip() if isinstance(value, str) else ""
    parsed = getaddresses([text]) if text and "\n" not in text and "\r" not in text else []
    if len(parsed) != 1 or not _ADDRESS.match(parsed[0][1]):
        raise ParameterError(f"{path}: {where}: {value!r} is not one e-mail address (a@example.com or "
                             f"'Name <a@example.com>'). {FIX}")  # fmt: skip
    return text


def _addresses(path: Path, where: str, value) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ParameterError(f"{path}: {where} must be a list of e-mail addresses. {FIX}")
    return tuple(_address(path, where, item) for item in items)


def check_subject(path: Path, where: str, template) -> str:
    """``template`` if it is text whose only placeholders are :data:`SUBJECT_FIELDS` (no attribute or index
    access, no format specs), else a :class:`ParameterError`."""
    if not isinstance(template, str) or not template.strip() or "\n" in template or "\r" in template:
        raise ParameterError(f"{path}: {where}: the subject must be one line of text. {FIX}")
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise ParameterError(f"{path}: {where}: subject {template!r}: {exc}. Write braces as {{{{ }}}}.") from None
    bad = [name for name, spec, conv in fields if name not in SUBJECT_FIELDS or spec or conv]
    if bad:
        raise ParameterError(f"{path}: {where}: subject {template!r} uses {bad}; the placeholders are "
                             f"{', '.join('{' + f + '}' for f in SUBJECT_FIELDS)}.")  # fmt: skip
    return template


def _readers(path: Path, unit: str, group, defaults: dict, where: str) -> Readers:
    if not isinstance(group, dict):
        raise ParameterError(f"{path}: {where} must be a mapping with recipients (and lang, attach, cc, subject).")
    unknown = set(group) - READER_KEYS
    if unknown:
        raise ParameterError(
            f"{path}: {where}: unknown keys {sorted(unknown)}; known: {', '.join(sorted(READER_KEYS))}."
        )
    merged = {**defaults, **group}
    recipients = _addresses(path, f"{where}.recipients", merged.get("recipients"))
    if not recipients:
        raise ParameterError(f"{path}: {where}: no recipients. List them: recipients: [director@example.com].")
    lang = str(merged.get("lang", "en"))
    if lang not in i18n.LANGUAGES:
        raise ParameterError(f"{path}: {where}.lang {lang!r}: use one of {', '.join(i18n.LANGUAGES)}.")
    attach = merged.get("attach", ["pdf"])
    attach = [attach] if isinstance(attach, str) else attach
    if not isinstance(attach, list) or any(a not in ATTACHMENTS for a in attach):
        raise ParameterError(f"{path}: {where}.attach {attach!r}: a list of {', '.join(ATTACHMENTS)} (or []).")
    subject = check_subject(path, f"{where}.subject", merged.get("subject", "{title}"))
    cc = _addresses(path, f"{where}.cc", merged.get("cc"))
    return Readers(unit, lang, recipients, cc, tuple(dict.fromkeys(attach)), subject)


def _number(path: Path, raw: dict, key: str, default, kind, minimum) -> float | int:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ParameterError(f"{path}: {key} {value!r}: a number of at least {minimum}. {FIX}")
    return kind(value)


def load_delivery(path: str | Path) -> DeliveryConfig:
    """Read and check ``path`` (``params/delivery.yml``); every problem is a :class:`ParameterError` naming
    the file, the key and the fix."""
    path = Path(path)
    raw = read_params_file(path, "delivery file", FIX)
    unknown = set(raw) - TOP_KEYS
    if unknown:
        raise ParameterError(f"{path}: unknown keys {sorted(unknown)}; known: {', '.join(sorted(TOP_KEYS))}.")
    if not raw.get("sender"):
        raise ParameterError(f"{path}: no sender. Add sender: 'Customer service reports <reports@example.com>'.")
    sender = _address(path, "sender", raw["sender"])
    reply_to = _address(path, "reply_to", raw["reply_to"]) if raw.get("reply_to") else None
    report_url = raw.get("report_url") or None
    if report_url is not None and not re.match(r"^https?://[^\s\"'<>]+$", str(report_url)):
        raise ParameterError(f"{path}: report_url {report_url!r}: an http(s):// address where reports/ is published.")
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict) or set(defaults) - READER_KEYS:
        raise ParameterError(f"{path}: defaults must be a mapping of {', '.join(sorted(READER_KEYS))}. {FIX}")
    units = raw.get("units") or {}
    if not isinstance(units, dict):
        raise ParameterError(f"{path}: units must be a mapping of unit → readers. {FIX}")
    readers: dict[str, tuple[Readers, ...]] = {}
    for unit, groups in units.items():
        try:
            check_unit(str(unit))
        except ParameterError as exc:
            raise ParameterError(f"{path}: units: {exc}") from None
        groups = groups if isinstance(groups, list) else [groups]
        readers[str(unit)] = tuple(
            _readers(path, str(unit), g, defaults, f"units.{unit}" + (f"[{i}]" if len(groups) > 1 else ""))
            for i, g in enumerate(groups)
        )
        _no_one_twice(path, str(unit), readers[str(unit)])
    chart = raw.get("chart", True)
    if not isinstance(chart, bool):
        raise ParameterError(f"{path}: chart {chart!r}: true or false.")
    return DeliveryConfig(
        path=path,
        sender=sender,
        readers=readers,
        reply_to=reply_to,
        report_url=str(report_url) if report_url else None,
        max_attachment_mb=_number(path, raw, "max_attachment_mb", 10.0, float, 0),
        chart=chart,
        timeout_s=_number(path, raw, "timeout_s", 60.0, float, 1),
        retries=_number(path, raw, "retries", 3, int, 0),
        backoff_s=_number(path, raw, "backoff_s", 5.0, float, 0),
    )


def _no_one_twice(path: Path, unit: str, groups: tuple[Readers, ...]) -> None:
    """A reader listed twice for the same report would get it twice: refused."""
    seen: set[tuple[str, str]] = set()
    for group in groups:
        for address in group.addresses:
            key = (group.lang, address.casefold())
            if key in seen:
                raise ParameterError(f"{path}: units.{unit}: {address} is listed twice for the {group.lang} report; "
                                     "list each reader once per report.")  # fmt: skip
            seen.add(key)
