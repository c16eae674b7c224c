"""Contact-based KPIs: volume, service level, ASA, abandonment, response and resolution times, resolution rate,
FCR, reopen, escalation, complaints, AHT and cost per contact. Input: the contacts of one period × unit.

Each KPI is an aggregate spec (:mod:`csreport.metrics.aggregate`) evaluated by DuckDB, over a DataFrame here
or over the store for many months and units at once (:func:`contact_kpis_grouped`).
"""

from __future__ import annotations

import pandas as pd

from csreport.metrics.aggregate import evaluate
from csreport.metrics.business import WORKDAY, span_years
from csreport.metrics.helper_columns import contacts_derived
from csreport.metrics.measure import Measure
from csreport.metrics.registry import added_specs
from csreport.metrics.specs import Count, Mean, Proportion, Quantile, Spec, Sum
from csreport.metrics.targets import Parameters

DEFAULT = Parameters()
QUEUE = ("channel", "queue_wait_s", "abandoned")
#: the columns first response time needs: it is measured on the written channels only
FIRST_RESPONSE = ("channel", "created_at", "first_response_at")
NO_FIRST_RESPONSE = "no written-channel contact with a first response"


def missing(frame: pd.DataFrame, *columns: str, table: str = "contacts") -> str | None:
    """The reason a KPI cannot be computed when ``frame`` lacks any of ``columns``, else None."""
    absent = [c for c in columns if c not in frame.columns]
    return f"{table} has no {', '.join(absent)} column" if absent else None


def contact_specs(params: Parameters, columns: set[str]) -> list[Spec]:
    """The contact KPI specs: the package's (:func:`package_specs`) and those of the contact KPIs added through
    the registry (:func:`csreport.metrics.registry.register` with a ``spec``)."""
    return [*package_specs(params, columns), *added_specs(params, columns, "contacts")]


def package_specs(params: Parameters, columns: set[str]) -> list[Spec]:
    """The package's contact KPI specs; their formulas are documented on the functions below."""
    thresholds = ", ".join(f"{c} {t:g} s" for c, t in params.service_level_threshold_s.items())
    short = f"{params.short_abandon_s:g} s"
    resolved_needs = ("resolved",) if "resolved" in columns else ("resolved_at",)
    has_resolved = bool({"resolved", "resolved_at"} & columns)
    no_queue = "no queued phone/chat contacts offered"
    written = written_text(params)
    if "first_contact_resolution" in columns:
        fcr = Proportion(
            "fcr_rate",
            ("first_contact_resolution",),
            "flag: first_contact_resolution",
            "no contact with first_contact_resolution known",
            success="first_contact_resolution",
            among="first_contact_resolution IS NOT NULL",
        )
    else:
        fcr = Proportion(
            "fcr_rate",
            ("customer_id", "created_at"),
            f"no repeat by the same customer within {params.fcr_repeat_window_days:g} days",
            "no contact with a customer_id",
            success="NOT _repeated",
            among="customer_id IS NOT NULL",
        )
    cost_value = "coalesce(cost, 0)" if "cost" in columns else "_model_cost"
    cost_method = (
        ("cost column / handled contacts" if "handle_s" in columns else "cost column / contacts not abandoned")
        if "cost" in columns
        else f"cost model: {params.cost_per_handle_hour:g} per handle hour + per-channel fixed cost"
    )
    return [
        Count("contacts", (), "contacts created", ""),
        Count("handled_contacts", ("handle_s",), "handled contacts", "", where="_handled"),
        Sum("handle_seconds", ("handle_s",), "sum of handle_s", "", value="handle_s"),
        Count("complaints", ("is_complaint",), "complaints", "", where="coalesce(is_complaint, FALSE)"),
        Proportion(
            "service_level",
            QUEUE,
            f"answered within T / (answered + abandoned ≥ {short}); T: {thresholds}",
            no_queue,
            success="NOT abandoned AND queue_wait_s <= _threshold_s",
            among="_offered",
        ),
        Mean(
            "asa_s",
            QUEUE,
            "mean wait of answered contacts",
            "no answered queued contacts",
            value="queue_wait_s",
            where="_offered AND NOT abandoned",
        ),
        Proportion(
            "abandonment_rate", QUEUE, f"abandoned ≥ {short} / offered", no_queue, success="abandoned", among="_offered"
        ),
        Quantile(
            "first_response_median_s",
            FIRST_RESPONSE,
            f"median, {written}, calendar time",
            NO_FIRST_RESPONSE,
            value="_first_response_s",
            q=0.5,
        ),
        Quantile(
            "first_response_p90_s",
            FIRST_RESPONSE,
            f"90th percentile, {written}, calendar time",
            NO_FIRST_RESPONSE,
            value="_first_response_s",
            q=0.9,
        ),
        *_business_specs(params),
        Quantile(
            "resolution_median_s",
            ("created_at", "resolved_at"),
            "median of resolved contacts",
            "no resolved contact",
            value="_resolution_s",
            q=0.5,
        ),
        Quantile(
            "resolution_p90_s",
            ("created_at", "resolved_at"),
            "90th percentile of resolved contacts",
            "no resolved contact",
            value="_resolution_s",
            q=0.9,
        ),
        Proportion(
            "resolution_rate",
            resolved_needs,
            "cohort: created in period, resolved by cut-off",
            "no contacts",
            success="_is_resolved",
        ),
        fcr,
        Proportion(
            "reopen_rate",
            ("reopened",),
            "reopened / resolved",
            "no resolved contacts",
            success="coalesce(reopened, FALSE)",
            among="_is_resolved" if has_resolved else "TRUE",
        ),
        Proportion(
            "escalation_rate",
            ("escalated",),
            "escalated / contacts",
            "no contact with escalated known",
            success="escalated",
            among="escalated IS NOT NULL",
        ),
        Proportion(
            "complaint_rate",
            ("is_complaint",),
            "complaints / contacts",
            "no contact with is_complaint known",
            success="is_complaint",
            among="is_complaint IS NOT NULL",
        ),
        Mean(
            "aht_s",
            ("handle_s",),
            "mean handle time of handled contacts",
            "no handled contacts",
            value="handle_s",
            where="_handled",
        ),
        Mean(
            "cost_per_contact",
            ("cost",) if "cost" in columns else ("handle_s",),
            cost_method,
            "no handled contacts",
            value=cost_value,
            where="_handled",
            unit="currency",
        ),
    ]


