"""Money on recommendations: what a finding puts at stake, what acting on it costs, and their ratio.

Every estimate says how it was made (``assumptions``, in the report language). The value at stake is a monthly
effect × ``horizon_months`` (params/targets.yml ``cost_benefit``):

- customers lost (churn findings): excess churned customers × their average monthly spend × months;
- contacts that cost money again (repeats from lost first-contact resolutions, reopens, escalations,
  complaints, abandons, a complaint spike, a training gap): contacts a month × cost per contact × months;
- longer handling (AHT): extra handle hours a month × the agent-hour cost × months;
- a process dearer than the median per resolved contact: resolved contacts × the excess × months.

The action's cost is priced where the action has one (extra staffing: agent hours a month × agent-hour cost ×
months); the benefit/cost ratio needs both. Findings with no money model (satisfaction scores, waiting times,
channel shifts) carry the reason instead of a number, and are ordered by reach as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from csreport import i18n
from csreport.findings.record import Finding
from csreport.targets import Parameters

#: KPI findings whose affected contacts are each one more contact to pay for
CONTACT_COST_METRICS = {
    "fcr_rate",
    "reopen_rate",
    "escalation_rate",
    "complaint_rate",
    "abandonment_rate",
    "resolution_rate",
}
CUSTOMER_METRICS = {"churn_rate", "churn_rate_12m", "retention_rate"}


@dataclass(frozen=True)
class Economics:
    """What money estimates are built from: the unit's cost per contact and average monthly spend (None when
    the data cannot say), the agent-hour cost and the horizon in months."""

    cost_per_contact: float | None
    monthly_spend: float | None
    agent_hour_cost: float
    horizon_months: int

    @classmethod
    def of(cls, scorecard: pd.DataFrame, customers: pd.DataFrame | None, params: Parameters) -> Economics:
        """From a scorecard (its ``cost_per_contact`` value) and the unit's customers (mean ``monthly_spend``)."""
        values = scorecard.set_index("kpi")["value"] if not scorecard.empty else pd.Series(dtype=float)
        cost = values.get("cost_per_contact")
        spend = None
        if customers is not None and "monthly_spend" in customers.columns:
            known = pd.to_numeric(customers["monthly_spend"], errors="coerce").dropna()
            spend = float(known.mean()) if len(known) else None
        return cls(
            None if cost is None or pd.isna(cost) else float(cost),
            spend,
            params.agent_hour_cost,
            params.value_horizon_months,
        )


@dataclass(frozen=True)
class Money:
    """An estimate in the report's currency: value at stake, cost of the action, benefit/cost, and how."""

    value_at_stake: float | None
    action_cost: float | None
    benefit_cost_ratio: float | None
    assumptions: str

    @property
    def known(self) -> bool:
        return self.value_at_stake is not None

    def to_json(self) -> dict:
        return {
            "value_at_stake": self.value_at_stake,
            "action_cost": self.action_cost,
            "benefit_cost_ratio": self.benefit_cost_ratio,
            "assumptions": self.assumptions,
        }


def estimate(finding: Finding, economics: Economics, lang: str = "en") -> Money:
    """The money of one finding (see the module docstring for the formulas)."""
    value, how = _value(finding, economics, lang)
    cost, cost_how = _action_cost(finding, economics, lang)
    ratio = value / cost if value is not None and cost else None
    parts = [how, cost_how] if cost_how else [how]
    return Money(value, cost, ratio, i18n.join((p for p in parts if p), lang, clauses=True))


def _money(amount: float | None, lang: str) -> str:
    return i18n.amount(amount, lang)  # running text: rounded (cents only below 100)


def _customers(count: float, spend: float | None, economics: Economics, lang: str) -> tuple[float | None, str]:
    if spend is None:
        return None, i18n.text("money.no_spend", lang)
    months = economics.horizon_months
    value = count * spend * months
    return value, i18n.text(
        "money.customers",
        lang,
        n=i18n.count(count, lang),
        spend=_money(spend, lang),
        months=i18n.number(months, lang),
    )


def _contacts(per_month: float, economics: Economics, lang: str) -> tuple[float | None, str]:
    if economics.cost_per_contact is None:
        return None, i18n.text("money.no_cost", lang)
    months = economics.horizon_months
    return per_month * economics.cost_per_contact * months, i18n.text(
        "money.contacts",
        lang,
        n=i18n.count(per_month, lang),
        cost=_money(economics.cost_per_contact, lang),
        months=i18n.number(months, lang),
    )


def _value(f: Finding, economics: Economics, lang: str) -> tuple[float | None, str]:
    ev, months = f.evidence, economics.horizon_months
    reach = f.impact
    if f.kind == "target_missed" and f.value is not None and f.baseline is not None and ev.get("unit") == "ratio":
        reach = abs(f.value - f.baseline) * float(ev.get("n") or 0)  # the gap to the target, in contacts
    if f.kind == "process_cost":
        excess = float(ev.get("excess_per_resolved") or 0)
        resolved = float(ev.get("resolved") or 0)
        return excess * resolved * months, i18n.text(
            "money.cost_gap",
            lang,
            n=i18n.number(resolved, lang),
            gap=_money(excess, lang),
            months=i18n.number(months, lang),
        )
    if f.impact_unit == "customers" or f.metric in CUSTOMER_METRICS:
        return _customers(reach, ev.get("monthly_spend") or economics.monthly_spend, economics, lang)
    if f.kind == "training_gap":
        return _contacts(reach / max(1, int(ev.get("months") or 1)), economics, lang)
    if f.kind == "category_spike" or f.metric in CONTACT_COST_METRICS:
        return _contacts(reach, economics, lang)
    if f.metric == "aht_s" and f.change is not None and f.kind != "improvement":
        hours = abs(f.change) * float(ev.get("n") or 0) / 3600
        return hours * economics.agent_hour_cost * months, i18n.text(
            "money.handle",
            lang,
            hours=i18n.number(hours, lang, 1),
            rate=_money(economics.agent_hour_cost, lang),
            months=i18n.number(months, lang),
        )
    metric = i18n.label("kpi", f.metric, lang) if f.kind != "staffing_gap" else i18n.label("kind", f.kind, lang)
    return None, i18n.text("money.not_priced", lang, metric=metric)


def _action_cost(f: Finding, economics: Economics, lang: str) -> tuple[float | None, str]:
    if f.kind != "staffing_gap" or not f.evidence.get("hours_short"):
        return None, ""
    hours, months = float(f.evidence["hours_short"]), economics.horizon_months
    return hours * economics.agent_hour_cost * months, i18n.text(
        "money.staffing",
        lang,
        hours=i18n.number(hours, lang),
        rate=_money(economics.agent_hour_cost, lang),
        months=i18n.number(months, lang),
    )
