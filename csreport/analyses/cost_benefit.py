"""Service cost-benefit (服务成本效益分析): what each service process costs, what it achieves, what it loses.

A process is a channel × contact category. For the contacts a process handled in the period:

- cost per contact = cost of its handled contacts / its handled contacts (currency; the ``cost`` column, else
  the cost model of params/targets.yml: handle hours × hourly rate + a fixed cost per channel);
- repeat contacts = the next contact of the same customer within ``fcr_repeat_window_days`` after one of the
  process's contacts (needs ``customer_id``); their cost is charged to the process that caused them;
- cost per resolved contact = (cost of the process's contacts + cost of the repeats they caused) / its resolved
  contacts. Resolved: the ``resolved`` flag, else a ``resolved_at`` time, else "no repeat within the window";
- outcomes: FCR (the flag, else no repeat within the window), mean CSAT of the surveys linked by contact_id,
  and churn = distinct customers of the process whose churn_date falls within ``churn_window_days`` after one of
  its contacts / its distinct customers;
- revenue at risk = monthly spend of those churned customers (currency a month).

Windows that have not closed are marked, like the maturing KPIs: churn after a contact needs ``churn_window_days``
after it, and the contacts of the data's last month have had only the days up to the data's cut-off (about half
a month for the month's middle contact). ``ProcessCosts`` says how many days of the window were observed (the
median over the period's contacts of cut-off − contact, capped at the window; per process in the column
``churn_days_observed``) and whether the churn window or resolution (:data:`csreport.metrics.maturing.SETTLED_DAYS`) is
still maturing. Small samples are counted per figure: ``fcr_n`` (contacts with FCR known) and ``csat_n``
(linked survey responses) beside ``customers`` (churn's denominator).

The cost per resolved contact is a ratio estimate R = Σ cᵢ / Σ rᵢ over contacts; its standard error is the
delta-method one, √(Σ (cᵢ − R rᵢ)² ) / Σ rᵢ. Pure functions over DataFrames: no I/O, no plotting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csreport.analyses.result import AnalysisResult
from csreport.metrics.maturing import SETTLED_DAYS
from csreport.metrics.targets import Parameters

ALL_CATEGORIES = "all"  # the one process of a channel when contacts carry no category
PROCESS = ["channel", "category"]
COLUMNS = [
    "channel",
    "category",
    "contacts",
    "handled",
    "cost",
    "repeat_contacts",
    "repeat_cost",
    "resolved",
    "cost_per_contact",
    "cost_per_resolved",
    "cost_per_resolved_se",
    "fcr_rate",
    "fcr_n",
    "csat_mean",
    "csat_n",
    "customers",
    "churned",
    "churn_rate",
    "churn_days_observed",
    "revenue_at_risk",
]


@dataclass(frozen=True)
class ProcessCosts(AnalysisResult):
    """One row per process (``COLUMNS``), ranked by cost per resolved contact (highest first), and how the
    parts were measured (``resolved_method``: ``flag``, ``resolved_at`` or ``no_repeat``; ``cost_method``:
    ``column`` or ``model``); ``reason`` says why there is no table.

    Maturing windows (None / False when the data's cut-off is not known): ``churn_window_days``; the days of it
    observed, ``churn_days_observed`` (median over the period's contacts of cut-off − contact in days, capped at
    the window); ``churn_maturing`` when the cut-off comes less than the window after the period's end (the
    window of its last contacts has not closed); ``resolution_maturing`` likewise for resolution (settled after
    :data:`~csreport.metrics.maturing.SETTLED_DAYS` days). ``cutoff``: the data's last contact time."""

    table: pd.DataFrame
    median_cost_per_resolved: float | None
    resolved_method: str
    cost_method: str
    reason: str | None = None
    churn_window_days: int | None = None
    churn_days_observed: float | None = None
    churn_maturing: bool = False
    resolution_maturing: bool = False
    cutoff: pd.Timestamp | None = None

    def ranked_by_revenue_at_risk(self) -> pd.DataFrame:
        return self.table.sort_values(["revenue_at_risk", "cost_per_resolved"], ascending=False, na_position="last")


def contact_costs(contacts: pd.DataFrame, params: Parameters) -> pd.Series:
    """Cost of each contact (currency): the ``cost`` column where given, else the cost model (NaN for a
    contact without handle time); unhandled (abandoned) contacts cost 0 under the model."""
    handle = pd.to_numeric(contacts["handle_s"], errors="coerce") if "handle_s" in contacts else None
    model = None
    if handle is not None:
        fixed = contacts["channel"].astype("string").map(params.cost_per_contact).astype(float).fillna(0.0)
        model = handle / 3600 * params.cost_per_handle_hour + fixed.where(handle.notna())
    if "cost" in contacts.columns:
        cost = pd.to_numeric(contacts["cost"], errors="coerce")
        return cost if model is None else cost.fillna(model)
    if model is None:
        return pd.Series(np.nan, index=contacts.index)
    return model


