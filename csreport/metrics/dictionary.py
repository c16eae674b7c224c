"""The data dictionary (``data/README.md``), generated from the schemas so that it cannot drift from them.

Regenerate with ``python -m csreport.metrics.dictionary > data/README.md``; a test fails when the file is stale.
"""

from __future__ import annotations

from csreport.data.schemas import SCHEMAS
from csreport.metrics import registry

KIND_LABELS = {
    "text": "text",
    "code": "code",
    "period": "month YYYY-MM",
    "timestamp": "timestamp (ISO 8601)",
    "date": "date",
    "float": "number",
    "int": "integer",
    "bool": "boolean",
}

#: The KPI definitions: the registry's (csreport.metrics.registry, one row per definition), then the methods the
#: report builds on the KPIs: term, definition (en), definition (zh) — BRIEF §4.
KPI_METHODS = [
    (
        "calendar-driven (business-hour changes)",
        "a significant change of a business-hour time against the previous month is marked calendar_driven in the "
        "scorecard when either month has irregular days in the unit's calendar (public holidays or closures on "
        "working weekdays, adjusted working weekends, extra working days) and, recomputed on the contacts created "
        "on working days only, the change is not significant: the holidays, not faster work, moved it",
        "工作时间口径的时长相对上月的显著变化,若两个月中任一月在该单元日历中有非常规日(工作日的法定节假日或停业、"
        "调休上班的周末、额外上班日),且只用工作日创建的联络重算后变化不显著,则在指标卡中标记为 calendar_driven:"
        "变化来自节假日,而非处理更快",
    ),
    (
        "cost per resolved contact (per service process)",
        "for a channel × category: (cost of its contacts + cost of the repeat contacts they caused within the FCR "
        "window) / its resolved contacts (resolved flag, else resolved_at, else no repeat); delta-method interval",
        "按渠道 × 类别:(该流程联络成本 + 其在首次解决窗口内引发的重复联络成本)/ 已解决联络数(resolved 标记,"
        "否则 resolved_at,否则无重复联络);区间用 delta 方法",
    ),
    (
        "revenue at risk (per service process)",
        "monthly_spend of the customers who churned within churn_window_days (default 90) after a contact of the "
        "process; churn after contact = those customers / the process's distinct customers",
        "流程联络后 churn_window_days(默认 90)天内流失客户的 monthly_spend 之和;联络后流失率 = 这些客户 / 该流程"
        "的不同客户数",
    ),
    (
        "value at stake (recommendations)",
        "a finding's monthly effect × horizon_months (default 12): lost customers × average monthly spend; repeat, "
        "complaint or abandoned contacts × cost per contact; extra handle hours × agent_hour_cost; action cost: "
        "extra agent hours × agent_hour_cost; benefit/cost = value / action cost",
        "发现的每月影响 × horizon_months(默认 12):流失客户 × 平均月消费;重复、投诉或放弃的联络 × 每次联络成本;"
        "多出的处理小时 × agent_hour_cost;行动成本:增加的坐席小时 × agent_hour_cost;收益/成本 = 金额 / 行动成本",
    ),
]


def kpi_definitions() -> list[tuple[str, str, str]]:
    """(term, English, Chinese) of every KPI definition of the registry, then of :data:`KPI_METHODS`."""
    return [(d.term, d.en, d.zh) for d in registry.definitions()] + KPI_METHODS


