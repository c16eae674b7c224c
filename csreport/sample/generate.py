"""Generate the sample data set of a scenario: every table of the contract plus ``_scenario_truth.json``.

Contacts and surveys are simulated month by month and written in chunks, so memory stays bounded at ten
million contacts. The same scenario and seed give the same files.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter, deque
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from csreport.data.calendars import load_calendars
from csreport.data.schemas import SATISFACTION_DIMENSIONS, SCHEMAS
from csreport.errors import ParameterError
from csreport.sample import contacts as sim
from csreport.sample.defects import plant_defects
from csreport.sample.hours import ServiceHours, open_queued
from csreport.sample.market import make_benchmarks, make_competitor_features
from csreport.sample.people import make_agents, make_customers
from csreport.sample.scenario import SEGMENTS, Scenario

FORMATS = ("parquet", "csv")
CHURN_BASE = np.array([0.012, 0.008, 0.005])  # monthly hazard by segment (basic, plus, premium)
ANONYMOUS_SHARE = 0.02
EXPECTED = {  # what the report should see for each planted event
    "staffing_shortfall": {"metric": "service_level", "direction": "down"},
    "complaint_spike": {"metric": "complaint_rate", "direction": "up"},
    "csat_drop": {"metric": "csat_mean", "direction": "down"},
    "training_gap": {"metric": "fcr_rate", "direction": "down"},
    "channel_shift": {"metric": "channel_share", "direction": "up"},
    "churn_wave": {"metric": "churn_rate", "direction": "up"},
}


class TableWriter:
    """Appends DataFrame chunks of one table to ``<out>/<table>.parquet`` or ``.csv``."""

    def __init__(self, out: Path, table: str, fmt: str):
        self.table, self.fmt = table, fmt
        self.path = out / f"{table}.{fmt}"
        self._parquet: pq.ParquetWriter | None = None
        self.rows = 0

    def write(self, frame: pd.DataFrame) -> None:
        frame = frame[[c for c in SCHEMAS[self.table].columns if c in frame.columns]]
        if self.fmt == "csv":
            frame.to_csv(
                self.path,
                mode="a" if self.rows else "w",
                header=not self.rows,
                index=False,
                date_format="%Y-%m-%d %H:%M:%S",
            )
        else:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._parquet is None:
                self._schema = table.schema
                self._parquet = pq.ParquetWriter(self.path, self._schema, compression="zstd")
            self._parquet.write_table(table.cast(self._schema))
        self.rows += len(frame)

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()


def _typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Columns in their contract dtypes so that every Parquet chunk has the same schema."""
    from csreport.data.schemas import KIND_TYPES

    out = {}
    for col in frame.columns:
        if col not in SCHEMAS[table].columns:
            continue
        kind = SCHEMAS[table].columns[col].metadata["kind"]
        dtype = KIND_TYPES[kind][1]
        out[col] = frame[col].astype("datetime64[us]") if dtype.startswith("datetime") else frame[col].astype(dtype)
    return pd.DataFrame(out)


class CustomerHistory:
    """Per-customer experience over the last three months, which drives churn."""

    def __init__(self, n: int):
        self.n = n
        self.months: deque[dict[str, np.ndarray]] = deque(maxlen=3)

    def add_month(self, contacts: pd.DataFrame, surveys: pd.DataFrame, customer_idx: pd.Series) -> None:
        idx = contacts["_customer_idx"].to_numpy()
        known = idx >= 0
        month = {
            "contacts": np.bincount(idx[known], minlength=self.n),
            "unresolved": np.bincount(
                idx[known],
                weights=~contacts["first_contact_resolution"].fillna(False).to_numpy(bool)[known],
                minlength=self.n,
            ),
            "complaints": np.bincount(idx[known], weights=contacts["is_complaint"].to_numpy()[known], minlength=self.n),
            "abandoned": np.bincount(
                idx[known], weights=contacts["abandoned"].fillna(False).to_numpy(bool)[known], minlength=self.n
            ),
            "low_csat": np.zeros(self.n),
            "high_csat": np.zeros(self.n),
        }
        s_idx = surveys["customer_id"].map(customer_idx).dropna().astype(int)
        csat = surveys.loc[s_idx.index, "csat"].to_numpy()
        np.add.at(month["low_csat"], s_idx.to_numpy(), csat <= 2)
        np.add.at(month["high_csat"], s_idx.to_numpy(), csat >= 4)
        self.months.append(month)

    def total(self, key: str) -> np.ndarray:
        return sum(m[key] for m in self.months)


