"""Every KPI of one period × business unit, computed from the rows (never by averaging units).

``load_period`` slices the store and ``compute_kpis`` computes one period; ``KpiCache.preload`` computes many
periods × units at once with the same definitions (contact and survey KPIs in one grouped DuckDB pass each).
A table or column that is absent gives unavailable Measures with the reason, never an error.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd

from csreport.data.periods import parse_period
from csreport.data.schemas import empty_frame
from csreport.data.sql import quote
from csreport.data.store import ALL_UNITS, Coverage, Store
from csreport.metrics import customers as cm
from csreport.metrics import registry
from csreport.metrics import workforce as wm
from csreport.metrics.aggregate import GroupedQuery, query_grouped
from csreport.metrics.business import business_years, span_years
from csreport.metrics.dates import month_number_sql
from csreport.metrics.derived import KEPT, kept_derived, kept_sorted
from csreport.metrics.helper_columns import contacts_derived
from csreport.metrics.loyalty import loyalty_index
from csreport.metrics.measure import Measure
from csreport.metrics.satisfaction import SURVEYS_DERIVED, survey_kpis, survey_response_rate, survey_specs
from csreport.metrics.service import contact_kpis, contact_specs, per_1000
from csreport.metrics.targets import BUSINESS_TWINS, Parameters

#: the scorecard KPIs of the package in display order (declared in csreport.metrics.registry; a KPI registered
#: at run time is shown too: the scorecard asks the registry, :func:`~csreport.metrics.registry.scorecard_kpis`)
SCORECARD_KPIS = registry.scorecard_kpis()
EMPTY_CONTACTS = empty_frame("contacts", ["contact_id", "created_at", "business_unit", "channel"])


@dataclass(frozen=True)
class PeriodData:
    """The rows of one period × unit; customers and agents are the whole unit (churn and attrition need
    history), agent_months the period's rows of the unit's agents; ``coverage`` the span of the unit's data
    (the trailing attrition window is cut to it)."""

    period: str
    unit: str
    contacts: pd.DataFrame
    surveys: pd.DataFrame
    customers: pd.DataFrame
    agents: pd.DataFrame
    agent_months: pd.DataFrame
    coverage: Coverage | None = None


def _unit_agent_months(agent_months: pd.DataFrame, agents: pd.DataFrame, unit: str) -> pd.DataFrame:
    if agent_months.empty or agents.empty or unit == ALL_UNITS:
        return agent_months
    return agent_months[agent_months["agent_id"].isin(agents["agent_id"])]


def _unit_splitter(frame: pd.DataFrame):
    """``unit → rows of frame`` (all rows for "all"), splitting ``frame`` once."""
    groups = dict(tuple(frame.groupby("business_unit", observed=True))) if not frame.empty else {}
    return lambda unit: frame if unit == ALL_UNITS or frame.empty else groups.get(unit, frame.iloc[0:0])


def load_period(store: Store, period: str, unit: str = ALL_UNITS) -> PeriodData:
    """Slice every table of ``store`` for ``period`` and ``unit`` (``"all"`` for every unit)."""
    agents = store.read("agents", unit=unit)
    return PeriodData(
        period,
        unit,
        store.read("contacts", period, unit),
        store.read("surveys", period, unit),
        store.read("customers", unit=unit),
        agents,
        _unit_agent_months(store.read("agent_months", period), agents, unit),
        store.coverage(unit),
    )


def _na(names: list[str], unit: str, reason: str) -> dict[str, Measure]:
    return {n: Measure.unavailable(n, unit, reason) for n in names}


@dataclass(frozen=True)
class PeopleKpis:
    """The KPIs of a period that need no contacts (churn, retention, workforce, agent-months), with what the
    contact-dependent ones need from these tables."""

    measures: dict[str, Measure]
    active_customers: int | None  # None without a customers table
    agent_months: pd.DataFrame


def people_kpis(
    period: str,
    customers: pd.DataFrame | cm.CustomerMonths,
    agents: pd.DataFrame | wm.AgentRoster,
    agent_months: pd.DataFrame,
    params: Parameters,
    span: Coverage | None = None,
) -> PeopleKpis:
    """Churn and retention from customers; headcount, attrition (trailing twelve months, cut to the data's
    ``span``), the month's leavers and tenure from agents; training, QA and employee satisfaction from
    agent_months."""
    out: dict[str, Measure] = {}
    active = None
    if customers.customers == 0 if isinstance(customers, cm.CustomerMonths) else customers.empty:
        out.update(_na(["churn_rate", "retention_rate", "churn_rate_12m"], "ratio", "no customers table"))
    else:
        dates = cm.CustomerMonths.of(customers)
        active = cm.active_customers(dates, period)
        churn = cm.churn_rate(dates, period, 1, params)
        for measure in [churn, cm.retention_from_churn(churn), cm.churn_rate(dates, period, 12, params)]:
            out[measure.name] = measure
    if len(agents) == 0:
        out.update(_na(["attrition_annualised", "voluntary_share"], "ratio", "no agents table"))
        out.update(_na(["headcount", "leavers"], "count", "no agents table"))
        out.update(_na(["tenure_median_months"], "months", "no agents table"))
    else:
        roster = wm.AgentRoster.of(agents)
        headcount = wm.average_headcount(roster, period)
        annual, voluntary = wm.attrition(roster, period, wm.TRAILING_MONTHS, params, span)
        month = wm.leavers(roster, period, span)
        for measure in [headcount, annual, voluntary, month, wm.tenure_months(roster, period, params)]:
            out[measure.name] = measure
    if agent_months.empty:
        out.update(_na(["training_hours"], "hours", "no agent_months rows in the period"))
        out.update(_na(["qa_score", "employee_satisfaction"], "score", "no agent_months rows in the period"))
    else:
        out.update({m.name: m for m in [wm.training_hours(agent_months, params), wm.qa_score(agent_months, params)]})
        out.update(wm.employee_satisfaction(agent_months, params))
    return PeopleKpis(out, active, agent_months)


def assemble(
    contact: dict[str, Measure], survey: dict[str, Measure] | None, people: PeopleKpis, params: Parameters
) -> dict[str, Measure]:
    """All KPIs of a period from its contact, survey and people KPIs (per-1,000-customer rates, survey response
    rate and occupancy combine them)."""
    out = {**contact, **people.measures}
    if people.active_customers is None:
        out.update(
            _na(["contacts_per_1000_customers", "complaints_per_1000_customers"], "per_1000", "no customers table")
        )
    else:
        active = people.active_customers
        out["contacts_per_1000_customers"] = per_1000(
            "contacts_per_1000_customers", contact["contacts"].value, active, "contacts × 1000 / active customers"
        )
        complaints = contact["complaints"]
        out["complaints_per_1000_customers"] = (
            per_1000("complaints_per_1000_customers", complaints.value, active, "complaints × 1000 / active customers")
            if complaints.available
            else Measure.unavailable("complaints_per_1000_customers", "per_1000", complaints.reason or "")
        )
    if survey is None:
        out.update(_na(["csat_mean", "ces_mean"], "score", "no surveys in the period"))
        out.update(
            _na(
                ["csat_top2", "ces_easy", "survey_response_rate", "nps_non_detractor"],
                "ratio",
                "no surveys in the period",
            )
        )
        out.update(_na(["nps"], "points", "no surveys in the period"))
        for spec in registry.added_specs(params, set(), "surveys"):  # survey KPIs added through the registry
            out[spec.name] = Measure.unavailable(spec.name, registry.kpi(spec.name).unit, "no surveys in the period")
    else:
        out.update(survey)
        handled, responses = contact["handled_contacts"], survey["csat_responses"]
        out["survey_response_rate"] = (
            survey_response_rate(int(responses.value), int(handled.value), params)
            if handled.available and responses.available
            else Measure.unavailable("survey_response_rate", "ratio", handled.reason or responses.reason or "")
        )
    out["retention_rate_12m"] = cm.retention_from_churn(out["churn_rate_12m"])
    advocacy = out.get("nps_non_detractor") or Measure.unavailable("nps_non_detractor", "ratio", "no NPS responses")
    out["loyalty_index"] = loyalty_index(out["retention_rate_12m"], advocacy, params)
    if people.agent_months.empty:
        out.update(_na(["occupancy"], "ratio", "no agent_months rows in the period"))
    else:
        out["occupancy"] = wm.occupancy_from_hours(contact["handle_seconds"], people.agent_months)
    return out


def compute_kpis(data: PeriodData, params: Parameters | None = None) -> dict[str, Measure]:
    """One Measure per KPI id for ``data``."""
    params = params or Parameters()
    contacts = data.contacts if len(data.contacts.columns) else EMPTY_CONTACTS
    survey = survey_kpis(data.surveys, params) if not data.surveys.empty else None
    people = people_kpis(data.period, data.customers, data.agents, data.agent_months, params, data.coverage)
    return assemble(contact_kpis(contacts, params), survey, people, params)


def _contact_query(store: Store, start: str, stop: str, params: Parameters) -> GroupedQuery:
    """The contact KPIs per month × unit from ``start`` to ``stop``, read from the contacts with their helper
    columns kept beside the store (:mod:`csreport.metrics.derived`, written on the first pass). The business-hour table
    is first built for the years up to one after the last contact (from the coverage recorded at validation, no
    scan); should a first response or resolution lie beyond it (fewer business than elapsed times collected),
    the query runs again with the table reaching the store's last timestamp (:func:`contact_years`)."""
    columns = set(store.columns("contacts"))

    def run(years: tuple[int, int] | None) -> GroupedQuery:
        relation, derived = kept_derived(store, "contacts", contacts_derived(columns, params, years))
        # the quantiles' values from lists kept sorted beside the kept helper columns (read from them)
        keep = (lambda select: kept_sorted(store, "contacts", select)) if derived == KEPT else None
        return query_grouped(
            relation,
            columns,
            contact_specs(params, columns),
            derived,
            "created_at",
            start,
            stop,
            store.month_sql("created_at", pd.Timestamp(start), pd.Timestamp(stop)),
            keep_sorted=keep,
        )

    years = business_years(store, params.business)
    if years is None:
        return run(contact_years(store, start, columns, params))
    query = run(years)
    if any(query.value_counts(business) != query.value_counts(elapsed) for business, elapsed in BUSINESS_TWINS.items()):
        query = run(contact_years(store, start, columns, params))
    return query


