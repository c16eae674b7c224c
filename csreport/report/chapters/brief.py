"""The director's page, first in the report: the month in brief (at most five messages, each with its money
counted once, its evidence and its owner) and the standing issues known before this month."""

from __future__ import annotations

import pandas as pd

from csreport.findings.calibrate import MIN_BASELINE
from csreport.findings.collect import skipped_rules
from csreport.findings.narrative import finding_sentence
from csreport.language import i18n
from csreport.report.chapters import output as out
from csreport.report.chapters.context import ReportContext

BRIEF_MESSAGES = 5  # at most this many messages on the director's page
STANDING_SHOWN = 8  # rows of the standing-issues table


def brief_recommendations(ctx: ReportContext) -> list:
    """The brief's messages: the news recommendations first, then standing issues to fill up to
    :data:`BRIEF_MESSAGES`."""
    news = [r for r in ctx.recommendations if not r.standing]
    standing = [r for r in ctx.recommendations if r.standing]
    return (news + standing)[:BRIEF_MESSAGES]


def status_mark(ctx: ReportContext, r) -> str:
    """A recommendation's status after its action: new this month; a standing issue since its first month; or
    a difference first flagged this month whose change from the window before is not significant."""
    if not r.standing:
        return ctx.t("ch1.brief_new")
    if r.finding.first_seen in (None, ctx.period):
        return ctx.t("ch1.brief_first_flagged")
    return ctx.t("ch1.brief_standing", first_seen=i18n.month(r.finding.first_seen, ctx.lang))


def evidence_count(counts: dict[str, int], lang: str) -> str:
    """What the rows behind a recommendation are, counted and named by their id column (``contact_id`` → "175
    contacts"; an id column the catalogue does not name → "rows"), several listed: ``{"customer_id": 318}`` →
    ``318 customers``; ``{"contact_id": 175, "customer_id": 12}`` → ``175 contacts, 12 customers``."""

    def named(column: str, n: int) -> str:
        key = f"evidence.{column}" if f"evidence.{column}.other" in i18n.catalogue(lang) else "evidence.rows"
        return i18n.plural(key, n, lang, n=i18n.number(n, lang))

    parts = [named(column, n) for column, n in counts.items() if n]
    return i18n.join(parts, lang) if parts else named("rows", 0)


def _money(r, ctx: ReportContext) -> str:
    if r.money is None or r.money.value_at_stake is None:
        return ctx.t("ch1.brief_not_priced")
    return ctx.t("ch1.brief_value", value=i18n.amount(r.money.value_at_stake, ctx.lang))


@out.section
def brief(ctx: ReportContext) -> None:
    """The month in brief: what is news, what it puts at stake (counted once), who owns it."""
    out.heading(ctx.t("ch1.brief"), 3)
    news = [r for r in ctx.recommendations if not r.standing]
    tests = i18n.number(ctx.report.tests, ctx.lang)
    if news:
        ctx.say(ctx.t("ch1.brief_news", n=i18n.number(len(news), ctx.lang), month=ctx.month, tests=tests))
    elif ctx.report.tests:
        ctx.say(ctx.t("ch1.brief_quiet", month=ctx.month, tests=tests),
                ctx.t("ch1.brief_known") if ctx.recommendations else "")  # fmt: skip
    else:  # no series had the history to be tested: "nothing changed" would claim what was not checked
        ctx.say(ctx.t("ch1.brief_untested", month=ctx.month, months=i18n.number(MIN_BASELINE, ctx.lang)))
    total = ctx.value_at_stake_total
    if total is not None:
        months = i18n.number(ctx.targets.parameters.value_horizon_months, ctx.lang)
        n = i18n.number(len(ctx.recommendations), ctx.lang)
        ctx.say(ctx.t("ch1.brief_total", n=n, value=i18n.amount(total, ctx.lang), months=months))
    lines = []
    for i, r in enumerate(brief_recommendations(ctx), start=1):
        mark = status_mark(ctx, r)
        rows = evidence_count({column: len(ids) for column, ids in r.evidence_ids.items()}, ctx.lang)
        lines.append(
            f"{i}. **{out.escape(r.action)}**{out.escape(mark)}  \n"
            f"{out.escape(r.evidence)}  \n"
            f"{out.escape(ctx.t('ch1.brief_line', money=_money(r, ctx), owner=r.owner, rows=rows))}"
        )
    if lines:
        out.markdown("\n".join(lines))
    skipped = skipped_rules(ctx.store)
    if skipped:
        rules = i18n.join((f"{i18n.label('kind', k, ctx.lang)} ({i18n.join(v, ctx.lang)})"
                           for k, v in skipped.items()), ctx.lang, clauses=True)  # fmt: skip
        ctx.say(ctx.t("ch1.rules_skipped", rules=rules))


def standing_table(ctx: ReportContext) -> pd.DataFrame:
    """One row per standing issue: what, since when, its value now and its trend over the months checked."""
    rows = []
    for f in ctx.standing[:STANDING_SHOWN]:
        unit = f.evidence.get("unit") or "ratio"
        trend = " → ".join(i18n.value(v, unit, ctx.lang) for _, v in f.trend) if f.trend else ""
        rows.append(
            {
                ctx.t("ch1.standing_issue"): finding_sentence(f, ctx.lang, ctx.labels),
                # a month is one unbreakable word in a narrow column ("2026 年 8 月" never splits before 月)
                ctx.t("ch1.standing_since_column"): i18n.month(f.first_seen, ctx.lang).replace(" ", "\u00a0")
                if f.first_seen
                else "",
                ctx.t("ch1.standing_trend"): trend,
            }
        )
    return pd.DataFrame(rows)


@out.section
def standing_issues(ctx: ReportContext) -> None:
    """The standing issues: true before this month too, followed, not news."""
    out.heading(ctx.t("ch1.standing"), 3)
    if not ctx.standing:
        return ctx.say(ctx.t("ch1.standing_none"))
    ctx.say(ctx.t("ch1.standing_intro", n=i18n.number(len(ctx.standing), ctx.lang)))
    table = standing_table(ctx)
    # words, a month and a trend: left-aligned (a right-aligned cell must fit one line)
    out.table(table, ctx.t("ch1.standing_caption"), align={c: "left" for c in table.columns})
