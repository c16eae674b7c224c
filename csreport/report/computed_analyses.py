"""A report's model-based analyses, computed once per (data fingerprint, period, unit, parameter files) and kept
beside the computed report (:mod:`csreport.report.computed`), so that a chapter only reads their results and draws.

What is kept (:class:`ReportAnalyses`): chapter 2's customer segmentation (its features and the k-means result),
the drivers of satisfaction, the comment classifier, satisfaction → loyalty, and chapter 6's contact-volume
forecast with the monthly volumes its chart shows. Each is computed exactly as its chapter section computed it
(same reads of the store, same arguments); an analysis whose input tables or columns are absent is ``None`` and
the section says so, as before. Who churns and the process costs, which the findings use too, are kept with
the findings in :class:`~csreport.report.computed.ComputedReport` (computed once for both).

Format: ``<work_dir>/computed/<period>_<unit>_<key16>.analyses.pkl``, the same pickle envelope, key, atomic write
and lock as the computed report. A run computes them in its background thread right after the report (while the
first chapter's kernel works); a chapter that asks first, or an analyst's notebook, computes them on first use.
The numeric libraries run single-threaded while computing: their OpenMP / BLAS threads only spun against the
chapter kernel on a shared core (k-means gave the same clusters and silhouettes with one thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from threadpoolctl import threadpool_limits

from csreport.analyses.comments import CommentAnalysis, analyse_comments
from csreport.analyses.drivers import DriverResult, driver_frame, satisfaction_drivers
from csreport.analyses.forecast import VolumeForecast, forecast_volume, monthly_volume
from csreport.analyses.loyalty import LoyaltyResult, loyalty
from csreport.analyses.segmentation import Segmentation, customer_features, segment_customers
from csreport.data.store import Store
from csreport.metrics.targets import Targets
from csreport.report.computed import report_key, report_path
from csreport.report.keeping import kept

LOYALTY_MONTHS = 12  # chapter 2's satisfaction → loyalty: survey responses of the last 12 months


@dataclass
class ReportAnalyses:
    """The model-based analyses of one period × unit (``None``: the analysis's inputs are absent)."""

    key: str
    period: str
    unit: str
    segment_features: pd.DataFrame | None  # customer_features of the customers active at the period's end
    segmentation: Segmentation | None  # None without customers
    drivers: DriverResult | None  # None without surveys, or without surveys.contact_id / surveys.csat
    comments: CommentAnalysis | None  # None without surveys
    loyalty: LoyaltyResult | None  # None without customers or surveys
    forecast: VolumeForecast
    monthly_volume: pd.Series  # contacts per month of the 24 months ending with the period (the forecast chart)


class _Reads:
    """The store reads of the chapters' context (``ReportContext.read`` / ``read_all``), each read once and handed
    out as a copy, so no analysis sees another's changes."""

    def __init__(self, store: Store, period: str, unit: str):
        self.store, self.period, self.unit = store, period, unit
        self._frames: dict[tuple, pd.DataFrame] = {}

    def read(self, table: str, months: int = 1) -> pd.DataFrame:
        """Rows of ``table`` in the ``months`` months ending with the period, in the unit's local time."""
        key = (table, months)
        if key not in self._frames:
            self._frames[key] = self.store.read(table, self.period, self.unit, months, local=True)
        return self._frames[key].copy()

    def read_all(self, table: str) -> pd.DataFrame:
        """Every row of ``table`` for the unit (tables without a time column)."""
        if (table, None) not in self._frames:
            self._frames[(table, None)] = self.store.read(table, unit=self.unit)
        return self._frames[(table, None)].copy()


def compute_analyses(store: Store, period: str, unit: str, targets: Targets, key: str) -> ReportAnalyses:
    """Every analysis of :class:`ReportAnalyses`, as the chapter sections computed them."""
    reads = _Reads(store, period, unit)
    has = store.tables.__contains__
    with threadpool_limits(limits=1):
        features = segmentation = drivers = comments = loyal = None
        if has("customers"):
            features = customer_features(
                reads.read_all("customers"), reads.read("contacts", 12), reads.read("surveys", 12), period
            )
            segmentation = segment_customers(features)
        if has("surveys") and {"contact_id", "csat"} <= set(store.columns("surveys")):
            agents = reads.read_all("agents") if has("agents") else None
            frame = driver_frame(reads.read("surveys", 6), reads.read("contacts", 6), agents)
            drivers = satisfaction_drivers(frame, confidence=targets.parameters.confidence)
        if has("surveys"):
            comments = analyse_comments(reads.read("surveys", 12), reads.read("contacts", 12))
        if has("customers") and has("surveys"):
            loyal = loyalty(reads.read_all("customers"), reads.read("surveys", 24), reads.read("contacts", 24),
                            period, months=LOYALTY_MONTHS)  # fmt: skip
        history = reads.read("contacts", 24)[["created_at"]]
        forecast = forecast_volume(history, targets.parameters.forecast_horizon_months)
        volume = monthly_volume(history)
    return ReportAnalyses(key, period, unit, features, segmentation, drivers, comments, loyal, forecast, volume)


def analyses_path(store: Store, period: str, unit: str, key: str) -> Path:
    """``<work_dir>/computed/<period>_<unit>_<key16>.analyses.pkl`` beside the computed report."""
    report = report_path(store, period, unit, key)
    return report.with_name(report.stem + ".analyses.pkl")


def computed_analyses(
    store: Store, period: str, unit: str, targets: Targets, fingerprint: str, params_digest: str
) -> ReportAnalyses:
    """The kept analyses of this (fingerprint, period, unit, parameter files), computed and kept on first use
    (a process already computing them is waited for, then read)."""
    key = report_key(fingerprint, period, unit, params_digest)
    path = analyses_path(store, period, unit, key)
    return kept(path, key, lambda: compute_analyses(store, period, unit, targets, key))
