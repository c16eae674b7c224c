"""The rows behind each finding: which contacts, customers or agents a manager can open.

For a finding of period × unit, :func:`evidence_rows` selects from the store the rows that make it, with the
columns that made it, worst first: contacts that missed the service level or abandoned, contacts slower than
the baseline (or target) of a response or resolution time, the complaints of a spiking category, detractor
surveys, customers who churned, agents who left. Contact conditions reuse the KPI helper columns
(:func:`csreport.metrics.helper_columns.contacts_derived`), so a contact counts here exactly when it counts in the
KPI. ``findings.json`` keeps the count and up to :data:`EXAMPLES` ids; ``evidence/<finding id>.csv`` keeps them
all, with survey comments masked as in the report.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from csreport.analyses.churn_groups import ChurnGroups
from csreport.analyses.comments import mask_pii
from csreport.data.sql import connect, literal, quote
from csreport.data.store import ALL_UNITS, Store
from csreport.findings.record import Finding
from csreport.metrics import registry
from csreport.metrics.helper_columns import contacts_derived
from csreport.metrics.kpis import contact_years
from csreport.metrics.targets import Parameters

EXAMPLES = 20
CONTACT = ["contact_id", "created_at", "business_unit", "channel", "category"]


def _declared(rows: str) -> dict[str, registry.EvidenceRule]:
    """Metric → its evidence rule in the registry (csreport.metrics.registry.EvidenceRule) of kind ``rows``:
    ``slower contacts`` (order: the time's helper column, columns[0]: its time stamp), ``contacts`` (condition
    on the derived contact columns, extra columns, value column ordered worst first) or ``surveys`` (condition,
    score column ordered worst first)."""
    return {k.name: k.evidence for k in registry.kpis() if k.evidence and k.evidence.rows == rows}


@dataclass(frozen=True)
class Evidence:
    """The rows behind one finding: ``id_column`` names the ids (contact_id, customer_id, agent_id …)."""

    finding_id: str
    id_column: str
    rows: pd.DataFrame

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def examples(self) -> list[str]:
        return [str(v) for v in self.rows[self.id_column].head(EXAMPLES)] if self.count else []

    def to_json(self) -> dict:
        return {"id": self.finding_id, "id_column": self.id_column, "count": self.count, "examples": self.examples,
                "file": f"evidence/{self.finding_id}.csv"}  # fmt: skip


def finding_id(rank: int, finding: Finding, prefix: str = "f") -> str:
    """``f03-category_spike-complaint_rate-1a2b3c``: rank, kind, metric and a digest of the subject (category,
    team or segment names may be any text; the id is a safe file name); standing issues start with ``s``."""
    subject = finding.subject
    suffix = "-" + hashlib.sha1(subject.encode()).hexdigest()[:6] if subject else ""
    return f"{prefix}{rank:02d}-{finding.kind}-{finding.metric}{suffix}"


def _window(store: Store, period: str, unit: str, months: int = 1) -> tuple[str, str]:
    """The unit's months (its time zone) as store times."""
    start, stop = store.window(period, unit, months)
    return str(start), str(stop)


def _unit_of(finding: Finding) -> str:
    return str(finding.evidence.get("business_unit") or finding.unit)


@dataclass(frozen=True)
class _Query:
    store: Store
    params: Parameters
    years: tuple[int, int] | None  # of the business-hour table
    con: object = None  # one DuckDB connection for the findings of a report