#: term, English, Chinese of every KPI definition of the package (:func:`kpi_definitions` at import)
KPI_DEFINITIONS = kpi_definitions()


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def data_dictionary_markdown() -> str:
    """The whole data dictionary as Markdown, English and Chinese."""
    out = [
        "# Data dictionary · 数据字典",
        "",
        "Generated from `csreport/data/schemas.py` by `python -m csreport.metrics.dictionary > data/README.md`; "
        "do not edit by hand. 本文件由 schemas 自动生成,请勿手工修改。",
        "",
        "Put one file per table in a data directory: `<table>.csv` (UTF-8, UTF-8 with BOM or GB18030/GBK), "
        "`<table>.xlsx` (title rows above the header are fine) or `<table>.parquet`; or set `CSREPORT_DB_URL` to "
        "a database holding tables of these names. Map other column names and codes with a "
        "`params/mapping/*.yml` file. Timestamps are ISO 8601; values with an offset are converted to the run's "
        "timezone; durations are in seconds. Rows that break a rule are quarantined with the reason, never "
        "dropped silently: `quarantine/<table>.csv` has source_file, source_row, column, rule, value, time_raw "
        "(the row's time column as read) and month (YYYY-MM, or unknown when the time is absent or does not "
        "parse); each run's `exports/quarantine.csv` counts them by table, column, rule and month.",
        "",
        "每张表一个文件(CSV 支持 UTF-8、带 BOM 的 UTF-8、GB18030/GBK;Excel 表头上方可有标题行;Parquet),或通过环境变量 "
        "`CSREPORT_DB_URL` 指定数据库。列名与编码不同时用 `params/mapping/*.yml` 映射。"
        "时间为 ISO 8601,带时区偏移的转换为运行时区;时长单位为秒。违反规则的行会连同原因一起隔离,不会被悄悄丢弃:"
        "`quarantine/<table>.csv` 含 source_file、source_row、column、rule、value、time_raw(该行时间列的原始值)"
        "和 month(YYYY-MM;时间缺失或无法解析时为 unknown);"
        "每次运行的 `exports/quarantine.csv` 按表、列、规则和月份计数。",
        "",
    ]
    for name, schema in SCHEMAS.items():
        meta = schema.metadata
        need = "required · 必需" if meta["required_table"] else "optional · 可选"
        out += [
            f"## `{name}` ({need})",
            "",
            f"{schema.description} {meta['zh']}",
            "",
            f"Key · 主键: {', '.join(meta['key'])}",
            "",
            "| column | type | unit | required | rule | description | 说明 |",
            "|---|---|---|---|---|---|---|",
        ]
        for col, spec in schema.columns.items():
            rules = [_rule_text(c) for c in spec.checks]
            if spec.unique:
                rules.append("unique")
            rules += [f"not before {c.other}" for c in meta["cross_checks"] if c.column == col]
            out.append(
                f"| `{col}` | {KIND_LABELS[spec.metadata['kind']]} | {spec.metadata['unit']} | "
                f"{'yes' if spec.metadata['required'] else 'no'} | {_cell('; '.join(rules))} | "
                f"{_cell(spec.description)} | {_cell(spec.metadata['zh'])} |"
            )
        out.append("")
    out += ["## KPI definitions · 指标定义", "", "| KPI | definition | 定义 |", "|---|---|---|"]
    out += [f"| {k} | {_cell(en)} | {_cell(zh)} |" for k, en, zh in kpi_definitions()]
    out += ["", "## Business-hour calendars · 工作时间日历 (`params/calendars.yml`)", ""]
    out += [CALENDAR_INTRO, "", "| key | default | meaning | 说明 |", "|---|---|---|---|"]
    out += [f"| `{k}` | {d} | {_cell(en)} | {_cell(zh)} |" for k, d, en, zh in CALENDAR_KEYS]
    out += ["", "## Findings: alarms, standing issues, money · 发现：警报、长期问题与金额 (`params/findings.yml`)", ""]
    out += ["| topic | method | 方法 |", "|---|---|---|"]
    out += [f"| {topic} | {_cell(en)} | {_cell(zh)} |" for topic, en, zh in FINDINGS_METHOD]
    out += ["", "## Labels · 显示名称 (`params/labels.yml`)", "", LABELS_INTRO]
    return "\n".join(out) + "\n"