def _next_contact(contacts: pd.DataFrame, window_days: float) -> tuple[pd.Series, pd.Series]:
    """Per contact: True when the same customer's next contact follows within the window, and that next
    contact's row label (for its cost)."""
    if "customer_id" not in contacts.columns:
        return pd.Series(False, index=contacts.index), pd.Series(pd.NA, index=contacts.index, dtype="object")
    ordered = contacts[contacts["customer_id"].notna()].sort_values(["customer_id", "created_at"], kind="stable")
    same = ordered["customer_id"].shift(-1) == ordered["customer_id"]
    gap = ordered["created_at"].shift(-1) - ordered["created_at"]
    repeated = same & (gap <= pd.Timedelta(days=window_days))
    labels = pd.Series(ordered.index, index=ordered.index).shift(-1).where(repeated)
    return repeated.reindex(contacts.index, fill_value=False).astype(bool), labels.reindex(contacts.index)


def _resolved(period: pd.DataFrame, repeated: pd.Series) -> tuple[pd.Series, str]:
    if "resolved" in period.columns:
        return period["resolved"].astype("boolean").fillna(False).astype(bool), "flag"
    if "resolved_at" in period.columns:
        return period["resolved_at"].notna(), "resolved_at"
    return ~repeated.loc[period.index], "no_repeat"


def _churned_after(period: pd.DataFrame, customers: pd.DataFrame | None, window_days: int) -> pd.DataFrame:
    """Per (process, customer): whether the customer churned within the window after one of the process's
    contacts, and their monthly spend."""
    keep = [*PROCESS, "customer_id", "created_at"]
    if customers is None or "customer_id" not in period.columns or "churn_date" not in customers.columns:
        return pd.DataFrame(columns=[*PROCESS, "customer_id", "churned", "spend"])
    people = customers.drop_duplicates("customer_id").set_index("customer_id")
    rows = period[keep].dropna(subset=["customer_id"])
    churn = pd.to_datetime(rows["customer_id"].map(people["churn_date"]))
    after = churn - rows["created_at"]
    rows = rows.assign(churned=(after >= pd.Timedelta(0)) & (after <= pd.Timedelta(days=window_days)))
    spend = people["monthly_spend"] if "monthly_spend" in people.columns else pd.Series(dtype=float)
    per_customer = rows.groupby([*PROCESS, "customer_id"], observed=True, dropna=False)["churned"].any().reset_index()
    return per_customer.assign(spend=pd.to_numeric(per_customer["customer_id"].map(spend), errors="coerce"))


