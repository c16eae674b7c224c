"""Agent performance that is fair to small samples: empirical-Bayes shrinkage toward the team and
funnel-plot control limits.

Rates (FCR): each team's beta prior is fitted to its agents by the method of moments; an agent's estimate is
the posterior mean (x + α) / (n + α + β), so an agent with 12 contacts moves little from the team rate and is
not ranked worst on noise. Means (AHT): the agent mean is shrunk toward the team mean with weight
n / (n + σ² / τ²), σ² the within-agent variance and τ² the between-agent variance. Funnel limits:
p₀ ± z·√(p₀(1 − p₀) / n) around the team rate, at 95 % and 99.8 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from csreport.analyses.result import AnalysisResult
from csreport.metrics.calls import counted, frame_digest

FUNNEL_LEVELS = (0.95, 0.998)


@dataclass(frozen=True)
class AgentRanking(AnalysisResult):
    """Per-agent table (agent_id, team, n, raw, shrunk, funnel limits, flag, rank) or the reason it is empty."""

    table: pd.DataFrame
    metric: str
    reason: str | None = None


def _beta_prior(successes: np.ndarray, trials: np.ndarray) -> tuple[float, float]:
    """Method-of-moments beta prior (α, β) for the agents' rates; a flat-ish prior when they barely vary."""
    p = successes.sum() / trials.sum()
    rates = successes / trials
    weights = trials / trials.sum()
    variance = float(np.sum(weights * (rates - p) ** 2))
    # with weights n_i / N, binomial noise alone gives an expected weighted variance of p(1 − p) · k / N
    binomial = p * (1 - p) * len(trials) / trials.sum()
    between = max(variance - binomial, 1e-6)
    strength = max(p * (1 - p) / between - 1, 1.0)  # α + β: how many contacts the prior is worth
    return p * strength, (1 - p) * strength


def _missing_inputs(contacts: pd.DataFrame, agents: pd.DataFrame, column: str) -> str | None:
    """Why a ranking of ``column`` per agent cannot be made, or None."""
    absent = sorted({"agent_id", column} - set(contacts.columns))
    if not absent and (agents.empty or "team" not in agents.columns):
        absent = ["agents.team"]
    return f"not enough data: no {', '.join(absent)}" if absent else None


def _per_agent(
    contacts: pd.DataFrame, agents: pd.DataFrame, column: str, **aggregates: str
) -> tuple[pd.DataFrame, str | None]:
    """Per-agent ``aggregates`` of ``column`` with each agent's team, or why there are not enough agents."""
    reason = _missing_inputs(contacts, agents, column)
    if reason:
        return pd.DataFrame(), reason
    known = contacts.loc[contacts["agent_id"].notna() & contacts[column].notna(), ["agent_id", column]]
    per_agent = known.groupby("agent_id")[column].agg(**aggregates).reset_index()
    per_agent = per_agent.merge(agents[["agent_id", "team"]], on="agent_id", how="inner")
    if len(per_agent) < 2:
        return per_agent, "not enough data: fewer than two agents with contacts"
    return per_agent, None


def _ranked(table: pd.DataFrame, higher_is_better: bool) -> pd.DataFrame:
    """Sorted by the shrunk estimate, best first, with a 1-based rank."""
    table = table.sort_values("shrunk", ascending=not higher_is_better, kind="stable").reset_index(drop=True)
    return table.assign(rank=np.arange(1, len(table) + 1))


@counted("agent_ranking", by=lambda contacts, column, *a, **k: f"{column} {frame_digest(contacts)}")
def rate_ranking(
    contacts: pd.DataFrame, success: str, agents: pd.DataFrame, metric: str = "fcr_rate", higher_is_better: bool = True
) -> AgentRanking:
    """Shrunk per-agent rate of the boolean column ``success`` (e.g. first_contact_resolution) within teams."""
    per_agent, reason = _per_agent(contacts, agents, success, successes="sum", n="count")
    if reason:
        return AgentRanking(pd.DataFrame(), metric, reason)
    rows = []
    for _team, group in per_agent.groupby("team"):
        x, n = group["successes"].to_numpy(float), group["n"].to_numpy(float)
        alpha, beta = _beta_prior(x, n) if len(group) > 1 else (1.0, 1.0)
        p0 = x.sum() / n.sum()
        out = group.assign(raw=x / n, shrunk=(x + alpha) / (n + alpha + beta), team_rate=p0)
        for level in FUNNEL_LEVELS:
            z = stats.norm.ppf(0.5 + level / 2)
            half = z * np.sqrt(p0 * (1 - p0) / n)
            out[f"low_{level}"], out[f"high_{level}"] = np.clip(p0 - half, 0, 1), np.clip(p0 + half, 0, 1)
        rows.append(out)
    table = pd.concat(rows, ignore_index=True)
    outer = FUNNEL_LEVELS[-1]
    below, above = table["raw"] < table[f"low_{outer}"], table["raw"] > table[f"high_{outer}"]
    table["flag"] = np.select([below, above], ["low", "high"], "within")
    return AgentRanking(_ranked(table.drop(columns=["successes"]), higher_is_better), metric)


