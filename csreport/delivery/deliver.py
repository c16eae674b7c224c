"""Planning and running a delivery: which finished reports go to which readers, and the outcome of each message.

:func:`plan` looks at every period × unit × group of readers: the report folder must be finished (manifest
status ok, the PDF and every file to attach present, no failed run after it, not a partial month unless allowed),
and a reader who already received this version of the report (same fingerprint in the delivery log) is not sent
it again unless ``force``. :func:`run` sends what is due (or, for a dry run, writes it as ``.eml`` files) and logs
each message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from csreport.delivery.brief import read_brief
from csreport.delivery.config import DeliveryConfig, Readers, address_of
from csreport.delivery.journal import DeliveryLog, now, report_fingerprint
from csreport.delivery.message import Contents, attachment_files, build_message, write_eml
from csreport.delivery.smtp import Mailer, SmtpError
from csreport.language import i18n

REQUIRED = ("report.pdf", "report.html", "findings.json")  # a finished report has these, whatever is attached


@dataclass
class Item:
    """One message due (or not) for one report and one group of readers."""

    period: str
    readers: Readers
    run_dir: Path
    state: str  # "due", "delivered" (nothing new), "not ready"
    reason: str | None = None
    fingerprint: str | None = None
    pending: list[str] = field(default_factory=list)  # envelope addresses still to get this version
    updated_from: str | None = None

    @property
    def report(self) -> str:
        return f"{self.period}/{self.readers.folder}"


@dataclass
class Outcome:
    """What became of an item: ``sent``, ``partial``, ``failed``, ``skipped`` (not ready), ``delivered``
    (already, nothing new) or ``dry run``; ``detail`` says why or to whom."""

    item: Item
    status: str
    detail: str = ""
    eml: Path | None = None
    recipients: list[str] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        """Failed, partly refused or skipped: listed at the end, exit code 1, tried again by the next run."""
        return self.status in ("failed", "partial", "skipped")


def not_ready(run_dir: Path, readers: Readers, period: str, config: DeliveryConfig, allow_partial: bool) -> str | None:
    """Why the report in ``run_dir`` cannot be delivered to ``readers``, or None when it can."""
    failed = run_dir.with_name(run_dir.name + ".failed")
    if failed.is_dir():
        error = _manifest(failed).get("error") or "see its manifest.json"
        return f"the latest run of this report failed ({failed}: {error}); deliver after a successful run"
    if not run_dir.is_dir():
        run = f"csreport run --period {period} --unit {readers.unit} --lang {readers.lang}"
        return f"no report {run_dir}; run {run} first"
    manifest = _manifest(run_dir)
    if manifest.get("status") != "ok":
        status = manifest.get("status", "missing")
        return f"{run_dir / 'manifest.json'}: status {status!r}, not ok: the report is not finished"
    expected = {"period": period, "unit": readers.unit, "lang": readers.lang}
    if any(manifest.get(k) != v for k, v in expected.items()):
        found = {k: manifest.get(k) for k in expected}
        return f"{run_dir / 'manifest.json'} is of {found}, not {expected}"
    needed = dict.fromkeys([*REQUIRED, *(p.name for p in attachment_files(run_dir, readers))])
    missing = [name for name in needed if not (run_dir / name).is_file() or not (run_dir / name).stat().st_size]
    if missing:
        return f"{run_dir}: {', '.join(missing)} missing or empty: the report is partial"
    coverage = manifest.get("coverage") or {}
    if coverage.get("partial") and not allow_partial:
        return (f"{i18n.month(period, 'en')} is a partial month in the data ({coverage.get('first_day')} to "
                f"{coverage.get('last_day')}: {coverage.get('days')} of {coverage.get('days_in_month')} days); "
                "run again when the month's data is complete, or pass --allow-partial-month")  # fmt: skip
    size = sum(p.stat().st_size for p in attachment_files(run_dir, readers))
    if size > config.max_attachment_mb * 1_000_000 and not config.report_url:
        return (f"its attachments ({size / 1_000_000:.1f} MB) exceed max_attachment_mb "
                f"({config.max_attachment_mb:g}) and {config.path} has no report_url to link to instead")  # fmt: skip
    return None


def _manifest(run_dir: Path) -> dict:
    try:
        document = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def plan(
    out_dir: Path,
    periods: list[str],
    units: list[str],
    config: DeliveryConfig,
    force: bool = False,
    allow_partial: bool = False,
) -> list[Item]:
    """Every message of ``periods`` × ``units`` × the units' groups of readers, with its state."""
    log = DeliveryLog(out_dir)
    records = log.records()
    items = []
    for period in periods:
        for unit in units:
            for readers in config.readers.get(unit, ()):
                run_dir = Path(out_dir) / period / readers.folder
                reason = not_ready(run_dir, readers, period, config, allow_partial)
                if reason:
                    items.append(Item(period, readers, run_dir, "not ready", reason))
                    continue
                fingerprint = report_fingerprint(run_dir)
                history = log.history(f"{period}/{readers.folder}", records)
                pending = [a for a in readers.addresses if force or not history.has(a, fingerprint)]
                state = "due" if pending else "delivered"
                items.append(
                    Item(period, readers, run_dir, state, None, fingerprint, pending, history.earlier(fingerprint))
                )
    return items


