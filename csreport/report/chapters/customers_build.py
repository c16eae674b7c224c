"""Chapter 2, customers: the builders of its sections (:mod:`csreport.report.chapters.model`). Each reads the
data once per report and returns the section's numbers in no language (data codes, shares 0–1, counts, trend series);
the sections of :mod:`csreport.report.chapters.customers` and
:mod:`csreport.report.chapters.customers_loyalty` render them.

The model fits (segmentation, drivers, comment classifier, satisfaction → loyalty) are kept in
:class:`~csreport.report.computed_analyses.ReportAnalyses` and who churns in the computed report; a builder here only
derives from them what the section used to work out from their raw rows (segment profiles in standard
deviations, example comments, the churn groups named as findings).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from csreport.analyses.segmentation import FEATURES
from csreport.findings.detect import churn_groups_found
from csreport.findings.record import Finding
from csreport.metrics.loyalty import loyalty_by_group
from csreport.report.chapters.context import ReportContext
from csreport.report.chapters.model import builds
from csreport.report.chapters.section_data import SectionData

#: customer attributes whose shares are compared (age bands from ``customers.age``)
GROUP_COLUMNS = ("segment", "region", "gender", "age_band")
AGE_BANDS = ([0, 25, 35, 45, 55, 65, 200], ["<25", "25–34", "35–44", "45–54", "55–64", "65+"])  # [lower, upper)
#: the complaint categories named are the fewest, largest first, that hold at least this share of the complaints
PARETO_SHARE = 0.8
#: example comments are taken from the last this many comments of the kept analysis
RECENT_COMMENTS = 200
EXAMPLES = 3


@dataclass(frozen=True, repr=False)
class CustomerGroups(SectionData):
    """Each customer group's share of the customers who contacted us in the month and of the customer base.

    ``missing``: ``"customers"`` (no customers table) or ``"customer_id"`` (contacts without it), else None.
    ``shares``: one row per attribute × value, in the attributes' order, values by their share of the base:
    ``dimension`` (attribute), ``value`` (data code, or age band), ``contacting`` and ``base`` (shares 0–1)."""

    missing: str | None = None
    shares: pd.DataFrame = field(default_factory=pd.DataFrame)
    contacting: int = 0  # customers with a contact in the month
    base: int = 0  # customers of the unit


@builds("02.customer_groups")
def customer_groups_data(ctx: ReportContext) -> CustomerGroups:
    """Shares of each group (value_counts normalised) among the customers contacting in the month and in the
    base; a value absent among the contacting customers has share 0."""
    if not ctx.has("customers"):
        return CustomerGroups(missing="customers")
    if "customer_id" not in ctx.contacts.columns:
        return CustomerGroups(missing="customer_id")
    base = ctx.read_all("customers")
    if "age" in base.columns:
        bins, labels = AGE_BANDS
        base["age_band"] = pd.cut(base["age"], bins, right=False, labels=labels).astype(str)
    contacting = base[base["customer_id"].isin(ctx.contacts["customer_id"].dropna())]
    rows = []
    for column in [c for c in GROUP_COLUMNS if c in base.columns]:
        share_base = base[column].value_counts(normalize=True)
        share_contacting = contacting[column].value_counts(normalize=True)
        rows += [[column, value, share_contacting.get(value, 0.0), share_base[value]] for value in share_base.index]
    shares = pd.DataFrame(rows, columns=["dimension", "value", "contacting", "base"])
    return CustomerGroups(None, shares, len(contacting), len(base))


@dataclass(frozen=True, repr=False)
class Needs(SectionData):
    """Contacts per category of the month, most first (index: category code): ``n``; with a complaint flag
    (``flagged``) also ``complaint_share`` (share 0–1 of the contacts whose flag is known) and ``known`` (those
    contacts)."""

    by_category: pd.DataFrame
    flagged: bool


@builds("02.needs")
def needs_data(ctx: ReportContext) -> Needs | None:
    """Contacts per category; None when the contacts have no category."""
    contacts = ctx.contacts
    if "category" not in contacts.columns or contacts["category"].isna().all():
        return None
    flagged = "is_complaint" in contacts.columns and contacts["is_complaint"].notna().any()
    by = contacts.groupby("category").agg(n=("category", "size"))
    if flagged:  # share of the contacts whose flag is known (without the flag the column is left out, not 100 %)
        by["complaint_share"] = contacts.groupby("category")["is_complaint"].agg(
            lambda f: f.dropna().astype(float).mean()
        )
        by["known"] = contacts.groupby("category")["is_complaint"].count()
    return Needs(by.sort_values("n", ascending=False), bool(flagged))


@builds("02.segmentation")
def segmentation_data(ctx: ReportContext) -> pd.DataFrame | None:
    """Each segment's mean features in standard deviations from the mean of all customers,
    (segment mean − customers' mean) / customers' sd, one row per segment (index: its name, in English terms),
    one column per feature of :data:`~csreport.analyses.segmentation.FEATURES` present; None without customers or
    a segmentation."""
    if not ctx.has("customers"):
        return None
    features, result = ctx.analyses.segment_features, ctx.analyses.segmentation
    if not result.available:
        return None
    columns = [c for c in FEATURES if c in features.columns]
    return (result.profiles.set_index("name")[columns] - features[columns].mean()) / features[columns].std()


@builds("02.satisfaction")
def satisfaction_data(ctx: ReportContext) -> pd.DataFrame | None:
    """The monthly CSAT series of the 13 months ending with the period (:meth:`ReportContext.trend`); None
    without surveys or a CSAT of the month."""
    card = ctx.scorecard.set_index("kpi")
    if not ctx.has("surveys") or pd.isna(card.loc["csat_mean", "value"]):
        return None
    return ctx.trend("csat_mean")


@dataclass(frozen=True, repr=False)
class Complaints(SectionData):
    """The complaints of the month. ``by_category``: complaints per category code, most first; ``named``: how
    many of the largest categories hold :data:`PARETO_SHARE` of them; ``resolved`` / ``escalated``: shares 0–1
    of the complaints whose outcome is known (None without the columns); ``trend``: the monthly complaint
    rate of the 13 months ending with the period."""

    complaints: int
    contacts: int
    by_category: pd.Series | None = None
    named: int = 0
    resolved: float | None = None
    escalated: float | None = None
    trend: pd.DataFrame | None = None


@builds("02.complaints")
def complaints_data(ctx: ReportContext) -> Complaints | None:
    """Complaints (``is_complaint`` true) per category; None without ``is_complaint`` or ``category``."""
    contacts = ctx.contacts
    if not {"is_complaint", "category"} <= set(contacts.columns):
        return None
    complaints = contacts[contacts["is_complaint"].fillna(False).astype(bool)]
    if complaints.empty:
        return Complaints(0, len(contacts))
    counts = complaints["category"].value_counts()
    named = max(1, (counts.cumsum() / counts.sum() < PARETO_SHARE).sum() + 1)
    resolved = escalated = None
    if "resolved" in complaints.columns and complaints["resolved"].notna().any():
        resolved = complaints["resolved"].dropna().astype(float).mean()
    elif "resolved_at" in complaints.columns:  # no flag: a resolved_at time recorded (by the data's cut-off)
        resolved = complaints["resolved_at"].notna().mean()
    if "escalated" in complaints.columns and complaints["escalated"].notna().any():
        escalated = complaints["escalated"].dropna().astype(float).mean()
    return Complaints(len(complaints), len(contacts), counts, int(named), resolved, escalated,
                      ctx.trend("complaint_rate"))  # fmt: skip


@builds("02.comments")
def comments_data(ctx: ReportContext) -> list[str] | None:
    """Up to :data:`EXAMPLES` example comments (their text as written): the first with text among the last
    :data:`RECENT_COMMENTS` comments of the kept analysis; None without surveys or a comment analysis."""
    if not ctx.has("surveys"):
        return None
    result = ctx.analyses.comments
    if not result.available:
        return None
    recent = result.comments.tail(RECENT_COMMENTS)
    return recent.dropna(subset=["text"]).head(EXAMPLES)["text"].tolist()


@builds("02.loyalty")
def loyalty_data(ctx: ReportContext) -> list[Finding] | None:
    """The customer groups churning significantly and materially above the rest
    (:func:`~csreport.findings.detect.churn_groups_found` on the kept who-churns result); None without customers
    or too few of them."""
    result = ctx.who_churns
    if not ctx.has("customers") or result is None or not result.available:
        return None
    return churn_groups_found(result, ctx.period, ctx.unit, ctx.rules)


@dataclass(frozen=True, repr=False)
class LoyaltyIndex(SectionData):
    """The loyalty index beside the scorecard's value: ``benchmark`` (industry average, best in class, as
    :meth:`~csreport.metrics.scorecard.KpiCache.benchmarks`), ``trend`` (13 months) and ``by_segment``
    (:func:`~csreport.metrics.loyalty.loyalty_by_group`, segments with an index; None without surveys)."""

    benchmark: dict
    trend: pd.DataFrame
    by_segment: pd.DataFrame | None


@builds("02.loyalty_index")
def loyalty_index_data(ctx: ReportContext) -> LoyaltyIndex | None:
    """None when the month's loyalty index is not available (the section names its missing parts)."""
    if not ctx.cache.kpis(ctx.period, ctx.unit)["loyalty_index"].available:
        return None
    benchmark = ctx.cache.benchmarks(ctx.period, ctx.unit).get("loyalty_index", {})
    series = ctx.trend("loyalty_index")
    by_segment = None
    if ctx.has("surveys"):
        groups = loyalty_by_group(ctx.read_all("customers"), ctx.read("surveys"), ctx.period, ctx.targets.parameters)
        by_segment = groups.dropna(subset=["loyalty_index"])
    return LoyaltyIndex(benchmark, series, by_segment)
