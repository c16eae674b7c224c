"""Detection rules: pure functions from KPI tables and analysis results to :class:`Finding` records.

Each rule states its test; thresholds come from :class:`~csreport.findings.rules.Rules`. None reads files or plots.
This module holds the rules on KPIs and contact counts (KPI changes and missed targets, category spikes, channel
shifts); the workforce rules are in :mod:`~csreport.findings.detect_staff`, the churn rules in
:mod:`~csreport.findings.detect_churn` (both importable from here too).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from csreport.findings.calibrate import ControlTest, count_test, estimate_test, proportion_test, se_of
from csreport.findings.detect_churn import churn_groups_found, churn_rises, segment_churn
from csreport.findings.detect_staff import staffing_gaps, training_gaps
from csreport.findings.record import Finding
from csreport.findings.rules import Rules
from csreport.findings.signals import Signal, relative, test_evidence
from csreport.findings.signals import standing_signal as _standing
from csreport.metrics.measure import Measure
from csreport.metrics.scorecard import PERIOD_LENGTH_KPIS

__all__ = [
    "category_spikes",
    "channel_shifts",
    "churn_groups_found",
    "churn_rises",
    "kpi_signals",
    "segment_churn",
    "staffing_gaps",
    "training_gaps",
]


CALENDAR_DRIVEN = (
    "calendar-driven: holidays or closures explain the change; on working days alone it is not significant"
)


def _affected(n: float, unit: str, change: float | None, base: float | None) -> float:
    """Contacts (or responses, customers) touched by a KPI change: |Δ| × n for a rate, n × |relative Δ| capped
    at n otherwise."""
    if change is None or not math.isfinite(change):
        return 0.0
    if unit == "ratio":
        return abs(change) * n
    if not base:
        return 0.0
    return min(1.0, abs(change / base)) * n


def kpi_series_test(measures: list[Measure | None], confidence: float, one_sided: bool = False) -> ControlTest | None:
    """The calibrated test of the last of a KPI's monthly Measures (oldest first): Laney's p′ chart for a
    proportion (its numerators and n), the generalised chart of its estimates and standard errors otherwise."""
    if not measures or measures[-1] is None or measures[-1].value is None:
        return None
    if measures[-1].kind == "proportion":
        x = [m.numerator if m is not None and m.value is not None else None for m in measures]
        n = [m.n if m is not None and m.value is not None else None for m in measures]
        return proportion_test(x, n, one_sided)
    values = [m.value if m is not None else None for m in measures]
    return estimate_test(values, [se_of(m, confidence) for m in measures], one_sided)


def calibrated_changes(
    card: pd.DataFrame,
    history: dict[str, list[Measure | None]],
    days: list[float] | None,
    confidence: float = 0.95,
    skip: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Per KPI of ``card``: the calibrated test of the month against the unit's own history
    (:func:`kpi_series_test`; counts by Laney's u′ chart per day with data, ``days`` per month of the history):
    ``usual_level``, ``p_calibrated`` (the level test: is the month beyond the unit's usual month-to-month
    variation?); NaN without enough history and for the KPIs in ``skip`` (maturing in the data's last month:
    their same-age comparison stands). The scorecard marks a change significant by this test where it exists,
    so a −1 % change in 500,000 monthly calls is not starred."""
    rows = []
    for kpi in card["kpi"]:
        measures = [] if kpi in skip else history.get(kpi) or []
        test = None
        if measures and measures[-1] is not None and measures[-1].value is not None:
            if measures[-1].kind == "count" and days is not None:
                counts = [m.value if m is not None else None for m in measures]
                test = count_test(counts, [d or None for d in days], one_sided=False)
            else:
                test = kpi_series_test(measures, confidence)
        rows.append({"kpi": kpi, "usual_level": test.centre if test else math.nan,
                     "p_calibrated": test.p_level if test else math.nan})  # fmt: skip
    return pd.DataFrame(rows)


