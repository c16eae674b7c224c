"""The SQL of the contacts' KPI helper columns: one SELECT over ``source`` adding the flags and durations the
contact KPIs aggregate (service-level flags, first response and resolution seconds, elapsed and business,
the FCR repeat flag …), so that every pass (the grouped one, a period's DataFrame, evidence, the same-age
baselines) counts a contact by the same definition. Kept beside the store by :mod:`csreport.metrics.derived`.

First response seconds (``_first_response_s``, business ``_first_response_bs``) are those of the written
channels (``first_response_channels``, default email, ticket, social) and NULL on the others: a phone call or
chat is answered in the queue (ASA and service level cover it), so its "first response" is its wait."""

from __future__ import annotations

from csreport.data.sql import literal
from csreport.metrics.business import business_source
from csreport.metrics.targets import Parameters


def contacts_derived(
    columns: set[str], params: Parameters, years: tuple[int, int] | None = None, scenarios: bool = False
) -> str:
    """SELECT over ``source`` adding the helper columns the contact KPIs use; business-time columns from the
    units' calendars (``params.business``) for the timestamps of ``years``. ``scenarios``: repeats are looked
    for within each ``_scenario`` of the source (:func:`query_grouped`)."""
    extra = []
    if {"channel", "queue_wait_s", "abandoned"} <= columns:
        channels = ", ".join(literal(c) for c in params.service_level_threshold_s)
        cases = " ".join(f"WHEN {literal(c)} THEN {t!r}" for c, t in params.service_level_threshold_s.items())
        extra += [
            f"(channel IN ({channels}) AND queue_wait_s IS NOT NULL AND abandoned IS NOT NULL AND NOT "
            f"(abandoned AND queue_wait_s < {params.short_abandon_s!r})) AS _offered",
            f"CASE channel {cases} END AS _threshold_s",
        ]
    written = written_channels(params)
    if {"first_response_at", "created_at", "channel"} <= columns:
        extra.append(f"CASE WHEN {written} THEN epoch(first_response_at) - epoch(created_at) END AS _first_response_s")
    if {"resolved_at", "created_at"} <= columns:
        extra.append("epoch(resolved_at) - epoch(created_at) AS _resolution_s")
    if "resolved" in columns:
        extra.append("coalesce(resolved, FALSE) AS _is_resolved")
    elif "resolved_at" in columns:
        extra.append("resolved_at IS NOT NULL AS _is_resolved")
    abandoned = "coalesce(abandoned, FALSE)" if "abandoned" in columns else "FALSE"
    if "handle_s" not in columns and "cost" in columns:
        # without handle times a contact is handled when it was not abandoned (cost per contact needs no handle_s)
        extra.append(f"NOT {abandoned} AS _handled")
    if "handle_s" in columns:
        extra.append(f"(handle_s IS NOT NULL AND NOT {abandoned}) AS _handled")
        if "cost" not in columns and "channel" in columns:
            fixed = " ".join(f"WHEN {literal(c)} THEN {v!r}" for c, v in params.cost_per_contact.items())
            extra.append(
                f"handle_s / 3600 * {params.cost_per_handle_hour!r} + "
                f"{f'CASE channel {fixed} ELSE 0 END' if fixed else '0'} AS _model_cost"
            )
    if "first_contact_resolution" not in columns and {"customer_id", "created_at"} <= columns:
        window = f"INTERVAL {int(params.fcr_repeat_window_days * 86400)} SECOND"
        extra.append(
            f"coalesce(lead(created_at) OVER (PARTITION BY {'_scenario, ' if scenarios else ''}customer_id "
            "ORDER BY created_at) - created_at "
            f"<= {window}, FALSE) AS _repeated"
        )
    # the business twin (added by business_source, or carried by the source) is kept for written channels only
    twin = "channel" in columns and ("_first_response_bs" in columns or {"created_at", "first_response_at"} <= columns)
    replace = f" REPLACE (CASE WHEN {written} THEN _first_response_bs END AS _first_response_bs)" if twin else ""
    source = business_source(params.business, columns, years)
    return f"SELECT *{replace}{''.join(', ' + e for e in extra)} FROM {source}"


def written_channels(params: Parameters) -> str:
    """SQL condition: the contact's channel is one of ``params.first_response_channels``."""
    return f"channel IN ({', '.join(literal(c) for c in params.first_response_channels)})"
