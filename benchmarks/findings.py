"""Findings benchmark (not a timed test): news, not noise, scored against each scenario's ground truth.

For every scenario — the default one, the second planted one (tests/fixtures/scenario_other.yml) and scenarios with
nothing planted (tests/fixtures/scenario_null_*.yml and a larger one here) — the reports of the last six months of
every unit are computed as a run computes them (csreport.report.computed.compute, packaged parameter files), then
scored:

- false alarms: high- or medium-severity news per report; in a null scenario every one is false, in a planted
  scenario those no planted event explains (target: at most 0.2 per report in the null scenarios);
- recall: planted events found (as news or a standing issue) in the reports where they belong, and told by
  exactly one recommendation there;
- overlap: the largest share of evidence ids two recommendations of one report have in common (shared ids ÷ the
  smaller recommendation's ids; target at most 10 %);
- money: the report's value at stake counted once against the sum of its recommendations.

Prints a table and writes benchmarks/results/findings.json. ``--quick`` scores two null scenarios only.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from csreport.sample.generate import generate  # noqa: E402
from csreport.sample.scenario import load_scenario  # noqa: E402
from tests.findings_acceptance import (  # noqa: E402
    event_reports,
    explains,
    finds,
    loud,
    recommendations_for,
    reports,
    truth_of,
)

WORK, RESULTS = HERE / "work" / "findings", HERE / "results"
FIXTURES = ROOT / "tests" / "fixtures"
NULL_LARGE = """
name: null_large
seed: 31337
end: 2026-09
months: 24
timezone: Asia/Shanghai
contacts: 200000
customers: 24000
agents: 130
units:
  capital: {share: 0.35, teams: 3}
  coast: {share: 0.30, teams: 3}
  inland: {share: 0.20, teams: 2}
  islands: {share: 0.15, teams: 2}
bad_row_share: 0.002
events: []
"""
SCENARIOS = {
    "default": ROOT / "params" / "scenarios" / "default.yml",
    "other": FIXTURES / "scenario_other.yml",
    "null_a": FIXTURES / "scenario_null_a.yml",
    "null_b": FIXTURES / "scenario_null_b.yml",
    "null_large": None,
}
TARGETS = {"false_alarms_per_null_report": 0.2, "max_overlap": 0.10}


def _overlap(report) -> float:
    worst = 0.0
    recs = report.recommendations
    for i in range(len(recs)):
        for j in range(i + 1, len(recs)):
            for column, ids in recs[i].evidence_ids.items():
                other = recs[j].evidence_ids.get(column)
                if ids and other:
                    worst = max(worst, len(set(ids) & set(other)) / min(len(ids), len(other)))
    return worst


def score(name: str, scenario_file: Path | None) -> dict:
    data, work = WORK / name / "data", WORK / name / "validated"
    if not (data / "_scenario_truth.json").exists():
        scenario_file = scenario_file or (WORK / f"{name}.yml")
        if name == "null_large":
            scenario_file.parent.mkdir(parents=True, exist_ok=True)
            scenario_file.write_text(NULL_LARGE, encoding="utf-8")
        generate(load_scenario(scenario_file), data)
    truth = truth_of(data)
    started = time.perf_counter()
    computed = list(reports(data, work))
    seconds = time.perf_counter() - started
    events = truth.get("events", [])
    alarms = [(r, f) for r in computed for f in loud(r) if not any(explains(e, f) for e in events)]
    recall = []
    for event in events:
        where = event_reports(event, computed)
        found = [r for r in where if any(finds(event, f) for f in [*r.computed.findings, *r.computed.standing])]
        counts = [recommendations_for(event, r) for r in where]
        told = [c for c in counts if c]
        recall.append({"event": event, "reports": len(where), "found_in": len(found),
                       "recommendations_per_report": counts,
                       "ok": bool(found) and bool(told) and all(c == 1 for c in told)})  # fmt: skip
    totals = [(r.computed.findings, r) for r in computed]
    money = []
    for r in computed:
        summed = sum(x.money.value_at_stake or 0 for x in r.recommendations if x.money)
        money.append(summed)
    return {
        "scenario": name,
        "planted_events": len(events),
        "reports": len(computed),
        "seconds_per_report": round(seconds / max(1, len(computed)), 2),
        "high_medium_unexplained": len(alarms),
        "false_alarms_per_report": round(len(alarms) / max(1, len(computed)), 3),
        "unexplained": [f"{r.period} {r.unit}: {f.severity} {f.kind} {f.metric} {f.subject or ''}" for r, f in alarms],
        "recall": sum(x["ok"] for x in recall) / len(recall) if recall else None,
        "events": recall,
        "max_recommendation_overlap": round(max((_overlap(r) for r in computed), default=0.0), 4),
        "recommendations_per_report": round(sum(len(r.recommendations) for r in computed) / max(1, len(computed)), 2),
        "news_recommendations_per_report": round(
            sum(sum(not x.standing for x in r.recommendations) for r in computed) / max(1, len(computed)), 2
        ),
        "standing_issues_per_report": round(
            sum(len(f) for f, _ in [(r.computed.standing, r) for r in computed]) / max(1, len(computed)), 2
        ),  # fmt: skip
        "findings_per_report": round(sum(len(f) for f, _ in totals) / max(1, len(computed)), 2),
    }


def main() -> None:
    names = ["null_a", "null_b"] if "--quick" in sys.argv else list(SCENARIOS)
    results = [score(name, SCENARIOS[name]) for name in names]
    nulls = [r for r in results if r["planted_events"] == 0]
    null_reports = sum(r["reports"] for r in nulls)
    summary = {
        "false_alarms_per_null_report": round(
            sum(r["high_medium_unexplained"] for r in nulls) / max(1, null_reports), 3
        ),
        "null_reports": null_reports,
        "recall": {r["scenario"]: r["recall"] for r in results if r["planted_events"]},
        "max_recommendation_overlap": max(r["max_recommendation_overlap"] for r in results),
        "targets": TARGETS,
    }
    print(f"{'scenario':<12}{'reports':>8}{'alarms/report':>15}{'recall':>8}{'recs/report':>13}{'news recs':>11}"
          f"{'standing':>10}{'overlap':>9}{'s/report':>10}")  # fmt: skip
    for r in results:
        recall = "-" if r["recall"] is None else f"{r['recall']:.2f}"
        print(f"{r['scenario']:<12}{r['reports']:>8}{r['false_alarms_per_report']:>15.3f}{recall:>8}"
              f"{r['recommendations_per_report']:>13.2f}{r['news_recommendations_per_report']:>11.2f}"
              f"{r['standing_issues_per_report']:>10.2f}{r['max_recommendation_overlap']:>9.3f}"
              f"{r['seconds_per_report']:>10.2f}")  # fmt: skip
    print(json.dumps(summary, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    if "--quick" not in sys.argv:
        (RESULTS / "findings.json").write_text(
            json.dumps({"summary": summary, "scenarios": results}, indent=2, ensure_ascii=False, default=str),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
