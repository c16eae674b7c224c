"""Does a part explain the whole? A unit-level KPI change tested again without a child's excess.

When the unit's complaint rate rose and one category's complaints spiked, or unit churn rose and one segment's
churn rose, the child may be the whole story. The test removes the children's excess from the parent's month
(complaints beyond the category's usual count, churned customers beyond the segment's usual rate) and repeats the
parent's calibrated test on its own history. If the parent is no longer news at the report's threshold (the
largest p the Benjamini–Hochberg step accepted), the children explain it: the parent is told as their breakdown
(``evidence["explained_by"]``). If it still holds, the rest of the unit moved too: both are told, and the parent's
evidence leaves out the children's rows (``evidence["excluding"]``), so no row is counted twice.
"""

from __future__ import annotations

from dataclasses import replace

from csreport.findings.calibrate import proportion_test
from csreport.findings.record import Finding
from csreport.metrics.measure import Measure

#: unit-level KPI → (child kinds, +1 when the excess adds to the numerator, −1 when it is taken off)
PARENTS: dict[str, tuple[tuple[str, ...], int]] = {
    "complaint_rate": (("category_spike",), +1),
    "churn_rate": (("churn_rise", "churn_group"), +1),
    "retention_rate": (("churn_rise", "churn_group"), -1),
    "fcr_rate": (("training_gap",), -1),
}


def monthly_excess(child: Finding) -> float:
    """The child's excess in the parent's month: contacts or customers beyond its usual level, a window's
    excess spread over its months (a three-month group's loss is not one month's)."""
    months = int(child.evidence.get("window_months") or child.evidence.get("months") or 1)
    return max(0.0, float(child.impact)) / max(1, months)


def explain(findings: list[Finding], history: dict[str, list[Measure | None]], threshold: float) -> list[Finding]:
    """``findings`` with each unit-level parent of :data:`PARENTS` marked ``explained_by`` or ``excluding`` its
    news children of the same unit and month (see the module docstring). ``history``: the parent KPIs' monthly
    Measures, the report's month last; ``threshold``: the largest raw p accepted as news in this report. A
    maturing parent (tested against the previous month at the same age) is left as it is: the calibrated re-test
    here would judge a month whose outcomes are not all known against settled months."""
    out = list(findings)
    for i, parent in enumerate(findings):
        if parent.kind != "deterioration" or parent.metric not in PARENTS or parent.q_value is None:
            continue
        if (parent.note or "").startswith("maturing"):  # against the previous month at the same age
            continue
        kinds, sign = PARENTS[parent.metric]
        children = [c for c in findings if c.kind in kinds and c.unit == parent.unit and c.period == parent.period
                    and c.evidence.get("change") != "gone"]  # fmt: skip
        if not children:
            continue
        measures = history.get(parent.metric) or []
        excess = sum(monthly_excess(c) for c in children if c.kind != "churn_group") or max(
            (monthly_excess(c) for c in children), default=0.0
        )  # overlapping groups: the largest alone
        p = _p_without(measures, sign * excess)
        keys = [[c.kind, c.metric, c.subject] for c in children]
        if p is None or p > threshold:
            out[i] = replace(parent, evidence={**parent.evidence, "explained_by": keys, "p_without_children": p})
        else:
            out[i] = replace(parent, evidence={**parent.evidence, "excluding": keys, "p_without_children": p})
    return out


def _p_without(measures: list[Measure | None], shift: float) -> float | None:
    """The calibrated level test's p of the last month with ``shift`` taken off its numerator (a proportion KPI)."""
    if not measures or measures[-1] is None or measures[-1].kind != "proportion":
        return None
    x = [m.numerator if m is not None and m.value is not None else None for m in measures]
    n = [m.n if m is not None and m.value is not None else None for m in measures]
    x[-1] = max(0.0, min(float(n[-1]), float(x[-1]) - shift))
    test = proportion_test(x, n)
    return None if test is None else test.p_level
