"""The work of ``csreport deliver`` (and of ``csreport batch --deliver``): resolve periods, units and the
delivery file, hold the delivery lock, plan, send or write the dry run, and return the outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from csreport.data.periods import PERIOD_PATTERN, check_period
from csreport.data.store import ALL_UNITS
from csreport.delivery.config import DeliveryConfig, load_delivery
from csreport.delivery.deliver import Outcome, plan, run
from csreport.delivery.journal import locked
from csreport.delivery.smtp import Mailer, SmtpServer, server_from_env
from csreport.errors import ParameterError
from csreport.language import i18n
from csreport.pipeline.runparams import report_folder


@dataclass
class Delivery:
    """The outcomes of one delivery, and what it was about."""

    config: DeliveryConfig
    periods: list[str]
    units: list[str]
    outcomes: list[Outcome]
    server: SmtpServer | None  # None in a dry run
    outbox: Path | None

    @property
    def without_readers(self) -> list[str]:
        """The units asked for that ``delivery.yml`` names no readers for."""
        return [u for u in self.units if u not in self.config.readers]

    @property
    def attention(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.needs_attention]


def report_folders(out_dir: Path, period: str) -> list[str]:
    """The units with a report folder (finished or failed) of ``period`` under ``out_dir``."""
    folder = Path(out_dir) / period
    if not folder.is_dir():
        return []
    names = set()
    for path in folder.iterdir():
        if not path.is_dir() or path.name.startswith("."):
            continue
        name = path.name.removesuffix(".failed")
        for lang in i18n.LANGUAGES:  # east.zh → east (report_folder's naming)
            suffix = report_folder("", lang)
            name = name.removesuffix(suffix) if suffix else name
        names.add(name)
    return sorted(names)


def latest_period(out_dir: Path) -> str:
    """The latest period with a report folder under ``out_dir``."""
    periods = sorted(
        p.name for p in Path(out_dir).glob("*") if PERIOD_PATTERN.match(p.name) and report_folders(out_dir, p.name)
    )
    if not periods:
        raise ParameterError(f"--periods latest: {out_dir} holds no reports. Run csreport batch first, or pass --out.")
    return periods[-1]


def resolve_periods(out_dir: Path, period: str | None, periods: str | None) -> list[str]:
    """``--period YYYY-MM`` or ``--periods`` (a range, a list or ``latest``, parsed like ``csreport batch``)."""
    from csreport.pipeline.batch import expand_periods

    if period and periods:
        raise ParameterError("pass --period or --periods, not both.")
    if not period and not periods:
        raise ParameterError("no period: pass --period 2026-10, or --periods 2026-09:2026-10 or latest.")
    if period:
        return [check_period(period)]
    if periods.strip() == "latest":
        return [latest_period(out_dir)]
    return [check_period(p) for p in expand_periods(periods)]


def resolve_units(text: str | None, config: DeliveryConfig, out_dir: Path, periods: list[str]) -> list[str]:
    """``--units`` as ``csreport batch`` reads it: ``all`` (every unit with readers or reports, and the
    all-units report) or a list; a listed unit must have readers in the delivery file."""
    from csreport.pipeline.batch import expand_units

    known = {u for u in config.readers if u != ALL_UNITS}
    known |= {u for p in periods for u in report_folders(out_dir, p) if u != ALL_UNITS}
    text = text or ALL_UNITS
    listed = [u.strip() for u in text.split(",") if u.strip()]
    if text.strip() != ALL_UNITS:
        without = [u for u in listed if u not in config.readers]
        if without:
            raise ParameterError(f"--units {text}: {config.path} names no readers for {', '.join(without)}. Add them "
                                 f"under units:, or choose from {', '.join(config.units) or 'none'}.")  # fmt: skip
        known |= set(listed)
    return expand_units(text, sorted(known))


def preflight(delivery_file: Path, environ: dict[str, str] | None = None) -> SmtpServer:
    """Check the delivery file and the mail server's settings before a batch spends its time on the reports:
    the configuration errors :func:`deliver_reports` would raise, raised now."""
    load_delivery(delivery_file)
    return server_from_env(environ)


def deliver_reports(
    out_dir: Path,
    delivery_file: Path,
    periods: list[str],
    units: str | list[str] | None,
    force: bool = False,
    dry_run: bool = False,
    allow_partial: bool = False,
    outbox: Path | None = None,
    environ: dict[str, str] | None = None,
) -> Delivery:
    """Deliver the reports of ``periods`` × ``units`` under ``out_dir`` to the readers of ``delivery_file``.

    A dry run writes ``.eml`` files to ``outbox`` (default ``<out_dir>/_outbox``) and needs no mail server;
    otherwise the server comes from the environment (``environ``, default ``os.environ``). ``units`` is
    ``--units`` text (:func:`resolve_units`) or the list of units a batch ran. Configuration errors are raised
    before anything is sent."""
    out_dir = Path(out_dir)
    config = load_delivery(delivery_file)
    chosen = units if isinstance(units, list) else resolve_units(units, config, out_dir, periods)
    server = None if dry_run else server_from_env(environ)
    outbox = (outbox or out_dir / "_outbox") if dry_run else None
    with locked(out_dir):
        items = plan(out_dir, periods, chosen, config, force=force, allow_partial=allow_partial)
        if dry_run:
            outcomes = run(items, config, out_dir, outbox=outbox)
        else:
            with Mailer(server, config.timeout_s, config.retries, config.backoff_s) as mailer:
                outcomes = run(items, config, out_dir, mailer=mailer)
    return Delivery(config, periods, chosen, outcomes, server, outbox)
