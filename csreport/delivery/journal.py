"""The delivery log ``<reports>/delivery.log.jsonl``: one JSON line per message tried, the memory that makes
``csreport deliver`` idempotent, and a lock so that two deliveries never run over the same reports at once.

A line records: ``time`` (ISO, UTC), ``period``, ``unit``, ``lang``, ``report`` (``<period>/<folder>``),
``fingerprint`` (of the report, :func:`report_fingerprint`), ``message_id``, ``subject``, ``recipients`` (the
envelope tried), ``accepted``, ``refused`` (address → server reply), ``attempts``, ``outcome`` (``sent``,
``partial``, ``failed`` or ``skipped``) and ``error`` or ``reason``. Lines are appended and flushed to disk one by
one, so a delivery that dies half-way keeps the record of what it sent.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from csreport.errors import CsreportError

LOG_NAME = "delivery.log.jsonl"
LOCK_NAME = ".delivery.lock"
#: the files of a run whose bytes make up its fingerprint: what the reader sees, in words and numbers. The PDF
#: and Excel files are rendered from the same notebook but carry their creation time, so their bytes differ
#: between two renders of the same report.
FINGERPRINT_FILES = ("report.html", "findings.json", "exports/scorecard.csv")


def report_fingerprint(run_dir: Path) -> str:
    """SHA-256 over the names and bytes of :data:`FINGERPRINT_FILES` of ``run_dir`` (absent files count as
    absent): it changes when the report's words or numbers change, not when it is rendered again."""
    digest = hashlib.sha256()
    for name in FINGERPRINT_FILES:
        path = run_dir / name
        digest.update(f"{name}:".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"-")
    return digest.hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class History:
    """What the log says about one report (``<period>/<folder>``): per recipient (case-folded address), the
    fingerprints it was delivered with and the time of its latest delivery."""

    received: dict[str, dict[str, str]]  # address → fingerprint → time of delivery

    def has(self, address: str, fingerprint: str) -> bool:
        return fingerprint in self.received.get(address.casefold(), {})

    def earlier(self, fingerprint: str) -> str | None:
        """The time of the latest delivery of another version of this report, if any."""
        times = [t for versions in self.received.values() for f, t in versions.items() if f != fingerprint]
        return max(times) if times else None


class DeliveryLog:
    """The log file of one reports folder."""

    def __init__(self, out_dir: Path):
        self.path = Path(out_dir) / LOG_NAME

    def records(self) -> list[dict]:
        """Every line that parses (a line cut short by a crash is passed over)."""
        if not self.path.is_file():
            return []
        found = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                found.append(record)
        return found

    def history(self, report: str, records: list[dict] | None = None) -> History:
        """Who has received ``report`` (``<period>/<folder>``), with which fingerprints and when (from
        ``records`` when the caller has read them already)."""
        received: dict[str, dict[str, str]] = {}
        for record in self.records() if records is None else records:
            if record.get("report") != report or not isinstance(record.get("accepted"), list):
                continue
            for address in record["accepted"]:
                versions = received.setdefault(str(address).casefold(), {})
                versions[str(record.get("fingerprint"))] = str(record.get("time", ""))
        return History(received)

    def append(self, record: dict) -> None:
        """Add ``record`` as one line, flushed to disk before returning."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n"
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold ``<out_dir>/.delivery.lock`` for the duration; a second delivery over the same folder meanwhile is
    a :class:`CsreportError` (it would send what the first is sending)."""
    import fcntl

    Path(out_dir).mkdir(parents=True, exist_ok=True)
    with (Path(out_dir) / LOCK_NAME).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CsreportError(f"{Path(out_dir) / LOCK_NAME}: another csreport deliver is running over "
                                f"{out_dir}. Wait for it to end.") from None  # fmt: skip
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