def _contacts(q: _Query, finding: Finding, where: str, extra: list[str], order: str | None, months: int = 1
              ) -> pd.DataFrame:  # fmt: skip
    store, params, years = q.store, q.params, q.years
    columns = set(store.columns("contacts"))
    unit = _unit_of(finding)
    start, stop = _window(store, finding.period, unit, months)
    # read only the window (and the repeat window after it, for FCR by repeat contacts) of the unit
    later = str(pd.Timestamp(stop) + pd.Timedelta(days=params.fcr_repeat_window_days))
    source = (
        f"(SELECT * FROM {store.relation('contacts')} WHERE created_at >= {literal(start)}::TIMESTAMP "
        f"AND created_at < {literal(later)}::TIMESTAMP"
        + (f" AND business_unit = {literal(unit)})" if unit != ALL_UNITS else ")")
    )
    derived = contacts_derived(columns, params, years).replace("FROM source", f"FROM {source}")
    keep = [c for c in dict.fromkeys(CONTACT + extra) if c in columns or c.startswith("_")]
    conditions = [f"created_at >= {literal(start)}::TIMESTAMP", f"created_at < {literal(stop)}::TIMESTAMP", where]
    if unit != ALL_UNITS:
        conditions.append(f"business_unit = {literal(unit)}")
    where = " AND ".join(f"({c})" for c in conditions)
    sql = (
        f"SELECT {', '.join(quote(c) for c in keep)} FROM ({derived}) AS d WHERE {where} "
        f"ORDER BY {f'{quote(order)} DESC NULLS LAST, ' if order else ''}created_at, contact_id"
    )
    return q.con.execute(sql).df() if q.con is not None else store._run(sql)


def _process_condition(finding: Finding, columns: set[str]) -> str:
    """A service process's contacts: its channel, and its category when contacts carry one (without a category
    column every contact of the channel is one process, named "all")."""
    condition = f"channel = {literal(str(finding.evidence.get('channel')))}"
    if "category" in columns and finding.category is not None:
        condition += f" AND category = {literal(finding.category)}"
    return condition


def _process_churners(store: Store, finding: Finding, params: Parameters) -> pd.DataFrame | None:
    """The customers who churned within the churn window after one of the process's contacts in the period
    (the customers :func:`~csreport.findings.detect_costs.process_churn_findings` counts as churned)."""
    if not store.has("customers", "churn_date") or not store.has("contacts", "customer_id"):
        return None
    columns = set(store.columns("contacts"))
    start, stop = _window(store, finding.period, _unit_of(finding))
    unit = _unit_of(finding)
    by_unit = "" if unit == ALL_UNITS else f" AND c.business_unit = {literal(unit)}"
    spend = ", u.monthly_spend" if store.has("customers", "monthly_spend") else ""
    days = int(finding.evidence.get("days") or params.churn_window_days)
    condition = _process_condition(finding, columns).replace("channel", "c.channel").replace("category", "c.category")
    return store._run(
        f"SELECT u.customer_id, u.churn_date{spend}, max(c.created_at) AS last_contact, "
        f"count(*) AS contacts FROM {store.relation('contacts')} c "
        f"JOIN (SELECT DISTINCT ON (customer_id) * FROM {store.relation('customers')}) u USING (customer_id) "
        f"WHERE c.created_at >= {literal(start)}::TIMESTAMP AND c.created_at < {literal(stop)}::TIMESTAMP{by_unit} "
        f"AND {condition} AND u.churn_date >= c.created_at "
        f"AND u.churn_date <= c.created_at + INTERVAL {days} DAY "
        f"GROUP BY ALL ORDER BY u.churn_date DESC, u.customer_id"
    )


def _contact_rule(q: _Query, finding: Finding) -> pd.DataFrame | None:
    store = q.store
    columns = set(store.columns("contacts"))
    metric = finding.metric
    if finding.kind == "category_spike":
        return _contacts(q, finding, f"is_complaint AND category = {literal(finding.category)}",
                         ["is_complaint"], None)  # fmt: skip
    if finding.kind == "process_cost":
        # the contacts of the service process (channel × category) in the period
        extra = ["customer_id", "handle_s", "resolved", "cost"]
        return _contacts(q, finding, _process_condition(finding, columns), extra, None)
    if finding.kind == "channel_shift":
        target = (finding.category or "").split("→")[-1]
        return _contacts(q, finding, f"channel = {literal(target)}", [], None)
    if finding.kind == "training_gap" and store.has("agents", "team"):
        agents = f"SELECT agent_id FROM {store.relation('agents')} WHERE team = {literal(finding.team)}"
        where = (f"agent_id IN ({agents}) AND category = {literal(finding.category)} "
                 "AND first_contact_resolution = FALSE")  # fmt: skip
        months = int(finding.evidence.get("months") or 3)
        return _contacts(q, finding, where, ["agent_id", "first_contact_resolution"], None, months)
    times, rows = _declared("slower contacts"), _declared("contacts")
    if metric in times:
        value, column = times[metric].order, times[metric].columns[0]
        if not {"created_at", column} <= columns:
            return None
        limit = finding.baseline
        where = f"{value} IS NOT NULL" + (f" AND {value} > {float(limit)!r}" if limit is not None else "")
        frame = _contacts(q, finding, where, [column, value], value)
        return frame.rename(columns={value: f"{metric.replace('_median', '').replace('_p90', '')}"})
    if metric == "fcr_rate":
        if "first_contact_resolution" in columns:
            return _contacts(q, finding, "first_contact_resolution = FALSE", ["first_contact_resolution"],
                             None)  # fmt: skip
        return _contacts(q, finding, "_repeated", ["customer_id"], None)
    if metric in rows:
        where, extra, order = rows[metric].where, list(rows[metric].columns), rows[metric].order
        needed = {w for w in ("queue_wait_s", "abandoned", "channel", "reopened", "escalated", "is_complaint",
                              "handle_s") if w in where or w == order}  # fmt: skip
        if not needed <= columns or ("_is_resolved" in where and not {"resolved", "resolved_at"} & columns):
            return None
        if "_offered" in where and not {"queue_wait_s", "abandoned", "channel"} <= columns:
            return None
        return _contacts(q, finding, where, extra, order)
    return None


