"""Planted data-quality defects: a small share of rows broken in ways validation must quarantine."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

CONTACT_DEFECTS = [
    ("handle_s", "greater_than_or_equal_to"),
    ("resolved_at", "not_before"),
    ("contact_id", "unique"),
    ("channel", "isin"),
]
SURVEY_DEFECTS = [("csat", "in_range"), ("nps", "in_range")]


def plant_defects(
    df: pd.DataFrame, table: str, share: float, rng: np.random.Generator, counts: Counter
) -> pd.DataFrame:
    """Break ``share`` of the rows of ``df`` (disjoint rows, one defect each) and count them in ``counts``."""
    kinds = CONTACT_DEFECTS if table == "contacts" else SURVEY_DEFECTS
    n_bad = rng.binomial(len(df), share) if len(df) > 1 else 0
    if not n_bad:
        return df
    df = df.copy()
    rows = rng.choice(np.arange(1, len(df)), size=min(n_bad, len(df) - 1), replace=False)
    chosen = set(rows.tolist())
    for row, (column, rule) in zip(rows, [kinds[k] for k in rng.integers(0, len(kinds), len(rows))], strict=True):
        if column == "handle_s":
            if pd.isna(df.at[row, "handle_s"]):
                continue
            df.at[row, "handle_s"] = -df.at[row, "handle_s"] - 1
        elif column == "resolved_at":
            if pd.isna(df.at[row, "resolved_at"]):
                continue
            df.at[row, "resolved_at"] = df.at[row, "created_at"] - pd.Timedelta(hours=2)
        elif column == "contact_id":
            source = int(rng.integers(0, row))
            while source in chosen:  # copy an id that no other defect changes
                source = int(rng.integers(0, row))
            df.at[row, "contact_id"] = df.at[source, "contact_id"]
        elif column == "channel":
            df.at[row, "channel"] = "fax"
        elif column == "csat":
            df.at[row, "csat"] = 6
        elif column == "nps":
            df.at[row, "nps"] = 11
        counts[f"{table}|{column}|{rule}"] += 1
    return df
