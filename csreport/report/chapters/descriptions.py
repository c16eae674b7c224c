"""What each chapter section asks, how it is measured and what numbers it is built on: the analyst's notes that
``tools/build_notebooks.py`` writes into the chapter notebooks as a Markdown cell before each section's code cell.

The notes are for the analyst (English, in the notebooks); they are not part of the rendered report, whose words
come from the locale files. KPI formulas are not written here: a note names KPIs of the data dictionary
(:data:`csreport.metrics.dictionary.KPI_DEFINITIONS`) and quotes their definitions from there, so each formula is stated
once.

The code cell of a section with a builder (:func:`csreport.report.chapters.model.builders`, found when the notebooks are
generated) shows the report model's piece of that section, ``data = ctx.section_data("06.staffing")``, with a
comment saying what it holds (the note's ``holds``, else the first sentence of the builder's docstring; behind the
call when the line fits in :data:`LINE_LENGTH` characters, else wrapped onto comment lines above it). A section
without a builder shows its ``data`` line instead: the code that names the section's numbers (a Measure table, a
DataFrame, an analysis result); it must work on any subset of the data (None or an empty table when an input is
absent).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from csreport.metrics.dictionary import KPI_DEFINITIONS


@dataclass(frozen=True)
class Description:
    """One section's note: its ``title``, the question it ``asks``, how it is ``measured``, the data dictionary's
    KPIs whose definitions it quotes (``formulas``), the ``data`` line of its code cell when it has no builder, and
    what its builder's data ``holds`` (the comment of its ``section_data`` line; default: the builder's first
    sentence)."""

    title: str
    asks: str
    measured: str
    formulas: tuple[str, ...] = ()
    data: str = ""
    holds: str = ""


LINE_LENGTH = 120  # the longest line a generated cell may have: ruff's line-length (pyproject.toml)

KPIS = "kpis = ctx.measures({names})  # value, n, interval (low, high), method of each KPI"

DESCRIPTIONS: dict[str, Description] = {
    # 01_background
    "brief": Description(
        "The month in brief",
        "What are the 3–7 things a reader must know about this month, and what should be done?",
        "Findings are changes beyond the unit's own month-to-month variation, tested with control charts and "
        "adjusted for many tests (params/findings.yml); each recommendation is written from the findings' records.",
        data="findings, recommendations = ctx.findings, ctx.recommendations  # records: metric, value, size, evidence",
    ),
    "kpi_scorecard": Description(
        "KPI scorecard",
        "How did every KPI do this month against last month, last year, its target and the benchmarks?",
        "One row per KPI with its n and interval; changes are tested (two-proportion test for rates, Welch or "
        "Mann–Whitney for means and medians); values below `min_sample` observations are flagged. The KPI "
        "definitions are in data/README.md.",
        data="scorecard = ctx.scorecard  # one row per KPI: value, n, previous, last year, target, status",
    ),
    "standing_issues": Description(
        "Standing issues",
        "Which problems are not news but were already true, and since when?",
        "Structural differences and conditions that already held before this month, each with the month it was "
        "first seen (params/findings.yml).",
        data="standing = ctx.standing",
    ),
    "scope": Description(
        "Scope",
        "Which period, unit and data does this report cover, and where does the data stop?",
        "The period's contacts of the unit, sliced at the unit's local midnight; the data's first and last day.",
        data="contacts, coverage = ctx.contacts, ctx.coverage  # the period's contacts, one row each",
    ),
    "data_quality": Description(
        "Data quality",
        "Can the numbers be trusted: how many rows were read, accepted and quarantined, and why?",
        "Rows read = rows accepted + rows quarantined, per table; each quarantined row has its rule.",
        data="tables = ctx.ingest_report.tables  # per table: rows read, accepted, quarantined and the reasons",
    ),
    "overview": Description(
        "Business overview",
        "How many contacts came in, through which channels, and how is the volume trending?",
        "Contacts created in the period, by channel, and the monthly volume of the last 12 months.",
        formulas=("contacts",),
        data=KPIS.format(names='"contacts"'),
    ),
    # 02_customers
    "customer_groups": Description(
        "Who contacts us",
        "How do the customers who contacted us differ from the customer base (age, region, gender, spending)?",
        "Shares of each group among contacting customers against the whole base.",
        data='customers = ctx.read_all("customers") if ctx.has("customers") else None',
    ),
    "needs": Description(
        "Customer needs",
        "Why do customers contact us, and does it differ by segment and channel?",
        "Contacts by category (contact reason), by segment and by channel, with shares.",
        data="contacts = ctx.contacts  # category, channel and customer of each contact",
    ),
    "segmentation": Description(
        "Customer segmentation",
        "Which groups of customers behave alike, and how do they differ?",
        "k-means clusters of customer features (scikit-learn), k chosen by the silhouette score, each cluster "
        "profiled against the average.",
        data="segmentation = ctx.analyses.segmentation  # clusters and profiles (None without customers)",
    ),
    "satisfaction": Description(
        "Satisfaction",
        "How satisfied are customers, and is it changing?",
        "Survey scores of the period with n, levels, distribution and trend.",
        formulas=("CSAT", "NPS", "CES"),
        data=KPIS.format(names='"csat_mean", "csat_top2", "nps", "ces_mean"'),
    ),
    "complaints": Description(
        "Complaints",
        "What do customers complain about, which few categories make most complaints, and how were they handled?",
        "Complaints by category (Pareto), their trend and how they were resolved.",
        formulas=("complaint rate",),
        data=KPIS.format(names='"complaint_rate"'),
    ),
    "loyalty": Description(
        "Satisfaction and loyalty",
        "Do less satisfied customers, or customers who contact us often, leave more?",
        "Churn rate by CSAT band and by number of contacts, with effect sizes and intervals.",
        formulas=("churn % / retention %",),
        data="loyalty = ctx.analyses.loyalty  # churn by band (None without customers or surveys)",
    ),
    "loyalty_index": Description(
        "Loyalty index",
        "How loyal is the customer base, combining who stays and who recommends us?",
        "A weighted sum of 12-month retention and the share of NPS responses that are not detractors (weights in "
        "params/targets.yml `loyalty_index`).",
        formulas=("loyalty index",),
        data=KPIS.format(names='"loyalty_index", "retention_rate_12m", "nps_non_detractor"'),
    ),
    "drivers": Description(
        "Drivers of satisfaction",
        "What moves CSAT: waiting, handle time, first-contact resolution, channel, category, reopens, tenure?",
        "OLS regression of CSAT (1–5) on the contact's factors with robust (HC3) errors; each factor's effect per "
        "typical change with its interval; importance = the drop in R² when the factor is left out.",
        data="drivers = ctx.analyses.drivers  # effects with intervals (None without linked surveys)",
    ),
    "comments": Description(
        "What customers write",
        "What themes come up in survey comments, per category?",
        "Comments classified into contact categories (TF-IDF and logistic regression; accuracy as macro-F1 on "
        "held-out labelled comments) and the top terms per category; Chinese is segmented with jieba; personal "
        "data is masked.",
        data="comments = ctx.analyses.comments  # themes and classification (None without surveys)",
    ),
    # 03_service_quality
    "service_level": Description(
        "Service level",
        "Are customers answered quickly enough, are their issues resolved, and how many give up waiting?",
        "The service KPIs of the period with n and interval; T of the service level is the `service_level_"
        "threshold_s` parameter (per channel in params/targets.yml, or set for this notebook in its parameters "
        "cell).",
        formulas=(
            "service level %",
            "ASA",
            "abandonment %",
            "first response time",
            "resolution time",
            "resolution rate",
            "FCR %",
            "reopen %, escalation %",
        ),  # fmt: skip
        data=KPIS.format(names="*chapter.service_kpis()"),
    ),
    "efficiency": Description(
        "Efficiency",
        "How much work does a contact take, how busy are the agents, and what does a contact cost?",
        "Handle time, occupancy and cost per handled contact of the period.",
        formulas=("AHT", "occupancy %", "cost per contact"),
        data=KPIS.format(names="*chapter.efficiency_kpis()"),
    ),
    "cost_benefit": Description(
        "Cost and benefit per service process",
        "Which service processes (channel × category) cost most per resolved contact, and which lose customers?",
        "Cost per resolved contact and revenue at risk per process (churn within `churn_window_days` after a contact).",
        formulas=("cost per resolved contact (per service process)", "revenue at risk (per service process)"),
        data="costs = ctx.process_costs  # costs.table: one row per channel × category",
    ),
    "bottlenecks": Description(
        "Where the process is slow",
        "Where do customers wait longest: which categories, channels and hours of the week?",
        "Queue wait and resolution time by category and channel, and wait by hour of day × weekday (cells below "
        "`min_sample` contacts flagged).",
        data="contacts = ctx.contacts  # queue_wait_s, resolved_at, category, channel, created_at of each contact",
    ),
    "standards": Description(
        "Service standards",
        "Which service standards of params/targets.yml were met, which are at risk and which were missed?",
        "Each KPI against its target: met on the right side, at risk within the tolerance, else missed.",
        data='standards = ctx.scorecard[ctx.scorecard["target"].notna()]  # KPIs with a target',
        holds="one row per service standard: metric, basis, channel, value, n, target, direction, status",
    ),
    "improvements": Description(
        "Improvement measures",
        "What should be improved first, by the numbers?",
        "The recommendations of the service-quality findings, ordered by impact.",
        data="recommendations = ctx.recommendations",
    ),
    # 04_staff
    "workforce": Description(
        "Workforce",
        "How many agents are there, how many left, and how long have they been with us?",
        "Headcount, leavers, annualised attrition with its voluntary share, median tenure.",
        formulas=("agent attrition",),
        data=KPIS.format(names='"headcount", "leavers", "attrition_annualised", "voluntary_share"'),
    ),
    "employee_satisfaction": Description(
        "Employee satisfaction",
        "How satisfied are agents with their environment, workload, pay and growth?",
        "Mean score (1–5) per dimension from agent_months.",
        data='kpis = ctx.measures(*(k for k in ctx.measures().index if k.startswith("employee_satisfaction")))',
    ),
    "performance": Description(
        "Agent performance",
        "Which agents resolve fewer contacts at first contact than the team, beyond chance?",
        "First-contact resolution per agent over the last 3 months against funnel limits (small samples are not "
        "ranked as outliers).",
        formulas=("FCR %",),
        data=KPIS.format(names='"fcr_rate", "qa_score"'),
    ),
    "training": Description(
        "Training needs",
        "Which team is weak on which contact category?",
        "FCR per team × category over the last 3 months against the rest of the unit (two-proportion z-test); "
        "pairs below `min_sample` contacts are kept and flagged small.",
        data=KPIS.format(names='"fcr_rate", "training_hours"'),
    ),
    "training_and_performance": Description(
        "Training and performance",
        "Do agents with more training resolve more at first contact?",
        "Spearman rank correlation across agents between training hours (last 6 months) and their FCR estimate: "
        "an association, not an effect.",
        data=KPIS.format(names='"training_hours", "fcr_rate"'),
    ),
    # 05_competition
    "benchmarks": Description(
        "Against competitors",
        "How do our KPIs compare with competitors and the industry average?",
        "Gap to the industry average and rank among us and the competitors (params benchmarks table).",
        data="comparison = chapter.comparison(ctx)  # per KPI: ours, industry average, best competitor, gap, rank",
    ),
    "features": Description(
        "Service features",
        "Which service features do competitors offer that we do not?",
        "The competitor × feature matrix of competitor_features.",
        data='features = ctx.read_all("competitor_features") if ctx.has("competitor_features") else None',
    ),
    "lead_lag": Description(
        "Where we lead and lag",
        "On which KPIs are we ahead of the industry, and where behind?",
        "KPIs better (or worse) than the industry average by their direction.",
        data="comparison = chapter.comparison(ctx)",
    ),
    # 06_outlook
    "forecast": Description(
        "Contact-volume forecast",
        "How many contacts should we expect in the coming months, and how accurate is the forecast?",
        "The model with the lower backtest error against a seasonal-naive baseline, for "
        "`forecast_horizon_months` months; accuracy as MASE (and MAPE for daily models).",
        holds="data.forecast.monthly: period, forecast, low, high; data.history: contacts per month",
    ),
    "staffing": Description(
        "Staffing",
        "How many agents are needed to meet the service-level target, against the staff on hand?",
        "Erlang C agents per interval for the service-level target, plus shrinkage.",
        formulas=("service level %",),
        holds="data.per_interval: agents needed per weekday half hour; data.need: Erlang C",
    ),
    "churn_outlook": Description(
        "Churn outlook",
        "How many customers are we losing, and is it getting worse?",
        "Monthly and 12-month rolling churn.",
        formulas=("churn % / retention %",),
        holds="data.churn, data.rolling (Measures); data.rising_segments",
    ),
    "recommendations": Description(
        "Recommendations",
        "What should we do next, in which order, and what is it worth?",
        "One recommendation per effect (news first, then standing issues), with its evidence, expected impact "
        "and owner area; money counted once over distinct customers and contacts.",
        formulas=("value at stake (recommendations)",),
        holds="data.table: one row per recommendation, in rank order",
    ),
    "method_notes": Description(
        "Method notes",
        "How were the numbers made, and from which parameter files?",
        "The methods and parameter files behind this report.",
        holds="data.configured_in: what is set in which file",
    ),
}


def formula(kpi: str) -> str:
    """The data dictionary's English definition of ``kpi`` (a name of
    :data:`~csreport.metrics.dictionary.KPI_DEFINITIONS`)."""
    definitions = {name: en for name, en, _zh in KPI_DEFINITIONS}
    if kpi not in definitions:
        raise KeyError(
            f"{kpi!r} is not in csreport.metrics.dictionary.KPI_DEFINITIONS; names: {', '.join(definitions)}"
        )
    return definitions[kpi]


def markdown(section: str) -> str:
    """The Markdown note of ``section``: its title, what it asks, how it is measured, and the formulas."""
    about = DESCRIPTIONS[section]
    lines = [f"### {about.title}", "", f"**Asks:** {about.asks}", "", f"**Measured:** {about.measured}"]
    if about.formulas:
        lines += ["", "Definitions (data dictionary, `data/README.md`):", ""]
        lines += [f"- *{kpi}*: {formula(kpi)}" for kpi in about.formulas]
    return "\n".join(lines)


def section_name(section: str) -> str:
    """The report model's name of ``section``: its chapter's number and its name, ``"06.staffing"``."""
    from csreport.report.chapters import SECTIONS

    for notebook, (_, names) in SECTIONS.items():
        if section in names:
            return f"{notebook[:2]}.{section}"
    raise KeyError(f"{section!r} is not a section of csreport.report.chapters.SECTIONS")


def first_sentence(doc: str | None) -> str:
    """The first sentence of a docstring, on one line, without its full stop ("" without a docstring)."""
    text = " ".join((doc or "").split())
    return text.split(". ")[0].removesuffix(".")


def data_line(section: str, builders: dict[str, Callable] | None = None) -> str:
    """The line of ``section``'s code cell that shows its numbers: the report model's piece of it when the section
    has a builder (``builders``, default :func:`csreport.report.chapters.model.builders`), else its ``data`` line."""
    if builders is None:
        from csreport.report.chapters.model import builders as registered

        builders = registered()
    name = section_name(section)
    if name not in builders:
        return DESCRIPTIONS[section].data
    holds = DESCRIPTIONS[section].holds or first_sentence(builders[name].__doc__)
    return commented(f'data = ctx.section_data("{name}")', holds)


def commented(line: str, comment: str) -> str:
    """``line`` with ``comment`` behind it when both fit in :data:`LINE_LENGTH` characters, else ``comment`` wrapped
    onto ``# `` lines of at most :data:`LINE_LENGTH` characters above ``line`` (``line`` alone without a comment)."""
    if not comment:
        return line
    if len(f"{line}  # {comment}") <= LINE_LENGTH:
        return f"{line}  # {comment}"
    above = textwrap.wrap(comment, LINE_LENGTH - 2, break_long_words=False, break_on_hyphens=False)
    return "\n".join([*(f"# {part}" for part in above), line])


def code(section: str, builders: dict[str, Callable] | None = None) -> str:
    """The code cell of ``section``: the line showing its numbers (:func:`data_line`), then the call that renders
    it."""
    data = data_line(section, builders)
    return f"{data}\nchapter.{section}(ctx)" if data else f"chapter.{section}(ctx)"