FINDINGS_METHOD = [
    ("alarm", "A change is news when it is beyond the unit's own month-to-month variation. Each series (a KPI, a "
     "complaint category's count, a channel's share, a segment's churn, staffing coverage) is tested against its "
     "previous `baseline_months` (default 12, at least 6) with Laney's p′ chart (proportions), u′ chart (counts "
     "per day with data or per active customer) or an individuals chart (measured hours): the month's sampling "
     "standard error is scaled by σz, the average moving range of the baseline's standardised values ÷ 1.128 "
     "(at least 1). A month is news when its level is unusual and the month before was not (the level test's "
     "p; Student's t with 0.7 (k − 1) degrees of freedom); after an unusual month, only when it also moved "
     "unusually from it (p = the larger of the two). Small expected counts keep an exact negative binomial tail "
     "with variance σz² × the expectation.",
     "变化超出本单元自身逐月波动时才算新情况。每个序列(指标、某类投诉数、渠道占比、客群流失、人力覆盖)与其前 "
     "`baseline_months` 个月(默认 12,至少 6)比较,方法为 Laney p′ 控制图(比例)、u′ 控制图(按有数据天数或活跃客户"
     "计的次数)或单值控制图(工时):当月抽样标准误乘以 σz(基线标准化值移动极差均值 ÷ 1.128,至少为 1)。"
     "当月水平异常且上月正常即为新情况(取水平检验的 p;t 分布,自由度 0.7 (k − 1));上月已异常时,"
     "须较上月变化也异常才算(p 取两者较大者)。期望次数小时用负二项精确尾概率,方差为 σz² × 期望值。"),
    ("many tests", "All news tests of one report are adjusted together with Benjamini–Hochberg (q-values): the "
     "expected share of false alarms among a report's findings is at most alpha (1 − confidence). High "
     "severity: q < `alpha_high` and a size at or above the rule's `high_*` threshold; medium: q < alpha and the "
     "lower threshold; anything weaker is not a finding.",
     "同一报告的全部新情况检验用 Benjamini–Hochberg 方法整体校正(q 值):报告中误报比例的期望不超过 alpha"
     "(1 − 置信水平)。高:q < `alpha_high` 且幅度达到 `high_*` 阈值;中:q < alpha 且达到较低阈值;更弱者不列为发现。"),
    ("standing issue", "A condition that already held the month before (an unusual level that did not move) or "
     "a structural difference that held in the previous window (a group that churns more, a process that costs "
     "more, a team weaker on a category) is a standing issue: listed with the month it was first seen and its "
     "trend in findings.json `standing` and the report's standing-issues table, not as news. It is news again "
     "only when it changes significantly (a one-sided test of the change between the two windows, adjusted "
     "with the report's other tests): it appears, grows or goes away. A difference flagged for the first time "
     "whose change from the window before is not significant (or cannot be tested) is followed the same way, "
     "marked \"first flagged this month\".",
     "上月已经成立的情况(水平异常但未再变化),或上一时段已存在的结构性差异(流失更多的客群、成本更高的流程、"
     "某类联络较弱的班组),是长期问题:在 findings.json 的 `standing` 和报告的长期问题表中列出首次出现的月份和趋势,"
     "不作为新情况。只有显著变化(两个时段之间变化的单侧检验,与其他检验一起校正)——出现、扩大或消失——"
     "才再次成为新情况。首次标出、但与上一时段相比变化不显著(或无法检验)的差异也按长期问题跟踪,"
     "标注为“本月首次标出”。"),
    ("one effect", "Findings that share their rows beyond chance (more than `effect_overlap` of the smaller one "
     "and at least twice the overlap of independent slices) or that explain one another are one effect, told "
     "once by the most specific cause. A unit-level KPI change is tested again without its children's excess "
     "(a category's spike, a segment's churn): if it no longer holds, it is their breakdown; if it holds, both "
     "are told and the parent's evidence leaves out the children's rows. `explains` declares causes (a "
     "staffing gap explains the waits of its month).",
     "证据行的重合超出偶然(超过较小者的 `effect_overlap`,且至少为独立切片重合的两倍)或可相互解释的发现属于同一效应,"
     "由最具体的原因只讲一次。单元层面的指标变化会在去除子项超额(某类投诉激增、某客群流失)后重新检验:"
     "若不再成立,则作为子项的细分;若仍成立,两者都报告,父项证据不含子项的行。"
     "`explains` 声明因果(人力缺口解释当月的等待)。"),
    ("money", "A recommendation's value at stake is counted over its distinct customers and contacts: each "
     "churned customer at their own monthly spend and each contact at its own cost, times the share beyond the "
     "usual or comparison level, a several-month window divided by its months, times `value_horizon_months`. A "
     "row in several findings of one recommendation counts once (at its largest value); a row behind two "
     "recommendations is listed and priced under the higher-ranked one, so the report's total (findings.json "
     "`value_at_stake_total`) counts every customer and contact once.",
     "建议涉及的金额按其不重复的客户和联络计算:每位流失客户按其本人的月消费、每次联络按其本身成本,乘以超出平常或"
     "对比水平的比例,多月时段除以月数,再乘以 `value_horizon_months`。同一建议中出现在多个发现里的行只计一次(取最大值);"
     "同一行若涉及两条建议,只列入并计入排名靠前的一条,因此报告合计(findings.json 的 `value_at_stake_total`)"
     "中每位客户和每次联络只计一次。"),
]  # fmt: skip


