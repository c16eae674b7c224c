"""One simulated month of contacts and their survey responses.

Arrivals follow annual, weekday and intraday seasonality; phone and chat waits come from an Erlang C queue
whose staff is planned for 80 % in 20 s and reduced by a staffing shortfall; handle times are lognormal;
first-contact resolution depends on channel, agent skill, tenure and training gaps; a contact not resolved at
first contact often brings a repeat contact within days; CSAT is driven by wait, FCR, reopening and escalation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csreport.data.schemas import CHANNELS
from csreport.metrics.erlang import agents_required, sample_waits
from csreport.sample.comments import make_comments
from csreport.sample.hours import ALWAYS_OPEN, QUEUED, ServiceHours, by_unit, open_days, open_queued
from csreport.sample.scenario import CATEGORIES, Scenario

CHANNEL_MIX = np.array([0.40, 0.30, 0.15, 0.11, 0.04])  # in CHANNELS order
CATEGORY_MIX = np.array([0.22, 0.24, 0.18, 0.12, 0.14, 0.10])  # in CATEGORIES order
COMPLAINT_PROB = np.array([0.035, 0.02, 0.045, 0.01, 0.03, 0.02])
CATEGORY_HANDLE = np.array([1.0, 1.3, 0.85, 0.9, 1.0, 1.1])
SEASON = np.array([0.92, 0.85, 0.95, 0.97, 1.0, 1.08, 1.0, 0.98, 1.0, 1.02, 1.22, 1.08])  # Jan..Dec
ANNUAL_GROWTH = 0.06
WEEKDAY = np.array([1.12, 1.08, 1.04, 1.02, 1.0, 0.82, 0.72])  # Mon..Sun
QUEUED_PROFILE = np.r_[
    np.zeros(8), [0.6, 1.0, 1.25, 1.2, 0.9, 1.0, 1.2, 1.15, 1.0, 0.85, 0.7, 0.65, 0.55, 0.4], np.zeros(2)
]
ASYNC_PROFILE = np.r_[[0.2, 0.1, 0.08, 0.06, 0.06, 0.1, 0.3, 0.6], np.full(12, 1.0), [0.9, 0.8, 0.6, 0.4]]
HANDLE_MEDIAN_S = {"phone": 300.0, "chat": 420.0, "email": 480.0, "ticket": 600.0, "social": 240.0}
QUEUE_AHT_S = {"phone": 300.0, "chat": 210.0}  # chat agents hold two chats at once
PATIENCE_MEAN_S = {"phone": 150.0, "chat": 240.0}
FIRST_RESPONSE_MEDIAN_H = {"email": 3.0, "ticket": 5.0, "social": 1.0}
BASE_FCR = {"phone": 0.78, "chat": 0.74, "email": 0.62, "ticket": 0.55, "social": 0.65}
REPEAT_PROB = 0.45
SURVEY_RATE = 0.2
COST_PER_HOUR = 32.0
CHANNEL_FIXED_COST = {"phone": 1.2, "chat": 0.8, "email": 0.6, "ticket": 0.9, "social": 0.5}
SERVICE_TARGET, SERVICE_THRESHOLD_S = 0.80, 20.0
MAX_REDRAWS = 50  # draws of a closed-time arrival before it is moved to the next opening


@dataclass
class Events:
    """Planted events as lookups by (unit, period) and friends."""

    shortfall: dict[tuple[str, str], float] = field(default_factory=dict)
    complaint_spike: dict[tuple[str, str], list[tuple[str, float]]] = field(default_factory=dict)
    csat_drop: dict[tuple[str, str], str] = field(default_factory=dict)
    training_gap: dict[tuple[str, str], float] = field(default_factory=dict)
    channel_shift: dict[str, list[tuple[pd.Period, str, str, float]]] = field(default_factory=dict)
    churn_wave: dict[tuple[str, str], float] = field(default_factory=dict)

    @classmethod
    def of(cls, scenario: Scenario) -> Events:
        ev = cls()
        for e in scenario.events:
            if e.type == "staffing_shortfall":
                ev.shortfall[(e["unit"], e["period"])] = e["percent"] / 100
            elif e.type == "complaint_spike":
                ev.complaint_spike.setdefault((e["unit"], e["period"]), []).append((e["category"], e["factor"]))
            elif e.type == "csat_drop":
                ev.csat_drop[(e["unit"], e["period"])] = e["cause"]
            elif e.type == "training_gap":
                ev.training_gap[(e["team"], e["category"])] = e["fcr_drop"]
            elif e.type == "channel_shift":
                ev.channel_shift.setdefault(e["unit"], []).append(
                    (pd.Period(e["period"], "M"), e["from"], e["to"], e["share"])
                )
            elif e.type == "churn_wave":
                ev.churn_wave[(e["segment"], e["period"])] = e["factor"]
        return ev


def monthly_base_volume(scenario: Scenario) -> float:
    """Primary arrivals per month at season and trend 1, so that the total is about ``scenario.contacts``."""
    periods = scenario.periods
    weights = SEASON[periods.month - 1] * (1 + ANNUAL_GROWTH * np.arange(len(periods)) / 12)
    repeat_share = 0.11  # contacts added by repeats, measured on the default scenario
    return scenario.contacts / (1 + repeat_share) / weights.sum()


def _channel_mix(unit: str, period: pd.Period, index: int, events: Events) -> np.ndarray:
    mix = CHANNEL_MIX.copy()
    drift = min(0.08, 0.003 * index)  # slow long-run move from phone to chat
    mix[0] -= drift
    mix[1] += drift
    for start, src, dst, share in events.channel_shift.get(unit, []):
        if period >= start:
            moved = mix[CHANNELS.index(src)] * share
            mix[CHANNELS.index(src)] -= moved
            mix[CHANNELS.index(dst)] += moved
    return mix / mix.sum()


def _draw_times(rng: np.random.Generator, period: pd.Period, channel: np.ndarray) -> pd.DatetimeIndex:
    days = pd.date_range(period.start_time, periods=period.days_in_month, freq="D")
    day_w = WEEKDAY[days.day_of_week]
    day = rng.choice(len(days), len(channel), p=day_w / day_w.sum())
    queued = np.isin(channel, QUEUED)
    hour = np.where(
        queued,
        rng.choice(24, len(channel), p=QUEUED_PROFILE / QUEUED_PROFILE.sum()),
        rng.choice(24, len(channel), p=ASYNC_PROFILE / ASYNC_PROFILE.sum()),
    )
    seconds = day * 86400 + hour * 3600 + rng.integers(0, 3600, len(channel))
    return pd.DatetimeIndex(period.start_time + pd.to_timedelta(seconds, unit="s"))


def _timestamps(
    rng: np.random.Generator, period: pd.Period, channel: np.ndarray, unit: str, hours: ServiceHours
) -> pd.DatetimeIndex:
    """Creation times: weekday and hour-of-day profiles; phone and chat only while ``unit`` is open (those
    drawn in closed time are drawn again, so the profile is kept within the opening hours)."""
    created = _draw_times(rng, period, channel).to_numpy().copy()
    queued = np.isin(channel, QUEUED)
    for _ in range(MAX_REDRAWS):
        closed = queued & ~hours.is_open(unit, created)
        if not closed.any():
            break
        created[closed] = _draw_times(rng, period, channel[closed]).to_numpy()
    closed = queued & ~hours.is_open(unit, created)
    created[closed] = hours.next_open(unit, created[closed])  # a month with (almost) no opening hours
    return pd.DatetimeIndex(created)


def arrivals(
    scenario: Scenario,
    period: pd.Period,
    index: int,
    rng: np.random.Generator,
    events: Events,
    hours: ServiceHours = ALWAYS_OPEN,
) -> pd.DataFrame:
    """Primary (non-repeat) contacts of the month: unit, channel, category, complaint flag, created_at."""
    season = SEASON[period.month - 1] * (1 + ANNUAL_GROWTH * index / 12)
    base = monthly_base_volume(scenario) * season / sum(u.share for u in scenario.units)
    frames = []
    for unit in scenario.units:
        n = rng.poisson(base * unit.share)
        channel = np.array(CHANNELS)[rng.choice(len(CHANNELS), n, p=_channel_mix(unit.name, period, index, events))]
        cat_mix = CATEGORY_MIX * np.where(np.isin(period.month, [11, 12]) & np.isin(np.arange(6), [2, 4]), 1.3, 1)
        cat = rng.choice(len(CATEGORIES), n, p=cat_mix / cat_mix.sum())
        complaint = rng.random(n) < COMPLAINT_PROB[cat]
        for category, factor in events.complaint_spike.get((unit.name, str(period)), []):
            c = CATEGORIES.index(category)
            extra = rng.poisson((factor - 1) * n * cat_mix[c] / cat_mix.sum() * COMPLAINT_PROB[c])
            extra_channel = np.array(CHANNELS)[rng.choice(len(CHANNELS), extra, p=CHANNEL_MIX)]
            channel, cat = np.r_[channel, extra_channel], np.r_[cat, np.full(extra, c)]
            complaint = np.r_[complaint, np.ones(extra, bool)]
        frames.append(
            pd.DataFrame(
                {
                    "business_unit": unit.name,
                    "channel": channel,
                    "category": np.array(CATEGORIES)[cat],
                    "is_complaint": complaint,
                    "created_at": _timestamps(rng, period, channel, unit.name, hours),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def queue_plan(
    primary: pd.DataFrame,
    period: pd.Period,
    rng: np.random.Generator,
    events: Events,
    hours: ServiceHours = ALWAYS_OPEN,
) -> pd.DataFrame:
    """Erlang load and agents on shift per (unit, channel, weekend, hour) for the month.

    Agents are planned on a forecast with a few percent error for 80 % in 20 s, then reduced by a shortfall. The
    load of an hour is spread over the days the unit is open at that hour (a unit closed on holidays or
    Sundays takes their calls on its other days).
    """
    queued = primary[primary["channel"].isin(["phone", "chat"])]
    days = pd.date_range(period.start_time, periods=period.days_in_month, freq="D")
    n_weekend = int((days.day_of_week >= 5).sum())
    key = pd.DataFrame(
        {
            "business_unit": queued["business_unit"],
            "channel": queued["channel"],
            "weekend": queued["created_at"].dt.day_of_week >= 5,
            "hour": queued["created_at"].dt.hour,
        }
    )
    plan = key.value_counts().rename("arrivals").reset_index()
    n_days = np.where(plan["weekend"], n_weekend, len(days) - n_weekend)
    opened_days = open_days(plan["business_unit"].unique(), days, hours)
    if opened_days is not None:
        opened = plan.merge(opened_days, on=["business_unit", "weekend", "hour"], how="left")["days"]
        n_days = np.maximum(opened.fillna(0).to_numpy(), 1)
    aht = plan["channel"].map(QUEUE_AHT_S)
    plan["load"] = plan["arrivals"] / n_days * aht / 3600
    error = rng.lognormal(0, 0.08, len(plan))
    plan["planned"] = [
        max(1, agents_required(a * e, h, SERVICE_TARGET, SERVICE_THRESHOLD_S))
        for a, e, h in zip(plan["load"], error, aht, strict=True)
    ]
    cut = plan["business_unit"].map(lambda u: events.shortfall.get((u, str(period)), 0.0))
    plan["on_shift"] = plan["planned"] * (1 - cut)  # agent_months takes the same shortfall off the planned hours
    return plan


def _queue_waits(df: pd.DataFrame, plan: pd.DataFrame, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Queue wait (s) and abandoned flag for phone/chat contacts; NaN / <NA> for the other channels."""
    n = len(df)
    wait, abandoned = np.full(n, np.nan), np.full(n, None, dtype=object)
    queued = df["channel"].isin(["phone", "chat"]).to_numpy()
    if not queued.any():
        return wait, abandoned
    q = df.loc[queued, ["business_unit", "channel"]].assign(
        weekend=df.loc[queued, "created_at"].dt.day_of_week >= 5, hour=df.loc[queued, "created_at"].dt.hour
    )
    q = q.merge(plan, on=["business_unit", "channel", "weekend", "hour"], how="left")
    q["load"] = q["load"].fillna(0.05)
    on_shift = q["on_shift"].fillna(1.0).to_numpy()
    agents = np.floor(on_shift) + (rng.random(len(q)) < on_shift % 1)  # a day's rounding of part-staffed hours
    w = sample_waits(rng, q["load"].to_numpy(), agents, q["channel"].map(QUEUE_AHT_S).to_numpy())
    patience = rng.exponential(q["channel"].map(PATIENCE_MEAN_S).to_numpy())
    misdial = (q["channel"].to_numpy() == "phone") & (rng.random(len(q)) < 0.015)
    patience = np.where(misdial, rng.uniform(0, 4, len(q)), patience)
    gave_up = w > patience
    wait[queued] = np.round(np.where(gave_up, patience, w), 1)
    abandoned[queued] = gave_up
    return wait, abandoned


