"""Satisfaction → loyalty: does churn follow dissatisfaction and repeated contacts?

Survey-anchored: each customer's first survey response in the ``months`` months ending with ``period`` is one
observation; the outcome is churn within ``outcome_days`` after that response (responses whose follow-up runs
past the data cut-off are left out, so nobody counts as retained for lack of time). Factors: the CSAT band of
that response (1–2 dissatisfied, 3 neutral, 4–5 satisfied), the customer's contacts and complaints in the
``lookback_days`` up to the response, and segment. Reported: churn rate per CSAT band and per contact count
with Wilson intervals, and a logistic model (statsmodels) whose odds ratios come with confidence intervals;
each factor is controlled for the others. The population is survey respondents, not all customers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.stats.proportion import proportion_confint

from csreport.analyses.result import AnalysisResult
from csreport.data.periods import parse_period
from csreport.metrics.calls import counted

CSAT_BANDS = ["dissatisfied (1–2)", "neutral (3)", "satisfied (4–5)"]
CONTACT_BANDS = ["0", "1", "2", "3+"]


@dataclass(frozen=True)
class LoyaltyResult(AnalysisResult):
    by_csat: pd.DataFrame  # band, churned, customers, churn_rate, low, high
    by_contacts: pd.DataFrame
    odds_ratios: pd.DataFrame  # term, odds_ratio, low, high, p_value
    customers: int
    reason: str | None = None


def _rates(frame: pd.DataFrame, band: str, order: list[str], confidence: float) -> pd.DataFrame:
    table = frame.groupby(band, observed=False)["churned"].agg(churned="sum", customers="count").reindex(order)
    table = table.fillna(0).astype(int).reset_index().rename(columns={band: "band"})
    seen = table["customers"] > 0
    trials = table["customers"].clip(lower=1)
    low, high = proportion_confint(table["churned"], trials, alpha=1 - confidence, method="wilson")
    table["churn_rate"] = np.where(seen, table["churned"] / trials, np.nan)
    rate = table["churned"] / trials  # Wilson ends can sit a rounding error inside the rate (1e-17 at 0 events)
    low, high = np.minimum(low, rate), np.maximum(high, rate)
    table["low"], table["high"] = np.where(seen, low, np.nan), np.where(seen, high, np.nan)
    return table


@counted("loyalty")
def loyalty(
    customers: pd.DataFrame,
    surveys: pd.DataFrame,
    contacts: pd.DataFrame,
    period: str,
    months: int = 6,
    outcome_days: int = 90,
    lookback_days: int = 90,
    confidence: float = 0.95,
    min_customers: int = 100,
) -> LoyaltyResult:
    """Churn after a survey response by CSAT band and by recent contacts, and logistic odds ratios."""
    empty = pd.DataFrame()
    needed_surveys = {"customer_id", "csat", "responded_at"}
    if customers.empty or "churn_date" not in customers.columns or not needed_surveys <= set(surveys.columns):
        return LoyaltyResult(
            empty,
            empty,
            empty,
            0,
            "not enough data: needs customers with churn_date and surveys with customer_id and csat",
        )
    end = (parse_period(period) + 1).start_time
    start = (parse_period(period) - (months - 1)).start_time
    cutoff = contacts["created_at"].max() if not contacts.empty else end
    follow = pd.Timedelta(days=outcome_days)
    answered = surveys[
        surveys["customer_id"].notna()
        & surveys["csat"].notna()
        & (surveys["responded_at"] >= start)
        & (surveys["responded_at"] < end)
        & (surveys["responded_at"] + follow <= cutoff)
    ]
    first = answered.sort_values("responded_at", kind="stable").drop_duplicates("customer_id")
    people = customers.set_index("customer_id")
    first = first[first["customer_id"].isin(people.index)]
    churn = first["customer_id"].map(people["churn_date"])
    first = first[churn.isna() | (churn >= first["responded_at"])]  # still a customer when answering
    churn = first["customer_id"].map(people["churn_date"])
    frame = pd.DataFrame(
        {
            "customer_id": first["customer_id"].to_numpy(),
            "csat": first["csat"].astype(float).to_numpy(),
            "churned": (churn < first["responded_at"] + follow).fillna(False).to_numpy(bool),
        }
    )
    if "segment" in people.columns:
        frame["segment"] = frame["customer_id"].map(people["segment"]).to_numpy()
    if len(frame) < min_customers:
        return LoyaltyResult(
            empty,
            empty,
            empty,
            len(frame),
            f"not enough data: {len(frame)} survey respondents with {outcome_days} days of follow-up, "
            f"need {min_customers}",
        )
    recent = _recent_contacts(contacts, first, lookback_days)
    frame["contacts"] = recent["contacts"].to_numpy()
    if "complaints" in recent.columns:
        frame["complaints"] = recent["complaints"].to_numpy()
    score = frame["csat"].to_numpy(float)
    frame["csat_band"] = pd.Categorical(
        np.select([score <= 2, score == 3], CSAT_BANDS[:2], CSAT_BANDS[2]), categories=CSAT_BANDS
    )
    frame["contact_band"] = pd.Categorical(
        np.where(frame["contacts"] >= 3, "3+", frame["contacts"].astype(str)), categories=CONTACT_BANDS
    )
    return LoyaltyResult(
        _rates(frame, "csat_band", CSAT_BANDS, confidence),
        _rates(frame, "contact_band", CONTACT_BANDS, confidence),
        _odds_ratios(frame, confidence),
        len(frame),
    )


def _recent_contacts(contacts: pd.DataFrame, responses: pd.DataFrame, lookback_days: int) -> pd.DataFrame:
    """Contacts (and complaints) of each respondent in the ``lookback_days`` up to the response."""
    out = pd.DataFrame({"contacts": np.zeros(len(responses), int)})
    if contacts.empty or "customer_id" not in contacts.columns:
        return out
    cols = ["customer_id", "created_at"] + (["is_complaint"] if "is_complaint" in contacts.columns else [])
    joined = (
        responses[["customer_id", "responded_at"]]
        .reset_index(drop=True)
        .reset_index()
        .merge(contacts[cols], on="customer_id", how="inner")
    )
    inside = joined[
        (joined["created_at"] <= joined["responded_at"])
        & (joined["created_at"] > joined["responded_at"] - pd.Timedelta(days=lookback_days))
    ]
    out["contacts"] = inside.groupby("index").size().reindex(range(len(responses)), fill_value=0).to_numpy()
    if "is_complaint" in inside.columns:
        complaints = inside[inside["is_complaint"].fillna(False).astype(bool)].groupby("index").size()
        out["complaints"] = complaints.reindex(range(len(responses)), fill_value=0).to_numpy()
    return out


def _odds_ratios(frame: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """Logistic regression of churn on dissatisfaction, contacts and complaints (and segment dummies)."""
    x = pd.DataFrame(
        {
            "dissatisfied (CSAT 1–2)": (frame["csat"] <= 2).astype(float),
            "contacts in lookback": frame["contacts"].astype(float),
        }
    )
    if "complaints" in frame.columns:
        x["complaints in lookback"] = frame["complaints"].astype(float)
    if "segment" in frame.columns and frame["segment"].nunique() > 1:
        x = x.join(pd.get_dummies(frame["segment"], prefix="segment", drop_first=True, dtype=float))
    x = x.loc[:, x.std() > 0]  # a factor that does not vary cannot be estimated (e.g. no one complained)
    x = sm.add_constant(x, has_constant="add")
    y = frame["churned"].astype(float)
    if y.nunique() < 2:
        return pd.DataFrame(columns=["term", "odds_ratio", "low", "high", "p_value"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # non-convergence is handled below, term by term
        fit = sm.Logit(y, x).fit(disp=False)
        ci = fit.conf_int(alpha=1 - confidence)
        out = pd.DataFrame(
            {
                "term": fit.params.index,
                "odds_ratio": np.exp(fit.params.to_numpy()),
                "low": np.exp(ci[0].to_numpy()),
                "high": np.exp(ci[1].to_numpy()),
                "p_value": fit.pvalues.to_numpy(),
            }
        )
    # a term whose interval runs to 0 or infinity is not estimable (separation: e.g. no dissatisfied
    # customer churned); it is reported as NaN rather than as an absurd odds ratio
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        broken = ~(np.isfinite(np.log(out["low"])) & np.isfinite(np.log(out["high"])))
        broken |= out["high"] / out["low"] > 1e4
    out.loc[broken, ["odds_ratio", "low", "high", "p_value"]] = np.nan
    return out[out["term"] != "const"].reset_index(drop=True)
