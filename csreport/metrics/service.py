"""Contact-based KPIs: volume, service level, ASA, abandonment, response and resolution times, resolution rate,
FCR, reopen, escalation, complaints, AHT and cost per contact. Input: the contacts of one period × unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csreport.measure import Measure, mean, quantile, rate
from csreport.targets import Parameters

DEFAULT = Parameters()


def missing(frame: pd.DataFrame, *columns: str, table: str = "contacts") -> str | None:
    """The reason a KPI cannot be computed when ``frame`` lacks any of ``columns``, else None."""
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        return f"{table} has no {', '.join(absent)} column"
    return None


def _flag(series: pd.Series) -> pd.Series:
    return series.astype("boolean")


def contact_volume(contacts: pd.DataFrame) -> Measure:
    """Contacts created in the period (count). Zero contacts is a count of 0, not "not available"."""
    return Measure("contacts", float(len(contacts)), len(contacts), "count", method="contacts created", kind="count")


def contacts_per_1000_customers(contacts: pd.DataFrame, active_customers: int) -> Measure:
    """Contacts × 1,000 / customers active in the period (per 1,000 customers)."""
    if active_customers <= 0:
        return Measure.unavailable("contacts_per_1000_customers", "per_1000", "no active customers")
    return Measure(
        "contacts_per_1000_customers",
        len(contacts) * 1000 / active_customers,
        active_customers,
        "per_1000",
        method="contacts × 1000 / active customers",
    )


def _offered(contacts: pd.DataFrame, params: Parameters) -> pd.DataFrame:
    """Queued contacts (channels with a service-level threshold, wait and abandon known), short abandons out."""
    queued = contacts[
        contacts["channel"].isin(list(params.service_level_threshold_s))
        & contacts["queue_wait_s"].notna()
        & contacts["abandoned"].notna()
    ]
    short = _flag(queued["abandoned"]) & (queued["queue_wait_s"] < params.short_abandon_s)
    return queued[~short.fillna(False).to_numpy(bool)]


def _thresholds_text(params: Parameters) -> str:
    return ", ".join(f"{c} {t:g} s" for c, t in params.service_level_threshold_s.items())


def service_level(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Answered within T seconds / (answered + abandoned after the short-abandon limit), ratio.

    T is per channel (``service_level_threshold_s``); only those queued channels count; abandons under
    ``short_abandon_s`` seconds are excluded from numerator and denominator.
    """
    reason = missing(contacts, "channel", "queue_wait_s", "abandoned")
    if reason:
        return Measure.unavailable("service_level", "ratio", reason)
    offered = _offered(contacts, params)
    answered = ~_flag(offered["abandoned"]).to_numpy(bool)
    limit = offered["channel"].map(params.service_level_threshold_s).to_numpy(float)
    within = answered & (offered["queue_wait_s"].to_numpy(float) <= limit)
    method = f"answered within T / (answered + abandoned ≥ {params.short_abandon_s:g} s); T: {_thresholds_text(params)}"
    return rate(
        "service_level",
        within.sum(),
        len(offered),
        confidence=params.confidence,
        method=method,
        empty_reason="no queued phone/chat contacts offered",
    )


