"""Collecting the findings of one period × unit: reads the aggregates the detection rules need from the
store, runs every rule, and orders the records (the I/O edge of the findings package)."""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from csreport.analyses.agents import training_needs
from csreport.analyses.churn_groups import ChurnGroups, churn_groups
from csreport.analyses.cost_benefit import ProcessCosts, process_costs
from csreport.data.periods import parse_period
from csreport.data.sql import literal
from csreport.data.store import ALL_UNITS, Store, to_zone
from csreport.findings.detect import (
    calibrated_changes,
    category_spikes,
    channel_shifts,
    kpi_signals,
    segment_churn,
    staffing_gaps,
)
from csreport.findings.detect_churn import churn_group_effects, churn_rises
from csreport.findings.detect_costs import process_churn_effects, process_cost_effects
from csreport.findings.detect_staff import training_effects
from csreport.findings.explain import explain
from csreport.findings.news import FindingSet, decide
from csreport.findings.record import Finding, ordered
from csreport.findings.rules import Rules, load_rules
from csreport.findings.signals import Signal
from csreport.findings.structural import structural_signals
from csreport.metrics.calls import counted
from csreport.metrics.scorecard import KpiCache, scorecard
from csreport.metrics.targets import Parameters, Targets, load_targets

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
    card: pd.DataFrame | None = None,
    needs: pd.DataFrame | None = None,
) -> FindingSet:
    """The news and standing issues of ``period`` × ``unit``: every rule's signals (:func:`collect_signals`)
    adjusted together and graded (:func:`csreport.findings.news.decide`), then each unit-level KPI change tested
    without its children's excess (:func:`csreport.findings.explain.explain`). ``card``: the period's scorecard
    when the caller has it (built with ``cache``), else built here."""
    targets = targets or load_targets()
    rules = rules or load_rules(confidence=targets.parameters.confidence, min_sample=targets.parameters.min_sample)
    signals, history = collect_signals(store, period, unit, targets, rules, cache, churn_by_group, costs, card, needs)
    found = decide(signals, rules)
    card = scorecard(store, period, unit, targets, cache) if card is None else card
    span = store.coverage(unit)
    periods = _months(period, rules.baseline_months + 1)
    days = [float(span.days(m)) for m in periods] if span else None
    maturing = tuple(card.loc[card["maturing"].astype(bool), "kpi"]) if period == store.last_month() else ()
    calibration = calibrated_changes(card, history, days, 1 - rules.alpha, maturing)
    return replace(found, findings=ordered(explain(found.findings, history, found.threshold)), calibration=calibration)


def collect_signals(
    store: Store,
    period: str,
    unit: str,
    targets: Targets,
    rules: Rules,
    cache: KpiCache | None = None,
    churn_by_group: ChurnGroups | None = None,
    costs: ProcessCosts | None = None,
    card: pd.DataFrame | None = None,
    needs: pd.DataFrame | None = None,
) -> tuple[list[Signal], dict]:
    """Every rule's candidate findings of ``period`` × ``unit`` with their calibrated tests, over the
    ``baseline_months`` before it. A rule whose input table or column is absent is skipped
    (:data:`RULE_INPUTS` says what each rule needs; :func:`skipped_rules` lists the ones a store cannot run).
    ``churn_by_group`` (:func:`who_churns`), ``costs`` (:func:`load_process_costs`) and ``needs``
    (:func:`load_training_needs`) of the same period × unit are used when given (a computed report keeps them for
    its chapters too), else computed here. Returns the signals and the KPIs' monthly Measures they were tested on
    (KPI name → Measures, the report's month last)."""
    cache = cache or KpiCache(store, targets)
    periods = _months(period, rules.baseline_months + 1)
    cache.preload(periods, [unit])
    card = scorecard(store, period, unit, targets, cache) if card is None else card
    history = {kpi: [cache.kpis(m, unit).get(kpi) for m in periods] for kpi in card["kpi"]}
    confidence = 1 - rules.alpha
    found = kpi_signals(card, history, periods, unit, rules, period == store.last_month(), confidence)
    span = store.coverage(unit)
    days = {m: span.days(m) for m in periods} if span else None

    if not missing_inputs(store, "category_spike"):
        complaints = _monthly_contacts(store, period, unit, len(periods), "category", "is_complaint")
        found += category_spikes(complaints.rename(columns={"key": "category"}), periods, unit, rules, days=days)
    channels = _monthly_contacts(store, period, unit, len(periods), "channel")
    found += channel_shifts(channels.rename(columns={"key": "channel"}), periods, unit, rules)

    values = card.set_index("kpi")["value"]
    coverage = _coverage(store, period, unit, len(periods))
    if not coverage.empty:
        found += staffing_gaps(coverage, periods, unit, values.get("service_level"), rules,
                               contacts=int(values.get("contacts") or 0))  # fmt: skip
    if not missing_inputs(store, "churn_rise"):
        customers = store.read("customers", unit=unit)
        found += churn_rises(segment_churn(customers, periods), periods, unit, rules)
    found += _structural(store, period, unit, targets, rules, churn_by_group, costs, needs)
    return found, history