def contact_years(store: Store, start: str, columns: set[str], params: Parameters) -> tuple[int, int] | None:
    """The years from ``start`` to the last first response or resolution in the store (the span the
    business-hour table covers); None when no unit has a working calendar."""
    if params.business is None or not params.business.units:
        return None
    ends = [f"max({quote(c)})" for c in ("first_response_at", "resolved_at", "created_at") if c in columns]
    last = store.query(f"SELECT greatest({', '.join(ends)}) AS t FROM {{contacts}}")["t"].iloc[0]
    return span_years(pd.Timestamp(start), max(pd.Timestamp(start), pd.Timestamp(last)) if pd.notna(last) else None)


def _survey_query(store: Store, start: str, stop: str, params: Parameters) -> GroupedQuery | None:
    if not store.has("surveys"):
        return None
    columns = set(store.columns("surveys"))
    return query_grouped(
        store.relation("surveys"),
        columns,
        survey_specs(params, frozenset(columns)),
        SURVEYS_DERIVED,
        "responded_at",
        start,
        stop,
        store.month_sql("responded_at", pd.Timestamp(start), pd.Timestamp(stop)),
    )


def _customer_months(store: Store):
    """``unit → CustomerMonths`` ("all" for every customer) from one DuckDB count of customers per unit,
    signup month and churn month (a few thousand rows instead of every customer)."""
    columns = set(store.columns("customers")) if store.has("customers") else set()

    def month(column: str) -> str:
        return month_number_sql(quote(column)) if column in columns else "CAST(NULL AS DOUBLE)"

    if not columns:
        counts = pd.DataFrame(columns=["business_unit", "signup", "churn", "n"])
    else:
        counts = store.query(
            f"SELECT business_unit, {month('signup_date')} AS signup, {month('churn_date')} AS churn, count(*) AS n "
            "FROM {customers} GROUP BY ALL"
        )
    has_churn = "churn_date" in columns

    def of_unit(unit: str) -> cm.CustomerMonths:
        rows = counts if unit == ALL_UNITS else counts[counts["business_unit"] == unit]
        return cm.CustomerMonths.from_counts(
            rows["signup"].to_numpy(float), rows["churn"].to_numpy(float), rows["n"].to_numpy(float), has_churn
        )

    return of_unit