LABELS_INTRO = (
    "The report names the codes of the data by their labels, in the report's language: `units` (business_unit), "
    "`channels`, `categories`, `segments`, `regions`, `genders`, `teams`, `features` (competitor features) and "
    "`competitors` (benchmark and feature sources), each `code: {en: …, zh: …}`; an extra column of your data "
    "by its own name. A code without a label is shown with its first letter capitalised and underscores as "
    "spaces (`wechat_service` → Wechat service); a language without a name takes the English one. A mapping file "
    "may name the codes it creates under `labels:` (same shape); its names win for those codes. "
    "报告按报告语言以显示名称展示数据中的代码:`units`(business_unit)、`channels`、`categories`、`segments`、"
    "`regions`、`genders`、`teams`、`features`(竞争对手功能)和 `competitors`(基准与功能来源),每项为 "
    "`代码: {en: …, zh: …}`;数据中的其他列按列名设一节。没有名称的代码首字母大写、下划线换成空格显示;"
    "缺少某种语言的名称时使用英文名称。映射文件可在 `labels:` 下为其生成的代码命名(格式相同),并优先于本文件。"
)


CALENDAR_INTRO = (
    "One entry per business unit under `units:`. A unit that is not listed is open 24/7 in the run's time zone, so "
    "its business time equals its elapsed time. Service standards in `params/targets.yml` say `basis: business` "
    "or `basis: elapsed` (default) for first response and resolution time. A unit's `timezone` also sets its "
    'months (they start at its local midnight) and the hours of day of its report; "all units" and units not '
    "listed use the run's time zone. The data-quality section checks each calendar against the data: when "
    "`calendar_outside_share` (params/targets.yml, default 30%) or more of a unit's agent activity in the month "
    "(queued phone and chat contacts arriving, written first responses sent) falls outside its working hours, it "
    "says that the calendar may not match the unit's real hours. "
    "每个业务单元在 `units:` 下一项;未列出的单元按运行时区 7×24 小时计,工作时间等于自然时间。"
    "`params/targets.yml` 中首次响应与解决时长的服务标准可用 `basis: business`(工作时间)"
    "或 `basis: elapsed`(自然时间,默认)。单元的 `timezone` 同时决定其月份边界(按当地零点划分)"
    "和报告中一天中的小时;“全部单位”及未列出的单元使用运行时区。数据质量一节会用数据检验每个日历:"
    "若某单元当月坐席活动(进线的电话与在线聊天、书面渠道的首次响应)中有 `calendar_outside_share`"
    "(params/targets.yml,默认 30%)或更多落在工作时间之外,报告会指出该日历可能与其实际工作时间不符。"
)
CALENDAR_KEYS = [
    ("timezone", "the run's zone", "IANA time zone of the unit's working hours, months and hours of day; "
     "converted to the run's zone, daylight saving included",
     "单元工作时间、月份边界与一天中小时所用的 IANA 时区;换算到运行时区(含夏令时)"),
    ("hours", "24/7", "24/7, or weekday (mon … sun, ranges such as mon-fri) → spans \"HH:MM-HH:MM\", several a day "
     "(lunch breaks); unlisted weekdays are closed", "24/7,或 星期(mon … sun,可写 mon-fri)→ 时段 \"HH:MM-HH:MM\","
     "每天可多段(午休);未列出的星期不上班"),
    ("holidays", "none", "country code: public holidays closed; CN via chinese-calendar with adjusted working "
     "weekends (调休), other countries via holidays",
     "国家代码:法定节假日不上班;CN 使用 chinese-calendar(含调休上班日),其他国家使用 holidays 包"),
    ("adjusted_day_hours", "first weekday with hours", "spans of an adjusted working weekend day or an extra "
     "working day without weekday hours", "调休上班的周末或额外上班日(该星期无工作时段时)的时段"),
    ("closed", "[]", "extra closed dates YYYY-MM-DD", "额外休息日期 YYYY-MM-DD"),
    ("working", "[]", "extra working dates YYYY-MM-DD", "额外上班日期 YYYY-MM-DD"),
]  # fmt: skip


def _rule_text(check) -> str:
    s = check.statistics
    if check.name == "isin":
        return "one of: " + ", ".join(map(str, s["allowed_values"]))
    if check.name == "in_range":
        return f"{s['min_value']}–{s['max_value']}"
    if check.name == "greater_than_or_equal_to":
        return f"≥ {s['min_value']}"
    if check.name == "str_matches":
        return "YYYY-MM"
    return check.name


if __name__ == "__main__":
    print(data_dictionary_markdown(), end="")
