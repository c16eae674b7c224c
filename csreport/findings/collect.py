"""Collecting the findings of one period × unit: reads the aggregates the detection rules need from the
store, runs every rule, and orders the records (the I/O edge of the findings package)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from csreport.analyses.agents import training_needs
from csreport.analyses.churn_groups import ChurnGroups, churn_groups
from csreport.analyses.cost_benefit import ProcessCosts, process_costs
from csreport.findings.detect import (
    category_spikes,
    channel_shifts,
    churn_groups_found,
    churn_rises,
    kpi_findings,
    segment_churn,
    staffing_gaps,
    training_gaps,
)
from csreport.findings.detect_costs import process_churn_findings, process_cost_findings
from csreport.findings.record import Finding, ordered
from csreport.findings.rules import Rules, load_rules
from csreport.scorecard import KpiCache, scorecard
from csreport.sql import literal
from csreport.store import ALL_UNITS, Store, parse_period, to_zone
from csreport.targets import Parameters, Targets, load_targets

_PROCESS_COLUMNS = ["contact_id", "created_at", "channel", "category", "customer_id", "handle_s", "cost",
                    "resolved", "resolved_at", "first_contact_resolution"]  # fmt: skip

# contact columns the training-gap rule needs (team × category first-contact resolution)
TRAINING_COLUMNS = ("agent_id", "category", "first_contact_resolution", "business_unit")

#: The optional tables and columns each store-reading rule needs: rule kind → {table: columns}. The KPI rules
#: and channel shifts need only the required contact columns (a KPI without its columns is not available).
RULE_INPUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "category_spike": {"contacts": ("category", "is_complaint")},
    "staffing_gap": {"contacts": ("handle_s",), "agents": (), "agent_months": ("available_hours",)},
    "training_gap": {"contacts": TRAINING_COLUMNS, "agents": ("team",)},
    "churn_rise": {"customers": ("segment", "churn_date")},
    "churn_group": {"customers": ("churn_date",)},
}


def missing_inputs(store: Store, rule: str) -> list[str]:
    """What ``rule`` lacks in ``store``: ``"table"`` for an absent table, ``"table.column"`` for an absent
    column of a present table (empty when the rule can run)."""
    absent = []
    for table, columns in RULE_INPUTS[rule].items():
        if table not in store.tables:
            absent.append(table)
        else:
            have = set(store.columns(table))
            absent += [f"{table}.{c}" for c in columns if c not in have]
    return absent


def skipped_rules(store: Store) -> dict[str, list[str]]:
    """Rule kind → what it lacks, for every rule of :data:`RULE_INPUTS` that ``store`` cannot run."""
    return {rule: absent for rule in RULE_INPUTS if (absent := missing_inputs(store, rule))}


def _months(period: str, count: int) -> list[str]:
    end = parse_period(period)
    return [str(end - k) for k in range(count - 1, -1, -1)]


def _monthly_contacts(
    store: Store, period: str, unit: str, months: int, key: str, where: str = "TRUE", value: str = "count(*)"
) -> pd.DataFrame:
    """Per month × ``key`` (a column or expression) in the ``months`` months ending with ``period``: ``value``
    (default the number of contacts) as column ``count``."""
    start, stop = store.window(period, unit, months)  # the unit's months, in its time zone
    unit_filter = "TRUE" if unit == ALL_UNITS else f"business_unit = {literal(unit)}"
    month = (unit != ALL_UNITS and store.month_sql("created_at", start, stop)) or "created_at"
    return store.query(
        f"SELECT strftime({month}, '%Y-%m') AS period, {key} AS key, {value} AS count FROM {{contacts}} "
        f"WHERE created_at >= {literal(str(start))}::TIMESTAMP "
        f"AND created_at < {literal(str(stop))}::TIMESTAMP AND {unit_filter} AND {where} "
        f"AND {key} IS NOT NULL GROUP BY ALL"
    )


def _coverage(store: Store, period: str, unit: str, months: int) -> pd.DataFrame:
    """Per month: agents' available hours (agent_months, agents of the unit) and the handle hours the month's
    contacts ask for: contacts created × mean handle time of those handled (an abandoned contact asks for work
    too, so a shortfall that makes callers hang up does not hide itself by shrinking the work done)."""
    if missing_inputs(store, "staffing_gap"):
        return pd.DataFrame(columns=["period", "available_hours", "workload_hours"])
    window = _months(period, months)
    unit_filter = "TRUE" if unit == ALL_UNITS else f"a.business_unit = {literal(unit)}"
    hours = store.query(
        "SELECT m.period, sum(m.available_hours) AS available_hours, count(DISTINCT m.agent_id) AS agents "
        "FROM {agent_months} m "
        f"JOIN {{agents}} a USING (agent_id) WHERE {unit_filter} AND m.period IN ({', '.join(map(literal, window))}) "
        "GROUP BY ALL"
    )
    work = _monthly_contacts(store, period, unit, months, "'all'", value="count(*) * avg(handle_s) / 3600")
    work = work.rename(columns={"count": "workload_hours"}).drop(columns="key")
    return hours.merge(work, on="period", how="inner")


def collect_findings(
    store: Store,
    period: str,
    unit: str = ALL_UNITS,
    targets: Targets | None = None,
    rules: Rules | None = None,
    cache: KpiCache | None = None,
    churn_by_group: ChurnGroups | None = None,
    costs: ProcessCosts | None = None,
) -> list[Finding]:
    """Every finding of ``period`` × ``unit`` by the rules of :mod:`csreport.findings.rules`, ordered by
    severity then impact. A rule whose input table or column is absent is skipped (:data:`RULE_INPUTS` says
    what each rule needs; :func:`skipped_rules` lists the ones a store cannot run). ``churn_by_group``
    (:func:`who_churns`) and ``costs`` (:func:`load_process_costs`) of the same period × unit are used when
    given (a computed report keeps them for its chapters too), else computed here."""
    targets = targets or load_targets()
    rules = rules or load_rules(confidence=targets.parameters.confidence, min_sample=targets.parameters.min_sample)
    history = rules.baseline_months + 1
    last_month = store.last_month()
    card = scorecard(store, period, unit, targets, cache)
    found = kpi_findings(card, period, unit, rules, last_data_month=(period == last_month))

    if not missing_inputs(store, "category_spike"):
        complaints = _monthly_contacts(store, period, unit, history, "category", "is_complaint")
        span = store.coverage(unit)
        days = {m: span.days(m) for m in _months(period, history)} if span else None
        found += category_spikes(complaints.rename(columns={"key": "category"}), period, unit, rules, days=days)
    channels = _monthly_contacts(store, period, unit, 2, "channel")
    found += channel_shifts(channels.rename(columns={"key": "channel"}), period, unit, rules)

    service_level = card.set_index("kpi")["value"].get("service_level")
    contacts = card.set_index("kpi")["value"].get("contacts") or 0
    coverage = _coverage(store, period, unit, history)
    if not coverage.empty:
        found += staffing_gaps(coverage, period, unit, service_level, rules, contacts=int(contacts))

    if not missing_inputs(store, "training_gap"):
        recent = store.read(
            "contacts",
            period,
            unit,
            rules.training_months,
            columns=list(TRAINING_COLUMNS),
        )
        needs = training_needs(recent, store.read("agents"), targets.parameters.min_sample, 1 - rules.alpha)
        units = [unit] if unit != ALL_UNITS else sorted(needs["business_unit"].unique()) if not needs.empty else []
        for u in units:
            found += [f if unit == u else _as_unit(f, unit) for f in training_gaps(needs, period, u, rules)]

    if not missing_inputs(store, "churn_rise"):
        customers = store.read("customers", unit=unit)
        churn = segment_churn(customers, _months(period, history))
        found += churn_rises(churn, period, unit, rules)
    if not missing_inputs(store, "churn_group"):  # who churns needs no segment: any attribute will do
        if churn_by_group is None:
            churn_by_group = who_churns(store, period, unit, rules)
        found += churn_groups_found(churn_by_group, period, unit, rules)

    costs = costs if costs is not None else load_process_costs(store, period, unit, targets.parameters)
    found += process_cost_findings(costs, period, unit, rules)
    found += process_churn_findings(costs, period, unit, rules, targets.parameters.churn_window_days)
    return ordered(found)


def load_process_costs(store: Store, period: str, unit: str, params: Parameters) -> ProcessCosts:
    """The cost-benefit table of ``period`` × ``unit`` (:func:`~csreport.analyses.cost_benefit.process_costs`):
    the period's contacts and the next month's (where repeats of the period's last days fall), the unit's
    customers and the surveys linked to the period's contacts."""
    columns = [c for c in _PROCESS_COLUMNS if c in store.columns("contacts")]
    contacts = store.read("contacts", str(parse_period(period) + 1), unit, 2, columns)
    customers = store.read("customers", unit=unit) if store.has("customers") else None
    surveys = store.read("surveys", period, unit, 2) if store.has("surveys") else None
    start, stop = store.window(period, unit)  # the unit's month, in its time zone
    span = store.coverage(unit)  # the data's cut-off: how much of the churn and resolution windows was observed
    cutoff = to_zone(span.last, store.zone(unit), store.run_zone) if span else None
    return process_costs(contacts, start, stop, params, surveys, customers, cutoff)


def who_churns(store: Store, period: str, unit: str, rules: Rules, customers: pd.DataFrame | None = None):
    """:func:`~csreport.analyses.churn_groups.churn_groups` of ``period`` × ``unit`` from the store: the
    customers, and the contacts (customer_id, created_at) from the lookback before the window to its end."""
    if customers is None:
        customers = store.read("customers", unit=unit)
    contacts = None
    if store.has("contacts", "customer_id"):
        lookback_months = -(-rules.group_churn_lookback_days // 28) + 1
        contacts = store.read(
            "contacts", period, unit, rules.group_churn_months + lookback_months, columns=["customer_id", "created_at"]
        )
    cutoff = store.query("SELECT max(created_at) AS m FROM {contacts}")["m"].iloc[0]
    cutoff = None if pd.isna(cutoff) else pd.Timestamp(cutoff).floor("D") + pd.Timedelta(days=1)
    return churn_groups(
        customers,
        contacts,
        period,
        rules.group_churn_months,
        rules.group_churn_lookback_days,
        confidence=1 - rules.alpha,
        min_sample=rules.min_sample,
        cutoff=cutoff,
    )


def _as_unit(finding: Finding, unit: str) -> Finding:
    """A finding of one business unit reported in the roll-up of ``unit`` (the training unit goes to evidence)."""
    return replace(finding, unit=unit, evidence={**finding.evidence, "business_unit": finding.unit})


def findings_document(
    period: str, unit: str, findings: list[Finding], recommendations: list, evidence: list | None = None
) -> dict:
    """The content of ``findings.json``: the period × unit, every finding (with its id and the count and up
    to 20 example ids of the rows behind it, when ``evidence`` is given) and every recommendation."""
    documents = [f.to_json() for f in findings]
    for document, rows in zip(documents, evidence or [], strict=False):
        document["id"] = rows.finding_id
        document["rows"] = {k: v for k, v in rows.to_json().items() if k != "id"}
    return {
        "period": period,
        "unit": unit,
        "findings": documents,
        "recommendations": [r.to_json() for r in recommendations],
    }
