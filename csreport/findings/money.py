"""Money on recommendations, counted once: what an effect puts at stake, what acting on it costs, and their ratio.

Every estimate says how it was made (``assumptions``, in the report language). Money is counted over the rows
behind the findings (their evidence), never by adding up findings:

- each finding spreads its monthly effect over its own evidence rows (:func:`row_values`):
  - customers lost (churn findings): each churned customer of the evidence × their own monthly spend × the
    share of the finding's churners that is beyond the usual or comparison rate (excess ÷ churned), a window of
    several months divided by its months (a three-month group's loss is not one month's);
  - contacts that cost money again (a complaint spike, repeats from lost first-contact resolutions, reopens,
    escalations, abandons, a training gap): each contact of the evidence × its own cost (the ``cost`` column,
    else the cost model of params/targets.yml, else the unit's cost per contact) × the excess share;
  - longer handling (AHT): extra handle hours × the agent-hour cost, spread over the evidence contacts;
  - a process dearer than the median per resolved contact: its resolved contacts × the excess, spread over the
    process's contacts;
- a recommendation's value at stake is the sum over the distinct rows of its findings (a row in two of its
  findings counts once, at the larger of its values) × ``horizon_months`` (params/targets.yml ``cost_benefit``);
- a row behind two recommendations is listed and priced under the higher-ranked one only, so recommendations
  share no rows and the report's total — the same sum over the distinct rows of every recommendation
  (:func:`total_value`) — is the sum of their values.

The action's cost is priced where the action has one (extra staffing: agent hours a month × agent-hour cost ×
months); the benefit/cost ratio needs both. Findings with no money model (satisfaction scores, waiting times,
channel shifts) carry the reason instead of a number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csreport.analyses.cost_benefit import contact_costs
from csreport.findings.evidence import Evidence
from csreport.findings.record import Finding
from csreport.language import i18n
from csreport.metrics import registry
from csreport.metrics.targets import Parameters

#: KPI findings whose affected contacts are each one more contact to pay for, and those whose affected
#: customers are customers lost (declared with ``money`` in csreport.metrics.registry)
CONTACT_COST_METRICS = registry.names_where(lambda k: k.money == "contacts")
CUSTOMER_METRICS = registry.names_where(lambda k: k.money == "customers")


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


def _cost_of(rows: pd.DataFrame, params: Parameters | None, economics: Economics) -> pd.Series:
    """Each evidence contact's cost: its own (column or cost model), else the unit's cost per contact."""
    own = pd.Series(np.nan, index=rows.index)
    if params is not None and "channel" in rows.columns and ({"cost", "handle_s"} & set(rows.columns)):
        own = contact_costs(rows, params)
    return own.fillna(economics.cost_per_contact if economics.cost_per_contact is not None else np.nan)


def _spend_of(rows: pd.DataFrame, spend: pd.Series | None, economics: Economics) -> pd.Series:
    """Each evidence customer's own monthly spend (their column, else the customers table), else the unit's mean."""
    own = pd.to_numeric(rows["monthly_spend"], errors="coerce") if "monthly_spend" in rows.columns else None
    if own is None:
        own = rows["customer_id"].astype(str).map(spend) if spend is not None else pd.Series(np.nan, index=rows.index)
    return pd.to_numeric(own, errors="coerce").fillna(economics.monthly_spend if economics.monthly_spend else np.nan)


def row_values(
    finding: Finding,
    evidence: Evidence,
    economics: Economics,
    spend: pd.Series | None = None,
    params: Parameters | None = None,
) -> pd.Series | None:
    """The monthly money of ``finding`` per row of its evidence, indexed by the row's id (see the module
    docstring); None when the finding has no money model. ``spend``: monthly spend by customer_id."""
    rows, ev = evidence.rows, finding.evidence
    if rows is None or rows.empty or evidence.id_column not in rows.columns:
        return None
    ids = rows[evidence.id_column].astype(str)
    window = max(1, int(ev.get("window_months") or 1))
    if finding.kind == "training_gap":
        window = max(1, int(ev.get("months") or window))
    if ev.get("change") == "gone" or finding.kind == "improvement" or ev.get("explained_by"):
        return None  # nothing lost; or a parent told as its children's breakdown (their money is its money)
    per_customer = finding.impact_unit == "customers" or finding.metric in CUSTOMER_METRICS
    if evidence.id_column == "customer_id" and per_customer:
        share = min(1.0, max(0.0, finding.impact) / len(rows))
        values = _spend_of(rows, spend, economics) * share / window
    elif finding.kind == "process_cost":
        total = float(ev.get("excess_per_resolved") or 0) * float(ev.get("resolved") or 0)
        values = pd.Series(total / len(rows), index=rows.index)
    elif finding.metric == "aht_s" and finding.change is not None:
        hours = abs(finding.change) * float(ev.get("n") or 0) / 3600
        values = pd.Series(hours * economics.agent_hour_cost / len(rows), index=rows.index)
    elif evidence.id_column == "contact_id" and (finding.kind in ("category_spike", "training_gap")
                                                 or finding.metric in CONTACT_COST_METRICS):  # fmt: skip
        reach = _reach(finding)
        share = min(1.0, max(0.0, reach) / len(rows))
        values = _cost_of(rows, params, economics) * share / window
    else:
        return None
    values = pd.Series(values.to_numpy(float), index=ids.to_numpy())
    values = values[~values.index.duplicated()]
    return values if values.notna().any() else None


def _reach(f: Finding) -> float:
    """Contacts a month that cost money again: the excess (impact); a missed target's gap in contacts."""
    known = f.value is not None and f.baseline is not None
    if f.kind == "target_missed" and known and f.evidence.get("unit") == "ratio":
        return abs(f.value - f.baseline) * float(f.evidence.get("n") or 0)
    return f.impact


