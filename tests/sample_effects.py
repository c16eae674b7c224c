"""The effect of each planted event measured in the generated rows, for tests/test_sample.py: each function
takes the data directory and the event's ground-truth record and returns what the rows show, with the
standard deviation of count-based ratios (delta method) so that tests allow for sampling noise only."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd


def _month(frame: pd.DataFrame, column: str = "created_at") -> pd.Series:
    return frame[column].dt.to_period("M").astype(str)


def _before(period: str, k: int = 6) -> list[str]:
    p = pd.Period(period, "M")
    return [str(p - i) for i in range(k, 0, -1)]


def staffing_shortfall(data: Path, e: dict) -> float:
    """Available agent hours of the unit in the month / the median of its previous 6 months, divided by the same
    ratio of the other units (which removes the season): expected 1 − percent / 100."""
    hours = pd.read_parquet(data / "agent_months.parquet").merge(
        pd.read_parquet(data / "agents.parquet", columns=["agent_id", "business_unit"]), on="agent_id"
    )
    by = hours.assign(own=hours["business_unit"] == e["unit"]).groupby(["own", "period"])["available_hours"].sum()
    ratio = {own: by[own][e["period"]] / by[own].reindex(_before(e["period"])).median() for own in (True, False)}
    return float(ratio[True] / ratio[False])


def complaint_spike(data: Path, e: dict) -> tuple[float, float]:
    """Complaints of the category in the unit-month / those expected without the spike (the category's
    complaints per contact of the other categories in the unit's other months × that month's other contacts)."""
    c = pd.read_parquet(data / "contacts.parquet", columns=["created_at", "business_unit", "category", "is_complaint"])
    c = c[c["business_unit"] == e["unit"]]
    now = (_month(c) == e["period"]).to_numpy()
    hit = ((c["category"] == e["category"]) & c["is_complaint"].fillna(False).astype(bool)).to_numpy()
    other = (c["category"] != e["category"]).to_numpy()
    observed, expected = hit[now].sum(), hit[~now].sum() / other[~now].sum() * other[now].sum()
    ratio = observed / expected
    return float(ratio), float(ratio * math.sqrt(1 / observed + 1 / hit[~now].sum()))


def csat_drop(data: Path, e: dict) -> tuple[float, float, float]:
    """CSAT of the unit-month's surveyed contacts minus that of its previous 6 months with its standard error,
    and the cause's own measure against the same months: reopen rate ratio (reopen) or FCR difference (fcr)."""
    c = pd.read_parquet(data / "contacts.parquet")
    c = c[c["business_unit"] == e["unit"]].assign(month=lambda d: _month(d))
    s = pd.read_parquet(data / "surveys.parquet", columns=["contact_id", "csat"]).merge(c[["contact_id", "month"]])
    now_csat = s.loc[s["month"] == e["period"], "csat"]
    before_csat = s.loc[s["month"].isin(_before(e["period"])), "csat"]
    drop = now_csat.mean() - before_csat.mean()
    se = math.sqrt(now_csat.var() / len(now_csat) + before_csat.var() / len(before_csat))
    now, prev = c[c["month"] == e["period"]], c[c["month"].isin(_before(e["period"]))]
    if e["cause"] == "reopen":
        cause = now["reopened"].mean() / prev["reopened"].mean()
    else:
        cause = now["first_contact_resolution"].mean() - prev["first_contact_resolution"].mean()
    return float(drop), se, float(cause)


def training_gap(data: Path, e: dict) -> float:
    """FCR of the team in the category minus that of the other teams of its unit in the category (all months)."""
    agents = pd.read_parquet(data / "agents.parquet", columns=["agent_id", "team", "business_unit"])
    c = pd.read_parquet(data / "contacts.parquet", columns=["agent_id", "category", "first_contact_resolution"])
    c = c[c["category"] == e["category"]].merge(agents, on="agent_id").dropna(subset=["first_contact_resolution"])
    c = c[c["business_unit"] == e["unit"]]
    fcr, team = c["first_contact_resolution"].astype(float), c["team"] == e["team"]
    return float(fcr[team].mean() - fcr[~team].mean())


def channel_shift(data: Path, e: dict) -> float:
    """Share of the 'from' channel in the unit in the 3 months from the period / the 3 months before, divided by
    the same ratio of the other units (the slow drift all units share): expected 1 − share."""
    c = pd.read_parquet(data / "contacts.parquet", columns=["created_at", "business_unit", "channel"])
    month, p = _month(c), pd.Period(e["period"], "M")
    frame = pd.DataFrame({"own": c["business_unit"] == e["unit"], "src": c["channel"] == e["from"]})
    after = frame[month.isin([str(p + i) for i in range(3)])].groupby("own")["src"].mean()
    before = frame[month.isin(_before(e["period"], 3))].groupby("own")["src"].mean()
    return float((after[True] / before[True]) / (after[False] / before[False]))


def churn_wave(data: Path, e: dict) -> tuple[float, float]:
    """Churn rate of the segment in the period / its pooled rate over the previous 6 months."""
    cu = pd.read_parquet(data / "customers.parquet")
    cu = cu[cu["segment"] == e["segment"]]

    def counts(period: str) -> tuple[int, int]:
        m = pd.Period(period, "M")
        active = (cu["signup_date"] < m.start_time) & (cu["churn_date"].isna() | (cu["churn_date"] >= m.start_time))
        return int((active & (cu["churn_date"] < (m + 1).start_time)).sum()), int(active.sum())

    gone, active = counts(e["period"])
    history = np.array([counts(p) for p in _before(e["period"])]).sum(axis=0)
    ratio = (gone / active) / (history[0] / history[1])
    return float(ratio), float(ratio * math.sqrt(1 / gone + 1 / history[0]))


EFFECTS = {
    "staffing_shortfall": staffing_shortfall,
    "complaint_spike": complaint_spike,
    "csat_drop": csat_drop,
    "training_gap": training_gap,
    "channel_shift": channel_shift,
    "churn_wave": churn_wave,
}