def _others(store: Store, finding: Finding) -> tuple[str, pd.DataFrame] | None:
    """Rows of surveys, customers, agents or agent_months behind a finding, with their id column."""
    metric, unit = finding.metric, _unit_of(finding)
    start, stop = _window(store, finding.period, unit)
    by_unit = "TRUE" if unit == ALL_UNITS else f"business_unit = {literal(unit)}"
    surveys = _declared("surveys")
    if metric in surveys and store.has("surveys", surveys[metric].order):
        where, order = surveys[metric].where, surveys[metric].order
        columns = [c for c in ("survey_id", "contact_id", "responded_at", "business_unit", order, "comment")
                   if c in store.columns("surveys")]  # fmt: skip
        rows = store._run(
            f"SELECT {', '.join(map(quote, columns))} FROM {store.relation('surveys')} WHERE {where} AND {by_unit} "
            f"AND responded_at >= {literal(start)}::TIMESTAMP AND responded_at < {literal(stop)}::TIMESTAMP "
            f"ORDER BY {quote(order)}, responded_at, survey_id"
        )
        if "comment" in rows.columns:
            rows["comment"] = rows["comment"].map(mask_pii)
        return "survey_id", rows
    if (finding.kind == "churn_rise" or metric == "churn_rate") and store.has("customers", "churn_date"):
        columns = [c for c in ("customer_id", "business_unit", "segment", "signup_date", "churn_date")
                   if c in store.columns("customers")]  # fmt: skip
        segment = f" AND segment = {literal(finding.segment)}" if finding.segment and "segment" in columns else ""
        # the churn rate's numerator: customers active at the month's start (signed up before it) who churned in it
        if "signup_date" in columns:
            segment += f" AND (signup_date IS NULL OR signup_date < {literal(start)}::TIMESTAMP)"
        rows = store._run(
            f"SELECT {', '.join(map(quote, columns))} FROM {store.relation('customers')} WHERE {by_unit}{segment} "
            f"AND churn_date >= {literal(start)}::TIMESTAMP AND churn_date < {literal(stop)}::TIMESTAMP "
            "ORDER BY churn_date, customer_id"
        )
        return "customer_id", rows
    if metric.startswith("attrition") and store.has("agents", "leave_date"):
        # attrition is over the trailing twelve months: its leavers are those of the twelve months
        start, stop = _window(store, finding.period, unit, 12)
        columns = [c for c in ("agent_id", "business_unit", "team", "hire_date", "leave_date", "leave_type")
                   if c in store.columns("agents")]  # fmt: skip
        rows = store._run(
            f"SELECT {', '.join(map(quote, columns))} FROM {store.relation('agents')} WHERE {by_unit} "
            f"AND leave_date >= {literal(start)}::TIMESTAMP AND leave_date < {literal(stop)}::TIMESTAMP "
            "ORDER BY leave_date, agent_id"
        )
        return "agent_id", rows
    if (finding.kind == "staffing_gap" or metric in ("occupancy", "qa_score", "coverage")) and store.has(
        "agent_months"
    ):
        unit_agents = "" if unit == ALL_UNITS or not store.has("agents") else (
            f" AND agent_id IN (SELECT agent_id FROM {store.relation('agents')} WHERE {by_unit})")  # fmt: skip
        columns = [c for c in ("agent_id", "period", "paid_hours", "available_hours", "qa_score")
                   if c in store.columns("agent_months")]  # fmt: skip
        order = "qa_score" if metric == "qa_score" and "qa_score" in columns else "agent_id"
        rows = store._run(
            f"SELECT {', '.join(map(quote, columns))} FROM {store.relation('agent_months')} "
            f"WHERE period = {literal(finding.period)}{unit_agents} ORDER BY {quote(order)}, agent_id"
        )
        return "agent_id", rows
    return None