def kpi_signals(
    card: pd.DataFrame,
    history: dict[str, list[Measure | None]],
    periods: list[str],
    unit: str,
    rules: Rules,
    last_data_month: bool,
    confidence: float = 0.95,
) -> list[Signal]:
    """The KPI rule: each KPI with a target direction against its own history (``history[kpi]``: its monthly
    Measures for ``periods``, oldest first, the report's month last), by :func:`kpi_series_test`.

    News: an unusual level *and* an unusual move from the month before (the conjunction's p, adjusted with the
    report's other tests later), at least ``min_relative_change`` from the usual level: a deterioration or an
    improvement by the KPI's direction; high severity needs a missed target too. Standing: a level unusual in
    the adverse direction this month and the month before that did not move unusually this month. A KPI below
    the minimum sample, without the history a calibrated test needs, or cut by a partial month gives no
    signal. In the data's last month a maturing KPI is tested by its same-age comparison with the previous
    month instead (:func:`_maturing_signal`: in the same adjusted family, low severity with a note). A missed
    target is a low-severity ``target_missed`` only in the month it is first missed (the month before met it)."""
    found: list[Signal] = []
    period = periods[-1]
    for row in card.itertuples(index=False):
        if row.direction is None or not isinstance(row.direction, str) or row.small_sample or pd.isna(row.value):
            continue
        # maturing (the scorecard's column, from the registry): in the data's last month its same-age comparison
        maturing = last_data_month and bool(getattr(row, "maturing", False))
        if maturing:
            found += _maturing_signal(row, unit, period, rules)
            continue
        if row.kpi in rules.not_news:  # a trailing window: consecutive months share most of their data
            found += _newly_missed(row, unit, period)
            continue
        if row.kpi in PERIOD_LENGTH_KPIS and (row.partial or row.previous_partial):
            continue
        measures = history.get(row.kpi) or []

        def test_at(i: int, measures=measures):
            return kpi_series_test(measures[: i + 1], confidence)

        test = test_at(len(periods) - 1) if len(measures) == len(periods) else None
        if test is not None:
            signal = _kpi_signal(row, test, unit, period, rules)
            if signal is not None:
                adverse = (test.direction > 0) != (row.direction == "higher")
                signal = _standing(signal, test_at, periods, test.direction, test, rules.alpha, adverse)
                if bool(getattr(row, "calendar_driven", False)):
                    # the month's holidays or closures explain a business-hour change: low, with that note
                    signal = replace(signal, fixed="low", standing=False).with_finding(note=CALENDAR_DRIVEN)
                found.append(signal)
        found += _newly_missed(row, unit, period)
    return found


def _kpi_signal(row, test: ControlTest, unit: str, period: str, rules: Rules) -> Signal | None:
    size = relative(test.value, test.centre)
    if test.direction == 0:
        return None
    better = (test.direction > 0) == (row.direction == "higher")
    change = test.value - test.centre
    finding = Finding(
        kind="improvement" if better else "deterioration",
        unit=unit,
        period=period,
        metric=row.kpi,
        value=float(row.value),
        baseline=test.centre,
        change=change,
        relative_change=change / abs(test.centre) if test.centre else None,
        p_value=test.p,
        significant=False,
        severity="low",
        impact=_affected(float(row.n or 0), row.unit, change, test.centre),
        impact_unit="contacts",
        evidence={
            "n": int(row.n),
            "target": row.target,
            "status": row.status,
            "unit": row.unit,
            **test_evidence(test),
        },
    )
    top = "high" if not better and row.status == "missed" else "medium"
    return Signal(finding, test.p, size, rules.min_relative_change, rules.high_relative_change, max_severity=top)