def _message(item: Item, config: DeliveryConfig):
    brief = read_brief(item.run_dir, item.period, item.readers.unit, item.readers.lang, chart=config.chart)
    contents = Contents(
        files=tuple(attachment_files(item.run_dir, item.readers)),
        fingerprint=item.fingerprint or "",
        report=item.report,
        link=config.report_link(item.period, item.readers.folder),
        updated_from=item.updated_from,
    )
    return build_message(brief, item.readers, contents, config)


def _record(item: Item, message, **fields) -> dict:
    return {
        "time": now(),
        "period": item.period,
        "unit": item.readers.unit,
        "lang": item.readers.lang,
        "report": item.report,
        "fingerprint": item.fingerprint,
        "message_id": message["Message-ID"] if message is not None else None,
        "subject": str(message["Subject"]) if message is not None else None,
        "recipients": item.pending,
        **fields,
    }


def run(
    items: list[Item],
    config: DeliveryConfig,
    out_dir: Path,
    mailer: Mailer | None = None,
    outbox: Path | None = None,
) -> list[Outcome]:
    """Send every due item with ``mailer`` and log it; or, with ``outbox`` (a dry run), write each due message
    to ``<outbox>/<period>/<folder>-<n>.eml`` and log nothing. A report that is not ready is logged as skipped
    (not in a dry run). An :class:`SmtpError` (TLS, login) fails the message it happened on and every later one
    without trying them."""
    log = DeliveryLog(out_dir)
    outcomes: list[Outcome] = []
    fatal: str | None = None
    for n, item in enumerate(items, start=1):
        if item.state == "delivered":
            outcomes.append(Outcome(item, "delivered", "nothing new: this version was delivered before"))
            continue
        if item.state == "not ready":
            outcomes.append(Outcome(item, "skipped", item.reason or ""))
            if outbox is None:
                log.append(_record(item, None, recipients=list(item.readers.addresses), outcome="skipped",
                                   reason=item.reason))  # fmt: skip
            continue
        message = _message(item, config)
        if outbox is not None:
            path = write_eml(message, outbox / item.period / f"{item.readers.folder}-{n}.eml")
            outcomes.append(Outcome(item, "dry run", str(message["Subject"]), path, list(item.pending)))
            continue
        if fatal is None and mailer is not None:
            try:
                sent = mailer.send(message, address_of(config.sender), item.pending)
            except SmtpError as exc:
                fatal = str(exc)
        if fatal is not None or mailer is None:
            error = fatal or "no mail server"
            log.append(_record(item, message, accepted=[], refused={}, attempts=0, outcome="failed", error=error))
            outcomes.append(Outcome(item, "failed", error, recipients=list(item.pending)))
            continue
        log.append(_record(item, message, accepted=sent.accepted, refused=sent.refused, attempts=sent.attempts,
                           outcome=sent.outcome, error=sent.error))  # fmt: skip
        detail = "; ".join(f"{a}: {r}" for a, r in sent.refused.items()) or (sent.error or "")
        outcomes.append(Outcome(item, sent.outcome, detail, recipients=list(item.pending)))
    return outcomes
