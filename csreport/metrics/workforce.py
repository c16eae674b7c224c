"""Workforce KPIs: headcount, attrition (annualised, voluntary share), tenure, occupancy, training, QA and
employee satisfaction. Inputs: agents (roster) and agent_months of one period × unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csreport.measure import Measure, mean, quantile, rate
from csreport.metrics.service import DEFAULT, missing
from csreport.schemas import SATISFACTION_DIMENSIONS
from csreport.store import parse_period
from csreport.targets import Parameters


def _employed_on(agents: pd.DataFrame, day: pd.Timestamp) -> int:
    leave = agents["leave_date"] if "leave_date" in agents.columns else pd.Series(pd.NaT, agents.index)
    return int(((agents["hire_date"] <= day) & (leave.isna() | (leave > day))).sum())


def average_headcount(agents: pd.DataFrame, period: str, months: int = 1) -> Measure:
    """Mean of the headcounts on the first day of each month of the window and the day after it (agents)."""
    reason = missing(agents, "hire_date", table="agents")
    if reason:
        return Measure.unavailable("headcount", "count", reason)
    end = parse_period(period)
    days = [(end - k).start_time for k in range(months - 1, -1, -1)] + [(end + 1).start_time]
    counts = [_employed_on(agents, d) for d in days]
    return Measure(
        "headcount",
        float(np.mean(counts)),
        len(agents),
        "count",
        method="mean of month-start headcounts and the window end",
    )


def attrition(
    agents: pd.DataFrame, period: str, months: int = 1, params: Parameters = DEFAULT
) -> tuple[Measure, Measure]:
    """Annualised attrition = leavers in the window / average headcount × 12 / months (ratio per year), and
    the voluntary share of leavers (ratio)."""
    reason = missing(agents, "hire_date", "leave_date", table="agents")
    if reason:
        return (
            Measure.unavailable("attrition_annualised", "ratio", reason),
            Measure.unavailable("voluntary_share", "ratio", reason),
        )
    end = parse_period(period)
    start, stop = (end - (months - 1)).start_time, (end + 1).start_time
    leavers = agents[(agents["leave_date"] >= start) & (agents["leave_date"] < stop)]
    headcount = average_headcount(agents, period, months)
    if not headcount.value:
        annual = Measure.unavailable("attrition_annualised", "ratio", "no agents employed in the window")
    else:
        annual = Measure(
            "attrition_annualised",
            len(leavers) / headcount.value * 12 / months,
            int(round(headcount.value)),
            "ratio",
            numerator=float(len(leavers)),
            method=f"leavers / average headcount × 12 / {months}",
        )
    if "leave_type" not in agents.columns:
        share = Measure.unavailable("voluntary_share", "ratio", "agents has no leave_type column")
    else:
        share = rate(
            "voluntary_share",
            (leavers["leave_type"] == "voluntary").sum(),
            len(leavers),
            confidence=params.confidence,
            method="voluntary leavers / leavers",
            empty_reason="no leavers in the window",
        )
    return annual, share


def tenure_months(agents: pd.DataFrame, period: str, params: Parameters = DEFAULT) -> Measure:
    """Median tenure in months (days / 30.44) of agents employed at the end of the period."""
    reason = missing(agents, "hire_date", table="agents")
    if reason:
        return Measure.unavailable("tenure_median_months", "months", reason)
    day = (parse_period(period) + 1).start_time
    leave = agents["leave_date"] if "leave_date" in agents.columns else pd.Series(pd.NaT, agents.index)
    employed = agents[(agents["hire_date"] <= day) & (leave.isna() | (leave > day))]
    months = ((day - employed["hire_date"]).dt.days / 30.44).to_numpy(float)
    return quantile(
        "tenure_median_months",
        months,
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
