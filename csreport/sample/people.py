"""Simulated customers and agents (with attrition and replacement hiring)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csreport.sample.scenario import SEGMENTS, Scenario

SEGMENT_SHARE = [0.55, 0.30, 0.15]
SEGMENT_SPEND_MEDIAN = [60.0, 180.0, 600.0]
SEGMENT_CONTACT_RATE = [1.0, 1.1, 1.3]
GENDERS = ["female", "male", "other", "unknown"]
GENDER_SHARE = [0.49, 0.48, 0.01, 0.02]
REGIONS = {
    "east": ["Shanghai", "Jiangsu", "Zhejiang"],
    "west": ["Sichuan", "Chongqing", "Shaanxi"],
    "north": ["Beijing", "Tianjin", "Hebei"],
    "south": ["Guangdong", "Fujian", "Hainan"],
}
AGENT_MONTHLY_LEAVE_RATE = 0.018
VOLUNTARY_SHARE = 0.75


def _days(rng: np.random.Generator, start: pd.Timestamp, end: pd.Timestamp, size: int) -> pd.DatetimeIndex:
    span = max(1, (end - start).days)
    return pd.DatetimeIndex(start + pd.to_timedelta(rng.integers(0, span, size), unit="D"))


def make_customers(scenario: Scenario, rng: np.random.Generator) -> pd.DataFrame:
    """Customers with unit, segment, spend, demographics, signup date and a contact propensity."""
    n = scenario.customers
    first = scenario.periods[0].start_time
    units = np.array([u.name for u in scenario.units])
    unit_idx = rng.choice(
        len(units), n, p=np.array([u.share for u in scenario.units]) / sum(u.share for u in scenario.units)
    )
    seg = rng.choice(3, n, p=SEGMENT_SHARE)
    new = rng.random(n) < 0.2
    signup = np.where(
        new,
        _days(rng, first, scenario.end.end_time.normalize(), n),
        _days(rng, first - pd.DateOffset(years=6), first - pd.Timedelta(days=1), n),
    )
    regions = [REGIONS.get(u, [f"{u} region {c}" for c in "ABC"]) for u in units]
    region = np.array([regions[u][k] for u, k in zip(unit_idx, rng.integers(0, 3, n), strict=True)])
    return pd.DataFrame(
        {
            "customer_id": [f"U{i:07d}" for i in range(1, n + 1)],
            "business_unit": units[unit_idx],
            "signup_date": pd.DatetimeIndex(signup).normalize(),
            "age": np.clip(rng.normal(40, 13, n), 18, 85).round().astype(int),
            "gender": np.array(GENDERS)[rng.choice(4, n, p=GENDER_SHARE)],
            "region": region,
            "segment": np.array(SEGMENTS)[seg],
            "monthly_spend": np.round(np.array(SEGMENT_SPEND_MEDIAN)[seg] * rng.lognormal(0, 0.45, n), 2),
            "_propensity": rng.gamma(0.8, 1.25, n) * np.array(SEGMENT_CONTACT_RATE)[seg],
            "_segment_idx": seg,
        }
    )


def make_agents(scenario: Scenario, rng: np.random.Generator, shortfall: dict[tuple[str, str], float]) -> pd.DataFrame:
    """Agent roster over the scenario window: initial staff, monthly leavers, replacements next month.

    Leaving is likelier in a month of staff shortfall (``shortfall`` maps (unit, period) → share missing).
    Hidden skill columns (``_fcr_skill``, ``_aht_mult``, ``_csat_skill``) drive contact outcomes.
    """
    total_share = sum(u.share for u in scenario.units)
    first = scenario.periods[0].start_time
    rows: list[dict] = []

    def hire(unit: str, team: str, hire_date: pd.Timestamp) -> dict:
        row = {
            "agent_id": f"A{len(rows) + 1:04d}",
            "business_unit": unit,
            "team": team,
            "hire_date": hire_date.normalize(),
            "leave_date": pd.NaT,
            "leave_type": None,
            "_fcr_skill": rng.normal(0, 0.05),
            "_aht_mult": rng.lognormal(0, 0.15),
            "_csat_skill": rng.normal(0, 0.15),
        }
        rows.append(row)
        return row

    active: list[dict] = []
    for unit in scenario.units:
        headcount = max(unit.teams, round(scenario.agents * unit.share / total_share))
        for k in range(headcount):
            tenure_days = int(rng.exponential(900)) + 30
            active.append(hire(unit.name, unit.team_names[k % unit.teams], first - pd.Timedelta(days=tenure_days)))
    for period in scenario.periods:
        start, days = period.start_time, period.days_in_month
        leavers = []
        for row in active:
            rate = AGENT_MONTHLY_LEAVE_RATE * (2.0 if shortfall.get((row["business_unit"], str(period))) else 1.0)
            if rng.random() < rate:
                leave = start + pd.Timedelta(days=int(rng.integers(0, days)))
                row["leave_date"] = max(leave, row["hire_date"]).normalize()
                row["leave_type"] = "voluntary" if rng.random() < VOLUNTARY_SHARE else "involuntary"
                leavers.append(row)
        if period == scenario.periods[-1]:
            break
        for row in leavers:
            active.remove(row)
            next_start = (period + 1).start_time
            active.append(
                hire(row["business_unit"], row["team"], next_start + pd.Timedelta(days=int(rng.integers(0, 10))))
            )
    return pd.DataFrame(rows)
