"""Benchmarks (competitors, industry average, best in class) and the competitor feature matrix."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: metric → (industry average, best in class, decimals); which is better is the KPI's declared direction
#: (csreport.metrics.registry): best in class lies on its side of the average
BENCHMARK_LEVELS = {
    "service_level": (0.80, 0.92, 3),
    "asa_s": (30.0, 12.0, 1),
    "abandonment_rate": (0.06, 0.02, 4),
    "fcr_rate": (0.70, 0.82, 3),
    "csat_mean": (4.0, 4.5, 2),
    "csat_top2": (0.78, 0.90, 3),
    "nps": (25.0, 55.0, 1),
    "ces_mean": (5.2, 6.0, 2),
    "complaint_rate": (0.02, 0.008, 4),
    "aht_s": (360.0, 280.0, 0),
    "cost_per_contact": (4.5, 3.2, 2),
    "churn_rate": (0.012, 0.006, 4),
    "loyalty_index": (0.75, 0.85, 3),
}
COMPETITORS = ["competitor_a", "competitor_b", "competitor_c"]
FEATURES = [
    "24/7 phone support",
    "live chat",
    "WeChat service",
    "callback",
    "self-service portal",
    "chatbot",
    "SMS status updates",
    "video support",
    "dedicated account manager",
    "omnichannel history",
]
FEATURE_RATE = {"us": 0.6, "competitor_a": 0.8, "competitor_b": 0.5, "competitor_c": 0.65}


def make_benchmarks(periods: pd.PeriodIndex, rng: np.random.Generator) -> pd.DataFrame:
    """One value per source × metric × month; competitors sit between the average and best in class or below."""
    rows = []
    strength = {c: rng.uniform(-0.6, 1.0) for c in COMPETITORS}  # 0 = industry average, 1 = best in class
    for metric, (avg, best, decimals) in BENCHMARK_LEVELS.items():
        for source in ["industry_average", "best_in_class", *COMPETITORS]:
            position = {"industry_average": 0.0, "best_in_class": 1.0}.get(source, strength.get(source, 0.0))
            level = avg + position * (best - avg)
            walk = np.cumsum(rng.normal(0, abs(best - avg) * 0.03, len(periods)))
            for period, drift in zip(periods, walk, strict=True):
                rows.append(
                    {
                        "source": source,
                        "metric": metric,
                        "value": round(level + drift, decimals),
                        "period": str(period),
                        "business_unit": None,
                    }
                )
    return pd.DataFrame(rows)


def make_competitor_features(rng: np.random.Generator) -> pd.DataFrame:
    """Which service features each competitor (and ``us``) offers."""
    return pd.DataFrame(
        [
            {"source": source, "feature": feature, "offered": bool(rng.random() < rate)}
            for source, rate in FEATURE_RATE.items()
            for feature in FEATURES
        ]
    )
