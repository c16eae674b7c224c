"""Erlang C queueing formulas for a contact queue (M/M/N, infinite patience).

Erlang C assumes nobody abandons, so it overstates waiting and leans to over-staffing when customers hang up.
Load ``A`` is in Erlangs (arrival rate × mean handle time, both in the same time unit); times are seconds.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def waiting_probability(load: float, agents: int) -> float:
    """Erlang C: probability that a contact waits, P(W > 0); 1.0 when ``agents <= load`` (unstable queue)."""
    if load <= 0:
        return 0.0
    if agents <= load:
        return 1.0
    # iterative Erlang B avoids factorial overflow, then convert B to C
    erlang_b = 1.0
    for n in range(1, agents + 1):
        erlang_b = load * erlang_b / (n + load * erlang_b)
    rho = load / agents
    return erlang_b / (1 - rho + rho * erlang_b)


def service_level(load: float, agents: int, handle_s: float, threshold_s: float) -> float:
    """Share of contacts answered within ``threshold_s`` seconds: 1 − P(W>0)·exp(−(N − A)·T / AHT)."""
    if agents <= load:
        return 0.0
    pw = waiting_probability(load, agents)
    return 1.0 - pw * math.exp(-(agents - load) * threshold_s / handle_s)


def average_speed_of_answer(load: float, agents: int, handle_s: float) -> float:
    """Mean wait in seconds: P(W>0)·AHT / (N − A); infinite when ``agents <= load``."""
    if agents <= load:
        return math.inf
    return waiting_probability(load, agents) * handle_s / (agents - load)


def agents_required(
    load: float, handle_s: float, target_level: float, threshold_s: float, max_agents: int = 100_000
) -> int:
    """Fewest agents N with service level ≥ ``target_level`` (e.g. 0.8 answered within 20 s)."""
    if load <= 0:
        return 0
    agents = max(1, math.floor(load) + 1)
    while service_level(load, agents, handle_s, threshold_s) < target_level:
        agents += 1
        if agents > max_agents:
            raise ValueError(f"more than {max_agents} agents needed for a load of {load} Erlangs")
    return agents


def scheduled_positions(agents: int, shrinkage: float) -> int:
    """Agents to schedule so that ``agents`` are on the phones after shrinkage (0–1): ceil(N / (1 − s))."""
    if not 0 <= shrinkage < 1:
        raise ValueError(f"shrinkage must be in [0, 1), got {shrinkage}")
    return math.ceil(round(agents / (1 - shrinkage), 9))


def sample_waits(
    rng: np.random.Generator,
    load: np.ndarray,
    agents: np.ndarray,
    handle_s: np.ndarray,
    overload_mean_s: float = 900.0,
) -> np.ndarray:
    """Draw one queue wait in seconds per contact, each with its own load (Erlangs), agents and AHT (s):
    it waits with probability P(W>0), then for Exp(AHT / (N − A)) seconds. A contact in an unstable queue
    (``agents <= load``) waits Exp(``overload_mean_s``)."""
    load, handle_s = np.asarray(load, float), np.asarray(handle_s, float)
    agents = np.asarray(agents).astype(int)
    codes, states = pd.factorize(pd.MultiIndex.from_arrays([load, agents]))
    p_wait = np.array([waiting_probability(a, n) for a, n in states])[codes]  # one Erlang C per queue state
    stable = agents > load
    mean_wait = np.where(stable, handle_s / np.maximum(agents - load, 1e-9), overload_mean_s)
    return np.where(rng.random(len(load)) < np.where(stable, p_wait, 1.0), rng.exponential(mean_wait), 0.0)