def process_costs(
    contacts: pd.DataFrame,
    start: pd.Timestamp,
    stop: pd.Timestamp,
    params: Parameters,
    surveys: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    cutoff: pd.Timestamp | None = None,
) -> ProcessCosts:
    """The cost-benefit table of the processes whose contacts were created in [``start``, ``stop``).

    ``contacts`` may reach past ``stop`` (repeats after the period are found there) and must hold
    ``created_at`` and ``channel``; without ``category`` every contact of a channel is one process.
    ``cutoff``: the data's last contact time (the store's clock), which says how much of the churn and
    resolution windows has been observed; None: not known, nothing marked maturing."""
    empty = pd.DataFrame(columns=COLUMNS)
    if "handle_s" not in contacts.columns and "cost" not in contacts.columns:
        return ProcessCosts(empty, None, "", "", "contacts has no cost column and no handle_s column")
    frame = contacts.copy()
    if "category" not in frame.columns:
        frame["category"] = ALL_CATEGORIES
    frame["category"] = frame["category"].astype("string").fillna("—")
    frame["_cost"] = contact_costs(frame, params)
    repeated, next_label = _next_contact(frame, params.fcr_repeat_window_days)
    frame["_repeated"] = repeated
    frame["_repeat_cost"] = next_label.map(frame["_cost"]).astype(float).fillna(0.0).where(repeated, 0.0)
    period = frame[(frame["created_at"] >= start) & (frame["created_at"] < stop)]
    if period.empty:
        return ProcessCosts(empty, None, "", "", "no contacts in the period")
    resolved, resolved_method = _resolved(period, frame["_repeated"])
    handled = period["_cost"].notna()
    if "handle_s" in period.columns:
        handled &= period["handle_s"].notna()
    fcr = (
        period["first_contact_resolution"].astype("boolean")
        if "first_contact_resolution" in period.columns
        else (~period["_repeated"]).astype("boolean").where(period["customer_id"].notna(), pd.NA)
        if "customer_id" in period.columns
        else pd.Series(pd.NA, index=period.index, dtype="boolean")
    )
    window = params.churn_window_days
    observed = (
        ((pd.Timestamp(cutoff) - period["created_at"]) / pd.Timedelta(days=1)).clip(0, window)
        if cutoff is not None
        else pd.Series(np.nan, index=period.index)
    )
    work = period.assign(
        _handled=handled,
        _resolved=resolved.astype(float),
        _loaded=period["_cost"].fillna(0.0) + period["_repeat_cost"],
        _fcr=fcr.astype("Float64"),
        _observed=observed.astype(float),
    )
    grouped = work.groupby(PROCESS, observed=True, sort=True)
    table = grouped.agg(
        contacts=("created_at", "size"),
        handled=("_handled", "sum"),
        cost=("_cost", "sum"),
        repeat_contacts=("_repeated", "sum"),
        repeat_cost=("_repeat_cost", "sum"),
        resolved=("_resolved", "sum"),
        fcr_rate=("_fcr", "mean"),
        fcr_n=("_fcr", "count"),
        churn_days_observed=("_observed", "median"),
    ).reset_index()
    table["cost_per_contact"] = table["cost"] / table["handled"].where(table["handled"] > 0)
    ratio, se = _ratio_estimates(work, grouped)
    table["cost_per_resolved"], table["cost_per_resolved_se"] = ratio.to_numpy(), se.to_numpy()
    csat = _csat(work, surveys)
    keys = pd.MultiIndex.from_frame(table[PROCESS])
    table["csat_mean"] = csat["mean"].reindex(keys).to_numpy()
    table["csat_n"] = csat["count"].reindex(keys).fillna(0).astype(int).to_numpy()
    churn = _churned_after(work, customers, params.churn_window_days)
    lost = churn.groupby(PROCESS, observed=True).agg(
        customers=("customer_id", "size"),
        churned=("churned", "sum"),
        revenue_at_risk=("spend", lambda s: float(s[churn.loc[s.index, "churned"]].sum())),
    )
    table = table.merge(lost.reset_index(), on=PROCESS, how="left")
    table["churn_rate"] = table["churned"] / table["customers"].where(table["customers"] > 0)
    if customers is None or "monthly_spend" not in (customers.columns if customers is not None else []):
        table["revenue_at_risk"] = np.nan
    table = table.reindex(columns=COLUMNS).sort_values("cost_per_resolved", ascending=False, na_position="last")
    eligible = table.loc[table["contacts"] >= params.min_sample, "cost_per_resolved"].dropna()
    median = float(eligible.median()) if len(eligible) else None
    cost_method = "column" if "cost" in contacts.columns else "model"
    known = cutoff is not None
    return ProcessCosts(
        table.reset_index(drop=True),
        median,
        resolved_method,
        cost_method,
        churn_window_days=window,
        churn_days_observed=float(observed.median()) if known else None,
        churn_maturing=known and pd.Timestamp(cutoff) < stop + pd.Timedelta(days=window),
        resolution_maturing=known and pd.Timestamp(cutoff) < stop + pd.Timedelta(days=SETTLED_DAYS),
        cutoff=pd.Timestamp(cutoff) if known else None,
    )


def _ratio_estimates(work: pd.DataFrame, grouped) -> tuple[pd.Series, pd.Series]:
    """Σ loaded cost / Σ resolved per process, with the delta-method standard error."""
    totals = grouped[["_loaded", "_resolved"]].sum()
    ratio = totals["_loaded"] / totals["_resolved"].where(totals["_resolved"] > 0)
    keys = pd.MultiIndex.from_frame(work[PROCESS])
    residual = work["_loaded"].to_numpy() - ratio.reindex(keys).to_numpy() * work["_resolved"].to_numpy()
    squares = pd.Series(residual**2, index=work.index).groupby([work[c] for c in PROCESS], observed=True).sum()
    se = np.sqrt(squares.reindex(ratio.index)) / totals["_resolved"].where(totals["_resolved"] > 0)
    return ratio, se


def _csat(work: pd.DataFrame, surveys: pd.DataFrame | None) -> pd.DataFrame:
    """Mean CSAT and the number of responses behind it (``mean``, ``count``) per process."""
    if surveys is None or not {"contact_id", "csat"} <= set(surveys.columns) or "contact_id" not in work.columns:
        index = pd.MultiIndex.from_arrays([[], []], names=PROCESS)
        return pd.DataFrame({"mean": pd.Series(dtype=float), "count": pd.Series(dtype=int)}, index=index)
    linked = surveys[["contact_id", "csat"]].merge(work[[*PROCESS, "contact_id"]], on="contact_id", how="inner")
    scores = pd.to_numeric(linked["csat"], errors="coerce")
    return scores.groupby([linked[c] for c in PROCESS], observed=True).agg(["mean", "count"])
