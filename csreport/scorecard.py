"""The KPI scorecard of one period × unit and monthly KPI trends.

For each KPI: value with n and interval; previous month and same month last year with change and
significance; target and status; industry average and best competitor from the benchmarks table.
"""

from __future__ import annotations

import pandas as pd

from csreport.comparisons import compare
from csreport.kpis import SCORECARD_KPIS, PeriodData, compute_kpis, load_period
from csreport.measure import Measure
from csreport.store import ALL_UNITS, Store, parse_period
from csreport.targets import Targets, load_targets

BENCHMARK_SOURCES = ("industry_average", "best_in_class")


class KpiCache:
    """Memoises ``compute_kpis`` per (period, unit) so a scorecard batch computes each month once."""

    def __init__(self, store: Store, targets: Targets):
        self.store, self.targets = store, targets
        self._kpis: dict[tuple[str, str], dict[str, Measure]] = {}

    def kpis(self, period: str, unit: str) -> dict[str, Measure]:
        key = (period, unit)
        if key not in self._kpis:
            self._kpis[key] = compute_kpis(load_period(self.store, period, unit), self.targets.parameters)
        return self._kpis[key]

    def put(self, data: PeriodData) -> None:
        self._kpis[(data.period, data.unit)] = compute_kpis(data, self.targets.parameters)


def _benchmarks(store: Store, period: str, unit: str) -> pd.DataFrame:
    if "benchmarks" not in store.tables:
        return pd.DataFrame(columns=["metric", "industry_average", "best_competitor", "best_in_class"])
    rows = store.read("benchmarks", period)
    if "business_unit" in rows.columns:
        rows = rows[rows["business_unit"].isna() | (rows["business_unit"] == unit)]
    out = {}
    for metric, group in rows.groupby("metric"):
        by_source = group.groupby("source")["value"].mean()
        competitors = by_source.drop(labels=[s for s in BENCHMARK_SOURCES if s in by_source.index])
        out[metric] = {
            "industry_average": by_source.get("industry_average"),
            "best_in_class": by_source.get("best_in_class"),
            "competitors": competitors,
        }
    return out


def scorecard(
    store: Store, period: str, unit: str = ALL_UNITS, targets: Targets | None = None, cache: KpiCache | None = None
) -> pd.DataFrame:
    """One row per KPI of :data:`SCORECARD_KPIS` for ``period`` × ``unit`` (``"all"`` = every unit's rows)."""
    targets = targets or load_targets()
    cache = cache or KpiCache(store, targets)
    params = targets.parameters
    month = parse_period(period)
    current = cache.kpis(period, unit)
    previous = cache.kpis(str(month - 1), unit)
    last_year = cache.kpis(str(month - 12), unit)
    bench = _benchmarks(store, period, unit)
    rows = []
    for kpi in SCORECARD_KPIS:
        now = current[kpi]
        vs_prev, vs_year = compare(now, previous[kpi], params), compare(now, last_year[kpi], params)
        target = targets.get(kpi)
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
                "previous": vs_prev.baseline,
                "change_vs_previous": vs_prev.change,
                "p_vs_previous": vs_prev.p_value,
                "significant_vs_previous": vs_prev.significant,
                "last_year": vs_year.baseline,
                "change_vs_last_year": vs_year.change,
                "p_vs_last_year": vs_year.p_value,
                "significant_vs_last_year": vs_year.significant,
                "test": vs_prev.test or vs_year.test,
                "target": target.target if target else None,
                "direction": target.direction if target else None,
                "status": target.status(now.value) if target else "n/a",
                "industry_average": industry,
                "best_competitor": best_competitor,
                "best_in_class": b.get("best_in_class"),
                "gap_to_industry": (now.value - industry) if now.available and industry is not None else None,
                "method": now.method,
                "reason": now.reason,
            }
        )
    return pd.DataFrame(rows)


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
        end = str(store.query("SELECT max(created_at) AS t FROM {contacts}")["t"].iloc[0].to_period("M"))
    last = parse_period(end)
    rows = []
    for k in range(months - 1, -1, -1):
        period = str(last - k)
        measure = cache.kpis(period, unit).get(kpi)
        if measure is None:
            raise KeyError(f"unknown KPI {kpi!r}; KPIs: {', '.join(SCORECARD_KPIS)}")
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
