"""Chapter 4's section data (csreport/report/chapters/staff_data.py): the training needs the chapter shows use the
months and the confidence of the training_gap finding, read from the parameter files, so the two always agree."""

from __future__ import annotations

import math
import shutil

import pytest
from scipy import stats

from csreport.report.chapters import open_report
from csreport.settings import Settings

COLUMNS = ["agent_id", "category", "first_contact_resolution", "business_unit"]


def _training_gaps(ctx):
    """The report's training_gap findings and standing issues of this month (a gap gone since the window before is
    not one), as {(team, category): finding}."""
    return {(f.team, f.category): f for f in ctx.report.items
            if f.kind == "training_gap" and f.evidence.get("change") != "gone"}  # fmt: skip


def _counts(ctx, months: int):
    """Contacts with a known FCR flag and their resolutions per team × category of the unit over ``months`` months
    ending with the period, counted here from the store (not with the chapter's code)."""
    contacts = ctx.store.read("contacts", ctx.period, ctx.unit, months, COLUMNS)
    agents = ctx.store.read("agents", unit=ctx.unit)[["agent_id", "team"]]
    known = contacts.dropna(subset=["agent_id", "first_contact_resolution"]).merge(agents, on="agent_id")
    known["fcr"] = known["first_contact_resolution"].astype(bool)
    return known.groupby(["team", "category"])["fcr"].agg(["sum", "count"])


@pytest.mark.parametrize("months, confidence", [(3, None), (2, 0.9)])
def test_training_needs_use_the_months_and_confidence_of_the_training_gap_finding(
    months, confidence, sample_dir, sample_truth, tmp_path
):
    params = tmp_path / "params"
    shutil.copytree(Settings.resolve().params_dir, params)
    findings = params / "findings.yml"
    text = findings.read_text(encoding="utf-8")
    assert "training_months: 3 " in text
    findings.write_text(text.replace("training_months: 3 ", f"training_months: {months} "), encoding="utf-8")
    ctx = open_report(sample_truth["end"], "east", "en", sample_dir, tmp_path / "validated", params_dir=params,
                      thresholds={"confidence": confidence})  # fmt: skip
    expected_confidence = confidence or 0.95
    data = ctx.section_data("04.training")
    assert data.months == months and data.confidence == pytest.approx(expected_confidence)

    # the chapter's team × category counts are those of the parameter's months, counted independently
    counts = _counts(ctx, months)
    needs = data.needs.set_index(["team", "category"])
    assert needs["n"].to_dict() == counts["count"].to_dict()
    assert needs["resolved"].to_dict() == counts["sum"].to_dict()
    assert counts["count"].sum() < _counts(ctx, months + 1)["count"].sum()  # another window counts other contacts

    # a shortfall is significant at the confidence set: two-proportion z-test of team against the rest of its unit
    unit_x = counts.groupby("category")["sum"].sum()
    unit_n = counts.groupby("category")["count"].sum()
    min_sample = ctx.targets.parameters.min_sample
    for (team, category), row in counts.iterrows():
        x, n = row["sum"], row["count"]
        rest_x, rest_n = unit_x[category] - x, unit_n[category] - n
        if not rest_n:
            continue
        pooled = unit_x[category] / unit_n[category]
        z = (x / n - rest_x / rest_n) / math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / rest_n))
        p = 2 * stats.norm.sf(abs(z))
        assert needs.at[(team, category), "p_value"] == pytest.approx(p)
        significant = x / n < rest_x / rest_n and p < 1 - expected_confidence and n >= min_sample
        assert bool(needs.at[(team, category), "significant_shortfall"]) == significant, (team, category)

    # the chapter's significant gaps of at least training_gap_points are exactly the finding's, with its numbers
    rules = ctx.rules
    chapter = data.gaps[-data.gaps["gap"] >= rules.training_gap_points].set_index(["team", "category"])
    found = _training_gaps(ctx)
    assert found, "the sample has a training gap in the east"
    assert set(chapter.index) == set(found)
    for key, finding in found.items():
        assert finding.value == pytest.approx(chapter.at[key, "team_rate"])
        assert finding.baseline == pytest.approx(chapter.at[key, "rest_rate"])
        assert finding.p_value == pytest.approx(chapter.at[key, "p_value"])
        assert finding.evidence["months"] == months
