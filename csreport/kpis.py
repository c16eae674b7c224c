"""Every KPI of one period × business unit, computed from the rows (never by averaging units).

``load_period`` slices the store; ``compute_kpis`` applies the metric functions and returns one Measure per
KPI id. A table or column that is absent gives unavailable Measures with the reason, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from csreport.measure import Measure
from csreport.metrics import customers as cm
from csreport.metrics import satisfaction as sm
from csreport.metrics import service as m
from csreport.metrics import workforce as wm
from csreport.store import ALL_UNITS, Store
from csreport.targets import Parameters

#: scorecard KPIs in display order
SCORECARD_KPIS = [
    "contacts",
    "service_level",
    "asa_s",
    "abandonment_rate",
    "first_response_median_s",
    "resolution_median_s",
    "resolution_rate",
    "fcr_rate",
    "reopen_rate",
    "escalation_rate",
    "complaint_rate",
    "aht_s",
    "occupancy",
    "cost_per_contact",
    "csat_mean",
    "csat_top2",
    "nps",
    "ces_mean",
    "churn_rate",
    "attrition_annualised",
    "qa_score",
]


@dataclass(frozen=True)
class PeriodData:
    """The rows of one period × unit; customers and agents are the whole unit (churn and attrition need
    history), agent_months the period's rows of the unit's agents."""

    period: str
    unit: str
    contacts: pd.DataFrame
    surveys: pd.DataFrame
    customers: pd.DataFrame
    agents: pd.DataFrame
    agent_months: pd.DataFrame


def load_period(store: Store, period: str, unit: str = ALL_UNITS) -> PeriodData:
    """Slice every table of ``store`` for ``period`` and ``unit`` (``"all"`` for every unit)."""
    agents = store.read("agents", unit=unit)
    agent_months = store.read("agent_months", period)
    if not agent_months.empty and not agents.empty and unit != ALL_UNITS:
        agent_months = agent_months[agent_months["agent_id"].isin(agents["agent_id"])]
    return PeriodData(
        period,
        unit,
        store.read("contacts", period, unit),
        store.read("surveys", period, unit),
        store.read("customers", unit=unit),
        agents,
        agent_months,
    )


def _na(names: list[str], unit: str, reason: str) -> dict[str, Measure]:
    return {n: Measure.unavailable(n, unit, reason) for n in names}


def compute_kpis(data: PeriodData, params: Parameters | None = None) -> dict[str, Measure]:
    """One Measure per KPI id for ``data``."""
    params = params or Parameters()
    c, out = data.contacts, {}

    def put(*measures: Measure) -> None:
        out.update({x.name: x for x in measures})

    if c.empty and "channel" not in c.columns:
        c = pd.DataFrame(columns=["contact_id", "created_at", "channel"])
    put(
        m.contact_volume(c),
        m.service_level(c, params),
        m.average_speed_of_answer(c, params),
        m.abandonment_rate(c, params),
        *m.first_response_time(c, params),
        *m.resolution_time(c, params),
        m.resolution_rate(c, params),
        m.first_contact_resolution(c, params),
        m.reopen_rate(c, params),
        m.escalation_rate(c, params),
        m.complaint_rate(c, params),
        m.average_handle_time(c, params),
        m.cost_per_contact(c, params),
    )
    if data.customers.empty:
        out.update(
            _na(["contacts_per_1000_customers", "complaints_per_1000_customers"], "per_1000", "no customers table")
        )
        out.update(_na(["churn_rate", "retention_rate", "churn_rate_12m"], "ratio", "no customers table"))
    else:
        active = cm.active_customers(data.customers, data.period)
        put(
            m.contacts_per_1000_customers(c, active),
            m.complaints_per_1000_customers(c, active),
            cm.churn_rate(data.customers, data.period, 1, params),
            cm.retention_rate(data.customers, data.period, 1, params),
            cm.churn_rate(data.customers, data.period, 12, params),
        )
    if data.surveys.empty:
        out.update(_na(["csat_mean", "ces_mean"], "score", "no surveys in the period"))
        out.update(_na(["csat_top2", "ces_easy", "survey_response_rate"], "ratio", "no surveys in the period"))
        out.update(_na(["nps"], "points", "no surveys in the period"))
    else:
        handled = int(c["handle_s"].notna().sum()) if "handle_s" in c.columns else 0
        put(
            *sm.csat(data.surveys, params),
            sm.survey_response_rate(data.surveys, handled, params),
            sm.net_promoter_score(data.surveys, params),
            *sm.customer_effort(data.surveys, params),
        )
    if data.agents.empty:
        out.update(_na(["attrition_annualised", "voluntary_share"], "ratio", "no agents table"))
        out.update(_na(["headcount"], "count", "no agents table"))
        out.update(_na(["tenure_median_months"], "months", "no agents table"))
    else:
        put(
            wm.average_headcount(data.agents, data.period),
            *wm.attrition(data.agents, data.period, 1, params),
            wm.tenure_months(data.agents, data.period, params),
        )
    if data.agent_months.empty:
        out.update(_na(["occupancy"], "ratio", "no agent_months rows in the period"))
        out.update(_na(["training_hours"], "hours", "no agent_months rows in the period"))
        out.update(_na(["qa_score", "employee_satisfaction"], "score", "no agent_months rows in the period"))
    else:
        put(
            wm.occupancy(c, data.agent_months),
            wm.training_hours(data.agent_months, params),
            wm.qa_score(data.agent_months, params),
            *wm.employee_satisfaction(data.agent_months, params).values(),
        )
    return out