def written_text(params: Parameters) -> str:
    """``written channels (email, ticket, social)``: the channels first response time is measured on."""
    return f"written channels ({', '.join(params.first_response_channels)})"


def _business_specs(params: Parameters) -> list[Quantile]:
    """Median and p90 of first response (written channels) and resolution time in business seconds: working
    time of the unit's calendar (params/calendars.yml) between created_at and first_response_at / resolved_at; a
    unit without a calendar is open 24/7, so its business time equals its elapsed time. Without any calendar the
    quantiles are taken from the elapsed times' values (the same numbers, collected and partitioned once).

    Also the business-hour medians of the contacts created on working days only (``*_business_workday_median_s``,
    local days with working hours in the unit's calendar, helper column ``_workday``): not reported, they tell
    whether a change of the business-hour median is the calendar's doing (:mod:`csreport.metrics.calendar_driven`)."""
    calendared = params.business is not None and params.business.units
    basis = "business hours of the unit's calendar" if calendared else "business hours: no calendar, 24/7"
    out = []
    for kpi, needs, value, empty, among in [
        ("first_response", FIRST_RESPONSE, "_first_response_bs", NO_FIRST_RESPONSE, f"{written_text(params)}, "),
        ("resolution", ("created_at", "resolved_at"), "_resolution_bs", "no resolved contact", ""),
    ]:
        value = value if calendared else value.removesuffix("bs") + "s"  # _first_response_s, _resolution_s
        for label, q in (("median", 0.5), ("p90", 0.9)):
            out.append(
                Quantile(
                    f"{kpi}_business_{label}_s",
                    needs,
                    f"{'median' if q == 0.5 else '90th percentile'}, {among}{basis}",
                    empty,
                    value=value,
                    q=q,
                )
            )
        out.append(
            Quantile(
                f"{kpi}_business_workday_median_s",
                needs,
                f"median, contacts created on working days, {among}{basis}",
                empty,
                value=value,
                where=WORKDAY if calendared else "TRUE",
                q=0.5,
            )
        )
    return out


def frame_years(*frames: pd.DataFrame | None) -> tuple[int, int] | None:
    """The years of every contact timestamp in ``frames`` (the span the business-hour table must cover)."""
    low, high = [], []
    for frame in frames:
        if frame is None or frame.empty:
            continue
        for column in ("created_at", "first_response_at", "resolved_at"):
            if column in frame.columns and frame[column].notna().any():
                low.append(frame[column].min())
                high.append(frame[column].max())
    return span_years(min(low), max(high)) if low else None


def contact_kpis(
    contacts: pd.DataFrame, params: Parameters = DEFAULT, later: pd.DataFrame | None = None
) -> dict[str, Measure]:
    """Every contact KPI of one period's contacts (``later``: contacts after it, for repeat-based FCR)."""
    columns = set(contacts.columns)
    derived = contacts_derived(columns, params, frame_years(contacts, later))
    return evaluate(contacts, contact_specs(params, columns), derived, params.confidence, later)


def _one(name: str, contacts: pd.DataFrame, params: Parameters, later: pd.DataFrame | None = None) -> Measure:
    return contact_kpis(contacts, params, later)[name]


