"""Staffing need by Erlang C per interval, with shrinkage, compared with the staff on hand.

Load per interval = mean arrivals in that interval of the day (per weekday or weekend day with data: days of
the month on which any contact was created, so that a month cut off by the data's end or with missing days is
not diluted by days that have no data) × AHT / interval length (Erlangs). Agents required = the fewest for
which Erlang C meets the service-level target; scheduled positions = required / (1 − shrinkage). Erlang C
ignores abandonment (callers who hang up free the queue), so it leans to over-staffing when abandonment is
high; treat the requirement as an upper estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csreport.analyses.result import AnalysisResult
from csreport.data.periods import parse_period
from csreport.metrics import erlang
from csreport.metrics.calls import counted


@dataclass(frozen=True)
class StaffingNeed(AnalysisResult):
    """Per (channel, day type, interval) requirement table and a per-channel summary, or why there is none."""

    intervals: pd.DataFrame
    summary: pd.DataFrame
    reason: str | None = None


def interval_loads(
    contacts: pd.DataFrame, period: str, channels: tuple[str, ...] = ("phone", "chat"), interval_minutes: int = 30
) -> pd.DataFrame:
    """Mean arrivals per interval (per day of the type with data), AHT (s) of the channel's handled contacts,
    and load in Erlangs, per channel, day type (weekday / weekend) and interval start (minutes after midnight).

    ``contacts``: the month's contacts of every channel (their dates tell which days have data); ``days``
    per day type is in the column of that name."""
    month = parse_period(period)
    created_all = contacts["created_at"]
    in_month = created_all[(created_all >= month.start_time) & (created_all < (month + 1).start_time)]
    days = pd.DatetimeIndex(in_month.dt.normalize().unique())
    day_count = {"weekday": int((days.day_of_week < 5).sum()), "weekend": int((days.day_of_week >= 5).sum())}
    queued = contacts[contacts["channel"].isin(channels)]
    columns = ["channel", "day_type", "interval", "contacts", "days", "arrivals", "aht_s", "load"]
    if queued.empty:
        return pd.DataFrame(columns=columns)
    handled = queued[queued["handle_s"].notna()] if "handle_s" in queued.columns else queued.iloc[0:0]
    aht = handled.groupby("channel")["handle_s"].mean()
    created = queued["created_at"]
    frame = pd.DataFrame(
        {
            "channel": queued["channel"].to_numpy(),
            "day_type": np.where(created.dt.day_of_week >= 5, "weekend", "weekday"),
            "interval": (created.dt.hour * 60 + created.dt.minute) // interval_minutes * interval_minutes,
        }
    )
    loads = frame.value_counts().rename("contacts").reset_index()
    loads["days"] = loads["day_type"].map(day_count).clip(lower=1)
    loads["arrivals"] = loads["contacts"] / loads["days"]
    loads["aht_s"] = loads["channel"].map(aht)
    loads["load"] = loads["arrivals"] * loads["aht_s"] / (interval_minutes * 60)
    return loads.sort_values(["channel", "day_type", "interval"]).reset_index(drop=True)


@counted("staffing")
def staffing_need(
    contacts: pd.DataFrame,
    period: str,
    target_level: float = 0.8,
    threshold_s: float = 20.0,
    shrinkage: float = 0.3,
    interval_minutes: int = 30,
    channels: tuple[str, ...] = ("phone", "chat"),
    agents_on_hand: float | None = None,
) -> StaffingNeed:
    """Agents required per interval for ``target_level`` answered within ``threshold_s`` seconds, predicted
    service level, ASA and occupancy at that staffing, and scheduled positions after ``shrinkage``.

    ``agents_on_hand``: average agents actually available per open interval (e.g. from agent_months'
    available hours); the summary then shows the gap (on hand − required, negative = short).
    """
    if not {"channel", "created_at", "handle_s"} <= set(contacts.columns):
        return StaffingNeed(
            pd.DataFrame(), pd.DataFrame(), "not enough data: contacts need channel, created_at and handle_s"
        )
    loads = interval_loads(contacts, period, channels, interval_minutes)
    loads = loads[loads["aht_s"].notna() & (loads["load"] > 0)]
    if loads.empty:
        return StaffingNeed(pd.DataFrame(), pd.DataFrame(), "not enough data: no handled phone or chat contacts")
    required = [
        erlang.agents_required(a, h, target_level, threshold_s)
        for a, h in zip(loads["load"], loads["aht_s"], strict=True)
    ]
    loads = loads.assign(required=required)
    loads["service_level"] = [
        erlang.service_level(a, n, h, threshold_s)
        for a, n, h in zip(loads["load"], loads["required"], loads["aht_s"], strict=True)
    ]
    loads["asa_s"] = [
        erlang.average_speed_of_answer(a, n, h)
        for a, n, h in zip(loads["load"], loads["required"], loads["aht_s"], strict=True)
    ]
    loads["occupancy"] = loads["load"] / loads["required"]
    loads["scheduled"] = [erlang.scheduled_positions(n, shrinkage) for n in loads["required"]]
    summary = (
        loads.groupby("channel")
        .agg(
            peak_required=("required", "max"),
            mean_required=("required", "mean"),
            peak_scheduled=("scheduled", "max"),
            mean_scheduled=("scheduled", "mean"),
            mean_load=("load", "mean"),
        )
        .reset_index()
    )
    if agents_on_hand is not None:
        total_required = float(loads.groupby(["day_type", "interval"])["scheduled"].sum().mean())
        summary = summary.assign(
            on_hand=agents_on_hand, total_mean_scheduled=total_required, gap=agents_on_hand - total_required
        )
    return StaffingNeed(loads, summary)