def average_speed_of_answer(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """ASA: mean queue wait (s) of answered queued contacts (abandoned ones excluded)."""
    reason = missing(contacts, "channel", "queue_wait_s", "abandoned")
    if reason:
        return Measure.unavailable("asa_s", "s", reason)
    offered = _offered(contacts, params)
    waits = offered.loc[~_flag(offered["abandoned"]).to_numpy(bool), "queue_wait_s"].to_numpy(float)
    return mean(
        "asa_s",
        waits,
        "s",
        confidence=params.confidence,
        method="mean wait of answered contacts",
        empty_reason="no answered queued contacts",
    )


def abandonment_rate(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Abandoned / offered, both excluding abandons under ``short_abandon_s`` seconds (ratio)."""
    reason = missing(contacts, "channel", "queue_wait_s", "abandoned")
    if reason:
        return Measure.unavailable("abandonment_rate", "ratio", reason)
    offered = _offered(contacts, params)
    return rate(
        "abandonment_rate",
        _flag(offered["abandoned"]).to_numpy(bool).sum(),
        len(offered),
        confidence=params.confidence,
        method=f"abandoned ≥ {params.short_abandon_s:g} s / offered",
        empty_reason="no queued phone/chat contacts offered",
    )


def _elapsed_s(contacts: pd.DataFrame, column: str) -> np.ndarray:
    frame = contacts[contacts[column].notna() & contacts["created_at"].notna()]
    return (frame[column] - frame["created_at"]).dt.total_seconds().to_numpy(float)


def first_response_time(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> tuple[Measure, Measure]:
    """Median and p90 of first_response_at − created_at, calendar seconds, contacts with a first response."""
    reason = missing(contacts, "created_at", "first_response_at")
    if reason:
        return (
            Measure.unavailable("first_response_median_s", "s", reason),
            Measure.unavailable("first_response_p90_s", "s", reason),
        )
    seconds = _elapsed_s(contacts, "first_response_at")
    kw = {"confidence": params.confidence, "empty_reason": "no contact with a first response"}
    return (
        quantile("first_response_median_s", seconds, 0.5, "s", method="median, calendar time", **kw),
        quantile("first_response_p90_s", seconds, 0.9, "s", method="90th percentile, calendar time", **kw),
    )


def resolution_time(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> tuple[Measure, Measure]:
    """Median and p90 of resolved_at − created_at, calendar seconds, resolved contacts only."""
    reason = missing(contacts, "created_at", "resolved_at")
    if reason:
        return (
            Measure.unavailable("resolution_median_s", "s", reason),
            Measure.unavailable("resolution_p90_s", "s", reason),
        )
    seconds = _elapsed_s(contacts, "resolved_at")
    kw = {"confidence": params.confidence, "empty_reason": "no resolved contact"}
    return (
        quantile("resolution_median_s", seconds, 0.5, "s", method="median of resolved contacts", **kw),
        quantile("resolution_p90_s", seconds, 0.9, "s", method="90th percentile of resolved contacts", **kw),
    )


def _is_resolved(contacts: pd.DataFrame) -> np.ndarray:
    if "resolved" in contacts.columns:
        return _flag(contacts["resolved"]).fillna(False).to_numpy(bool)
    return contacts["resolved_at"].notna().to_numpy(bool)


def resolution_rate(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Contacts created in the period and resolved by the data cut-off / contacts created (cohort counting).

    Uses the ``resolved`` flag, or a present ``resolved_at`` when there is no flag.
    """
    if "resolved" not in contacts.columns and "resolved_at" not in contacts.columns:
        return Measure.unavailable("resolution_rate", "ratio", "contacts has no resolved or resolved_at column")
    return rate(
        "resolution_rate",
        _is_resolved(contacts).sum(),
        len(contacts),
        confidence=params.confidence,
        method="cohort: created in period, resolved by cut-off",
        empty_reason="no contacts",
    )


def first_contact_resolution(
    contacts: pd.DataFrame, params: Parameters = DEFAULT, later: pd.DataFrame | None = None
) -> Measure:
    """FCR, ratio. With the flag: first_contact_resolution true / contacts with the flag known. Without it:
    contacts with no repeat contact by the same customer within ``fcr_repeat_window_days`` / contacts with a
    customer_id; ``later`` holds the contacts after the period, so that late-month repeats are seen.
    """
    if "first_contact_resolution" in contacts.columns and contacts["first_contact_resolution"].notna().any():
        flag = _flag(contacts["first_contact_resolution"]).dropna()
        return rate(
            "fcr_rate",
            flag.to_numpy(bool).sum(),
            len(flag),
            confidence=params.confidence,
            method="flag: first_contact_resolution",
        )
    reason = missing(contacts, "customer_id", "created_at")
    if reason:
        return Measure.unavailable("fcr_rate", "ratio", f"no FCR flag and {reason}")
    window = pd.Timedelta(days=params.fcr_repeat_window_days)
    own = contacts.loc[contacts["customer_id"].notna(), ["customer_id", "created_at"]].reset_index(drop=True)
    own["_own"] = np.arange(len(own))
    pool = own
    if later is not None:
        after = later.loc[later["customer_id"].notna(), ["customer_id", "created_at"]].assign(_own=-1)
        pool = pd.concat([own, after], ignore_index=True)
    pool = pool.sort_values(["customer_id", "created_at"], kind="stable")
    gap = pool.groupby("customer_id")["created_at"].shift(-1) - pool["created_at"]
    mine = pool["_own"].to_numpy() >= 0
    repeated = (gap <= window).to_numpy(bool)[mine]
    return rate(
        "fcr_rate",
        (~repeated).sum(),
        len(own),
        confidence=params.confidence,
        method=f"no repeat by the same customer within {params.fcr_repeat_window_days:g} days",
        empty_reason="no contact with a customer_id",
    )


def reopen_rate(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Reopened / resolved contacts (ratio)."""
    reason = missing(contacts, "reopened")
    if reason:
        return Measure.unavailable("reopen_rate", "ratio", reason)
    resolved = (
        _is_resolved(contacts) if {"resolved", "resolved_at"} & set(contacts.columns) else np.ones(len(contacts), bool)
    )
    reopened = _flag(contacts["reopened"]).fillna(False).to_numpy(bool) & resolved
    return rate(
        "reopen_rate",
        reopened.sum(),
        resolved.sum(),
        confidence=params.confidence,
        method="reopened / resolved",
        empty_reason="no resolved contacts",
    )


def _flag_rate(contacts: pd.DataFrame, column: str, name: str, params: Parameters, method: str) -> Measure:
    reason = missing(contacts, column)
    if reason:
        return Measure.unavailable(name, "ratio", reason)
    known = _flag(contacts[column]).dropna()
    return rate(
        name,
        known.to_numpy(bool).sum(),
        len(known),
        confidence=params.confidence,
        method=method,
        empty_reason=f"no contact with {column} known",
    )


def escalation_rate(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Escalated / contacts with the escalation flag known (ratio)."""
    return _flag_rate(contacts, "escalated", "escalation_rate", params, "escalated / contacts")


def complaint_rate(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Complaints / contacts with the complaint flag known (ratio)."""
    return _flag_rate(contacts, "is_complaint", "complaint_rate", params, "complaints / contacts")


def complaints_per_1000_customers(contacts: pd.DataFrame, active_customers: int) -> Measure:
    """Complaints × 1,000 / customers active in the period (per 1,000 customers)."""
    reason = missing(contacts, "is_complaint")
    if reason or active_customers <= 0:
        return Measure.unavailable("complaints_per_1000_customers", "per_1000", reason or "no active customers")
    complaints = _flag(contacts["is_complaint"]).fillna(False).to_numpy(bool).sum()
    return Measure(
        "complaints_per_1000_customers",
        complaints * 1000 / active_customers,
        active_customers,
        "per_1000",
        numerator=float(complaints),
        method="complaints × 1000 / active customers",
    )


def _handled(contacts: pd.DataFrame) -> pd.DataFrame:
    handled = contacts[contacts["handle_s"].notna()]
    if "abandoned" in handled.columns:
        handled = handled[~_flag(handled["abandoned"]).fillna(False).to_numpy(bool)]
    return handled


def average_handle_time(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """AHT: mean handle_s (talk + hold + after-contact work) of handled contacts, seconds."""
    reason = missing(contacts, "handle_s")
    if reason:
        return Measure.unavailable("aht_s", "s", reason)
    return mean(
        "aht_s",
        _handled(contacts)["handle_s"].to_numpy(float),
        "s",
        confidence=params.confidence,
        method="mean handle time of handled contacts",
        empty_reason="no handled contacts",
    )


def cost_per_contact(contacts: pd.DataFrame, params: Parameters = DEFAULT) -> Measure:
    """Total cost / handled contacts (currency). From the cost column, else the cost model of targets.yml:
    handle hours × per_handle_hour + per_contact[channel]."""
    reason = missing(contacts, "handle_s")
    if reason and "cost" not in contacts.columns:
        return Measure.unavailable("cost_per_contact", "currency", f"{reason} and no cost column")
    handled = _handled(contacts) if "handle_s" in contacts.columns else contacts[contacts["cost"].notna()]
    if "cost" in contacts.columns:
        costs, method = handled["cost"].fillna(0).to_numpy(float), "cost column / handled contacts"
    else:
        fixed = handled["channel"].map(params.cost_per_contact).fillna(0).to_numpy(float)
        costs = handled["handle_s"].to_numpy(float) / 3600 * params.cost_per_handle_hour + fixed
        method = f"cost model: {params.cost_per_handle_hour:g} per handle hour + per-channel fixed cost"
    return mean(
        "cost_per_contact",
        costs,
        "currency",
        confidence=params.confidence,
        method=method,
        empty_reason="no handled contacts",
    )
