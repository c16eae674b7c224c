"""Like-for-like comparison of maturing outcomes: KPIs whose value for a contact is only known some time after it.

FCR by the repeat rule needs ``fcr_repeat_window_days`` after a contact to know that no repeat came; resolution
rate, resolution time, reopen rate and first response time need time for the contact to be resolved or answered.
A month is *maturing* for such a KPI when the data end less than its horizon after the month ends (FCR by repeat:
the repeat window; the others: :data:`SETTLED_DAYS`).

A maturing month is compared with its baseline at the same age: the baseline month ``k`` months earlier is read
as the data stood ``k`` months before the data's end (cut-off = last contact − k months, calendar months): its
contacts created up to that cut-off, with repeats, resolutions and first responses counted only up to it. A KPI
whose outcome has no time stamp (``reopened``; a ``resolved`` flag without ``resolved_at``) cannot be aged: its
comparison claims no significance. Pure SQL over the store (one month × unit), no plotting.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from csreport.data.periods import parse_period
from csreport.data.sql import literal, quote
from csreport.data.store import ALL_UNITS, Coverage, Store, to_zone
from csreport.metrics import registry
from csreport.metrics.aggregate import query_grouped
from csreport.metrics.business import BUSINESS_PAIRS, WORKDAY, business_source, business_years
from csreport.metrics.calls import counted
from csreport.metrics.comparisons import Comparison
from csreport.metrics.derived import KEPT, kept_derived
from csreport.metrics.helper_columns import contacts_derived
from csreport.metrics.measure import Measure
from csreport.metrics.service import contact_specs
from csreport.metrics.targets import Parameters

#: days after a month's end from which its resolutions, reopens and first responses count as settled
SETTLED_DAYS = registry.SETTLED_DAYS


@dataclass(frozen=True)
class Maturing:
    """How a maturing KPI can be compared: its horizon in days and the column that dates its outcome (None:
    it cannot be aged, so a maturing month claims no significance)."""

    kpi: str
    horizon_days: float
    dated_by: str | None


def maturing_kpis(columns: set[str], params: Parameters) -> dict[str, Maturing]:
    """The maturing KPIs of a contacts table with ``columns``: the KPIs the registry declares with a
    :class:`~csreport.metrics.registry.Maturity`, except those its ``unless`` column makes final (an exported
    first-contact-resolution flag is taken as it is); one can be aged when the contacts have its ``dated_by``
    column."""
    out = {}
    for kpi in registry.kpis():
        maturity = kpi.maturity
        if maturity is None or (maturity.unless is not None and maturity.unless in columns):
            continue
        dated_by = maturity.dated_by if maturity.dated_by in columns else None
        out[kpi.name] = Maturing(kpi.name, maturity.horizon_days(params), dated_by)
    return out


def is_maturing(coverage: Coverage | None, period: str, horizon_days: float) -> bool:
    """True when the data's last contact comes less than ``horizon_days`` after the end of ``period``."""
    if coverage is None:
        return False
    end = (parse_period(period) + 1).start_time
    return coverage.last < end + pd.Timedelta(days=horizon_days)


def cutoff(coverage: Coverage, months_back: int) -> pd.Timestamp:
    """The same age ``months_back`` months earlier: the last contact moved back by whole calendar months."""
    return coverage.last - pd.DateOffset(months=months_back)


def same_age_kpis(store: Store, period: str, unit: str, at: pd.Timestamp, params: Parameters) -> dict[str, Measure]:
    """The maturing KPIs that can be aged (:func:`maturing_kpis` with a ``dated_by``) of ``period`` × ``unit``
    as the data stood at ``at``: contacts created up to ``at``;
    repeats (FCR rule), resolutions (``resolved_at``, and the ``resolved`` flag of contacts resolved later) and
    first responses after ``at`` not yet seen; business seconds of the units' calendars as in the month's KPIs."""
    return same_age_many(store, [(period, unit, at)], params).get((period, unit, str(at)), {})


