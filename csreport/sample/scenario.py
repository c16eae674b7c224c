"""Scenario files (``params/scenarios/*.yml``): the simulated operation and the events planted in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from csreport.data.schemas import CHANNELS
from csreport.errors import ParameterError
from csreport.params_file import read_params_file

SEGMENTS = ["basic", "plus", "premium"]
CATEGORIES = ["billing", "technical", "delivery", "account", "returns", "product"]
# causes of a csat_drop that move CSAT in the generated rows. "wait" was dropped: fewer agents lengthen the
# waits, but the callers who wait long hang up (and leave no survey), so CSAT moved by less than 0.1 point;
# staffing_shortfall is the event for waits.
CSAT_CAUSES = ["reopen", "fcr"]

#: event type → required parameters and their Python types
EVENT_PARAMS: dict[str, dict[str, type]] = {
    "staffing_shortfall": {"unit": str, "period": str, "percent": float},
    "complaint_spike": {"unit": str, "period": str, "category": str, "factor": float},
    "csat_drop": {"unit": str, "period": str, "cause": str},
    "training_gap": {"team": str, "category": str, "fcr_drop": float},
    "channel_shift": {"unit": str, "period": str, "from": str, "to": str, "share": float},
    "churn_wave": {"segment": str, "period": str, "factor": float},
}


@dataclass(frozen=True)
class Unit:
    name: str
    share: float
    teams: int

    @property
    def team_names(self) -> list[str]:
        return [f"{self.name}-{k + 1}" for k in range(self.teams)]


@dataclass(frozen=True)
class Event:
    """One planted event: its type and parameters (e.g. unit, period, category)."""

    type: str
    params: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    end: pd.Period
    months: int
    timezone: str
    contacts: int
    customers: int
    agents: int
    units: list[Unit]
    events: list[Event] = field(default_factory=list)
    bad_row_share: float = 0.002
    path: str | None = None
    #: the business-hour calendars the units work (a calendars file, csreport.data.calendars); None: always open
    calendars: str | None = None

    @property
    def periods(self) -> pd.PeriodIndex:
        return pd.period_range(end=self.end, periods=self.months, freq="M")

    def with_overrides(self, contacts: int | None = None, seed: int | None = None) -> Scenario:
        """The scenario at another scale or seed; customers grow with contacts beyond the default scale."""
        from dataclasses import replace

        out = self
        if contacts is not None:
            customers = max(self.customers, round(self.customers * contacts / self.contacts))
            agents = max(self.agents, round(self.agents * contacts / self.contacts / 4))
            out = replace(out, contacts=contacts, customers=customers, agents=agents)
        if seed is not None:
            out = replace(out, seed=seed)
        return out


def _fail(path: Path, msg: str) -> ParameterError:
    return ParameterError(f"{path}: {msg}")


def _check_event(path: Path, i: int, raw: dict, units: set[str], teams: set[str], periods: set[str]) -> Event:
    kind = raw.get("type")
    if kind not in EVENT_PARAMS:
        raise _fail(path, f"event {i + 1} has type {kind!r}; types: {', '.join(EVENT_PARAMS)}.")
    params = {k: v for k, v in raw.items() if k != "type"}
    spec = EVENT_PARAMS[kind]
    missing = [k for k in spec if k not in params]
    if missing:
        raise _fail(path, f"event {i + 1} ({kind}) lacks {', '.join(missing)}.")
    unknown = set(params) - set(spec)
    if unknown:
        raise _fail(path, f"event {i + 1} ({kind}) has unknown keys {sorted(unknown)}; keys: {', '.join(spec)}.")
    for key, typ in spec.items():
        value = str(params[key]) if typ is str else params[key]
        if typ is float and not isinstance(value, int | float):
            raise _fail(path, f"event {i + 1} ({kind}): {key} must be a number, got {value!r}.")
        params[key] = typ(value)
    checks = {
        "unit": (units, "units"),
        "team": (teams, "teams"),
        "period": (periods, "months of the scenario"),
        "category": (set(CATEGORIES), "categories"),
        "segment": (set(SEGMENTS), "segments"),
        "cause": (set(CSAT_CAUSES), "causes"),
        "from": (set(CHANNELS), "channels"),
        "to": (set(CHANNELS), "channels"),
    }
    for key, (allowed, what) in checks.items():
        if key in params and params[key] not in allowed:
            raise _fail(
                path,
                f"event {i + 1} ({kind}): {key} {params[key]!r} is not one of the {what} "
                f"({', '.join(sorted(allowed))}).",
            )
    return Event(kind, params)


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; every problem is a :class:`ParameterError` naming the file."""
    path = Path(path)
    raw = read_params_file(path, "scenario file", "See params/scenarios/default.yml.")
    try:
        end = pd.Period(str(raw["end"]), freq="M")
        units = [Unit(str(n), float(u["share"]), int(u["teams"])) for n, u in raw["units"].items()]
        scenario = Scenario(
            name=str(raw.get("name", path.stem)),
            seed=int(raw["seed"]),
            end=end,
            months=int(raw.get("months", 24)),
            timezone=str(raw.get("timezone", "Asia/Shanghai")),
            contacts=int(raw.get("contacts", 250_000)),
            customers=int(raw.get("customers", 30_000)),
            agents=int(raw.get("agents", 160)),
            units=units,
            bad_row_share=float(raw.get("bad_row_share", 0.002)),
            path=str(path),
            calendars=str(path.parent / str(raw["calendars"])) if raw.get("calendars") else None,
        )
    except KeyError as exc:
        raise _fail(path, f"missing key {exc}; see params/scenarios/default.yml.") from None
    except (TypeError, ValueError) as exc:
        raise _fail(path, f"invalid value ({exc}).") from None
    if scenario.months < 13:
        raise _fail(path, "months must be at least 13 (a year-over-year comparison needs them).")
    teams = {t for u in units for t in u.team_names}
    periods = {str(p) for p in scenario.periods}
    events = [
        _check_event(path, i, e, {u.name for u in units}, teams, periods) for i, e in enumerate(raw.get("events") or [])
    ]
    if scenario.calendars is not None and not Path(scenario.calendars).is_file():
        raise _fail(
            path,
            f"calendars: {raw['calendars']} not found (looked for {scenario.calendars}); name a calendars file "
            "relative to the scenario file, e.g. ../calendars.yml, or leave the key out (units always open).",
        )
    return Scenario(**{**scenario.__dict__, "events": events})
