"""Drivers of satisfaction: which contact factors move CSAT, by how much, with uncertainty.

Model (statsmodels OLS with heteroscedasticity-robust HC3 errors): CSAT (1–5) on queue wait (minutes, capped at
15), handle time (minutes), first-contact resolution, reopened, escalated, agent tenure (months) and, as
groups of dummies, channel and category; every factor is controlled for all the others present. The effect
of a numeric factor is reported per standard deviation (CSAT points for a typical change), of a yes/no factor
for yes against no. Importance of a factor (or a dummy group) is the drop in R² when it is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from csreport.analyses.result import AnalysisResult
from csreport.metrics.calls import counted

NUMERIC = {"wait_min": "queue wait", "handle_min": "handle time", "tenure_months": "agent tenure"}
BINARY = {"first_contact_resolution": "resolved at first contact", "reopened": "reopened", "escalated": "escalated"}
GROUPS = {"channel": "channel", "category": "category"}


@dataclass(frozen=True)
class DriverResult(AnalysisResult):
    effects: pd.DataFrame  # factor, label, effect (CSAT points), low, high, p_value, per, importance
    r_squared: float
    n: int
    controlled_for: list[str]
    reason: str | None = None


def driver_frame(surveys: pd.DataFrame, contacts: pd.DataFrame, agents: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per survey with a CSAT score and its contact's factors."""
    columns = ["contact_id", "created_at", "queue_wait_s", "handle_s", "agent_id", *BINARY, *GROUPS]
    frame = surveys.loc[surveys["csat"].notna(), ["contact_id", "csat"]].merge(
        contacts[[c for c in columns if c in contacts.columns]], on="contact_id", how="inner"
    )
    if "queue_wait_s" in frame.columns:
        frame["wait_min"] = np.minimum(frame["queue_wait_s"].fillna(0), 900) / 60
    if "handle_s" in frame.columns:
        frame["handle_min"] = frame["handle_s"] / 60
    if agents is not None and not agents.empty and "agent_id" in frame.columns:
        hired = frame["agent_id"].map(agents.set_index("agent_id")["hire_date"])
        frame["tenure_months"] = (frame["created_at"] - hired).dt.days / 30.44
    for flag in BINARY:
        if flag in frame.columns:
            frame[flag] = frame[flag].astype("boolean").astype(float)
    return frame


@counted("drivers")
def satisfaction_drivers(frame: pd.DataFrame, confidence: float = 0.95, min_responses: int = 200) -> DriverResult:
    """Standardised effects of each factor on CSAT with confidence intervals, and drop-one R² importance."""
    numeric = [c for c in NUMERIC if c in frame.columns]
    binary = [c for c in BINARY if c in frame.columns]
    groups = [c for c in GROUPS if c in frame.columns]
    data = frame.dropna(subset=["csat", *numeric, *binary])
    factors = numeric + binary + groups
    if len(data) < min_responses or not factors:
        return DriverResult(
            pd.DataFrame(),
            float("nan"),
            len(data),
            [],
            f"not enough data: {len(data)} surveys with their contact's factors, need {min_responses}",
        )

    def design(drop: str | None = None) -> pd.DataFrame:
        x = data[[c for c in numeric + binary if c != drop]].astype(float)
        for g in groups:
            if g != drop:
                x = x.join(pd.get_dummies(data[g].astype(str), prefix=g, drop_first=True, dtype=float))
        x = x.loc[:, x.std() > 0]
        return sm.add_constant(x, has_constant="add")

    y = data["csat"].astype(float)
    full = sm.OLS(y, design()).fit(cov_type="HC3")
    ci = full.conf_int(alpha=1 - confidence)
    rows = []
    for factor in numeric + binary:
        if factor not in full.params.index:
            continue
        scale = float(data[factor].std()) if factor in numeric else 1.0
        rows.append(
            {
                "factor": factor,
                "label": NUMERIC.get(factor) or BINARY[factor],
                "effect": full.params[factor] * scale,
                "low": ci.loc[factor, 0] * scale,
                "high": ci.loc[factor, 1] * scale,
                "p_value": float(full.pvalues[factor]),
                "per": f"1 SD ({scale:.1f})" if factor in numeric else "yes vs no",
            }
        )
    for group in groups:
        dummies = [p for p in full.params.index if p.startswith(f"{group}_")]
        p_value = (
            float(
                full.wald_test(
                    np.eye(len(full.params))[[full.params.index.get_loc(d) for d in dummies]], scalar=True
                ).pvalue
            )
            if dummies
            else np.nan
        )
        rows.append(
            {
                "factor": group,
                "label": GROUPS[group],
                "effect": np.nan,
                "low": np.nan,
                "high": np.nan,
                "p_value": p_value,
                "per": "joint test of its categories",
            }
        )
    effects = pd.DataFrame(rows)
    effects["importance"] = [full.rsquared - sm.OLS(y, design(drop=f)).fit().rsquared for f in effects["factor"]]
    effects = effects.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)
    return DriverResult(
        effects, float(full.rsquared), len(data), [NUMERIC.get(f) or BINARY.get(f) or GROUPS[f] for f in factors]
    )
