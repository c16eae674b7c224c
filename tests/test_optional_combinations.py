"""Combinations of optional data (BRIEF §2): the report's compute path runs on any mix of optional tables and
columns, not only with one part missing at a time (``tests/test_optional_data.py``).

The compute path is what ``csreport run`` computes beside the chapters, and what they read: the scorecard, the
findings with their evidence, who churns and the process costs (``ctx.report``), the chapters' analyses
(``ctx.analyses``), the recommendations with their money, and findings.json, the evidence files and the exports
written as a run writes them. It runs on

- a covering array of strength 3 over the presence of every optional table and column
  (``tests/fixtures/optional_combinations.json``, made from the schemas by ``python -m tests.optional_data`` and
  checked against them here): for any three of them, every combination of present and absent that the contract
  allows occurs in some case;
- the required columns alone (everything present is the sample report's, in the other tests);
- the export that crashed ``csreport run`` (contacts with ``customer_id`` and ``handle_s`` but no ``category``,
  customers with ``segment``, ``signup_date``, ``churn_date`` and ``monthly_spend``), on data made so that the
  process findings whose evidence crashed really fire; there every chapter section runs too, in both languages.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from csreport.data.ingest import ingest
from csreport.data.store import Store
from csreport.findings.evidence import evidence_rows
from csreport.findings.record import Finding
from csreport.language import i18n
from csreport.metrics.targets import Parameters, load_targets
from csreport.pipeline.run import _write_findings as write_findings  # what a run writes
from csreport.report import computed_analyses
from csreport.report.chapters import SECTIONS, ReportContext
from tests.optional_data import covering_cases, required_only, uncovered, variant
from tests.test_optional_data import empty_headings

PERIOD = "2026-10"
REAL_EXPORT = {
    "contacts": ["contact_id", "created_at", "business_unit", "channel", "customer_id", "handle_s"],
    "customers": ["customer_id", "business_unit", "segment", "signup_date", "churn_date", "monthly_spend"],
}
CASES = covering_cases()


def compute_and_write(ctx: ReportContext, folder: Path) -> dict:
    """Everything a run computes and writes beside the chapters (with the run's own writer); returns
    findings.json as written."""
    assert ctx.scorecard is not None and isinstance(ctx.findings, list)
    assert len(ctx.evidence) == len(ctx.findings)
    ctx.analyses  # noqa: B018 - segmentation, drivers, comments, loyalty, forecast
    folder.mkdir(parents=True, exist_ok=True)
    write_findings(folder, SimpleNamespace(period=ctx.period, unit=ctx.unit), ctx)
    # one evidence file per finding (f01-…) and per standing issue (s01-…)
    assert len(list((folder / "evidence").glob("f*.csv"))) == len(ctx.findings)
    assert len(list((folder / "evidence").glob("s*.csv"))) == len(ctx.standing)
    assert (folder / "report.xlsx").is_file() and (folder / "exports" / "scorecard.csv").is_file()
    return json.loads((folder / "findings.json").read_text(encoding="utf-8"))


def test_the_cases_cover_every_three_way_combination_of_optional_tables_and_columns():
    missing = uncovered(CASES)
    assert not missing, (
        f"{len(missing)} combinations are not covered, e.g. {missing[:3]}: the schemas changed; regenerate the "
        "cases with `python -m tests.optional_data`"
    )


@pytest.fixture(scope="module")
def forecasts():
    """The volume forecast reads the contacts' ``created_at`` alone, which every case has with the same rows:
    it is computed once per unit and history, not in each case (a daily backtest, about a second each)."""
    return {}


@pytest.mark.parametrize(
    "keep",
    [pytest.param(case, id=f"case{i:02d}") for i, case in enumerate(CASES)]
    + [pytest.param(required_only(), id="required-only")],
)
def test_the_compute_path_on_a_combination_of_optional_data(small_export, keep, tmp_path, monkeypatch, forecasts):
    monkeypatch.setenv("CSREPORT_THREADS", "1")  # as in a batch worker
    forecast = computed_analyses.forecast_volume

    def once(history: pd.DataFrame, *horizon):
        key = (len(history), history["created_at"].min(), history["created_at"].max(), *horizon)
        if key not in forecasts:
            forecasts[key] = forecast(history, *horizon)
        return forecasts[key]

    monkeypatch.setattr(computed_analyses, "forecast_volume", once)
    index = CASES.index(keep) if keep in CASES else -1
    report = variant(small_export, tmp_path, keep_only=keep)
    unit, lang = ("all", "zh") if index % 2 == 0 else ("east", "en")
    ctx = ReportContext(PERIOD, unit, lang, Store(Path(report.store_dir)), load_targets(), report)
    written = compute_and_write(ctx, tmp_path / "run")
    assert len(written["findings"]) == len(ctx.findings)


# ---- the real export that crashed csreport run ------------------------------------------------------------


def real_export(folder: Path) -> Path:
    """Eight months of two units in the columns of the export that crashed ``csreport run``
    (:data:`REAL_EXPORT`), made so that both process findings fire: e-mail takes six times as long to handle as
    the other channels (process_cost), and customers who contacted us on social media in October churn within
    two weeks far more often than the others (process_churn)."""
    rng = np.random.default_rng(26)
    n = 1600
    customers = pd.DataFrame(
        {
            "customer_id": [f"K{i:05d}" for i in range(n)],
            "business_unit": rng.choice(["east", "west"], n),
            "segment": rng.choice(["basic", "plus", "premium"], n, p=[0.5, 0.3, 0.2]),
            "signup_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 600, n), "D"),
            "monthly_spend": rng.gamma(2.0, 60.0, n).round(2),
        }
    )
    m = 6000
    start = pd.Timestamp("2026-03-01")
    seconds = rng.integers(0, int((pd.Timestamp("2026-11-01") - start).total_seconds()), m)
    who = rng.integers(0, n, m)
    channel = rng.choice(["phone", "chat", "email", "social"], m, p=[0.4, 0.3, 0.15, 0.15])
    handle = rng.lognormal(np.log(300), 0.4, m) * np.where(channel == "email", 6.0, 1.0)
    contacts = pd.DataFrame(
        {
            "contact_id": [f"C{i:06d}" for i in range(m)],
            "created_at": (start + pd.to_timedelta(seconds, "s")).floor("s"),
            "business_unit": customers["business_unit"].to_numpy()[who],
            "channel": channel,
            "customer_id": customers["customer_id"].to_numpy()[who],
            "handle_s": handle.round(0),
        }
    ).sort_values("created_at")
    october = contacts[(contacts["created_at"] >= "2026-10-01") & (contacts["created_at"] < "2026-10-16")]
    social = october[october["channel"] == "social"].drop_duplicates("customer_id")
    lost = social[rng.random(len(social)) < 0.4]
    churn = pd.Series(pd.NaT, index=customers["customer_id"], dtype="datetime64[ns]")
    churn[lost["customer_id"].to_numpy()] = (lost["created_at"] + pd.to_timedelta(rng.integers(3, 14, len(lost)), "D")
                                             ).dt.normalize().to_numpy()  # fmt: skip
    others = rng.random(n) < 0.03
    churn[others & churn.isna().to_numpy()] = start + pd.to_timedelta(rng.integers(0, 240, n), "D")[
        others & churn.isna().to_numpy()]  # fmt: skip
    customers["churn_date"] = churn.to_numpy()
    folder.mkdir(parents=True)
    contacts.to_csv(folder / "contacts.csv", index=False)
    customers[REAL_EXPORT["customers"]].to_csv(folder / "customers.csv", index=False, date_format="%Y-%m-%d")
    return folder


@pytest.fixture(scope="module")
def real_export_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("real_export")
    return ingest(real_export(root / "data"), root / "validated")


def _sections(ctx: ReportContext) -> None:
    for module, sections in SECTIONS.values():
        chapter = importlib.import_module(f"csreport.report.chapters.{module}")
        chapter.title(ctx)._ipython_display_()
        for section in sections:
            getattr(chapter, section)(ctx)._ipython_display_()


@pytest.mark.parametrize(("unit", "lang"), [("all", "en"), ("east", "zh")])
def test_the_real_export_that_crashed_runs_with_its_process_findings(real_export_store, unit, lang, tmp_path, shown):
    report = variant(real_export_store, tmp_path, keep_only=None)
    assert {t: set(Store(Path(report.store_dir)).columns(t)) for t in report.tables} == {
        t: set(c) for t, c in REAL_EXPORT.items()
    }
    ctx = ReportContext(PERIOD, unit, lang, Store(Path(report.store_dir)), load_targets(), report)
    written = compute_and_write(ctx, tmp_path / "run")
    # a costly or churning process holds month after month: news when it appears, then a standing issue
    items = [*ctx.findings, *ctx.standing]
    evidence = [*ctx.evidence, *ctx.report.standing_evidence]
    process = [(f, e) for f, e in zip(items, evidence, strict=True) if f.kind.startswith("process_")]
    assert {f.kind for f, _ in process} == {"process_cost", "process_churn"}, [f.kind for f in items]
    for finding, evidence in process:
        # no category column: a process is a channel; a costly one's evidence is the channel's contacts of the
        # month, a churning one's the customers who churned after one of them
        assert finding.category == "all" and evidence.count > 0
        if finding.kind == "process_cost":
            assert set(evidence.rows["channel"]) == {finding.evidence["channel"]}
        else:
            assert evidence.id_column == "customer_id" and evidence.rows["churn_date"].notna().all()
    assert {f["kind"] for f in written["findings"] + written["standing"]} >= {"process_cost", "process_churn"}
    i18n.MISSING.clear()
    _sections(ctx)
    blocks = [o if isinstance(o, str) else getattr(o, "data", "") or "" for o in shown]
    assert not i18n.MISSING and not empty_headings(blocks)


def test_the_evidence_of_a_process_without_categories_is_the_channels_contacts(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "contacts.csv").write_text(
        "contact_id,created_at,business_unit,channel,customer_id,handle_s\n"
        "c1,2026-10-02 09:00:00,east,email,u1,900\nc2,2026-10-03 10:00:00,east,phone,u2,200\n"
        "c3,2026-10-04 11:00:00,east,email,u3,1200\nc4,2026-09-04 11:00:00,east,email,u3,1100\n"
    )
    store = Store(Path(ingest(data, tmp_path / "out").store_dir))
    for kind in ("process_cost", "process_churn"):
        finding = Finding(kind, "east", PERIOD, "cost_per_resolved", 1.0, 0.5, None, None, None, True, "high", 1.0,
                          "contacts", evidence={"channel": "email"}, category="all")  # fmt: skip
        evidence = evidence_rows(store, finding, Parameters(), "f01")
        if kind == "process_cost":  # the channel's contacts of the month
            assert evidence.rows["contact_id"].tolist() == ["c1", "c3"]
        else:  # the customers who churned after one: none without a customers table (and no crash)
            assert evidence.id_column == "customer_id" and evidence.count == 0