def _maturing_signal(row, unit: str, period: str, rules: Rules) -> list[Signal]:
    """A maturing KPI in the data's last month: the scorecard's same-age comparison with the previous month
    (``p_vs_previous``), a news test like the others. Every such test with a p-value and a change joins the
    report's Benjamini–Hochberg family (whether or not it is significant alone, as the calibrated KPI tests do);
    it is news when it passes the same grade (q < alpha, |change| / previous ≥ ``min_relative_change``) and is
    then reported as low severity with its note (``shown_as``: not final, never a headline)."""
    change = None if pd.isna(row.change_vs_previous) else float(row.change_vs_previous)
    p = None if pd.isna(row.p_vs_previous) else float(row.p_vs_previous)
    if change is None or change == 0 or p is None or pd.isna(row.previous) or not row.previous:
        return []
    better = (change > 0) == (row.direction == "higher")
    finding = Finding(
        kind="improvement" if better else "deterioration",
        unit=unit,
        period=period,
        metric=row.kpi,
        value=float(row.value),
        baseline=float(row.previous),
        change=change,
        relative_change=change / abs(row.previous),
        p_value=p,
        significant=False,
        severity="low",
        impact=_affected(float(row.n or 0), row.unit, change, row.previous),
        impact_unit="contacts",
        note="maturing: contacts near the data cut-off have had less time to be answered or resolved",
        evidence={
            "n": int(row.n),
            "test": row.test,
            "target": row.target,
            "status": row.status,
            "baseline_label": "previous month at the same age" if row.same_age else "previous month",
            "unit": row.unit,
        },  # fmt: skip
    )
    size = abs(change / row.previous)
    return [Signal(finding, p, size, rules.min_relative_change, rules.high_relative_change, shown_as="low")]


def _newly_missed(row, unit: str, period: str) -> list[Signal]:
    """A target missed this month and met (or not measured) the month before: low severity, with the test of
    the value against the target (never the previous month's p-value)."""
    if row.status != "missed":
        return []
    previous = None if pd.isna(row.previous) else float(row.previous)
    if previous is not None and _misses(previous, float(row.target), row.direction):
        return []
    target_p = getattr(row, "p_vs_target", None)
    target_p = None if target_p is None or pd.isna(target_p) else float(target_p)
    finding = Finding(
        kind="target_missed",
        unit=unit,
        period=period,
        metric=row.kpi,
        value=float(row.value),
        baseline=float(row.target),
        change=float(row.value) - float(row.target),
        relative_change=None,
        p_value=target_p,
        significant=target_p is not None and target_p < 0.05,
        severity="low",
        impact=0.0,
        impact_unit="contacts",
        evidence={
            "n": int(row.n),
            "target": row.target,
            "status": row.status,
            "unit": row.unit,
            "baseline_label": "target",
            "previous": previous,
            "test": getattr(row, "test_vs_target", "") if target_p is not None else "",
        },  # fmt: skip
    )
    return [Signal(finding, None, 0.0, 0, 0, fixed="low")]


def _misses(value: float, target: float, direction: str) -> bool:
    return value < target if direction == "higher" else value > target