def _churn(
    customers: pd.DataFrame,
    history: CustomerHistory,
    period: pd.Period,
    last_contact: pd.Series,
    rng: np.random.Generator,
    churn_wave: dict,
) -> None:
    """Draw this month's churners; the hazard grows with unresolved contacts, complaints and low CSAT."""
    active = (customers["signup_date"] <= period.end_time) & customers["churn_date"].isna()
    seg = customers["_segment_idx"].to_numpy()
    log_mult = (
        0.30 * np.minimum(history.total("unresolved"), 3)
        + 0.5 * np.minimum(history.total("complaints"), 2)
        + 0.35 * (history.total("contacts") >= 3)
        + 0.7 * (history.total("low_csat") > 0)
        - 0.3 * (history.total("high_csat") > 0)
        + 0.15 * np.minimum(history.total("abandoned"), 2)
    )
    wave = np.array([churn_wave.get((s, str(period)), 1.0) for s in SEGMENTS])[seg]
    hazard = np.minimum(CHURN_BASE[seg] * np.exp(log_mult) * wave, 0.5)
    churners = np.flatnonzero(active.to_numpy() & (rng.random(len(customers)) < hazard))
    start = np.maximum(
        period.start_time.value,
        customers["signup_date"].iloc[churners].to_numpy().astype("datetime64[ns]").astype(np.int64),
    )
    start = np.maximum(
        start, last_contact.iloc[churners].fillna(pd.Timestamp(0)).to_numpy().astype("datetime64[ns]").astype(np.int64)
    )
    end = period.end_time.value
    when = pd.to_datetime(start + (rng.random(len(churners)) * np.maximum(end - start, 0)).astype(np.int64))
    customers.loc[customers.index[churners], "churn_date"] = when.normalize()


