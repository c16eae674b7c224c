"""The data dictionary's KPI definitions (BRIEF §4): the formula of each KPI in English and Chinese, as the
registry (:mod:`csreport.metrics.registry`) declares them and ``data/README.md`` prints them; the metric functions
state the same in their docstrings."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Definition:
    """A row of the data dictionary's KPI definitions: ``term`` as a reader knows it, the formula in English and
    Chinese. Several KPIs share one (the median and the 90th percentile of first response time)."""

    term: str
    en: str
    zh: str


CONTACTS = Definition(
    "contacts", "contacts created in the period; also per 1,000 active customers", "期内创建的联络数;另按每千活跃客户计"
)
SERVICE_LEVEL = Definition(
    "service level %",
    "answered within T s / (answered + abandoned after the short-abandon limit); T per channel "
    "in params/targets.yml (default 20 s); abandons under 5 s excluded",
    "T 秒内接通数 / (接通数 + 超过短放弃阈值的放弃数);T 按渠道设于 params/targets.yml(默认 20 秒);5 秒内放弃不计",
)
ASA = Definition("ASA", "mean queue wait of answered contacts (s)", "已接通联络的平均排队等待时长(秒)")
ABANDONMENT = Definition(
    "abandonment %",
    "abandoned (excluding short abandons) / offered (excluding short abandons)",
    "放弃数(不含短放弃)/ 进线数(不含短放弃)",
)
FIRST_RESPONSE = Definition(
    "first response time",
    "median and p90 of first_response_at − created_at (calendar time) of the contacts of the written channels "
    "(params/targets.yml first_response_channels, default email, ticket, social); phone and chat are answered "
    "in the queue, which ASA and service level measure",
    "书面渠道联络(params/targets.yml 的 first_response_channels,默认 email、ticket、social)首次响应时长的"
    "中位数与 P90(日历时间);电话与在线聊天在排队中接通,由平均应答速度与服务水平衡量",
)
RESOLUTION_TIME = Definition(
    "resolution time",
    "median and p90 of resolved_at − created_at, resolved contacts",
    "已解决联络的解决时长中位数与 P90",
)
FIRST_RESPONSE_BUSINESS = Definition(
    "first response time, business hours",
    "median and p90 of the working seconds of the unit's calendar (params/calendars.yml) between created_at "
    "and first_response_at, written channels; a unit without a calendar is open 24/7, so it equals the "
    "elapsed time",
    "书面渠道联络在 created_at 至 first_response_at 之间按业务单元工作日历(params/calendars.yml)计的工作秒数的"
    "中位数与 P90;未配置日历的单元按 7×24 小时计,即等于自然时间",
)
RESOLUTION_BUSINESS = Definition(
    "resolution time, business hours",
    "median and p90 of the working seconds between created_at and resolved_at, resolved contacts",
    "已解决联络在 created_at 至 resolved_at 之间的工作秒数的中位数与 P90",
)
RESOLUTION_RATE = Definition(
    "resolution rate",
    "contacts created in the period and resolved by the data cut-off / contacts created (cohort counting)",
    "期内创建且在数据截止前解决的联络 / 期内创建的联络(按队列计)",
)
FCR = Definition(
    "FCR %",
    "first_contact_resolution true / contacts with the flag known; without the flag: no repeat contact "
    "from the same customer within 7 days",
    "首次解决标记为真 / 有标记的联络;无标记时:同一客户 7 天内无重复联络",
)
REOPEN_ESCALATION = Definition(
    "reopen %, escalation %", "reopened / resolved; escalated / contacts", "重开数 / 已解决数;升级数 / 联络数"
)
COMPLAINTS = Definition(
    "complaint rate", "complaints / contacts; also per 1,000 customers", "投诉数 / 联络数;另按每千客户计"
)
AHT = Definition(
    "AHT", "mean handle_s of handled contacts (talk + hold + after-contact work)", "已处理联络的平均处理时长"
)
OCCUPANCY = Definition(
    "occupancy %", "handle hours / available hours (needs agent_months)", "处理工时 / 可用工时(需 agent_months)"
)
COST = Definition("cost per contact", "total cost / handled contacts", "总成本 / 已处理联络数")
CSAT = Definition(
    "CSAT",
    "mean score (1–5) and % satisfied = share of 4–5 (top-2-box), with n and response rate",
    "平均分(1–5)与满意率(4–5 分占比),附样本量与回复率",
)
NPS = Definition(
    "NPS", "% promoters (9–10) − % detractors (0–6), −100…100, with n", "推荐者(9–10)占比 − 贬损者(0–6)占比"
)
CES = Definition("CES", "mean (1–7) and % easy (5–7)", "平均分(1–7)与容易占比(5–7 分)")
CHURN = Definition(
    "churn % / retention %",
    "customers whose churn_date falls in the period / customers active at period start; "
    "retention = 1 − churn; also 12-month rolling",
    "期内流失客户 / 期初活跃客户;留存 = 1 − 流失;另算滚动 12 个月",
)
LOYALTY = Definition(
    "loyalty index",
    "w_r × 12-month retention (customers active 12 months ago and not churned since / customers active then) + "
    "w_a × share of the period's NPS responses scoring 7–10 (not detractors); w_r = w_a = 0.5 by default "
    "(params/targets.yml loyalty_index); normal interval from the two independent samples; n/a, naming the "
    "missing part, without customers.churn_date or surveys.nps",
    "w_r × 12 个月留存率(12 个月前活跃且此后未流失的客户 / 当时活跃客户)+ w_a × 期内 NPS 回复中 7–10 分"
    "(非贬损者)占比;默认 w_r = w_a = 0.5(params/targets.yml 的 loyalty_index);区间由两个独立样本按正态近似"
    "得出;缺少 customers.churn_date 或 surveys.nps 时为 n/a 并说明缺哪一部分",
)
ATTRITION = Definition(
    "agent attrition",
    "trailing twelve months, a ratio per year: leavers in the 12 months ending with the period / average "
    "headcount (headcounts on each month's first day and the day after the window); with less history, over "
    "the months with data × 12 / months observed (a month the data's end cuts counts by its days), and the "
    "report says so; exact Poisson interval; voluntary share of the leavers; beside it the month's leavers",
    "近 12 个月(截至本期)的年流失率:12 个月内离职人数 / 平均在岗人数(每月首日与窗口结束次日在岗人数的平均);"
    "历史不足 12 个月时按有数据的月份计算并 ×12/观察月数 年化(被数据截止截断的月份按有数据的天数折算),报告中注明;"
    "区间为精确泊松区间;另列主动离职占比与本月离职人数",
)
QA = Definition(
    "quality score",
    "mean qa_score (0–100) of the period's agent-months with a score",
    "期内有质检得分的坐席月的平均质检得分(0–100)",
)
