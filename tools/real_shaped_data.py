"""Three data sets shaped like real helpdesk exports, derived from the generated sample (reading only).

    python tools/real_shaped_data.py [--sample data/sample] [--out data/real]

writes ``<out>/required/`` (the four required contact columns only, no other table), ``<out>/partial/`` (every
table, about four months of history, the last month cut on its 12th) and ``<out>/cn/`` (a Chinese helpdesk
export for ``--mapping params/mapping/helpdesk_cn.yml``: GB18030 CSV with Chinese headers and codes, mixed
timestamp formats and offsets, an Excel survey sheet with title rows, and bad rows to quarantine).

Unlike the generator: uneven monthly volumes, days without data (an outage week, random missing days), a tiny
unit, agents with a handful of contacts, duplicated ids. Same seed, same files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261130


def _uneven(contacts: pd.DataFrame, rng: np.random.Generator, drop_days: float = 0.08) -> pd.DataFrame:
    """Keep a random share of each month (40–100 %) and drop a random set of whole days."""
    month = contacts["created_at"].dt.strftime("%Y-%m")
    keep_month = {m: rng.uniform(0.4, 1.0) for m in sorted(month.unique())}
    kept = contacts[rng.random(len(contacts)) < month.map(keep_month)]
    days = kept["created_at"].dt.normalize()
    dropped = {d for d in days.unique() if rng.random() < drop_days}
    return kept[~days.isin(dropped)]


def required(sample: Path, out: Path, rng: np.random.Generator) -> None:
    """East over 2025-12…2026-10 (11 months, a 9-day outage in August), a tiny unit 'pilot' from June 2026 with
    a few contacts a month, 5 duplicated contact ids and 2 rows of an unknown channel."""
    c = pd.read_parquet(sample / "contacts.parquet", columns=["contact_id", "created_at", "business_unit", "channel"])
    c = c[(c["created_at"] >= "2025-12-01") & (c["created_at"] < "2026-11-01")]
    east = _uneven(c[c["business_unit"] == "east"], rng)
    east = east[~east["created_at"].between("2026-08-10", "2026-08-19")]
    pilot = c[(c["business_unit"] == "west") & (c["created_at"] >= "2026-06-01")]
    pilot = pilot.sample(n=60, random_state=SEED).assign(business_unit="pilot")
    frame = pd.concat([east, pilot]).sort_values("created_at")
    frame["channel"] = frame["channel"].str.capitalize()  # "Phone": codes come in any case
    dupes = frame.sample(n=5, random_state=SEED).assign(channel="Email")
    fax = frame.sample(n=2, random_state=SEED + 1).assign(contact_id=lambda d: d["contact_id"] + "-F", channel="Fax")
    frame = pd.concat([frame, dupes, fax]).sort_values("created_at")
    frame["created_at"] = frame["created_at"].dt.strftime("%Y-%m-%d %H:%M:%S")
    target = out / "required"
    target.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target / "contacts.csv", index=False)


def partial(sample: Path, out: Path, rng: np.random.Generator) -> None:
    """Every table, east and west, contacts and surveys from 2026-07-01 to 2026-10-12 (the last month cut on its
    12th); customers, agents and agent months as they were known at the cut-off; 12 temporary agents with 2–9
    contacts each, not in the agents table."""
    start, cut = pd.Timestamp("2026-07-01"), pd.Timestamp("2026-10-13")
    units = ["east", "west"]
    c = pd.read_parquet(sample / "contacts.parquet")
    c = c[c["business_unit"].isin(units) & (c["created_at"] >= start) & (c["created_at"] < cut)]
    c = _uneven(c, rng, drop_days=0.05)
    for col in ("first_response_at", "resolved_at"):  # nothing is known after the cut-off
        late = c[col] >= cut
        c.loc[late, col] = pd.NaT
        if col == "resolved_at" and "resolved" in c.columns:
            c.loc[late, "resolved"] = False
    temps = c.sample(n=60, random_state=SEED).index
    c.loc[temps, "agent_id"] = [f"TMP{int(k):02d}" for k in rng.integers(1, 13, len(temps))]
    s = pd.read_parquet(sample / "surveys.parquet")
    s = s[s["business_unit"].isin(units) & (s["responded_at"] >= start) & (s["responded_at"] < cut)]
    s = s[s["contact_id"].isna() | s["contact_id"].isin(c["contact_id"])]
    cu = pd.read_parquet(sample / "customers.parquet")
    cu = cu[cu["business_unit"].isin(units) & (cu["signup_date"] < cut)]
    cu.loc[cu["churn_date"] >= cut, "churn_date"] = pd.NaT
    ag = pd.read_parquet(sample / "agents.parquet")
    ag = ag[ag["business_unit"].isin(units) & (ag["hire_date"] < cut)]
    left_late = ag["leave_date"] >= cut
    ag.loc[left_late, "leave_date"] = pd.NaT
    ag.loc[left_late, "leave_type"] = None
    am = pd.read_parquet(sample / "agent_months.parquet")
    am = am[am["agent_id"].isin(ag["agent_id"]) & (am["period"] >= "2026-07") & (am["period"] <= "2026-10")]
    target = out / "partial"
    target.mkdir(parents=True, exist_ok=True)
    for name, frame in {"contacts": c, "surveys": s, "customers": cu, "agents": ag, "agent_months": am}.items():
        frame.to_parquet(target / f"{name}.parquet", index=False)
    for name in ("benchmarks", "competitor_features"):
        frame = pd.read_parquet(sample / f"{name}.parquet")
        if "period" in frame.columns:
            frame = frame[frame["period"] <= "2026-10"]
        frame.to_parquet(target / f"{name}.parquet", index=False)


CN_UNITS = {"east": "华东", "south": "华南"}
CN_CHANNELS = {"phone": "电话", "chat": "在线客服", "email": "邮件", "ticket": "工单", "social": "微博"}
CN_CATEGORIES = {"billing": "账单", "technical": "技术", "delivery": "物流", "account": "账户", "returns": "退换货",
                 "product": "产品"}  # fmt: skip
CN_CSAT = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
CN_COMMENTS = ["等了很久才有人接电话", "客服态度很好,问题一次解决", "退款到现在还没到账",
               "物流太慢了,催了三次", "账单多扣了钱,请尽快处理", "APP 登录不了,联系 13812345678", "还行吧",
               "非常感谢小王的耐心解答"]  # fmt: skip


def _cn_time(ts: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Mostly "2026/10/08 09:15" (local), some ISO with Z (UTC) or +09:00, some "2026年10月08日 09:15"."""
    pick = rng.random(len(ts))
    utc = (ts.dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC")).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    tokyo = (ts.dt.tz_localize("Asia/Shanghai").dt.tz_convert("Asia/Tokyo")).dt.strftime("%Y-%m-%dT%H:%M:%S+09:00")
    text = ts.dt.strftime("%Y/%m/%d %H:%M")
    text = text.where(pick >= 0.10, utc)
    text = text.where((pick < 0.10) | (pick >= 0.15), tokyo)
    text = text.where((pick < 0.15) | (pick >= 0.22), ts.dt.strftime("%Y年%m月%d日 %H:%M"))
    return text.where(ts.notna(), "")


def cn(sample: Path, out: Path, rng: np.random.Generator) -> None:
    """East and south, 2026-03…2026-10, as a Chinese helpdesk export (the columns of params/mapping/helpdesk_cn.yml
    only), with 12 bad rows: 3 duplicated 工单号, 2 unknown channels (传真), 2 unreadable times, 2 negative waits,
    2 resolved before created, 1 unknown unit code; surveys as an Excel sheet with two title rows."""
    c = pd.read_parquet(sample / "contacts.parquet")
    c = c[c["business_unit"].isin(CN_UNITS) & (c["created_at"] >= "2026-03-01") & (c["created_at"] < "2026-11-01")]
    c = _uneven(c, rng).sample(frac=0.35, random_state=SEED).sort_values("created_at")
    frame = pd.DataFrame(
        {
            "工单号": "GD" + c["contact_id"].str.replace(r"\D", "", regex=True),
            "创建时间": _cn_time(c["created_at"], rng),
            "业务单元": c["business_unit"].map(CN_UNITS),
            "渠道": c["channel"].map(CN_CHANNELS),
            "问题类别": c["category"].map(CN_CATEGORIES).fillna(c["category"]),
            "是否投诉": c["is_complaint"].map({True: "是", False: "否"}),
            "客户编号": c["customer_id"],
            "坐席工号": c["agent_id"],
            "排队秒数": c["queue_wait_s"].round(0),
            "是否放弃": c["abandoned"].map({True: "是", False: "否"}),
            "处理秒数": c["handle_s"].round(0),
            "解决时间": c["resolved_at"].dt.strftime("%Y/%m/%d %H:%M").fillna(""),
        }
    ).reset_index(drop=True)
    bad = frame.sample(n=12, random_state=SEED).index
    frame = pd.concat([frame, frame.loc[bad[:3]]])  # duplicated ids
    frame.loc[bad[3:5], "渠道"] = "传真"
    frame.loc[bad[5:7], "创建时间"] = ["未知", "2026-13-45 25:00"]
    frame.loc[bad[7:9], "排队秒数"] = -30
    frame.loc[bad[9:11], "解决时间"] = "2026/01/01 00:00"
    frame.loc[bad[11:12], "业务单元"] = "总部"
    target = out / "cn"
    target.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target / "工单导出.csv", index=False, encoding="gb18030")
    s = pd.read_parquet(sample / "surveys.parquet")
    ids = dict(zip(c["contact_id"], "GD" + c["contact_id"].str.replace(r"\D", "", regex=True), strict=True))
    s = s[s["contact_id"].isin(ids)].copy()
    comments = rng.choice(CN_COMMENTS, len(s))
    surveys = pd.DataFrame(
        {
            "问卷编号": "WJ" + s["survey_id"].str.replace(r"\D", "", regex=True),
            "回复时间": s["responded_at"].dt.strftime("%Y/%m/%d %H:%M"),
            "业务单元": s["business_unit"].map(CN_UNITS),
            "工单号": s["contact_id"].map(ids),
            "满意度": s["csat"].map(CN_CSAT),
            "评价内容": np.where(rng.random(len(s)) < 0.6, comments, ""),
        }
    )
    with pd.ExcelWriter(target / "满意度调查.xlsx") as writer:
        pd.DataFrame([["满意度调查导出"], ["导出时间:2026-11-01"]]).to_excel(writer, index=False, header=False)
        surveys.to_excel(writer, index=False, startrow=3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, default=Path("data/sample"))
    parser.add_argument("--out", type=Path, default=Path("data/real"))
    args = parser.parse_args()
    for build in (required, partial, cn):
        build(args.sample, args.out, np.random.default_rng(SEED))
        print("wrote", args.out / build.__name__)


if __name__ == "__main__":
    main()
