"""The KPI registry: every KPI declared once, with what the rest of the package needs to know about it.

A :class:`Kpi` names the KPI and gives its formula (the data dictionary's text, English and Chinese, through a
:class:`Definition` that KPIs measured together share), its unit, its direction (is higher better?), the key of
its service standard in ``params/targets.yml``, whether and how it matures (:class:`Maturity`), its display name
(the locale key ``kpi.<name>``, or ``labels`` given here), the rows a finding on it lists (:class:`EvidenceRule`)
and how a change of it is tested (``comparison``: the :class:`~csreport.metrics.measure.Measure` kind, see
:data:`COMPARISONS`).

Derived from it: the scorecard's KPIs and their order (:func:`scorecard_kpis`), the headline KPIs of the batch index
and the e-mail brief (:func:`headline_kpis`), the KPIs of chapter 3's tables (:func:`table_kpis`), the maturing KPIs
of the scorecard and the findings (:func:`csreport.metrics.maturing.maturing_kpis`), the KPIs compared per day of data
or not at all in a cut month, the trailing-window KPIs the findings do not alarm on, the business-hour twins, the
evidence rules, the money a finding's affected contacts or customers stand for, and the data dictionary's KPI
definitions.

Adding a KPI read from contacts or surveys: declare it with :func:`register` (in this module's :data:`KPIS`
for the package, or at run time) giving ``spec``, the function that returns its aggregate
(:mod:`csreport.metrics.specs`), written beside the other KPI functions in :mod:`csreport.metrics`; see README
"Adding a KPI".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from csreport.language import i18n
from csreport.metrics.definitions import (
    ABANDONMENT,
    AHT,
    ASA,
    ATTRITION,
    CES,
    CHURN,
    COMPLAINTS,
    CONTACTS,
    COST,
    CSAT,
    FCR,
    FIRST_RESPONSE,
    FIRST_RESPONSE_BUSINESS,
    LOYALTY,
    NPS,
    OCCUPANCY,
    QA,
    REOPEN_ESCALATION,
    RESOLUTION_BUSINESS,
    RESOLUTION_RATE,
    RESOLUTION_TIME,
    SERVICE_LEVEL,
    Definition,
)

if TYPE_CHECKING:
    from csreport.metrics.specs import Spec
    from csreport.metrics.targets import Parameters

#: days after a month's end from which its resolutions, reopens and first responses count as settled
SETTLED_DAYS = 31

#: comparison methods: the Measure kind decides the test of a change (csreport.metrics.comparisons) and the calibrated
#: series of the findings (csreport.findings.calibrate)
COMPARISONS = {
    "proportion": "share of n: two-proportion z-test; Laney p′ chart of numerator and n",
    "count": "events per day with data: Poisson rate test; Laney u′ chart",
    "mean": "mean of n values: Welch's t-test; chart of estimates and standard errors",
    "quantile": "order statistic: test from the two samples; chart of estimates and interval widths",
    "nps": "promoters − detractors: normal test from the score shares; chart of estimates and standard errors",
    "value": "a derived value without a sampling model: change shown, not tested",
}


@dataclass(frozen=True)
class Maturity:
    """A KPI whose value for a contact is only known some time after it (csreport.metrics.maturing). ``horizon``: days
    after the month's end until the month is final, or the name of the :class:`~csreport.metrics.targets.Parameters`
    field that holds them; ``dated_by``: the contacts column that dates the outcome, so a baseline can be read at
    the same age (without that column the KPI is maturing but cannot be aged); ``unless``: a contacts column
    whose presence makes the KPI final at once (an exported first-contact-resolution flag)."""

    horizon: float | str = SETTLED_DAYS
    dated_by: str | None = None
    unless: str | None = None

    def horizon_days(self, params: Parameters) -> float:
        return float(getattr(params, self.horizon)) if isinstance(self.horizon, str) else float(self.horizon)


@dataclass(frozen=True)
class EvidenceRule:
    """The rows a finding on the KPI lists (csreport.findings.evidence), worst first.

    ``rows``: ``"contacts"`` where ``where`` holds (SQL on the contacts with their KPI helper columns), shown with
    ``columns``, ordered by ``order``; ``"slower contacts"``: contacts whose time ``order`` (a helper column) is
    above the finding's baseline, shown with the time stamp ``columns[0]``; ``"surveys"`` where ``where`` holds,
    ordered by ``order``; or a rule the evidence module writes out: ``"first contact not resolved"``,
    ``"churned customers"``, ``"leavers"``, ``"agent months"``."""

    rows: str
    where: str = "TRUE"
    columns: tuple[str, ...] = ()
    order: str | None = None


@dataclass(frozen=True)
class Kpi:
    """One KPI. ``unit``: ratio, s, count, currency, score, points, per_1000, hours or months (the Measure's unit);
    ``direction``: ``higher`` or ``lower`` is better (None: neither; ``params/targets.yml`` must agree); ``target_key``:
    its entry in ``params/targets.yml`` (default: the name; a KPI without an entry has no target, status or alarm);
    ``scorecard``: shown on the scorecard (in declaration order); ``headline``: one of the few KPIs the batch index
    shows per report and the e-mail brief shows at a glance whatever its status (in declaration order);
    ``chapter_table``: the KPI table of chapter 3 that lists it (``service``: section 03.service_level, ``efficiency``:
    03.efficiency; see :func:`table_kpis`); ``tables``: what it is read from; ``per_day_of_data``: its value grows with
    the days a month covers (not compared in a cut month); ``trailing_months``: measured over a trailing window
    (consecutive months overlap: no test of the change, no alarm); ``business_twin_of``: the elapsed-time KPI this one
    measures in business hours; ``money``: what each contact or customer a finding affects costs (``contacts``: one more
    contact to pay for, ``customers``: a customer's spend); ``labels``: display names by language when the locale files
    have no ``kpi.<name>``; ``spec``: for a KPI added through :func:`register`, the function ``(params, columns) →
    Spec`` that computes it from contacts or surveys (the package's own KPIs are computed in their metrics modules)."""

    name: str
    definition: Definition | None
    unit: str
    comparison: str
    direction: str | None = None
    target_key: str = ""
    scorecard: bool = False
    headline: bool = False
    chapter_table: str | None = None
    tables: tuple[str, ...] = ("contacts",)
    maturity: Maturity | None = None
    evidence: EvidenceRule | None = None
    per_day_of_data: bool = False
    trailing_months: int | None = None
    business_twin_of: str | None = None
    money: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    spec: Callable[[Parameters, set[str]], Spec] | None = None

    def __post_init__(self):
        if not self.target_key:
            object.__setattr__(self, "target_key", self.name)
        if self.comparison not in COMPARISONS:
            raise ValueError(f"KPI {self.name}: comparison {self.comparison!r} is not one of {sorted(COMPARISONS)}")
        if self.direction not in (None, "higher", "lower"):
            raise ValueError(f"KPI {self.name}: direction must be higher, lower or None, not {self.direction!r}")

    @property
    def formula(self) -> str | None:
        """The data dictionary's formula (English)."""
        return self.definition.en if self.definition else None


_QUEUE = ("queue_wait_s", "abandoned")
_RESOLVED = Maturity(SETTLED_DAYS, "resolved_at")
_ANSWERED = Maturity(SETTLED_DAYS, "first_response_at")


def _slower(helper: str, stamp: str) -> EvidenceRule:
    return EvidenceRule("slower contacts", columns=(stamp,), order=helper)


def _times(kind: str, definition, business_definition, maturity, direction, stamp, helper):
    """The four time KPIs of first response or resolution (median and p90, elapsed and business hours; the medians on
    the scorecard; all four in chapter 3's service table) and the business-hour median of working days only (not
    reported: it tells whether a change is the calendar's)."""
    out = []
    for label in ("median", "p90"):
        elapsed = f"{kind}_{label}_s"
        shown = label == "median"
        out.append(Kpi(elapsed, definition, "s", "quantile", direction, scorecard=shown, chapter_table="service",
                       maturity=maturity, evidence=_slower(f"_{helper}_s", stamp)))  # fmt: skip
        out.append(Kpi(f"{kind}_business_{label}_s", business_definition, "s", "quantile", direction,
                       scorecard=shown, chapter_table="service", maturity=maturity,
                       evidence=_slower(f"_{helper}_bs", stamp), business_twin_of=elapsed))  # fmt: skip
    out.append(Kpi(f"{kind}_business_workday_median_s", None, "s", "quantile", direction, maturity=maturity))
    return out


_FIRST_RESPONSE = _times("first_response", FIRST_RESPONSE, FIRST_RESPONSE_BUSINESS, _ANSWERED, "lower",
                         "first_response_at", "first_response")  # fmt: skip
_RESOLUTION = _times("resolution", RESOLUTION_TIME, RESOLUTION_BUSINESS, _RESOLVED, "lower", "resolved_at",
                     "resolution")  # fmt: skip
_SURVEYS = ("surveys",)

#: every KPI of the package; the scorecard shows those with ``scorecard=True`` in this order
# fmt: off
KPIS: list[Kpi] = [
    Kpi("contacts", CONTACTS, "count", "count", scorecard=True, headline=True, evidence=EvidenceRule("contacts")),
    Kpi("service_level", SERVICE_LEVEL, "ratio", "proportion", "higher", scorecard=True, headline=True,
        chapter_table="service",
        evidence=EvidenceRule("contacts", "_offered AND (abandoned OR queue_wait_s > _threshold_s)", _QUEUE,
                              "queue_wait_s")),
    Kpi("asa_s", ASA, "s", "mean", "lower", scorecard=True, chapter_table="service",
        evidence=EvidenceRule("contacts", "_offered AND NOT abandoned AND queue_wait_s > _threshold_s", _QUEUE,
                              "queue_wait_s")),
    Kpi("abandonment_rate", ABANDONMENT, "ratio", "proportion", "lower", scorecard=True, money="contacts",
        chapter_table="service",
        evidence=EvidenceRule("contacts", "_offered AND abandoned", _QUEUE, "queue_wait_s")),
    _FIRST_RESPONSE[0],  # median, elapsed
    _FIRST_RESPONSE[1],  # median, business hours
    _RESOLUTION[0],
    _RESOLUTION[1],
    Kpi("resolution_rate", RESOLUTION_RATE, "ratio", "proportion", "higher", scorecard=True, maturity=_RESOLVED,
        money="contacts", chapter_table="service",
        evidence=EvidenceRule("contacts", "NOT _is_resolved", ("resolved", "resolved_at"))),
    Kpi("fcr_rate", FCR, "ratio", "proportion", "higher", scorecard=True, money="contacts", chapter_table="service",
        maturity=Maturity("fcr_repeat_window_days", "created_at", unless="first_contact_resolution"),
        evidence=EvidenceRule("first contact not resolved")),
    Kpi("reopen_rate", REOPEN_ESCALATION, "ratio", "proportion", "lower", scorecard=True, money="contacts",
        chapter_table="service",
        maturity=Maturity(SETTLED_DAYS, None),
        evidence=EvidenceRule("contacts", "_is_resolved AND reopened", ("reopened", "resolved_at"))),
    Kpi("escalation_rate", REOPEN_ESCALATION, "ratio", "proportion", "lower", scorecard=True, money="contacts",
        chapter_table="service",
        evidence=EvidenceRule("contacts", "escalated", ("escalated",))),
    Kpi("complaint_rate", COMPLAINTS, "ratio", "proportion", "lower", scorecard=True, money="contacts",
        evidence=EvidenceRule("contacts", "is_complaint", ("is_complaint",))),
    Kpi("aht_s", AHT, "s", "mean", "lower", scorecard=True, chapter_table="efficiency",
        evidence=EvidenceRule("contacts", "_handled", ("handle_s",), "handle_s")),
    Kpi("occupancy", OCCUPANCY, "ratio", "value", "higher", scorecard=True, tables=("contacts", "agent_months"),
        per_day_of_data=True, chapter_table="efficiency", evidence=EvidenceRule("agent months")),
    Kpi("cost_per_contact", COST, "currency", "mean", "lower", scorecard=True, chapter_table="efficiency",
        evidence=EvidenceRule("contacts", "_handled", ("handle_s", "cost"), "handle_s")),
    Kpi("csat_mean", CSAT, "score", "mean", "higher", scorecard=True, headline=True, tables=_SURVEYS,
        evidence=EvidenceRule("surveys", "csat <= 3", order="csat")),
    Kpi("csat_top2", CSAT, "ratio", "proportion", "higher", scorecard=True, tables=_SURVEYS,
        evidence=EvidenceRule("surveys", "csat <= 3", order="csat")),
    Kpi("nps", NPS, "points", "nps", "higher", scorecard=True, headline=True, tables=_SURVEYS,
        evidence=EvidenceRule("surveys", "nps <= 6", order="nps")),
    Kpi("ces_mean", CES, "score", "mean", "higher", scorecard=True, tables=_SURVEYS,
        evidence=EvidenceRule("surveys", "ces <= 4", order="ces")),
    Kpi("churn_rate", CHURN, "ratio", "proportion", "lower", scorecard=True, tables=("customers",),
        per_day_of_data=True, money="customers", evidence=EvidenceRule("churned customers")),
    Kpi("loyalty_index", LOYALTY, "ratio", "mean", "higher", scorecard=True, tables=("customers", "surveys")),
    Kpi("attrition_annualised", ATTRITION, "ratio", "value", "lower", scorecard=True, tables=("agents",),
        trailing_months=12, evidence=EvidenceRule("leavers")),
    Kpi("leavers", ATTRITION, "count", "count", "lower", scorecard=True, tables=("agents",)),
    Kpi("qa_score", QA, "score", "mean", "higher", scorecard=True, tables=("agent_months",),
        evidence=EvidenceRule("agent months")),
    # not on the scorecard: shown in the chapters, or parts of the KPIs above
    _FIRST_RESPONSE[2],  # p90, elapsed
    _FIRST_RESPONSE[3],  # p90, business hours
    _FIRST_RESPONSE[4],  # business-hour median of working days
    _RESOLUTION[2],
    _RESOLUTION[3],
    _RESOLUTION[4],
    Kpi("complaints", COMPLAINTS, "count", "count", "lower",
        evidence=EvidenceRule("contacts", "is_complaint", ("is_complaint",))),
    Kpi("contacts_per_1000_customers", CONTACTS, "per_1000", "value", tables=("contacts", "customers")),
    Kpi("complaints_per_1000_customers", COMPLAINTS, "per_1000", "value", "lower", tables=("contacts", "customers")),
    Kpi("survey_response_rate", CSAT, "ratio", "proportion", "higher", tables=("contacts", "surveys")),
    Kpi("ces_easy", CES, "ratio", "proportion", "higher", tables=_SURVEYS,
        evidence=EvidenceRule("surveys", "ces <= 4", order="ces")),
    Kpi("nps_non_detractor", LOYALTY, "ratio", "proportion", "higher", tables=_SURVEYS),
    Kpi("retention_rate", CHURN, "ratio", "proportion", "higher", tables=("customers",), money="customers"),
    Kpi("churn_rate_12m", CHURN, "ratio", "proportion", "lower", tables=("customers",), money="customers"),
    Kpi("retention_rate_12m", CHURN, "ratio", "proportion", "higher", tables=("customers",)),
    Kpi("voluntary_share", ATTRITION, "ratio", "proportion", tables=("agents",)),
    Kpi("handled_contacts", None, "count", "count", chapter_table="efficiency"),  # contacts agents handled
]
# fmt: on

_BY_NAME: dict[str, Kpi] = {}


def register(kpi: Kpi) -> Kpi:
    """Declare ``kpi`` (a new name, or the same declaration again); the scorecard, exports, findings, evidence,
    maturing list and data dictionary take it from here. Returns it."""
    known = _BY_NAME.get(kpi.name)
    if known is not None and known != kpi:
        raise ValueError(f"KPI {kpi.name!r} is declared already, differently")
    if known is None:
        _BY_NAME[kpi.name] = kpi
        if kpi not in KPIS:
            KPIS.append(kpi)
    return kpi


def unregister(name: str) -> None:
    """Take back a KPI declared by :func:`register` at run time (tests)."""
    kpi = _BY_NAME.pop(name)
    KPIS.remove(kpi)


for _kpi in list(KPIS):
    register(_kpi)


def kpi(name: str) -> Kpi | None:
    """The declaration of ``name`` (None for a quantity that is no declared KPI)."""
    return _BY_NAME.get(name)


def kpis() -> list[Kpi]:
    """Every declared KPI, in declaration order."""
    return list(KPIS)


def scorecard_kpis() -> list[str]:
    """The scorecard's KPIs in display order."""
    return [k.name for k in KPIS if k.scorecard]


def headline_kpis() -> list[str]:
    """The headline KPIs in display order: those the batch index shows for each report and the e-mail brief shows
    at a glance whatever their status."""
    return [k.name for k in KPIS if k.headline]


def table_kpis(table: str) -> list[str]:
    """The KPIs chapter 3's ``table`` lists (``service`` or ``efficiency``, :attr:`Kpi.chapter_table`) in table order:
    the KPIs of one definition side by side (a median beside its p90), definitions in the order of their first KPI
    and KPIs in declaration order otherwise."""
    listed = [k for k in KPIS if k.chapter_table == table]
    first: dict[object, int] = {}
    for i, k in enumerate(listed):
        first.setdefault(k.definition or k.name, i)
    return [k.name for k in sorted(listed, key=lambda k: first[k.definition or k.name])]


def added_specs(params: Parameters, columns: set[str], table: str) -> list[Spec]:
    """The aggregate specs of the KPIs declared with a ``spec`` (added KPIs) that are read from ``table``."""
    specs = [k.spec(params, columns) for k in KPIS if k.spec is not None]
    return [s for s in specs if s.table == table]


def names_where(test: Callable[[Kpi], object]) -> frozenset[str]:
    """The names of the KPIs for which ``test`` holds, e.g. ``names_where(lambda k: k.per_day_of_data)``."""
    return frozenset(k.name for k in KPIS if test(k))


def business_twins() -> dict[str, str]:
    """Business-hour KPI → the elapsed-time KPI it is the twin of."""
    return {k.name: k.business_twin_of for k in KPIS if k.business_twin_of}


def definitions() -> list[Definition]:
    """The data dictionary's KPI definitions, each once, in the order of the KPIs that use them."""
    out: list[Definition] = []
    for k in KPIS:
        if k.definition is not None and k.definition not in out:
            out.append(k.definition)
    return out


def label(name: str, lang: str) -> str | None:
    """A KPI's display name declared here (``labels``; English when ``lang`` has none), else None."""
    declared = kpi(name)
    if declared is None or not declared.labels:
        return None
    return declared.labels.get(lang) or declared.labels.get("en")


i18n.declare_labels("kpi", label)