def evidence_rows(
    store: Store,
    finding: Finding,
    params: Parameters,
    finding_key: str,
    years: tuple[int, int] | None = None,
    con=None,
    who_churns: ChurnGroups | None = None,
) -> Evidence:
    """The rows behind ``finding`` (empty when its table or columns are absent); ``years``: the span of the
    business-hour table (default: from the finding's year to the store's last timestamp); ``who_churns``: the
    report's churn groups, whose members a ``churn_group`` finding lists (its churned customers)."""
    if finding.kind == "churn_group":
        ev = finding.evidence
        if who_churns is None:
            return Evidence(finding_key, "customer_id", pd.DataFrame({"customer_id": []}))
        return Evidence(finding_key, "customer_id", who_churns.churned_customers(ev["attribute"], ev["level"]))
    if finding.kind == "process_churn":
        rows = _process_churners(store, finding, params)
        return Evidence(finding_key, "customer_id", rows if rows is not None else pd.DataFrame({"customer_id": []}))
    if store.has("contacts"):
        if years is None:
            years = contact_years(
                store, _window(store, finding.period, ALL_UNITS, 12)[0], set(store.columns("contacts")), params
            )
        contacts = _contact_rule(_Query(store, params, years, con), finding)
        if contacts is not None:
            return Evidence(finding_key, "contact_id", contacts)
    other = _others(store, finding)
    if other is not None:
        return Evidence(finding_key, other[0], other[1])
    return Evidence(finding_key, "contact_id", pd.DataFrame({"contact_id": []}))


def collect_evidence(
    store: Store, findings: list[Finding], params: Parameters, who_churns: ChurnGroups | None = None,
    prefix: str = "f",
) -> list[Evidence]:  # fmt: skip
    """The evidence of every finding, in the findings' order (ids ``f01-…``, ``f02-…``; standing issues
    ``s01-…`` with ``prefix="s"``)."""
    if not findings:
        return []
    years = None
    if store.has("contacts"):
        start = _window(store, min(f.period for f in findings), ALL_UNITS, 12)[0]
        years = contact_years(store, start, set(store.columns("contacts")), params)
    with connect() as con:
        return [evidence_rows(store, f, params, finding_id(i + 1, f, prefix), years, con, who_churns)
                for i, f in enumerate(findings)]  # fmt: skip


def without(evidence: Evidence, others: list[Evidence]) -> Evidence:
    """``evidence`` less the rows of ``others`` (of the same id column): a parent finding that holds beyond its
    children lists only the rest of its rows."""
    rows = evidence.rows
    drop = set()
    for other in others:
        if other.id_column == evidence.id_column and other.id_column in other.rows.columns:
            drop |= set(other.rows[other.id_column].astype(str))
    if not drop or evidence.id_column not in rows.columns:
        return evidence
    kept = rows[~rows[evidence.id_column].astype(str).isin(drop)].reset_index(drop=True)
    return Evidence(evidence.finding_id, evidence.id_column, kept)


def write_evidence(folder: Path, evidence: list[Evidence]) -> None:
    """``<folder>/evidence/<finding id>.csv`` for every finding (UTF-8 with BOM, so Excel reads Chinese)."""
    target = Path(folder) / "evidence"
    target.mkdir(parents=True, exist_ok=True)
    for item in evidence:
        item.rows.to_csv(target / f"{item.finding_id}.csv", index=False, encoding="utf-8-sig")