def compute_many(
    store: Store, periods: list[str], units: list[str], params: Parameters
) -> dict[tuple[str, str], dict[str, Measure]]:
    """KPIs of every (period, unit) pair of ``periods`` × ``units`` ("all" allowed): contact and survey KPIs in
    one grouped DuckDB pass each, run in a worker thread while the customer and workforce KPIs are computed
    (DuckDB releases the GIL, so the two overlap)."""
    months = sorted({parse_period(p) for p in periods})
    start, stop = str(months[0].start_time), str((months[-1] + 1).start_time)
    with ThreadPoolExecutor(max_workers=1) as pool:
        contact_query = pool.submit(_contact_query, store, start, stop, params)
        agent_months = store.read("agent_months", str(months[-1]), months=len(pd.period_range(months[0], months[-1])))
        customer_months = _customer_months(store)
        all_agents = store.read("agents")
        people = {}
        agents_of = _unit_splitter(all_agents)
        for unit in units:
            span = store.coverage(unit)
            customers = customer_months(unit)
            agents = agents_of(unit)
            unit_months = _unit_agent_months(agent_months, agents, unit)
            agents = wm.AgentRoster.of(agents) if not agents.empty else agents
            by_period = dict(tuple(unit_months.groupby("period", observed=True))) if not unit_months.empty else {}
            for period in periods:
                rows = by_period.get(period, unit_months.iloc[0:0])
                people[(period, unit)] = people_kpis(period, customers, agents, rows, params, span)
        survey_query = pool.submit(_survey_query, store, start, stop, params)  # DuckDB runs it while contacts finish
        contact = contact_query.result().finish(params.confidence)
        finished_surveys = survey_query.result()
        survey = finished_surveys.finish(params.confidence) if finished_surveys else {}
    empty_contact = contact_kpis(empty_frame("contacts", store.columns("contacts")), params)
    return {
        key: assemble(contact.get(key, empty_contact), survey.get(key), person, params)
        for key, person in people.items()
    }