def _window_ends(period: str, months: int, windows: int) -> list[str]:
    """The last months of ``windows`` consecutive windows of ``months`` months, the report's first."""
    end = parse_period(period)
    return [str(end - k * months) for k in range(windows)]


def _structural(store, period, unit, targets, rules, churn_by_group, costs, given_needs=None) -> list[Signal]:
    """The structural rules (who churns, training gaps, process cost and churn after contact), each compared
    with the same rule in the windows before (:func:`csreport.findings.structural.structural_signals`)."""
    params = targets.parameters
    windows = rules.standing_windows + 1
    span = store.coverage(unit)
    first = str(pd.Period(span.first_day, "M")) if span else period
    found: list[Signal] = []
    if not missing_inputs(store, "training_gap"):
        ends = [e for e in _window_ends(period, rules.training_months, windows) if e >= first]
        agents = store.read("agents")
        needs = [given_needs if end == period and given_needs is not None else load_training_needs(
                 store, end, unit, params, rules, agents) for end in ends]  # fmt: skip
        units = [unit] if unit != ALL_UNITS else sorted({u for n in needs[:1] if not n.empty
                                                         for u in n["business_unit"].unique()})  # fmt: skip
        for u in units:
            effects = [training_effects(n, end, u, rules) for n, end in zip(needs, ends, strict=True)]
            signals = structural_signals(effects, ends, rules, lambda f: -f.change, rules.training_gap_points,
                                         rules.high_training_gap_points)  # fmt: skip
            found += [s if u == unit else s.with_finding(**_as_unit(s.finding, unit)) for s in signals]
    if not missing_inputs(store, "churn_group"):  # who churns needs no segment: any attribute will do
        ends = [e for e in _window_ends(period, rules.group_churn_months, windows) if e >= first]
        customers = store.read("customers", unit=unit)
        effects = []
        for i, end in enumerate(ends):
            groups = churn_by_group if i == 0 and churn_by_group is not None else who_churns(
                store, end, unit, rules, customers)  # fmt: skip
            effects.append(churn_group_effects(groups, end, unit, rules))
        for effect in effects[0].values():
            if effect.finding is not None:
                effects[0][effect.key] = replace(effect, finding=replace(effect.finding, period=period))
        found += structural_signals(effects, ends, rules, lambda f: f.evidence.get("ratio") or 0.0,
                                    rules.group_churn_ratio, rules.group_churn_ratio)  # fmt: skip
    ends = [e for e in _window_ends(period, 1, windows) if e >= first]
    monthly = [costs if i == 0 and costs is not None else load_process_costs(store, end, unit, params)
               for i, end in enumerate(ends)]  # fmt: skip
    cost_effects = [process_cost_effects(c, e, unit, rules) for c, e in zip(monthly, ends, strict=True)]
    found += structural_signals(cost_effects, ends, rules, lambda f: f.evidence.get("ratio") or 0.0,
                                rules.process_cost_ratio, rules.high_process_cost_ratio)  # fmt: skip
    churn_effects = [process_churn_effects(c, e, unit, rules, params.churn_window_days)
                     for c, e in zip(monthly, ends, strict=True)]  # fmt: skip
    signals = structural_signals(churn_effects, ends, rules, _process_churn_ratio, rules.process_churn_ratio,
                                 rules.high_process_churn_ratio)  # fmt: skip
    if _window_open(store, period, unit, params.churn_window_days):
        # churn after the month's contacts has not had its whole window yet: standing only, with the note
        note = "maturing: the churn window after these contacts has not closed"
        signals = [replace(s, p=None).with_finding(note=note) for s in signals if s.standing]
    found += signals
    return found