def _assign_agents(df: pd.DataFrame, handled: np.ndarray, agents: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Index into ``agents`` of the agent handling each handled contact (-1 when none), active that day."""
    out = np.full(len(df), -1)
    day = df["created_at"].dt.normalize()
    hire, leave = agents["hire_date"].to_numpy(), agents["leave_date"].to_numpy()
    staying = np.isnat(leave)  # no sentinel date: 9999-12-31 overflows nanoseconds and compared as a past date
    for (unit, d), idx in df[handled].groupby([df.loc[handled, "business_unit"], day[handled]]).groups.items():
        when = d.to_datetime64()
        pool = np.flatnonzero(
            (agents["business_unit"].to_numpy() == unit) & (hire <= when) & (staying | (leave >= when))
        )
        if len(pool):
            out[np.asarray(df.index.get_indexer(idx))] = rng.choice(pool, len(idx))
    return out


def outcomes(
    df: pd.DataFrame,
    plan: pd.DataFrame,
    period: pd.Period,
    agents: pd.DataFrame,
    cutoff: pd.Timestamp,
    rng: np.random.Generator,
    events: Events,
    hours: ServiceHours = ALWAYS_OPEN,
) -> pd.DataFrame:
    """Waits, agent, handle time, first response, resolution, reopening, escalation and cost of each contact.
    Written first responses come a delay of working time after the contact, their resolutions a handle time of
    working time after the first response; other resolutions at the first opening after they are due."""
    df = df.reset_index(drop=True)
    n = len(df)
    unit_period = df["business_unit"] + "|" + str(period)
    wait, abandoned = _queue_waits(df, plan, rng)
    handled = ~(abandoned == True)  # noqa: E712 (object array holding True/False/None)
    agent_idx = _assign_agents(df, handled, agents, rng)
    handled &= agent_idx >= 0
    a = agents.iloc[np.maximum(agent_idx, 0)].reset_index(drop=True)
    tenure_days = (df["created_at"] - a["hire_date"]).dt.days.to_numpy()
    rookie = tenure_days < 90
    channel = df["channel"].to_numpy()
    cat_idx = pd.Categorical(df["category"], categories=CATEGORIES).codes
    handle = (
        np.vectorize(HANDLE_MEDIAN_S.get)(channel)
        * rng.lognormal(0, 0.55, n)
        * a["_aht_mult"].to_numpy()
        * CATEGORY_HANDLE[cat_idx]
        * np.where(rookie, 1.25, 1.0)
    )
    handle = np.minimum(np.round(handle), 4 * 3600.0)
    answered_at = df["created_at"] + pd.to_timedelta(np.nan_to_num(wait), unit="s")
    async_delay_h = np.vectorize(lambda c: FIRST_RESPONSE_MEDIAN_H.get(c, 0.0))(channel) * rng.lognormal(0, 0.9, n)
    short = df["business_unit"].map(lambda u: events.shortfall.get((u, str(period)), 0.0)).to_numpy()
    async_delay_h = async_delay_h / (1 - short)
    queued = np.isin(channel, QUEUED)
    units = df["business_unit"].to_numpy()
    written = by_unit(units, lambda u, rows: hours.add_working(u, df["created_at"].to_numpy()[rows],
                                                               async_delay_h[rows] * 3600))  # fmt: skip
    first_response = np.where(queued, answered_at.to_numpy(), written)
    gap = np.array([events.training_gap.get((t, c), 0.0) for t, c in zip(a["team"], df["category"], strict=True)])
    cause = unit_period.map(lambda k: events.csat_drop.get(tuple(k.split("|")))).to_numpy()
    p_fcr = (
        np.vectorize(BASE_FCR.get)(channel)
        + a["_fcr_skill"].to_numpy()
        - 0.10 * rookie
        - gap
        - 0.10 * df["is_complaint"].to_numpy()
        - 0.35 * (cause == "fcr")
    )
    fcr = rng.random(n) < np.clip(p_fcr, 0.05, 0.98)
    later_days = rng.lognormal(np.log(1.5), 0.8, n)
    # a call or chat is resolved as it ends; written work in working time; a later resolution at an opening
    at_first = np.where(
        queued,
        (pd.DatetimeIndex(first_response) + pd.to_timedelta(handle, unit="s")).to_numpy(),
        by_unit(units, lambda u, rows: hours.add_working(u, first_response[rows], handle[rows])),
    )
    due = (df["created_at"] + pd.to_timedelta(later_days, unit="D")).to_numpy()
    later = by_unit(units, lambda u, rows: hours.next_open(u, due[rows]))
    resolved_at = pd.DatetimeIndex(np.where(fcr, at_first, later))
    eventually = fcr | (rng.random(n) < 0.92)
    resolved = handled & eventually & (resolved_at <= cutoff)
    p_reopen = (0.04 + 0.04 * ~fcr) * np.where(cause == "reopen", 10.0, 1.0)
    reopened = resolved & (rng.random(n) < p_reopen)
    escalated = handled & (rng.random(n) < 0.03 + 0.05 * (cat_idx == 1) + 0.10 * df["is_complaint"].to_numpy())
    cost = handle / 3600 * COST_PER_HOUR + np.vectorize(CHANNEL_FIXED_COST.get)(channel)
    first_response = pd.DatetimeIndex(first_response)
    out = df.assign(
        agent_id=np.where(handled, a["agent_id"], None),
        queue_wait_s=wait,
        abandoned=pd.array(abandoned, dtype="boolean"),
        first_response_at=first_response.where(handled & (first_response <= cutoff)),
        handle_s=np.where(handled, handle, np.nan),
        resolved_at=resolved_at.where(resolved),
        resolved=resolved,
        first_contact_resolution=pd.array(np.where(handled, fcr & resolved, None), dtype="boolean"),
        reopened=reopened,
        escalated=escalated,
        cost=np.where(handled, np.round(cost, 2), np.nan),
        _csat_skill=a["_csat_skill"].to_numpy(),
        _handled=handled,
    )
    return out


def repeats(
    df: pd.DataFrame, cutoff: pd.Timestamp, rng: np.random.Generator, hours: ServiceHours = ALWAYS_OPEN
) -> pd.DataFrame:
    """Repeat contacts of customers whose contact was not resolved at first contact (0.3–6 days later; a call
    or chat at the unit's next opening when it is closed then)."""
    not_fcr = df["_handled"] & ~df["first_contact_resolution"].fillna(False).astype(bool) & df["customer_id"].notna()
    src = df[not_fcr.to_numpy() & (rng.random(len(df)) < REPEAT_PROB)]
    created = src["created_at"] + pd.to_timedelta(rng.uniform(0.3, 6, len(src)), unit="D")
    created = pd.Series(open_queued(src["business_unit"].to_numpy(), src["channel"].to_numpy(),
                                    created.to_numpy(), hours), index=src.index)  # fmt: skip
    out = src[["business_unit", "channel", "category", "is_complaint", "customer_id", "_customer_idx"]].assign(
        created_at=created.to_numpy()
    )
    return out[out["created_at"] <= cutoff]


def surveys(df: pd.DataFrame, cutoff: pd.Timestamp, rng: np.random.Generator) -> pd.DataFrame:
    """Survey responses to handled contacts: CSAT from wait, FCR, reopening, escalation; NPS and CES follow."""
    handled = df[df["_handled"].to_numpy() & (rng.random(len(df)) < SURVEY_RATE)]
    n = len(handled)
    wait = np.minimum(handled["queue_wait_s"].fillna(0).to_numpy(), 900)
    fcr = handled["first_contact_resolution"].fillna(False).to_numpy(bool)
    latent = (
        4.15
        + 0.45 * fcr
        - 1.1 * handled["reopened"].to_numpy()
        - 0.45 * handled["escalated"].to_numpy()
        - 0.0025 * wait
        - 0.35 * handled["is_complaint"].to_numpy()
        - 0.25 * ~handled["resolved"].to_numpy()
        + handled["_csat_skill"].to_numpy()
        + rng.normal(0, 0.75, n)
    )
    csat = np.clip(np.round(latent), 1, 5).astype(int)
    nps = np.clip(np.round(2.2 * csat - 1.2 + rng.normal(0, 1.3, n)), 0, 10).astype(int)
    ces = np.clip(
        np.round(
            1.3 * csat + 0.3 - 0.002 * wait - 0.6 * handled["escalated"].to_numpy() - 0.4 * ~fcr + rng.normal(0, 0.9, n)
        ),
        1,
        7,
    ).astype(int)
    base = handled["resolved_at"].fillna(handled["first_response_at"]).fillna(handled["created_at"])
    responded = base + pd.to_timedelta(rng.exponential(6, n), unit="h")
    out = pd.DataFrame(
        {
            "responded_at": responded.to_numpy(),
            "business_unit": handled["business_unit"].to_numpy(),
            "contact_id": handled["contact_id"].to_numpy(),
            "customer_id": handled["customer_id"].to_numpy(),
            "csat": csat,
            "nps": nps,
            "ces": ces,
            "comment": make_comments(rng, handled["category"].to_numpy(), csat),
        }
    )
    return out[out["responded_at"] <= cutoff].reset_index(drop=True)