def _agent_months(
    agents: pd.DataFrame,
    period: pd.Period,
    workload_h: dict[str, float],
    shortfall: dict[tuple[str, str], float],
    gap_teams: set[str],
    rng: np.random.Generator,
) -> pd.DataFrame:
    start, end = period.start_time, period.end_time
    active = agents[(agents["hire_date"] <= end) & (agents["leave_date"].isna() | (agents["leave_date"] >= start))]
    rows = []
    for unit, group in active.groupby("business_unit"):
        share = shortfall.get((unit, str(period)), 0.0)
        hours = workload_h.get(unit, 0.0) / max(len(group), 1)
        n = len(group)
        tenure = (end - group["hire_date"]).dt.days.to_numpy()
        gap = group["team"].isin(gap_teams).to_numpy()
        leaving = group["leave_date"].notna().to_numpy() & (group["leave_type"] == "voluntary").to_numpy()
        available = hours * rng.lognormal(0, 0.1, n) * (1 - share)
        dims = {
            "environment": rng.normal(3.9, 0.5, n),
            "workload": rng.normal(3.6, 0.5, n) - 2.5 * share,
            "pay": rng.normal(3.2, 0.6, n),
            "growth": rng.normal(3.4, 0.6, n) - 0.3 * gap,
        }
        dims = {k: np.clip(v - 0.5 * leaving, 1, 5) for k, v in dims.items()}
        overall = np.clip(np.mean(list(dims.values()), axis=0) + rng.normal(0, 0.2, n), 1, 5)
        rows.append(
            pd.DataFrame(
                {
                    "agent_id": group["agent_id"].to_numpy(),
                    "period": str(period),
                    "paid_hours": np.round(available / rng.uniform(0.65, 0.75, n) / (1 - share) * (1 - share / 2), 1),
                    "available_hours": np.round(available, 1),
                    "training_hours": np.round(
                        np.where(tenure < 60, rng.uniform(24, 40, n), rng.gamma(2, np.where(gap, 1.0, 3.0), n)), 1
                    ),
                    "qa_score": np.round(
                        np.clip(rng.normal(82, 5, n) + 100 * group["_fcr_skill"].to_numpy() - 4 * gap, 40, 100), 1
                    ),
                    "satisfaction": np.round(overall, 1),
                    **{f"satisfaction_{k}": np.round(dims[k], 1) for k in SATISFACTION_DIMENSIONS},
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _truth(scenario: Scenario, defects: Counter, rows: dict[str, int]) -> dict:
    team_unit = {t: u.name for u in scenario.units for t in u.team_names}
    events = []
    for e in scenario.events:
        record = {"kind": e.type, **{k: v for k, v in e.params.items()}, **EXPECTED[e.type]}
        if e.type == "training_gap":
            record["unit"] = team_unit[e["team"]]
        events.append(record)
    planted: dict[str, dict[str, int]] = {}
    for key, n in sorted(defects.items()):
        table, column, rule = key.split("|")
        planted.setdefault(table, {})[f"{column}|{rule}"] = n
    return {
        "scenario": scenario.name,
        "seed": scenario.seed,
        "end": str(scenario.end),
        "months": scenario.months,
        "units": [u.name for u in scenario.units],
        "events": events,
        "defects": planted,
        "rows": rows,
    }


TRUTH_FILE = "_scenario_truth.json"


def service_hours(scenario: Scenario) -> ServiceHours:
    """The opening hours the scenario's units work (:mod:`csreport.sample.hours`): those of its calendars file,
    else always open."""
    calendars = load_calendars(scenario.calendars, default_zone=scenario.timezone) if scenario.calendars else None
    periods = scenario.periods
    first, last = periods[0].start_time, periods[-1].end_time
    return ServiceHours.of(calendars, [u.name for u in scenario.units], first, last, scenario.timezone)


def _prepare_output(out: Path) -> None:
    """Empty ``out`` for a new data set, refusing to delete a directory that is not an earlier sample."""
    if out.exists():
        if not out.is_dir():
            raise ParameterError(f"{out}: exists and is not a directory. Pass a directory for the sample data.")
        if any(out.iterdir()) and not (out / TRUTH_FILE).exists():
            raise ParameterError(
                f"{out}: the directory holds other files and no {TRUTH_FILE}, so it is not an earlier sample; "
                f"csreport will not delete it. Pass an empty or new directory (e.g. data/sample)."
            )
        shutil.rmtree(out)
    out.mkdir(parents=True)


def generate(
    scenario: Scenario, out: str | Path, fmt: str = "parquet", progress: Callable[[int, int], None] | None = None
) -> dict:
    """Write every table of the contract for ``scenario`` into ``out``; returns the ground-truth record."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    out = Path(out)
    _prepare_output(out)
    rng = np.random.default_rng(scenario.seed)
    events = sim.Events.of(scenario)
    hours = service_hours(scenario)
    customers = make_customers(scenario, rng)
    customers["churn_date"] = pd.NaT
    customer_idx = pd.Series(np.arange(len(customers)), index=customers["customer_id"])
    agents = make_agents(scenario, rng, events.shortfall)
    gap_teams = {team for team, _ in events.training_gap}
    history = CustomerHistory(len(customers))
    cutoff = scenario.end.end_time
    writers = {t: TableWriter(out, t, fmt) for t in ("contacts", "surveys")}
    defects: Counter = Counter()
    agent_months, next_id, next_survey = [], 1, 1
    last_contact = pd.Series(pd.NaT, index=customers.index, dtype="datetime64[ns]")
    unit_customers = {
        u: np.flatnonzero(customers["business_unit"].to_numpy() == u) for u in customers["business_unit"].unique()
    }
    for index, period in enumerate(scenario.periods):
        primary = sim.arrivals(scenario, period, index, rng, events, hours)
        active = ((customers["signup_date"] <= period.end_time) & customers["churn_date"].isna()).to_numpy()
        who = np.full(len(primary), -1)
        for unit, rows in primary.groupby("business_unit").groups.items():
            pool = unit_customers[unit][active[unit_customers[unit]]]
            weights = customers["_propensity"].to_numpy()[pool]
            who[np.asarray(rows)] = rng.choice(pool, len(rows), p=weights / weights.sum())
        who[rng.random(len(primary)) < ANONYMOUS_SHARE] = -1
        primary["_customer_idx"] = who
        primary["customer_id"] = np.where(who >= 0, customers["customer_id"].to_numpy()[np.maximum(who, 0)], None)
        signup = customers["signup_date"].to_numpy()[np.maximum(who, 0)]
        created = np.where(
            who >= 0, np.maximum(primary["created_at"].to_numpy(), signup), primary["created_at"].to_numpy()
        )
        # a call moved to its customer's signup day comes while the unit is open
        primary["created_at"] = open_queued(
            primary["business_unit"].to_numpy(), primary["channel"].to_numpy(), created, hours
        )
        plan = sim.queue_plan(primary, period, rng, events, hours)
        first = sim.outcomes(primary, plan, period, agents, cutoff, rng, events, hours)
        again = sim.outcomes(sim.repeats(first, cutoff, rng, hours), plan, period, agents, cutoff, rng, events, hours)
        month = pd.concat([first, again], ignore_index=True).sort_values("created_at", kind="stable")
        month = month.reset_index(drop=True)
        month["contact_id"] = [f"C{i:09d}" for i in range(next_id, next_id + len(month))]
        next_id += len(month)
        survey = sim.surveys(month, cutoff, rng)
        survey.insert(0, "survey_id", [f"S{i:09d}" for i in range(next_survey, next_survey + len(survey))])
        next_survey += len(survey)
        history.add_month(month, survey, customer_idx)
        known = month[month["_customer_idx"] >= 0]
        last_contact.update(known.groupby("_customer_idx")["created_at"].max())
        _churn(customers, history, period, last_contact, rng, events.churn_wave)
        # planned hours, before a shortfall: _agent_months takes the shortfall off once (not twice)
        queued_hours = (plan["planned"] * np.where(plan["weekend"], 8.5, 21.5)).groupby(plan["business_unit"]).sum()
        async_hours = (
            month.loc[~month["channel"].isin(["phone", "chat"]), ["business_unit", "handle_s"]]
            .groupby("business_unit")["handle_s"]
            .sum()
            / 3600
            / 0.85
        )
        workload = queued_hours.add(async_hours, fill_value=0).to_dict()
        agent_months.append(_agent_months(agents, period, workload, events.shortfall, gap_teams, rng))
        writers["contacts"].write(
            _typed(plant_defects(month, "contacts", scenario.bad_row_share, rng, defects), "contacts")
        )
        writers["surveys"].write(
            _typed(plant_defects(survey, "surveys", scenario.bad_row_share, rng, defects), "surveys")
        )
        if progress:
            progress(index + 1, len(scenario.periods))
    for writer in writers.values():
        writer.close()
    small = {
        "customers": customers,
        "agents": agents,
        "agent_months": pd.concat(agent_months, ignore_index=True),
        "benchmarks": make_benchmarks(scenario.periods, rng),
        "competitor_features": make_competitor_features(rng),
    }
    rows = {t: w.rows for t, w in writers.items()}
    for table, frame in small.items():
        writer = TableWriter(out, table, fmt)
        writer.write(_typed(frame, table))
        writer.close()
        rows[table] = writer.rows
    truth = _truth(scenario, defects, rows)
    (out / TRUTH_FILE).write_text(json.dumps(truth, indent=2, ensure_ascii=False), encoding="utf-8")
    return truth
