"""Workforce KPIs: headcount, attrition (trailing twelve months, voluntary share), leavers, tenure, occupancy,
training, QA and employee satisfaction. Inputs: agents (roster) and agent_months of one period × unit.

Attrition on the scorecard is over the twelve months ending with the period, not one month × 12: in a unit of
49 agents one leaver in a month moves a monthly rate × 12 by 24 points. With less history than that (the data's
span, :class:`csreport.data.store.Coverage`) the window is the months with data, annualised, and says so."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from csreport.data.periods import parse_period
from csreport.data.schemas import SATISFACTION_DIMENSIONS
from csreport.data.store import Coverage
from csreport.metrics.dates import micros, micros_of
from csreport.metrics.measure import Measure, mean, quantile, rate
from csreport.metrics.service import DEFAULT, missing
from csreport.metrics.targets import Parameters

_NEVER = np.iinfo(np.int64).max
#: months of the attrition window on the scorecard (trailing twelve months)
TRAILING_MONTHS = 12


@dataclass(frozen=True)
class AgentRoster:
    """Hire and leave dates as int64 microseconds (a missing leave date is never), converted once for many
    periods, with the leave types."""

    hire: np.ndarray
    leave: np.ndarray
    leave_type: np.ndarray | None
    has_leave: bool

    @classmethod
    def of(cls, agents: pd.DataFrame | AgentRoster) -> AgentRoster:
        if isinstance(agents, AgentRoster):
            return agents
        leave_type = agents["leave_type"].to_numpy(dtype=object) if "leave_type" in agents.columns else None
        return cls(
            micros(agents, "hire_date", _NEVER),
            micros(agents, "leave_date", _NEVER),
            leave_type,
            "leave_date" in agents.columns,
        )

    def __len__(self) -> int:
        return len(self.hire)

    def employed_on(self, day: pd.Timestamp) -> np.ndarray:
        t = micros_of(day)
        return (self.hire <= t) & (self.leave > t)


def _has(agents: pd.DataFrame | AgentRoster, column: str) -> bool:
    if isinstance(agents, AgentRoster):
        return column != "leave_date" or agents.has_leave
    return column in agents.columns


def average_headcount(agents: pd.DataFrame | AgentRoster, period: str, months: int = 1) -> Measure:
    """Mean of the headcounts on the first day of each month of the window and the day after it (agents)."""
    if not _has(agents, "hire_date"):
        return Measure.unavailable("headcount", "count", "agents has no hire_date column")
    roster = AgentRoster.of(agents)
    end = parse_period(period)
    days = [(end - k).start_time for k in range(months - 1, -1, -1)] + [(end + 1).start_time]
    counts = [int(roster.employed_on(d).sum()) for d in days]
    return Measure(
        "headcount",
        float(np.mean(counts)),
        len(roster),
        "count",
        method="mean of month-start headcounts and the window end",
    )


@dataclass(frozen=True)
class Window:
    """The months an attrition figure covers: ``months`` (first to last, whole or cut by the data's end),
    ``start`` … ``stop`` (timestamps, stop exclusive) and ``exposure``, the months observed (a month the data's
    end cuts counts by its days with data: 24 of 31 days = 0.77). ``wanted``: the months asked for."""

    months: tuple[pd.Period, ...]
    start: pd.Timestamp
    stop: pd.Timestamp
    exposure: float
    wanted: int

    @property
    def complete(self) -> bool:
        """True when the window has all the months asked for, whole."""
        return len(self.months) == self.wanted and self.exposure == self.wanted

    def describe(self) -> str:
        first, last = self.months[0], self.months[-1]
        if self.complete:
            return f"{self.wanted} months {first}–{last}"
        return f"{self.exposure:.2f} of {self.wanted} months with data, {first}–{last} (to {self.stop.date()})"


def attrition_window(period: str, months: int = TRAILING_MONTHS, span: Coverage | None = None) -> Window | None:
    """The ``months`` months ending with ``period``, cut to the data's span ``span`` (months before its first
    day are left out; its last month ends at the data's last day); None when no month of it has data."""
    end = parse_period(period)
    wanted = [end - k for k in range(months - 1, -1, -1)]
    chosen = [m for m in wanted if span is None or span.days(str(m)) > 0]
    if not chosen:
        return None
    stop = (end + 1).start_time
    if span is not None:
        stop = min(stop, span.last_day + pd.Timedelta(days=1))
    exposure = sum(min(1.0, max(0.0, (stop - m.start_time) / pd.Timedelta(days=m.days_in_month))) for m in chosen)
    return Window(tuple(chosen), chosen[0].start_time, stop, round(exposure, 6), months)


def _garwood(leavers: int, confidence: float) -> tuple[float, float]:
    """Exact Poisson interval of a count (Garwood): χ² quantiles of 2k and 2k + 2 degrees of freedom, halved."""
    alpha = 1 - confidence
    low = stats.chi2.ppf(alpha / 2, 2 * leavers) / 2 if leavers else 0.0
    return float(low), float(stats.chi2.ppf(1 - alpha / 2, 2 * leavers + 2) / 2)


def attrition(
    agents: pd.DataFrame | AgentRoster,
    period: str,
    months: int = TRAILING_MONTHS,
    params: Parameters = DEFAULT,
    span: Coverage | None = None,
) -> tuple[Measure, Measure]:
    """Agent attrition over the ``months`` months ending with ``period`` (default twelve), a ratio per year:
    leavers in the window / average headcount (of the headcounts on each month's first day and the day after the
    window) × 12 / months observed. Over twelve whole months that is leavers / average headcount, no × 12 of a
    single month. ``span``: the data's span; months before it are left out and a month its end cuts counts by
    its days (:func:`attrition_window`), and the method says so. Interval: the exact Poisson (Garwood) interval
    of the leavers, scaled the same way. Also the voluntary share of the window's leavers (ratio)."""
    if not (_has(agents, "hire_date") and _has(agents, "leave_date")):
        reason = "agents has no " + ", ".join(c for c in ("hire_date", "leave_date") if not _has(agents, c)) + " column"
        return (
            Measure.unavailable("attrition_annualised", "ratio", reason),
            Measure.unavailable("voluntary_share", "ratio", reason),
        )
    window = attrition_window(period, months, span)
    if window is None:
        reason = "no month of the window within the data"
        return (
            Measure.unavailable("attrition_annualised", "ratio", reason),
            Measure.unavailable("voluntary_share", "ratio", reason),
        )
    roster = AgentRoster.of(agents)
    start, stop = micros_of(window.start), micros_of(window.stop)
    leaving = (roster.leave >= start) & (roster.leave < stop)
    leavers = int(leaving.sum())
    days = [m.start_time for m in window.months] + [window.stop]
    headcount = float(np.mean([int(roster.employed_on(d).sum()) for d in days]))
    if not headcount:
        annual = Measure.unavailable("attrition_annualised", "ratio", "no agents employed in the window")
    else:
        scale = 12 / window.exposure / headcount  # leavers → leavers per agent and year
        low, high = _garwood(leavers, params.confidence)
        annual = Measure(
            "attrition_annualised",
            leavers * scale,
            int(round(headcount)),
            "ratio",
            low * scale,
            high * scale,
            numerator=float(leavers),
            method=f"leavers / average headcount × 12 / months observed; {window.describe()}",
        )
    if roster.leave_type is None:
        share = Measure.unavailable("voluntary_share", "ratio", "agents has no leave_type column")
    else:
        share = rate(
            "voluntary_share",
            int((roster.leave_type[leaving] == "voluntary").sum()),
            leavers,
            confidence=params.confidence,
            method="voluntary leavers / leavers",
            empty_reason="no leavers in the window",
        )
    return annual, share


def leavers(agents: pd.DataFrame | AgentRoster, period: str, span: Coverage | None = None) -> Measure:
    """Agents whose leave_date falls in ``period`` (count; up to the data's last day when ``span`` cuts the
    month); n/a for a month outside the data."""
    if not (_has(agents, "hire_date") and _has(agents, "leave_date")):
        reason = "agents has no " + ", ".join(c for c in ("hire_date", "leave_date") if not _has(agents, c)) + " column"
        return Measure.unavailable("leavers", "count", reason)
    window = attrition_window(period, 1, span)
    if window is None:
        return Measure.unavailable("leavers", "count", "no month of the window within the data")
    roster = AgentRoster.of(agents)
    start, stop = micros_of(window.start), micros_of(window.stop)
    count = int(((roster.leave >= start) & (roster.leave < stop)).sum())
    return Measure("leavers", float(count), count, "count", method="agents whose leave_date is in the month",
                   kind="count")  # fmt: skip


def tenure_months(agents: pd.DataFrame | AgentRoster, period: str, params: Parameters = DEFAULT) -> Measure:
    """Median tenure in months (days / 30.44) of agents employed at the end of the period."""
    if not _has(agents, "hire_date"):
        return Measure.unavailable("tenure_median_months", "months", "agents has no hire_date column")
    roster = AgentRoster.of(agents)
    day = (parse_period(period) + 1).start_time
    employed = roster.employed_on(day)
    days = (micros_of(day) - roster.hire[employed]) / 86_400e6
    return quantile(
        "tenure_median_months",
        days / 30.44,
        0.5,
        "months",
        confidence=params.confidence,
        method="median tenure of agents employed at period end",
        empty_reason="no agents employed",
    )


def occupancy(contacts: pd.DataFrame, agent_months: pd.DataFrame) -> Measure:
    """Occupancy = handle hours (sum of handle_s / 3600 of the period's contacts) / available hours (sum of
    agent_months.available_hours), ratio."""
    reason = missing(contacts, "handle_s")
    if reason:
        return Measure.unavailable("occupancy", "ratio", reason)
    total = float(contacts["handle_s"].sum())
    return occupancy_from_hours(Measure("handle_seconds", total, len(contacts), "s"), agent_months)


def occupancy_from_hours(handle_seconds: Measure, agent_months: pd.DataFrame) -> Measure:
    """Occupancy from the period's total handle seconds (a Measure) and its agent_months, ratio."""
    reason = handle_seconds.reason or missing(agent_months, "available_hours", table="agent_months")
    if reason or not handle_seconds.available:
        return Measure.unavailable("occupancy", "ratio", reason or "no handle times")
    available = float(agent_months["available_hours"].sum())
    if available <= 0:
        return Measure.unavailable("occupancy", "ratio", "no available hours recorded")
    handle_hours = handle_seconds.value / 3600
    return Measure(
        "occupancy",
        handle_hours / available,
        len(agent_months),
        "ratio",
        numerator=handle_hours,
        method="handle hours / available hours",
    )


def _agent_month_mean(
    agent_months: pd.DataFrame, column: str, name: str, unit: str, params: Parameters, method: str
) -> Measure:
    reason = missing(agent_months, column, table="agent_months")
    if reason:
        return Measure.unavailable(name, unit, reason)
    return mean(
        name,
        agent_months[column].to_numpy(float),
        unit,
        confidence=params.confidence,
        method=method,
        empty_reason="no agent-months",
    )


def training_hours(agent_months: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Mean training hours per agent-month (hours)."""
    return _agent_month_mean(agent_months, "training_hours", "training_hours", "hours", params, "mean per agent-month")


def qa_score(agent_months: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Mean quality-assurance score (0–100) over agent-months."""
    return _agent_month_mean(agent_months, "qa_score", "qa_score", "score", params, "mean over agent-months")


def employee_satisfaction(agent_months: pd.DataFrame, params: Parameters = DEFAULT) -> dict[str, Measure]:
    """Mean employee satisfaction (1–5), overall and per dimension (environment, workload, pay, growth)."""
    out = {
        "employee_satisfaction": _agent_month_mean(
            agent_months, "satisfaction", "employee_satisfaction", "score", params, "mean over agent-months"
        )
    }
    for dim in SATISFACTION_DIMENSIONS:
        name = f"employee_satisfaction_{dim}"
        out[name] = _agent_month_mean(
            agent_months, f"satisfaction_{dim}", name, "score", params, "mean over agent-months"
        )
    return out
