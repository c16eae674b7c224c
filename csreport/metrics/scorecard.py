"""The KPI scorecard of one period × unit and monthly KPI trends.

For each KPI: value with n and interval; previous month and same month last year with change and
significance; target and status; industry average and best competitor from the benchmarks table.

Coverage (:class:`csreport.data.store.Coverage`): counts are compared per day with data (a month cut off by the data's
end, or a 31-day against a 30-day month, is not equal exposure); a baseline month outside the data is n/a for
every contact KPI, never 0; ``partial`` marks a month the data's start or end cuts.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

import pandas as pd

from csreport.data.calendars import Calendars
from csreport.data.periods import parse_period
from csreport.data.store import ALL_UNITS, Coverage, Store
from csreport.metrics import registry
from csreport.metrics.business import business_clock
from csreport.metrics.calendar_driven import calendar_driven_column
from csreport.metrics.calls import counted
from csreport.metrics.comparisons import Comparison, against_target, compare
from csreport.metrics.kpis import compute_kpis, compute_many, load_period
from csreport.metrics.maturing import cutoff, is_maturing, maturing_kpis, not_comparable, same_age_kpis, same_age_many
from csreport.metrics.measure import Measure
from csreport.metrics.service import contact_kpis, package_specs
from csreport.metrics.targets import BUSINESS_TWINS, Parameters, Target, Targets, load_targets

BENCHMARK_SOURCES = ("industry_average", "best_in_class")
# KPIs read from contacts (directly or combined with another table): n/a in a month outside the contacts' span
CONTACT_KPIS = frozenset(
    [s.name for s in package_specs(Parameters(), set())] + list(registry.names_where(lambda k: "contacts" in k.tables))
)


# KPIs whose value grows with the days the period covers (customers churned, handle hours set against
# agent_months' whole-month hours; declared ``per_day_of_data`` in the registry): in a month the data's start or
# end cuts they are not comparable with whole months, targets or benchmarks, so no change, status or gap is given
# for them (the value is shown, marked ◐). Attrition is not one of them: its trailing window counts a cut month by
# its days with data (metrics.workforce)
PERIOD_LENGTH_KPIS = registry.names_where(lambda k: k.per_day_of_data)
PARTIAL_REASON = "partial month: the value covers only the days with data"
# KPIs over a trailing window (registry ``trailing_months``): this month's window and the previous month's share
# all months but one, so their change is shown without a test (the year-ago window does not overlap)
TRAILING_KPIS = registry.names_where(lambda k: k.trailing_months)
OVERLAP_REASON = "trailing 12 months: the windows of consecutive months share 11 months"


class KpiCache:
    """Memoises ``compute_kpis`` per (period, unit) so a scorecard batch computes each month once."""

    def __init__(self, store: Store, targets: Targets, calendars: Calendars | None = None):
        self.store, self.targets = store, targets
        #: the KPI parameters with the units' business-hour calendars (default: params/calendars.yml)
        self.params = replace(targets.parameters, business=business_clock(store, calendars))
        self._kpis: dict[tuple[str, str], dict[str, Measure]] = {}
        self._benchmarks: dict[str, pd.DataFrame] | None = None
        self._benchmark_summaries: dict[tuple[str, str], dict] = {}
        self._same_age: dict[tuple[str, str, str], dict[str, Measure]] = {}  # (period, unit, cut-off) → KPIs
        self._same_age_pending: tuple[Future, list[tuple[str, str, str]]] | None = None

    @property
    def same_age(self) -> dict[tuple[str, str, str], dict[str, Measure]]:
        """The KPIs of baselines at the same age, ``(period, unit, cut-off) → KPIs``, once the pass
        :meth:`preload` started has finished (waited for here; its error, if any, is raised here)."""
        if self._same_age_pending is not None:
            future, keys = self._same_age_pending
            self._same_age_pending = None
            found = future.result()
            self._same_age.update({key: found.get(key, {}) for key in keys})
        return self._same_age

    def benchmarks(self, period: str, unit: str) -> dict:
        """Industry average, best in class and competitors per metric for ``period`` × ``unit``."""
        if self._benchmarks is None:
            table = self.store.read("benchmarks") if "benchmarks" in self.store.tables else pd.DataFrame()
            self._benchmarks = dict(tuple(table.groupby("period"))) if not table.empty else {}
        rows = self._benchmarks.get(period)
        unit_specific = rows is not None and "business_unit" in rows.columns and rows["business_unit"].notna().any()
        key = (period, unit if unit_specific else "*")
        if key not in self._benchmark_summaries:
            self._benchmark_summaries[key] = _benchmarks(self._benchmarks.get(period), unit)
        return self._benchmark_summaries[key]

    def kpis(self, period: str, unit: str) -> dict[str, Measure]:
        key = (period, unit)
        if key not in self._kpis:
            self._kpis[key] = _month_kpis(self.store, period, unit, self.params)
        return self._kpis[key]

    def preload(self, periods: list[str], units: list[str]) -> None:
        """Compute ``periods`` × ``units`` at once, with the previous month and same month last year of each
        period, so that their scorecards need no further reading."""
        needed = {str(parse_period(p) - k) for p in periods for k in (0, 1, 12)}
        # computed already (e.g. restored from the report computed once, see csreport.report.computed): not again
        if not all((p, u) in self._kpis for p in needed for u in units):
            self._kpis.update(_compute_many(self.store, sorted(needed), units, self.params))
        self._preload_same_age(periods, units)

    def _preload_same_age(self, periods: list[str], units: list[str]) -> None:
        """The baselines at the same age of every maturing period × unit (:func:`_maturing`), in one pass run
        in a worker thread: DuckDB releases the GIL, so the scorecards of the months that are not maturing
        are built meanwhile (only a maturing month's scorecard waits for it, through :attr:`same_age`)."""
        wanted = {}
        for period in periods:
            for unit in units:
                coverage = self.store.coverage(unit)
                months, days = _months_and_days(period, coverage)
                _, requests = _same_age_requests(self.store, months, unit, coverage, days, self.params)
                wanted.update({key: at for key, at in requests.values() if key not in self.same_age})
        if wanted:
            requests = [(p, u, at) for (p, u, _), at in wanted.items()]
            pool = ThreadPoolExecutor(max_workers=1)
            future = pool.submit(same_age_many, self.store, requests, self.params)
            pool.shutdown(wait=False)  # its thread ends with the pass
            self._same_age_pending = (future, list(wanted))

    def state(self) -> dict:
        """What this cache has computed (KPIs per period × unit, the baselines at the same age, benchmark
        summaries), to keep on disk: a kernel that restores it computes none of them again (a same-age pass still
        running is waited for)."""
        return {"kpis": dict(self._kpis), "same_age": dict(self.same_age), "benchmarks": self._benchmarks,
                "summaries": dict(self._benchmark_summaries)}  # fmt: skip

    def restore(self, state: dict) -> None:
        """Take over what :meth:`state` returned (same store and targets)."""
        self._kpis.update(state["kpis"])
        self.same_age.update(state["same_age"])
        self._benchmarks = state["benchmarks"] if self._benchmarks is None else self._benchmarks
        self._benchmark_summaries.update(state["summaries"])


@counted("compute_many", by=lambda store, periods, units, *a, **k: f"{' '.join(periods)} × {' '.join(units)}")
def _compute_many(store: Store, periods: list[str], units: list[str], params: Parameters) -> dict:
    """:func:`~csreport.metrics.kpis.compute_many`, counted per set of months × units
    (:mod:`csreport.metrics.calls`)."""
    return compute_many(store, periods, units, params)


@counted("month_kpis", by=lambda store, period, unit, *a, **k: f"{period} {unit}")
def _month_kpis(store: Store, period: str, unit: str, params: Parameters) -> dict[str, Measure]:
    """The KPIs of one month × unit outside a preloaded set (counted, :mod:`csreport.metrics.calls`)."""
    return compute_kpis(load_period(store, period, unit), params)


def _benchmarks(rows: pd.DataFrame | None, unit: str) -> dict:
    """Per metric: the industry average, best in class and the competitors' values (mean per source) from the
    benchmark rows of one period that apply to ``unit`` (rows without a unit apply to every unit)."""
    if rows is None or rows.empty:
        return {}
    if "business_unit" in rows.columns:
        rows = rows[rows["business_unit"].isna() | (rows["business_unit"] == unit)]
    means = rows.groupby(["metric", "source"])["value"].mean()
    out: dict[str, dict] = {}
    for (metric, source), value in means.items():
        entry = out.setdefault(metric, {"industry_average": None, "best_in_class": None, "competitors": {}})
        if source in BENCHMARK_SOURCES:
            entry[source] = float(value)
        else:
            entry["competitors"][source] = float(value)
    for entry in out.values():
        entry["competitors"] = pd.Series(entry["competitors"], dtype=float)
    return out


@counted("scorecard", by=lambda store, period, unit=ALL_UNITS, *a, **k: f"{period} {unit}")
def scorecard(
    store: Store, period: str, unit: str = ALL_UNITS, targets: Targets | None = None, cache: KpiCache | None = None
) -> pd.DataFrame:
    """One row per scorecard KPI of the registry (:func:`csreport.metrics.registry.scorecard_kpis`: the package's
    :data:`csreport.metrics.kpis.SCORECARD_KPIS` and any registered since) for ``period`` × ``unit`` (``"all"`` = every
    unit's rows)."""
    targets = targets or load_targets()
    cache = cache or KpiCache(store, targets)
    params = targets.parameters
    coverage = store.coverage(unit)
    months, days = _months_and_days(period, coverage)
    partial = [bool(coverage and coverage.partial(p)) for p in months]
    current = cache.kpis(period, unit)
    previous = _within_data(cache.kpis(months[1], unit), days[1], coverage)
    last_year = _within_data(cache.kpis(months[2], unit), days[2], coverage)
    bench = cache.benchmarks(period, unit)
    maturing, aged = _maturing(store, months, unit, coverage, days, cache.params, cache)
    rows = []
    for kpi in registry.scorecard_kpis():
        now = current[kpi]
        base_prev, base_year = _aged(kpi, maturing, aged, 1, previous), _aged(kpi, maturing, aged, 2, last_year)
        vs_prev = compare(now, base_prev, params, exposure=(days[0], days[1]))
        vs_year = compare(now, base_year, params, exposure=(days[0], days[2]))
        if kpi in maturing and maturing[kpi].dated_by is None:
            reason = "maturing: the outcome has no time stamp to compare at the same age"
            vs_prev, vs_year = not_comparable(vs_prev, reason), not_comparable(vs_year, reason)
        if kpi in TRAILING_KPIS:
            vs_prev = not_comparable(vs_prev, OVERLAP_REASON)
        cut = kpi in PERIOD_LENGTH_KPIS and partial[0]
        if kpi in PERIOD_LENGTH_KPIS:
            vs_prev = _no_change(vs_prev) if cut or partial[1] else vs_prev
            vs_year = _no_change(vs_year) if cut or partial[2] else vs_year
        target = targets.get(registry.kpi(kpi).target_key)
        vs_target = against_target(now, target.target, target.direction) if target and not cut else (None, "")
        b = bench.get(kpi, {})
        competitors = b.get("competitors")
        best_competitor = None
        if competitors is not None and len(competitors) and target is not None:
            best_competitor = float(competitors.max() if target.direction == "higher" else competitors.min())
        industry = b.get("industry_average")
        rows.append(
            {
                "kpi": kpi,
                "value": now.value,
                "unit": now.unit,
                "n": now.n,
                "low": now.low,
                "high": now.high,
                "small_sample": now.available and now.small(params.min_sample) and now.kind != "count",
                "days": days[0],
                "partial": partial[0],
                "previous": vs_prev.baseline,
                "previous_days": days[1],
                "previous_partial": partial[1],
                "maturing": kpi in maturing,
                "same_age": kpi in maturing and maturing[kpi].dated_by is not None,
                "same_age_cutoff": str(cutoff(coverage, 1)) if kpi in maturing and coverage else None,
                "change_vs_previous": vs_prev.change,
                "relative_vs_previous": vs_prev.relative_change,
                "p_vs_previous": vs_prev.p_value,
                "significant_vs_previous": vs_prev.significant,
                "last_year": vs_year.baseline,
                "last_year_days": days[2],
                "last_year_partial": partial[2],
                "change_vs_last_year": vs_year.change,
                "relative_vs_last_year": vs_year.relative_change,
                "p_vs_last_year": vs_year.p_value,
                "significant_vs_last_year": vs_year.significant,
                "test": vs_prev.test or vs_year.test,
                "target": target.target if target else None,
                "direction": target.direction if target else None,
                "status": target.status(now.value) if target and not cut else "n/a",
                "p_vs_target": vs_target[0],
                "test_vs_target": vs_target[1],
                "industry_average": None if cut else industry,
                "best_competitor": None if cut else best_competitor,
                "best_in_class": None if cut else b.get("best_in_class"),
                "gap_to_industry": (now.value - industry)
                if now.available and industry is not None and not cut
                else None,
                "method": now.method,
                "basis": time_basis(kpi),
                "reason": now.reason,
            }
        )
    card = pd.DataFrame(rows)
    baseline = lambda kpi: _aged(kpi, maturing, aged, 1, previous)  # noqa: E731 - as the change is compared
    card["calendar_driven"] = calendar_driven_column(card, current, baseline, period, unit, cache.params)
    return card


def _months_and_days(period: str, coverage: Coverage | None) -> tuple[tuple[str, str, str], list[int]]:
    """``period``, the previous month and the same month last year, with their days inside the data."""
    month = parse_period(period)
    months = (period, str(month - 1), str(month - 12))
    return months, [coverage.days(p) if coverage else parse_period(p).days_in_month for p in months]


def _same_age_requests(store, months, unit, coverage, days, params):
    """The KPIs maturing in ``months[0]`` and the baselines they need at the same age:
    ``{i: ((month, unit, cut-off), cut-off)}`` for the previous month (1) and same month last year (2)."""
    columns = set(store.columns("contacts")) if "contacts" in store.tables else set()
    maturing = {
        k: m for k, m in maturing_kpis(columns, params).items() if is_maturing(coverage, months[0], m.horizon_days)
    }
    requests = {}
    if any(m.dated_by for m in maturing.values()):
        for i, back in ((1, 1), (2, 12)):
            if days[i] > 0:
                at = cutoff(coverage, back)
                requests[i] = ((months[i], unit, str(at)), at)
    return maturing, requests


def _maturing(store, months, unit, coverage, days, params, cache):
    """The KPIs maturing in ``months[0]`` and, for those that can be aged, the KPIs of the previous month and the
    same month last year at the same age (``{1: …, 2: …}``; preloaded by :meth:`KpiCache.preload`)."""
    maturing, requests = _same_age_requests(store, months, unit, coverage, days, params)
    aged = {}
    for i, (key, at) in requests.items():
        if key not in cache.same_age:
            cache.same_age[key] = same_age_kpis(store, months[i], unit, at, params)
        aged[i] = cache.same_age[key]
    return maturing, aged


def _no_change(comparison: Comparison) -> Comparison:
    """``comparison`` of a :data:`PERIOD_LENGTH_KPIS` KPI when either month is partial: no change, no test."""
    return replace(comparison, change=None, relative_change=None, p_value=None, significant=False,
                   reason=PARTIAL_REASON)  # fmt: skip


def _aged(kpi: str, maturing: dict, aged: dict, i: int, baseline: dict[str, Measure]) -> Measure:
    """The baseline of ``kpi``: at the same age when the current month is maturing and the KPI can be aged."""
    if kpi not in maturing or maturing[kpi].dated_by is None or i not in aged:
        return baseline[kpi]
    return aged[i].get(kpi) or Measure.unavailable(kpi, baseline[kpi].unit, "no contacts at the same age")


def _within_data(kpis: dict[str, Measure], days: int, coverage: Coverage | None) -> dict[str, Measure]:
    """``kpis`` of a baseline month; with no day inside the data's span, its contact KPIs are n/a (a month
    before the first or after the last contact is unknown, not a month of 0 contacts)."""
    if days > 0 or coverage is None:
        return kpis
    reason = f"outside the data (contacts from {coverage.first_day.date()} to {coverage.last_day.date()})"
    return {name: Measure.unavailable(name, m.unit, reason) if _reads_contacts(name) else m for name, m in kpis.items()}


def _reads_contacts(name: str) -> bool:
    """True for a KPI read from contacts (:data:`CONTACT_KPIS`, or a contact KPI registered since)."""
    declared = registry.kpi(name)
    return name in CONTACT_KPIS or (declared is not None and "contacts" in declared.tables)


def time_basis(kpi: str) -> str | None:
    """``business`` or ``elapsed`` for a response or resolution time KPI, else None."""
    if kpi in BUSINESS_TWINS:
        return "business"
    return "elapsed" if kpi in BUSINESS_TWINS.values() else None


def trend(
    store: Store,
    kpi: str,
    unit: str = ALL_UNITS,
    months: int = 13,
    end: str | None = None,
    targets: Targets | None = None,
    cache: KpiCache | None = None,
) -> pd.DataFrame:
    """Monthly series of ``kpi`` for ``unit``: the ``months`` months ending with ``end`` (default: the last
    month with contacts). Columns: period, value, n, low, high, reason."""
    targets = targets or load_targets()
    cache = cache or KpiCache(store, targets)
    if end is None:
        end = store.last_month()
    last = parse_period(end)
    rows = []
    for k in range(months - 1, -1, -1):
        period = str(last - k)
        measure = cache.kpis(period, unit).get(kpi)
        if measure is None:
            raise KeyError(f"unknown KPI {kpi!r}; KPIs: {', '.join(registry.scorecard_kpis())}")
        rows.append(
            {
                "period": period,
                "value": measure.value,
                "n": measure.n,
                "low": measure.low,
                "high": measure.high,
                "reason": measure.reason,
            }
        )
    return pd.DataFrame(rows)


@counted("attainment", by=lambda store, period, unit=ALL_UNITS, *a, **k: f"{period} {unit}")
def attainment(
    store: Store, period: str, unit: str = ALL_UNITS, targets: Targets | None = None, cache: KpiCache | None = None
) -> pd.DataFrame:
    """Attainment of every service standard of ``params/targets.yml`` for ``period`` × ``unit``: one row per
    target, plus one per channel for targets with per-channel values (computed on that channel's contacts).
    Columns: metric, channel ("all" or a channel), value, n, target, direction, status."""
    targets = targets or load_targets()
    cache = cache or KpiCache(store, targets)
    overall = cache.kpis(period, unit)
    rows = []
    channel_kpis: dict[str, dict[str, Measure]] = {}
    twins = {elapsed: business for business, elapsed in BUSINESS_TWINS.items()}
    for metric, target in targets.targets.items():
        kpi = twins[metric] if target.basis == "business" else metric
        measure = overall.get(kpi)
        if measure is None:
            continue
        rows.append(
            {
                "metric": metric,
                "basis": time_basis(kpi),
                "channel": "all",
                "value": measure.value,
                "n": measure.n,
                "target": target.target,
                "direction": target.direction,
                "status": target.status(measure.value),
            }
        )
        for channel, value in target.channels.items():
            if channel not in channel_kpis:
                contacts = store.read("contacts", period, unit)
                if "channel" in contacts.columns:
                    contacts = contacts[contacts["channel"] == channel]
                channel_kpis[channel] = contact_kpis(contacts, cache.params)
            per_channel = channel_kpis[channel].get(kpi)
            if per_channel is None:
                continue
            standard = Target(metric, value, target.direction, target.tolerance)
            rows.append(
                {
                    "metric": metric,
                    "basis": time_basis(kpi),
                    "channel": channel,
                    "value": per_channel.value,
                    "n": per_channel.n,
                    "target": value,
                    "direction": target.direction,
                    "status": standard.status(per_channel.value),
                }
            )
    return pd.DataFrame(rows)