def contact_volume(contacts: pd.DataFrame) -> Measure:
    """Contacts created in the period (count). Zero contacts is a count of 0, not "not available"."""
    return _one("contacts", contacts, DEFAULT)


def contacts_per_1000_customers(contacts: pd.DataFrame, active_customers: int) -> Measure:
    """Contacts × 1,000 / customers active in the period (per 1,000 customers)."""
    return per_1000(
        "contacts_per_1000_customers", len(contacts), active_customers, "contacts × 1000 / active customers"
    )


def per_1000(name: str, count: float, active_customers: int, method: str) -> Measure:
    """``count`` × 1,000 / active customers; unavailable without active customers."""
    if active_customers <= 0:
        return Measure.unavailable(name, "per_1000", "no active customers")
    return Measure(
        name, count * 1000 / active_customers, active_customers, "per_1000", numerator=float(count), method=method
    )


def service_level(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Answered within T seconds / (answered + abandoned after the short-abandon limit), ratio.

    T is per channel (``service_level_threshold_s``); only those queued channels count; abandons under
    ``short_abandon_s`` seconds are excluded from numerator and denominator.
    """
    return _one("service_level", contacts, params)


def average_speed_of_answer(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """ASA: mean queue wait (s) of answered queued contacts (abandoned ones and short abandons excluded)."""
    return _one("asa_s", contacts, params)


def abandonment_rate(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Abandoned / offered, both excluding abandons under ``short_abandon_s`` seconds (ratio)."""
    return _one("abandonment_rate", contacts, params)


def first_response_time(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> tuple[Measure, Measure]:
    """Median and p90 of first_response_at − created_at, calendar seconds, of the contacts of the written channels
    (``first_response_channels``: email, ticket, social by default) with a first response. Phone and chat are
    answered in the queue: ASA and service level measure them, so they are left out here."""
    kpis = contact_kpis(contacts, params)
    return kpis["first_response_median_s"], kpis["first_response_p90_s"]


def resolution_time(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> tuple[Measure, Measure]:
    """Median and p90 of resolved_at − created_at, calendar seconds, resolved contacts only."""
    kpis = contact_kpis(contacts, params)
    return kpis["resolution_median_s"], kpis["resolution_p90_s"]


def resolution_rate(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Contacts created in the period and resolved by the data cut-off / contacts created (cohort counting).

    Uses the ``resolved`` flag, or a present ``resolved_at`` when there is no flag.
    """
    if "resolved" not in contacts.columns and "resolved_at" not in contacts.columns:
        return Measure.unavailable("resolution_rate", "ratio", "contacts has no resolved or resolved_at column")
    return _one("resolution_rate", contacts, params)


def first_contact_resolution(
    contacts: pd.DataFrame, params: Parameters = DEFAULT, later: pd.DataFrame | None = None
) -> Measure:
    """FCR, ratio. With the flag: first_contact_resolution true / contacts with the flag known. Without it:
    contacts with no repeat contact by the same customer within ``fcr_repeat_window_days`` / contacts with a
    customer_id; ``later`` holds the contacts after the period, so that late-month repeats are seen.
    """
    if "first_contact_resolution" not in contacts.columns:
        reason = missing(contacts, "customer_id", "created_at")
        if reason:
            return Measure.unavailable("fcr_rate", "ratio", f"no FCR flag and {reason}")
    return _one("fcr_rate", contacts, params, later)


def reopen_rate(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Reopened / resolved contacts (ratio)."""
    return _one("reopen_rate", contacts, params)


def escalation_rate(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Escalated / contacts with the escalation flag known (ratio)."""
    return _one("escalation_rate", contacts, params)


def complaint_rate(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Complaints / contacts with the complaint flag known (ratio)."""
    return _one("complaint_rate", contacts, params)


def complaints_per_1000_customers(contacts: pd.DataFrame, active_customers: int) -> Measure:
    """Complaints × 1,000 / customers active in the period (per 1,000 customers)."""
    complaints = _one("complaints", contacts, DEFAULT)
    if not complaints.available or complaints.reason:
        return Measure.unavailable("complaints_per_1000_customers", "per_1000", complaints.reason or "")
    return per_1000(
        "complaints_per_1000_customers", complaints.value, active_customers, "complaints × 1000 / active customers"
    )


def average_handle_time(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """AHT: mean handle_s (talk + hold + after-contact work) of handled contacts, seconds."""
    return _one("aht_s", contacts, params)


def cost_per_contact(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Total cost / handled contacts (currency). From the cost column, else the cost model of targets.yml:
    handle hours × per_handle_hour + per_contact[channel]. Handled: a handle_s and not abandoned; with a cost
    column and no handle_s, every contact not abandoned (the cost column alone is enough)."""
    if "handle_s" not in contacts.columns and "cost" not in contacts.columns:
        return Measure.unavailable("cost_per_contact", "currency", "contacts has no handle_s column and no cost column")
    return _one("cost_per_contact", contacts, params)