@counted("same_age_many", by=lambda store, requests, *a, **k: " ".join(f"{p}/{u}@{at}" for p, u, at in requests))
def same_age_many(
    store: Store, requests: list[tuple[str, str, pd.Timestamp]], params: Parameters
) -> dict[tuple[str, str, str], dict[str, Measure]]:
    """:func:`same_age_kpis` of every ``(period, unit, at)`` of ``requests`` in one pass over the store (each
    request is a scenario: its unit's month up to ``at`` with the later outcomes masked), keyed
    ``(period, unit, str(at))``; a request without contacts is left out."""
    if not requests:
        return {}
    columns = set(store.columns("contacts"))
    # contacts after the month matter only to the repeat rule of FCR (a repeat within the window after it)
    repeats = "first_contact_resolution" not in columns and {"customer_id", "created_at"} <= columns
    scenarios, spans, stops = [], {}, []
    business = [name for name, column in BUSINESS_PAIRS.items() if {"created_at", column} <= columns]
    for key, (period, unit, at) in enumerate(requests):
        start, stop = store.window(period, unit)  # the unit's month; ``at`` is of its zone (its coverage)
        last = to_zone(at, store.zone(unit), store.run_zone)
        unit_value = "NULL" if unit == ALL_UNITS else literal(unit)
        scenarios.append(
            f"({literal(str(key))}, {literal(str(start))}::TIMESTAMP, {literal(str(last))}::TIMESTAMP, "
            f"{literal(str(stop))}::TIMESTAMP, {unit_value})"
        )
        # the rows read: per month start, up to the latest cut-off of its scenarios (units share months)
        end = last if repeats else min(last, stop - pd.Timedelta(microseconds=1))
        spans[start] = max(spans.get(start, end), end)
        stops.append(stop)
    # each scenario's rows (its unit's month up to its cut-off) with the outcomes after the cut-off masked;
    # business seconds are computed once per row (below), then masked with their time stamp
    masks = [
        f"CASE WHEN {c} <= s._cut THEN {c} END AS {c}" for c in ("resolved_at", "first_response_at") if c in columns
    ]
    masks += [f"CASE WHEN {BUSINESS_PAIRS[name]} <= s._cut THEN {name} END AS {name}" for name in business]
    if {"resolved", "resolved_at"} <= columns:
        masks.append("CASE WHEN resolved_at > s._cut THEN FALSE ELSE resolved END AS resolved")
    within = "r.created_at >= s._start AND r.created_at <= s._cut"
    within += "" if repeats else " AND r.created_at < s._stop"
    aged = {kpi for kpi, m in maturing_kpis(columns, params).items() if m.dated_by}
    specs = [spec for spec in contact_specs(params, columns) if spec.name in aged]  # the others are not read
    # only the columns these KPIs and their outcomes need are read (and held for the scenarios)
    outcomes = {"created_at", "business_unit", "resolved", "resolved_at", "first_response_at", "customer_id"}
    used = (outcomes | {c for spec in specs for c in spec.needs}) & columns
    ranges = [
        f"created_at BETWEEN {literal(str(start))}::TIMESTAMP AND {literal(str(end))}::TIMESTAMP"
        for start, end in sorted(spans.items())
    ]
    if business and params.business is not None and params.business.units:
        business.append(WORKDAY)  # the working-day flag of the calendar check, read or computed with them
    read = _rows(store, columns, used, business, ranges, params)
    values = f"(VALUES {', '.join(scenarios)}) AS s(_scenario, _start, _cut, _stop, _unit)"
    replaced = f" REPLACE ({', '.join(masks)})" if masks else ""
    select = f"SELECT r.*{replaced}, s._scenario, s._stop AS _scenario_stop"
    # a unit's scenarios are joined on the unit (a hash join, then the span; a range join sorted the rows and
    # took twice as long), all units' scenarios on a constant
    everyone = "(SELECT *, 1 AS _one FROM s WHERE _unit IS NULL) AS s"
    source = (
        f"(WITH r AS MATERIALIZED ({read}), s AS MATERIALIZED (SELECT * FROM {values}) "
        f"{select} FROM r JOIN s ON r.business_unit = s._unit WHERE {within} "
        f"UNION ALL {select} FROM r JOIN {everyone} ON s._one = 1 WHERE {within})"
    )
    derived = contacts_derived(used | set(business), params, scenarios=True)
    grouped = query_grouped(
        source, used, specs, derived, "created_at", str(min(spans)), str(max(stops)), scenarios=True
    ).finish(params.confidence)
    return {
        (period, unit, str(at)): grouped[(str(key), "")]
        for key, (period, unit, at) in enumerate(requests)
        if (str(key), "") in grouped
    }


def _rows(
    store: Store, columns: set[str], used: set[str], business: list[str], ranges: list[str], params: Parameters
) -> str:
    """SELECT of the ``used`` columns of the contacts of every scenario's span (read once) with their business
    seconds ``business``: from the contacts kept with their KPI helper columns (:mod:`csreport.metrics.derived`,
    written by the month's pass with the same calendars and table), else computed here, once per row."""
    where = " OR ".join(f"({r})" for r in ranges)
    years = business_years(store, params.business)
    relation, derived = kept_derived(store, "contacts", contacts_derived(columns, params, years))
    if derived == KEPT:
        return f"SELECT {', '.join(quote(c) for c in [*sorted(used), *business])} FROM {relation} WHERE {where}"
    read = f"(SELECT {', '.join(quote(c) for c in sorted(used))} FROM {store.relation('contacts')} WHERE {where})"
    timed = business_source(params.business, columns, years).replace("FROM source", f"FROM {read}")
    return f"SELECT * FROM {read if timed == 'source' else timed}"


def not_comparable(comparison: Comparison, reason: str) -> Comparison:
    """``comparison`` with no significance claimed (p-value dropped) and the reason."""
    return replace(comparison, p_value=None, significant=False, reason=reason)