def union_value(values: list[pd.Series | None]) -> tuple[float | None, int]:
    """The monthly money of distinct rows: each row once, at the largest value any finding gives it; and how
    many rows that is. None when no finding is priced."""
    priced = [v.dropna() for v in values if v is not None and v.notna().any()]
    if not priced:
        return None, 0
    joined = pd.concat(priced)
    best = joined.groupby(level=0).max()
    return float(best.sum()), int(len(best))


def estimate(findings: list[Finding], values: list[pd.Series | None], economics: Economics, lang: str = "en"
             ) -> Money:  # fmt: skip
    """The money of one effect (a recommendation): its findings' rows counted once × the horizon; the first
    finding (the head) says how."""
    head = findings[0]
    monthly, rows = union_value(values)
    months = economics.horizon_months
    value = None if monthly is None else monthly * months
    how = _how(head, rows, monthly, economics, lang) if monthly is not None else _why_not(head, economics, lang)
    cost, cost_how = _action_cost(head, economics, lang)
    ratio = value / cost if value is not None and cost else None
    parts = [how, cost_how] if cost_how else [how]
    return Money(value, cost, ratio, i18n.join((p for p in parts if p), lang, clauses=True))


def total_value(values: list[list[pd.Series | None]], economics: Economics) -> float | None:
    """The report's value at stake: every recommendation's rows together, each row once, × the horizon."""
    monthly, _ = union_value([v for group in values for v in group])
    return None if monthly is None else monthly * economics.horizon_months


def _money(amount: float | None, lang: str) -> str:
    return i18n.amount(amount, lang)  # running text: rounded (cents only below 100)


def _how(head: Finding, rows: int, monthly: float, economics: Economics, lang: str) -> str:
    months = i18n.number(economics.horizon_months, lang)
    if head.impact_unit == "customers" or head.metric in CUSTOMER_METRICS:
        return i18n.text("money.customers_once", lang, n=i18n.number(rows, lang), monthly=_money(monthly, lang),
                         months=months)  # fmt: skip
    if head.metric == "aht_s":
        return i18n.text("money.handle_once", lang, monthly=_money(monthly, lang), months=months)
    return i18n.text("money.contacts_once", lang, n=i18n.number(rows, lang), monthly=_money(monthly, lang),
                     months=months)  # fmt: skip


def _why_not(f: Finding, economics: Economics, lang: str) -> str:
    if (f.impact_unit == "customers" or f.metric in CUSTOMER_METRICS) and economics.monthly_spend is None:
        return i18n.text("money.no_spend", lang)
    if f.metric in CONTACT_COST_METRICS and economics.cost_per_contact is None:
        return i18n.text("money.no_cost", lang)
    metric = i18n.label("kpi", f.metric, lang) if f.kind in ("deterioration", "improvement", "target_missed") else (
        i18n.label("kind", f.kind, lang))  # fmt: skip
    return i18n.text("money.not_priced", lang, metric=metric)


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