def _process_churn_ratio(finding: Finding) -> float:
    return finding.value / finding.baseline if finding.baseline else math.inf


def _window_open(store: Store, period: str, unit: str, days: int) -> bool:
    """True when the data ends before ``days`` days after the end of ``period`` (the unit's month)."""
    span = store.coverage(unit)
    if span is None:
        return False
    stop = (parse_period(period) + 1).start_time
    return span.last_day < stop + pd.Timedelta(days=days)


def load_training_needs(
    store: Store, period: str, unit: str, params: Parameters, rules: Rules, agents: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Training needs (:func:`~csreport.analyses.agents.training_needs`: team × category first-contact resolution
    against the unit's) over the ``rules.training_months`` months ending with ``period``, at the findings'
    confidence (1 − ``rules.alpha``) and minimum sample: what the training-gap rule tests and chapter 4 shows."""
    contacts = store.read("contacts", period, unit, rules.training_months, columns=list(TRAINING_COLUMNS))
    agents = store.read("agents") if agents is None else agents
    return training_needs(contacts, agents, params.min_sample, 1 - rules.alpha)


@counted("process_costs", by=lambda store, period, unit, *a, **k: f"{period} {unit}")
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


@counted("who_churns", by=lambda store, period, unit, *a, **k: f"{period} {unit}")
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


def _as_unit(finding: Finding, unit: str) -> dict:
    """The changes that report a finding of one business unit in the roll-up of ``unit`` (the training unit
    goes to evidence)."""
    return {"unit": unit, "evidence": {**finding.evidence, "business_unit": finding.unit}}


def findings_document(
    period: str,
    unit: str,
    findings: list[Finding],
    recommendations: list,
    evidence: list | None = None,
    standing: list[Finding] | None = None,
    standing_evidence: list | None = None,
    value_at_stake_total: float | None = None,
    tests: int | None = None,
) -> dict:
    """The content of ``findings.json``: the period × unit; ``findings`` what is news this month and
    ``standing`` the standing issues (each with its id and the count and up to 20 example ids of the rows behind
    it, when the evidence is given; a standing issue with ``first_seen`` and ``trend``); every recommendation
    (one per effect: ``finding_ids``, the union of their evidence ids less the rows a recommendation ranked
    higher already lists, the money counted once over them); and
    ``value_at_stake_total``, the money of every recommendation's rows together, each row once."""

    def documents(items, rows):
        out = [f.to_json() for f in items]
        for document, row in zip(out, rows or [], strict=False):
            document["id"] = row.finding_id
            document["rows"] = {k: v for k, v in row.to_json().items() if k != "id"}
        return out

    return {
        "period": period,
        "unit": unit,
        "method": {
            "alarms": "Laney p′/u′ control charts on the unit's own history (level and month-on-month change), "
            "Benjamini–Hochberg over the report's news tests",
            "news_tests": tests,
        },
        "findings": documents(findings, evidence),
        "standing": documents(standing or [], standing_evidence),
        "recommendations": [r.to_json() for r in recommendations],
        "value_at_stake_total": value_at_stake_total,
    }
