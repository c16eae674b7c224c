"""One effect, one message: findings that share their population or cause are told once, at the level that
explains them, with the others as their breakdown.

Two findings belong to the same effect when

- one *explains* the other: a unit-level KPI change that no longer holds once a child's excess (a category's
  spike, a segment's churn) is removed from it (tested in :mod:`csreport.findings.explain`; recorded in the
  parent's ``evidence["explained_by"]``), or a cause declared in ``params/findings.yml`` ``explains`` (a
  staffing gap explains the waits of its month);
- or their evidence rows overlap beyond chance: they share more than ``overlap`` of the smaller one's rows
  (contacts, customers; a survey counts as its contact) *and* more than two independent slices of the same
  population would (one-sided binomial test of the shared rows among the smaller set against the larger set's
  share of the population, p < :data:`ASSOCIATION_P`), so a broad finding (all slow contacts) does not swallow
  a narrow one by size alone.

Groups are the connected parts of that graph. A group's head — the message — is the most specific cause among
its findings: news before standing issues, then by :data:`HEAD_ORDER` (a staffing gap or a category spike before
the KPIs they move; process KPIs before satisfaction; segments before the unit), then impact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from scipy import stats

from csreport.findings.evidence import Evidence
from csreport.findings.record import Finding

HEAD_ORDER = (
    "staffing_gap",
    "category_spike",
    "training_gap",
    "channel_shift",
    "churn_rise",
    "churn_group",
    "process_churn",
    "process_cost",
    "reopen_rate",
    "fcr_rate",
    "escalation_rate",
    "resolution_rate",
    "aht_s",
    "first_response_median_s",
    "asa_s",
    "service_level",
    "abandonment_rate",
    "complaint_rate",
    "csat_mean",
    "csat_top2",
    "ces_mean",
    "nps",
    "churn_rate",
)
ASSOCIATION_P = 0.001


@dataclass(frozen=True)
class EffectGroup:
    """One effect: ``head`` (the finding the message is about) and ``members`` (every finding of the effect,
    head first, by position in the report's list ``items``), with the ids of their evidence rows."""

    head: int
    members: tuple[int, ...]
    news: bool
    ids: dict[str, frozenset] = field(default_factory=dict)  # id column → ids, over all members


def evidence_ids(evidence: Evidence) -> tuple[str, frozenset]:
    """The ids of an evidence table, as (id kind, ids): a survey counts as its contact (so detractors and the
    contacts that made them meet)."""
    rows = evidence.rows
    if evidence.id_column == "survey_id" and "contact_id" in rows.columns:
        return "contact_id", frozenset(str(v) for v in rows["contact_id"].dropna())
    if evidence.id_column not in rows.columns:
        return evidence.id_column, frozenset()
    return evidence.id_column, frozenset(str(v) for v in rows[evidence.id_column].dropna())


def associated(a: frozenset, b: frozenset, population: int | None, overlap: float) -> bool:
    """True when ``a`` and ``b`` share more than ``overlap`` of the smaller and, with a known ``population``
    (rows of that kind in the unit-month), more than independent slices would: P(X ≥ shared) < :data:`ASSOCIATION_P`
    for X ~ Binomial(|smaller|, |larger| / population)."""
    if not a or not b:
        return False
    shared = len(a & b)
    small, large = sorted((len(a), len(b)))
    if shared <= overlap * small:
        return False
    if population and large < population:
        return float(stats.binom.sf(shared - 1, small, large / population)) < ASSOCIATION_P
    return True


def _rank(finding: Finding) -> int:
    for name in (finding.kind, finding.metric):
        if name in HEAD_ORDER:
            return HEAD_ORDER.index(name)
    return len(HEAD_ORDER)


def group_effects(
    items: list[Finding],
    evidence: list[Evidence],
    news: Iterable[bool],
    overlap: float = 0.10,
    populations: dict[str, int] | None = None,
    explains: dict[str, tuple[str, ...]] | None = None,
) -> list[EffectGroup]:
    """Group ``items`` (news and standing findings, with their ``evidence`` in the same order; ``news``: which
    are news) into effects; groups ordered like their heads in ``items``."""
    news = list(news)
    ids = [evidence_ids(e) for e in evidence]
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    keys = {_subject_key(f): i for i, f in enumerate(items)}
    for i, f in enumerate(items):
        child = f.evidence.get("explained_by")
        for key in child or ():
            if tuple(key) in keys:
                join(i, keys[tuple(key)])
    for cause, metrics in (explains or {}).items():
        causes = [i for i, f in enumerate(items) if f.kind == cause and news[i]]
        for i in causes:
            for j, f in enumerate(items):
                if news[j] and f.metric in metrics and f.unit == items[i].unit and f.kind == "deterioration":
                    join(j, i)
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if ids[i][0] == ids[j][0] and associated(ids[i][1], ids[j][1], (populations or {}).get(ids[i][0]),
                                                      overlap):  # fmt: skip
                join(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    out = []
    for members in groups.values():
        head = min(members, key=lambda i: (not news[i], _rank(items[i]), -items[i].impact, i))
        ordered = (head, *[i for i in members if i != head])
        union: dict[str, set] = {}
        for i in ordered:
            union.setdefault(ids[i][0], set()).update(ids[i][1])
        out.append(EffectGroup(head, ordered, any(news[i] for i in members),
                               {k: frozenset(v) for k, v in union.items()}))  # fmt: skip
    return sorted(out, key=lambda g: g.head)


def _subject_key(finding: Finding) -> tuple:
    """What ``explained_by`` names: kind, metric and subject."""
    return (finding.kind, finding.metric, finding.subject)
