"""Chapter 5's sections (csreport/report/chapters/competition.py): what they say follows the numbers of the
benchmarks table."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from csreport.language import i18n
from csreport.report.chapters import competition
from csreport.report.chapters import output as out


def _ctx(table: pd.DataFrame, lang: str = "en") -> SimpleNamespace:
    missing = lambda what: out.say(i18n.text("report.missing", lang, what=what))  # noqa: E731
    return SimpleNamespace(lang=lang, section_data=lambda name: table, missing=missing,
                           t=lambda key, **values: i18n.text(key, lang, **values),
                           say=lambda *sentences: out.say(*sentences, sep=i18n.settings(lang).sentences))  # fmt: skip


def _row(kpi, unit, ours, industry, best, rank, higher):
    return {"kpi": kpi, "unit": unit, "ours": ours, "industry": industry, "best": best, "rank": rank, "field": 4,
            "higher": higher, "lead": (ours > industry) == higher}  # fmt: skip


def test_where_we_lead_and_lag_follows_the_ranks_not_the_industry_average():
    """Abandonment 5.6% beats the industry's 6.7% but is last of 4 (best competitor 2.3%): a lag, never "we lead
    most on abandonment". Leads: rank 1 only, clearest first: ASA (4 − 10) / 10 = −60%, lower is better: 60%
    ahead; service level (0.911 − 0.899) / 0.899 = 1.3% ahead. Lags: rank 4 of 4, furthest behind first:
    complaints (0.048 − 0.008) / 0.008 = 500% behind, churn (0.029 − 0.007) / 0.007 = 314%, abandonment
    (0.056 − 0.023) / 0.023 = 143%; FCR third of 4 is neither."""
    table = pd.DataFrame([
        _row("service_level", "ratio", 0.911, 0.772, 0.899, 1, True),
        _row("asa_s", "s", 4.0, 28.0, 10.0, 1, False),
        _row("abandonment_rate", "ratio", 0.056, 0.067, 0.023, 4, False),
        _row("complaint_rate", "ratio", 0.048, 0.022, 0.008, 4, False),
        _row("churn_rate", "ratio", 0.029, 0.011, 0.007, 4, False),
        _row("fcr_rate", "ratio", 0.698, 0.696, 0.829, 3, True),
    ])  # fmt: skip
    text = " ".join(competition.lead_lag(_ctx(table)).sentences)
    assert text == (
        "We rank first among the competitors on 2 of 6 KPIs: Average speed of answer (4 s / 10 s), Service level "
        "(91.1% / 89.9%) (ours / best competitor). We rank last on 3 of 6 KPIs: Complaint rate (4.8% / 0.8%), "
        "Monthly churn (2.9% / 0.7%), Abandonment rate (5.6% / 2.3%) (ours / best competitor)."
    )
    zh = " ".join(competition.lead_lag(_ctx(table, "zh")).sentences)
    assert "有 3 项排名最后：投诉率（4.8% / 0.8%）" in zh


def test_without_a_first_rank_the_lead_sentence_says_so_and_a_long_lag_names_the_furthest_behind():
    rows = [_row(f"k{i}", "ratio", 0.5, 0.6, 0.9 - i / 100, 4, True) for i in range(5)]
    text = " ".join(competition.lead_lag(_ctx(pd.DataFrame(rows))).sentences)
    assert text.startswith("We rank first among the competitors on none of the 5 KPIs.")
    # behind (0.5 − best) / best: k0 (best 0.90) furthest, then k1 (0.89), k2 (0.88)
    assert "We rank last on 5 of 5 KPIs, furthest behind on k0 (50.0% / 90.0%), k1 (50.0% / 89.0%)" in text


def test_a_benchmarks_table_whose_kpis_are_not_measured_is_not_called_missing():
    """Benchmarks given but none of their KPIs measurable (an export with only the required columns): the
    sections say there is nothing to compare, not that the benchmarks table is missing."""
    ctx = _ctx(pd.DataFrame())
    ctx.has = lambda table: table == "benchmarks"
    expected = [i18n.text("ch5.nothing_comparable", "en")]
    assert competition.benchmarks(ctx).sentences == expected == competition.lead_lag(ctx).sentences
    ctx.has = lambda table: False
    assert competition.lead_lag(ctx).sentences == ["This section is skipped: the data lack benchmark values "
                                                   "(benchmarks table)."]  # fmt: skip
