"""Readers of the KPI fixtures, typed as the validated store types them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FIXTURES = Path(__file__).parent / "fixtures"
DATES = {
    "contacts_kpi.csv": ["created_at", "first_response_at", "resolved_at"],
    "surveys_kpi.csv": ["responded_at"],
    "customers_churn.csv": ["signup_date", "churn_date"],
    "agents_attrition.csv": ["hire_date", "leave_date"],
    "agent_months_kpi.csv": [],
}
FLAGS = ["abandoned", "resolved", "first_contact_resolution", "reopened", "escalated", "is_complaint"]


def read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(FIXTURES / name, parse_dates=DATES[name], dtype={"period": str})
    for flag in FLAGS:
        if flag in frame.columns:
            frame[flag] = frame[flag].astype("boolean")
    return frame
