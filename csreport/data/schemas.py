"""The data contract (BRIEF §3): one pandera schema per input table, the only definition of each table.

Every column carries its ``kind`` (how it is parsed), an English and a Chinese description and its unit in
``metadata``; each schema's ``metadata`` holds whether the table is required, its key, the columns that must
be present and the columns used to slice it by time and business unit. The ingestion engine
(:mod:`csreport.data.ingest_sql`) compiles these schemas to DuckDB SQL for speed; a test checks that pandera itself
finds exactly the same violations on the fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from csreport.data import periods

CHANNELS = ["phone", "chat", "email", "ticket", "social"]
QUEUED_CHANNELS = ["phone", "chat"]
GENDERS = ["female", "male", "other", "unknown"]
LEAVE_TYPES = ["voluntary", "involuntary"]
SATISFACTION_DIMENSIONS = ["environment", "workload", "pay", "growth"]
PERIOD_PATTERN = periods.PERIOD_PATTERN.pattern

#: SQL type and pandas dtype for each column kind.
KIND_TYPES: dict[str, tuple[str, str]] = {
    "text": ("VARCHAR", "string"),
    "code": ("VARCHAR", "string"),
    "period": ("VARCHAR", "string"),
    "timestamp": ("TIMESTAMP", "datetime64[us]"),
    "date": ("DATE", "datetime64[us]"),
    "float": ("DOUBLE", "float64"),
    "int": ("BIGINT", "Int64"),
    "bool": ("BOOLEAN", "boolean"),
}


@dataclass(frozen=True)
class CrossCheck:
    """A row-level rule between two columns: ``column`` must not be earlier/smaller than ``other``."""

    column: str
    other: str
    rule: str = "not_before"


def _col(
    kind: str, en: str, zh: str, *checks: pa.Check, unit: str = "", required: bool = False, unique: bool = False
) -> pa.Column:
    dtype = KIND_TYPES[kind][1]
    return pa.Column(
        dtype,
        checks=list(checks),
        nullable=not required,
        unique=unique,
        required=False,  # presence of required columns is checked by the reader, with a better message
        description=en,
        metadata={"kind": kind, "zh": zh, "unit": unit, "required": required},
    )


def _not_before(column: str, other: str) -> pa.Check:
    """Row check ``column >= other`` where both are present (e.g. resolved_at >= created_at)."""
    return pa.Check(
        lambda df, c=column, o=other: ~(df[c] < df[o]).fillna(False),
        name="not_before",
        error=f"{column} must not be before {other}",
        statistics={"column": column, "other": other},
    )


def _schema(
    name: str,
    columns: dict[str, pa.Column],
    *,
    required_table: bool,
    key: list[str],
    time_column: str | None,
    unit_column: str | None,
    cross: list[CrossCheck] = (),
    en: str,
    zh: str,
) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        columns,
        checks=[_not_before(c.column, c.other) for c in cross],
        unique=key if len(key) > 1 else None,
        name=name,
        strict=False,
        coerce=False,
        description=en,
        metadata={
            "required_table": required_table,
            "key": key,
            "required_columns": [c for c, col in columns.items() if col.metadata["required"]],
            "time_column": time_column,
            "unit_column": unit_column,
            "cross_checks": list(cross),
            "zh": zh,
        },
    )


GE0 = pa.Check.ge(0)

CONTACTS = _schema(
    "contacts",
    {
        "contact_id": _col("text", "Unique contact identifier", "联络唯一编号", required=True, unique=True),
        "created_at": _col("timestamp", "When the contact was created (arrived)", "联络创建(到达)时间", required=True),
        "business_unit": _col("text", "Business unit that owns the contact", "所属业务单元", required=True),
        "channel": _col("code", "Contact channel", "联络渠道", pa.Check.isin(CHANNELS), required=True),
        "category": _col("text", "Contact reason / category", "联络原因/类别"),
        "is_complaint": _col("bool", "The contact is a complaint", "是否投诉"),
        "customer_id": _col("text", "Customer who made the contact", "客户编号"),
        "agent_id": _col("text", "Agent who handled the contact", "处理坐席编号"),
        "queue_wait_s": _col("float", "Time in queue before answer or abandon", "排队等待时长", GE0, unit="s"),
        "abandoned": _col("bool", "Customer hung up / left before being answered", "是否放弃"),
        "first_response_at": _col("timestamp", "First response by the service team", "首次响应时间"),
        "handle_s": _col(
            "float", "Handle time: talk + hold + after-contact work", "处理时长(通话+保持+话后)", GE0, unit="s"
        ),
        "resolved_at": _col("timestamp", "When the contact was resolved", "解决时间"),
        "resolved": _col("bool", "Resolved by the data cut-off", "截至数据截止是否已解决"),
        "first_contact_resolution": _col("bool", "Resolved at the first contact", "是否首次解决"),
        "reopened": _col("bool", "Reopened after being resolved", "是否重开"),
        "escalated": _col("bool", "Escalated to a higher tier", "是否升级"),
        "cost": _col("float", "Cost of handling the contact", "处理成本", GE0, unit="currency"),
    },
    required_table=True,
    key=["contact_id"],
    time_column="created_at",
    unit_column="business_unit",
    cross=[CrossCheck("resolved_at", "created_at"), CrossCheck("first_response_at", "created_at")],
    en="One row per customer contact (call, chat, e-mail, ticket).",
    zh="每次客户联络一行(电话、在线、邮件、工单)。",
)

SURVEYS = _schema(
    "surveys",
    {
        "survey_id": _col("text", "Unique survey response identifier", "问卷回复编号", required=True, unique=True),
        "responded_at": _col("timestamp", "When the survey was answered", "回复时间", required=True),
        "business_unit": _col("text", "Business unit", "业务单元", required=True),
        "contact_id": _col("text", "Contact the survey is about", "对应联络编号"),
        "customer_id": _col("text", "Customer who answered", "客户编号"),
        "csat": _col("int", "Customer satisfaction score", "客户满意度评分", pa.Check.in_range(1, 5), unit="1-5"),
        "nps": _col("int", "Likelihood to recommend", "推荐可能性评分", pa.Check.in_range(0, 10), unit="0-10"),
        "ces": _col(
            "int",
            "Customer effort score (7 = very easy)",
            "客户费力度评分(7=非常容易)",
            pa.Check.in_range(1, 7),
            unit="1-7",
        ),
        "comment": _col(
            "text",
            "Free-text comment (may contain personal data; masked in output)",
            "文字评论(可能含个人信息,输出时脱敏)",
        ),
    },
    required_table=False,
    key=["survey_id"],
    time_column="responded_at",
    unit_column="business_unit",
    en="One row per survey response.",
    zh="每份问卷回复一行。",
)

CUSTOMERS = _schema(
    "customers",
    {
        "customer_id": _col("text", "Unique customer identifier", "客户唯一编号", required=True, unique=True),
        "business_unit": _col("text", "Business unit", "业务单元", required=True),
        "signup_date": _col("date", "Date the customer joined", "注册日期"),
        "churn_date": _col("date", "Date the customer left (empty while active)", "流失日期(在网为空)"),
        "age": _col("int", "Age in years", "年龄", pa.Check.in_range(0, 120), unit="years"),
        "gender": _col("code", "Gender", "性别", pa.Check.isin(GENDERS)),
        "region": _col("text", "Region", "地区"),
        "segment": _col("text", "Commercial segment", "客户分层"),
        "monthly_spend": _col("float", "Average monthly spend", "月均消费", GE0, unit="currency"),
    },
    required_table=False,
    key=["customer_id"],
    time_column=None,
    unit_column="business_unit",
    cross=[CrossCheck("churn_date", "signup_date")],
    en="One row per customer.",
    zh="每位客户一行。",
)

AGENTS = _schema(
    "agents",
    {
        "agent_id": _col("text", "Unique agent identifier", "坐席唯一编号", required=True, unique=True),
        "business_unit": _col("text", "Business unit", "业务单元", required=True),
        "team": _col("text", "Team", "班组", required=True),
        "hire_date": _col("date", "Hire date", "入职日期", required=True),
        "leave_date": _col("date", "Leave date (empty while employed)", "离职日期(在职为空)"),
        "leave_type": _col("code", "Why the agent left", "离职类型", pa.Check.isin(LEAVE_TYPES)),
    },
    required_table=False,
    key=["agent_id"],
    time_column=None,
    unit_column="business_unit",
    cross=[CrossCheck("leave_date", "hire_date")],
    en="One row per agent.",
    zh="每位坐席一行。",
)

_SCORE_1_5 = pa.Check.in_range(1, 5)
AGENT_MONTHS = _schema(
    "agent_months",
    {
        "agent_id": _col("text", "Agent", "坐席编号", required=True),
        "period": _col(
            "period", "Month (YYYY-MM)", "月份(YYYY-MM)", pa.Check.str_matches(PERIOD_PATTERN), required=True
        ),
        "paid_hours": _col("float", "Paid hours in the month", "当月带薪工时", GE0, unit="h"),
        "available_hours": _col("float", "Hours available to handle contacts", "可处理联络工时", GE0, unit="h"),
        "training_hours": _col("float", "Training hours", "培训时长", GE0, unit="h"),
        "qa_score": _col("float", "Quality-assurance score", "质检得分", pa.Check.in_range(0, 100), unit="0-100"),
        "satisfaction": _col("float", "Employee satisfaction, overall", "员工满意度(总体)", _SCORE_1_5, unit="1-5"),
        **{
            f"satisfaction_{dim}": _col(
                "float", f"Employee satisfaction: {dim}", f"员工满意度:{zh}", _SCORE_1_5, unit="1-5"
            )
            for dim, zh in zip(SATISFACTION_DIMENSIONS, ["工作环境", "工作负荷", "薪酬", "成长"], strict=True)
        },
    },
    required_table=False,
    key=["agent_id", "period"],
    time_column="period",
    unit_column=None,
    en="One row per agent and month.",
    zh="每位坐席每月一行。",
)

BENCHMARKS = _schema(
    "benchmarks",
    {
        "source": _col(
            "text",
            "Competitor name, industry_average or best_in_class",
            "对标来源(竞争对手、industry_average 行业平均、best_in_class 行业最佳)",
            required=True,
        ),
        "metric": _col(
            "text",
            "KPI name as in the scorecard (e.g. service_level, csat_top2)",
            "指标名(与计分卡一致)",
            required=True,
        ),
        "value": _col("float", "Value in the KPI's own unit", "指标值(单位同该指标)", required=True),
        "period": _col(
            "period", "Month (YYYY-MM)", "月份(YYYY-MM)", pa.Check.str_matches(PERIOD_PATTERN), required=True
        ),
        "business_unit": _col("text", "Business unit the value applies to (empty = all)", "适用业务单元(空=全部)"),
    },
    required_table=False,
    key=["source", "metric", "period", "business_unit"],
    time_column="period",
    unit_column=None,
    en="One row per source, metric and month.",
    zh="每个对标来源、指标、月份一行。",
)

COMPETITOR_FEATURES = _schema(
    "competitor_features",
    {
        "source": _col("text", "Competitor (or 'us')", "竞争对手(或 us 本公司)", required=True),
        "feature": _col("text", "Service feature", "服务功能", required=True),
        "offered": _col("bool", "The feature is offered", "是否提供", required=True),
    },
    required_table=False,
    key=["source", "feature"],
    time_column=None,
    unit_column=None,
    en="One row per competitor and service feature.",
    zh="每个竞争对手、每项服务功能一行。",
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    s.name: s for s in [CONTACTS, SURVEYS, CUSTOMERS, AGENTS, AGENT_MONTHS, BENCHMARKS, COMPETITOR_FEATURES]
}
TABLES = list(SCHEMAS)


def empty_frame(table: str, columns: list[str] | None = None) -> pd.DataFrame:
    """A table with no rows and the contract dtypes of ``columns`` (default: every column of the table)."""
    spec = SCHEMAS[table].columns
    names = columns if columns is not None else list(spec)
    return pd.DataFrame({c: pd.Series(dtype=KIND_TYPES[spec[c].metadata["kind"]][1]) for c in names})