def mean_ranking(
    contacts: pd.DataFrame, value: str, agents: pd.DataFrame, metric: str = "aht_s", higher_is_better: bool = False
) -> AgentRanking:
    """Shrunk per-agent mean of ``value`` (e.g. handle_s) toward the team mean (normal–normal shrinkage)."""
    per_agent, reason = _per_agent(contacts, agents, value, raw="mean", var="var", n="count")
    if reason:
        return AgentRanking(pd.DataFrame(), metric, reason)
    rows = []
    for _team, group in per_agent.groupby("team"):
        n = group["n"].to_numpy(float)
        team_mean = float(np.average(group["raw"], weights=n))
        within = float(np.nanmean(group["var"])) if group["var"].notna().any() else 0.0
        # weighted spread of the agent means minus what within-agent noise alone gives (σ² · k / N)
        spread = float(np.average((group["raw"] - team_mean) ** 2, weights=n))
        between = max(spread - within * len(n) / n.sum(), 1e-9)
        weight = n / (n + within / between) if within > 0 else np.ones_like(n)
        rows.append(
            group.assign(shrunk=team_mean + weight * (group["raw"] - team_mean), team_mean=team_mean, weight=weight)
        )
    table = pd.concat(rows, ignore_index=True)
    return AgentRanking(_ranked(table.drop(columns=["var"]), higher_is_better), metric)


@counted("training_needs", by=lambda contacts, *a, **k: frame_digest(contacts))
def training_needs(
    contacts: pd.DataFrame, agents: pd.DataFrame, min_sample: int = 30, confidence: float = 0.95
) -> pd.DataFrame:
    """Team × category FCR against the rest of the same unit: team rate, rest-of-unit rate, gap (points of
    rate), n, two-proportion z-test p-value and whether the gap is a significant shortfall. Rows sorted by gap
    (largest shortfall first); pairs below ``min_sample`` contacts are kept and flagged small."""
    needed = {"agent_id", "category", "first_contact_resolution", "business_unit"}
    if not needed <= set(contacts.columns) or agents.empty:
        return pd.DataFrame()
    known = contacts.loc[
        contacts["first_contact_resolution"].notna() & contacts["agent_id"].notna(),
        ["agent_id", "category", "first_contact_resolution", "business_unit"],
    ]
    known = known.merge(agents[["agent_id", "team"]], on="agent_id", how="inner")
    known["fcr"] = known["first_contact_resolution"].astype(bool)
    cells = known.groupby(["business_unit", "team", "category"])["fcr"].agg(x="sum", n="count").reset_index()
    unit = known.groupby(["business_unit", "category"])["fcr"].agg(ux="sum", un="count").reset_index()
    cells = cells.merge(unit, on=["business_unit", "category"])
    rest_x, rest_n = cells["ux"] - cells["x"], cells["un"] - cells["n"]
    cells["team_rate"] = cells["x"] / cells["n"]
    cells["rest_rate"] = np.where(rest_n > 0, rest_x / rest_n.where(rest_n > 0, 1), np.nan)
    cells["gap"] = cells["team_rate"] - cells["rest_rate"]
    pooled = (cells["x"] + rest_x) / (cells["n"] + rest_n)
    se = np.sqrt(pooled * (1 - pooled) * (1 / cells["n"] + 1 / rest_n.where(rest_n > 0, np.nan)))
    z = cells["gap"] / se.where(se > 0, np.nan)
    cells["p_value"] = 2 * stats.norm.sf(np.abs(z))
    cells["small_sample"] = cells["n"] < min_sample
    cells["significant_shortfall"] = (cells["gap"] < 0) & (cells["p_value"] < 1 - confidence) & ~cells["small_sample"]
    return (
        cells.drop(columns=["ux", "un"])
        .rename(columns={"x": "resolved"})
        .sort_values("gap", kind="stable")
        .reset_index(drop=True)
    )


@dataclass(frozen=True)
class TrainingLink(AnalysisResult):
    """Spearman rank correlation between agents' training hours and their shrunk performance estimate."""

    rho: float
    p_value: float
    agents: int
    reason: str | None = None


def training_link(ranking: pd.DataFrame, agent_months: pd.DataFrame, min_agents: int = 10) -> TrainingLink:
    """Rank correlation (Spearman ρ, two-sided p) across agents between training hours summed over
    ``agent_months`` and the ``shrunk`` estimate of :func:`rate_ranking` / :func:`mean_ranking`. An association,
    not an effect: better agents may also be sent to more training."""
    if ranking.empty or "training_hours" not in agent_months.columns:
        return TrainingLink(np.nan, np.nan, 0, "not enough data: needs agent rankings and training hours")
    hours = agent_months.groupby("agent_id")["training_hours"].sum()
    frame = ranking[["agent_id", "shrunk"]].assign(hours=ranking["agent_id"].map(hours)).dropna()
    if len(frame) < min_agents or frame["hours"].nunique() < 2:
        return TrainingLink(np.nan, np.nan, len(frame), f"not enough data: {len(frame)} agents, need {min_agents}")
    rho, p = stats.spearmanr(frame["hours"], frame["shrunk"])
    return TrainingLink(float(rho), float(p), len(frame))