def category_spikes(
    counts: pd.DataFrame,
    periods: list[str],
    unit: str,
    rules: Rules,
    what: str = "complaints",
    days: dict[str, int] | None = None,
) -> list[Signal]:
    """``counts``: columns period, category, count (one unit); ``periods``: the baseline months and the report's
    month (last). A category whose count is unusually high against its own history (Laney's u′ chart per day
    with data, one-sided, exact negative binomial tail for small expectations; :func:`~csreport.findings.
    calibrate.count_test`) and rose unusually from the month before, at least ``spike_ratio`` × its expectation
    and at least ``min_spike_count``, is a ``category_spike``; impact = observed − expected. ``days``: days with
    data per month (a month cut off on its 24th expects 24 days' worth; months without data are left out);
    without it every month counts as whole."""
    period = periods[-1]
    table = counts.pivot_table(index="category", columns="period", values="count", aggfunc="sum", fill_value=0)
    if period not in table.columns:
        return []
    seen = set(counts["period"])
    exposure = [float(days.get(m, 0)) if days is not None else (1.0 if m in seen else 0.0) for m in periods]
    table = table.reindex(columns=periods, fill_value=0)
    found = []
    for category, row in table.iterrows():
        values = [float(v) if exposure[i] > 0 else None for i, v in enumerate(row)]

        def test_at(i: int, values=values):
            return count_test(values[: i + 1], exposure[: i + 1], one_sided=True)

        test = test_at(len(periods) - 1)
        if test is None or test.direction <= 0:
            continue
        observed, base = test.value, test.centre
        ratio = observed / base if base > 0 else math.inf
        if observed < rules.min_spike_count:
            continue
        finding = Finding(
            kind="category_spike",
            unit=unit,
            period=period,
            metric=what,
            value=observed,
            baseline=base,
            change=observed - base,
            relative_change=(ratio - 1) if base > 0 else None,
            p_value=test.p,
            significant=False,
            severity="low",
            impact=max(0.0, observed - base),
            impact_unit="contacts",
            category=str(category),
            evidence={
                **test_evidence(test),
                "n": int(observed),
                "ratio": ratio,
                "baseline_label": "usual level per day with data" if days is not None else "usual level",
                **(
                    {"days": int(days[period]), "month_days": pd.Period(period, "M").days_in_month}
                    if days is not None
                    else {}
                ),  # fmt: skip
            },
        )
        signal = Signal(finding, test.p, ratio, rules.spike_ratio, rules.high_spike_ratio)
        found.append(_standing(signal, test_at, periods, 1, test, rules.alpha))
    return found


def channel_shifts(counts: pd.DataFrame, periods: list[str], unit: str, rules: Rules) -> list[Signal]:
    """``counts``: columns period, channel, count (one unit); ``periods``: baseline months and the report's
    month (last). Each channel's share of contacts is tested against its own history (Laney's p′ chart, two-
    sided); the channel whose share fell furthest below its usual level, by at least ``channel_shift_points``,
    is a ``channel_shift`` "from → to" with the channel that rose most; its p is the falling channel's test;
    impact = contacts moved (fall in share × n)."""
    period = periods[-1]
    table = counts.pivot_table(index="channel", columns="period", values="count", aggfunc="sum", fill_value=0)
    if period not in table.columns:
        return []
    table = table.reindex(columns=periods)
    totals = table.sum(axis=0, min_count=1)
    if not totals[period] >= rules.min_sample:
        return []
    shares = {}
    for channel, row in table.iterrows():
        x = [None if pd.isna(v) or pd.isna(t) else float(v) for v, t in zip(row, totals, strict=True)]
        n = [None if pd.isna(t) else float(t) for t in totals]

        def test_at(i: int, x=x, n=n):
            return proportion_test(x[: i + 1], n[: i + 1])

        test = test_at(len(periods) - 1)
        if test is not None:
            shares[channel] = (test, test_at)
    if len(shares) < 2:
        return []
    source = min(shares, key=lambda c: shares[c][0].value - shares[c][0].centre)
    target = max(shares, key=lambda c: shares[c][0].value - shares[c][0].centre)
    test, test_at = shares[source]
    drop = test.centre - test.value
    if drop <= 0:
        return []
    n1 = float(totals[period])
    rose = shares[target][0]
    finding = Finding(
        kind="channel_shift",
        unit=unit,
        period=period,
        metric="channel_share",
        value=test.value,
        baseline=test.centre,
        change=-drop,
        relative_change=-drop / test.centre if test.centre else None,
        p_value=test.p,
        significant=False,
        severity="low",
        impact=drop * n1,
        impact_unit="contacts",
        category=f"{source}→{target}",
        evidence={
            **test_evidence(test),
            "from": str(source),
            "to": str(target),
            "to_share": rose.value,
            "to_share_before": rose.centre,
            "n": int(n1),
            "unit": "ratio",
        },
    )
    signal = Signal(finding, test.p, drop, rules.channel_shift_points, rules.high_channel_shift_points)
    return [_standing(signal, test_at, periods, -1, test, rules.alpha)]
