"""Customer segmentation: k-means (scikit-learn) on scaled customer features, k chosen by silhouette.

Features (each customer active at the end of ``period``): monthly spend, tenure in months, contacts per month
over the last 12 months, complaint share of those contacts, mean CSAT given (customers without surveys get
the overall mean, so that silence is not read as an opinion). Features are standardised; k runs over
``k_range`` and the k with the highest silhouette (on a fixed-seed sample of at most 5,000 customers) wins.
Each cluster is named after the features where its mean is furthest from the overall mean (in SDs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances, silhouette_score
from sklearn.preprocessing import StandardScaler

from csreport.analyses.result import AnalysisResult
from csreport.data.periods import parse_period
from csreport.metrics.calls import counted

FEATURES = {
    "monthly_spend": ("high spend", "low spend"),
    "tenure_months": ("long-standing", "new"),
    "contacts_per_month": ("frequent contacts", "rare contacts"),
    "complaint_share": ("complaining", "rarely complaining"),
    "mean_csat": ("satisfied", "dissatisfied"),
}
SEED = 0
FIT_SAMPLE = 8000
SILHOUETTE_SAMPLE = 5000


@dataclass(frozen=True)
class Segmentation(AnalysisResult):
    profiles: pd.DataFrame  # segment, name, customers, share, feature means, churn rate
    assignments: pd.DataFrame  # customer_id, segment
    k: int
    silhouettes: dict[int, float]
    reason: str | None = None


def customer_features(
    customers: pd.DataFrame, contacts: pd.DataFrame, surveys: pd.DataFrame, period: str
) -> pd.DataFrame:
    """The segmentation features of the customers active at the end of ``period``."""
    end = (parse_period(period) + 1).start_time
    since = end - pd.DateOffset(months=12)
    churn = customers["churn_date"] if "churn_date" in customers.columns else pd.Series(pd.NaT, customers.index)
    active = customers[churn.isna() | (churn >= end)].copy()
    if "signup_date" in active.columns:
        active = active[active["signup_date"].isna() | (active["signup_date"] < end)]
    frame = pd.DataFrame({"customer_id": active["customer_id"].to_numpy()})
    if "monthly_spend" in active.columns:
        frame["monthly_spend"] = active["monthly_spend"].to_numpy(float)
    if "signup_date" in active.columns:
        frame["tenure_months"] = ((end - active["signup_date"]).dt.days / 30.44).to_numpy()
    recent = (
        contacts[(contacts["created_at"] >= since) & (contacts["created_at"] < end)] if not contacts.empty else contacts
    )
    if "customer_id" in recent.columns:
        counts = recent.groupby("customer_id").size()
        frame["contacts_per_month"] = frame["customer_id"].map(counts).fillna(0).to_numpy() / 12
        if "is_complaint" in recent.columns:
            complaints = recent.groupby("customer_id")["is_complaint"].sum()
            share = (complaints / counts).astype(float)
            frame["complaint_share"] = frame["customer_id"].map(share).fillna(0).to_numpy()
    if not surveys.empty and {"customer_id", "csat"} <= set(surveys.columns):
        answered = surveys[(surveys["responded_at"] >= since) & (surveys["responded_at"] < end)]
        means = answered.groupby("customer_id")["csat"].mean().astype(float)
        frame["mean_csat"] = frame["customer_id"].map(means).fillna(float(means.mean()) if len(means) else 0.0)
    return frame.dropna()


def _name(z: pd.Series) -> str:
    ranked = z.abs().sort_values(ascending=False)
    words = [FEATURES[f][0] if z[f] > 0 else FEATURES[f][1] for f in ranked.index[:2] if abs(z[f]) >= 0.3]
    return ", ".join(words) if words else "typical"


@counted("segmentation")
def segment_customers(
    features: pd.DataFrame, k_range: range = range(2, 7), min_customers: int = 200, churned: pd.Series | None = None
) -> Segmentation:
    """Cluster ``features`` (from :func:`customer_features`) and profile each cluster."""
    columns = [c for c in FEATURES if c in features.columns]
    empty = pd.DataFrame()
    if len(features) < min_customers or len(columns) < 2:
        return Segmentation(
            empty,
            empty,
            0,
            {},
            f"not enough data: {len(features)} customers with {len(columns)} features, need {min_customers} and 2",
        )
    scaled = StandardScaler().fit_transform(features[columns].to_numpy(float))
    rng = np.random.default_rng(SEED)
    # centroids are fitted on a random subset of at most FIT_SAMPLE customers and every customer is assigned
    # to the nearest; silhouettes are scored on SILHOUETTE_SAMPLE of them (both exact below those sizes)
    fit = rng.choice(len(scaled), min(len(scaled), FIT_SAMPLE), replace=False)
    sample = rng.choice(len(scaled), min(len(scaled), SILHOUETTE_SAMPLE), replace=False)
    silhouettes, models = {}, {}
    # the sample's Euclidean distances do not depend on k: computed once, not once per candidate k
    distances = pairwise_distances(scaled[sample])
    for k in k_range:
        model = KMeans(n_clusters=k, n_init=4, random_state=SEED).fit(scaled[fit])
        models[k] = model
        silhouettes[k] = float(silhouette_score(distances, model.predict(scaled[sample]), metric="precomputed"))
    k = max(silhouettes, key=silhouettes.get)
    labels = models[k].predict(scaled)
    frame = features.assign(segment=labels)
    overall_mean, overall_sd = features[columns].mean(), features[columns].std()
    rows = []
    for segment, group in frame.groupby("segment"):
        means = group[columns].mean()
        row = {
            "segment": int(segment),
            "name": _name((means - overall_mean) / overall_sd),
            "customers": len(group),
            "share": len(group) / len(frame),
            **means.to_dict(),
        }
        if churned is not None:
            row["churn_rate"] = float(churned.reindex(group["customer_id"]).fillna(False).mean())
        rows.append(row)
    profiles = pd.DataFrame(rows).sort_values("customers", ascending=False).reset_index(drop=True)
    return Segmentation(profiles, frame[["customer_id", "segment"]], k, silhouettes)
