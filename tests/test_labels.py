"""Display names of data values (params/labels.yml, a mapping's labels): defaults, precedence, where they are
resolved from, that ``csreport init`` ships them, and that a report names its data by them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csreport.data.mapping import load_mapping, run_labels
from csreport.errors import ParameterError
from csreport.language.labels import Labels, default_label, load_labels, parse_labels
from csreport.settings import Settings, packaged

ROOT = Path(__file__).parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("code", "shown"),
    [("wechat_service", "Wechat service"), ("WeChat service", "WeChat service"), ("east-1", "East-1"),
     ("24/7 phone support", "24/7 phone support"), ("technical", "Technical")],
)  # fmt: skip
def test_a_code_nobody_named_is_shown_in_sentence_case(code, shown):
    assert default_label(code) == shown
    assert Labels().name("category", code, "zh") == shown


def test_names_by_kind_or_column_with_english_as_fallback():
    labels = parse_labels({"channels": {"chat": {"en": "Chat", "zh": "在线"}, "fax": "Fax"}}, "labels.yml")
    assert labels.name("channel", "chat", "zh") == "在线" and labels.name("channels", "chat", "en") == "Chat"
    assert labels.name("channel", "fax", "zh") == "Fax"  # no Chinese name: the English one
    assert labels.name("plan", "gold_plus", "zh") == "Gold plus"  # an extra column of the data: default
    assert labels.name("segment", None, "en") == ""


def test_a_mapping_names_the_codes_it_creates_and_wins(tmp_path):
    """params/mapping/helpdesk_cn.yml maps 华南 → south and names south 华南 (its own word), over labels.yml."""
    mapping = load_mapping(ROOT / "params/mapping/helpdesk_cn.yml")
    assert mapping.labels.name("units", "south", "zh") == "华南"
    assert mapping.labels.name("channel", "chat", "zh") == "在线客服"  # the export's word, not labels.yml's 在线
    labels = load_labels(packaged("params/labels.yml"), mapping.labels)
    assert labels.name("channel", "chat", "zh") == "在线客服" and labels.name("channel", "chat", "en") == "Chat"
    settings = Settings.resolve(mapping=ROOT / "params/mapping/helpdesk_cn.yml")
    assert run_labels(settings).name("channel", "chat", "zh") == "在线客服"


def test_labels_file_errors_name_the_file_and_the_entry(tmp_path):
    path = tmp_path / "labels.yml"
    path.write_text("units:\n  east: [East, 华东]\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"labels.yml: label of units 'east' must be a mapping of language"):
        load_labels(path)
    path.write_text("units: east\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"labels 'units' must map codes to names"):
        load_labels(path)


def test_settings_resolve_the_labels_file_and_init_ships_it(tmp_path, monkeypatch):
    from csreport.pipeline.project import init_project

    monkeypatch.chdir(tmp_path)
    assert Settings.resolve().labels == packaged("params/labels.yml")
    project = tmp_path / "project"
    init_project(project)
    assert (project / "params" / "labels.yml").read_bytes() == (ROOT / "params" / "labels.yml").read_bytes()
    assert Settings.resolve(project_dir=project).labels == project / "params" / "labels.yml"


def test_the_sample_data_s_codes_all_have_chinese_names(sample_dir):
    """Every code of the sample's named columns has a Chinese name in params/labels.yml: a Chinese report of
    the sample shows no English data value."""
    import pandas as pd

    labels = load_labels(ROOT / "params" / "labels.yml")
    columns = {"contacts": ["business_unit", "channel", "category"], "customers": ["segment", "region", "gender"],
               "agents": ["team"], "competitor_features": ["feature", "source"]}  # fmt: skip
    unnamed = []
    for table, names in columns.items():
        frame = pd.read_parquet(sample_dir / f"{table}.parquet", columns=names)
        for column in names:
            for code in frame[column].dropna().unique():
                kind = {"business_unit": "units", "source": "competitors"}.get(column, column)
                if code != "us" and labels.names.get(_kind(kind), {}).get(code, {}).get("zh") is None:
                    unnamed.append((column, code))
    assert not unnamed, unnamed


def _kind(column: str) -> str:
    from csreport.language.labels import COLUMN_KINDS

    return COLUMN_KINDS.get(column, column)


def test_report_title_and_sentences_name_the_unit_by_its_label(tmp_path):
    from csreport.report.chapters import background, open_report

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "contacts_required_only.csv", data / "contacts.csv")
    params = tmp_path / "params"
    params.mkdir()
    (params / "labels.yml").write_text("units:\n  east: {en: East China, zh: 华东}\n", encoding="utf-8")
    ctx = open_report("2026-08", "east", "zh", data, tmp_path / "validated", params_dir=params)
    section = background.title(ctx)
    assert section.heading == "客户服务分析报告：华东，2026 年 8 月"
    en = open_report("2026-08", "east", "en", data, tmp_path / "validated", params_dir=params)
    assert background.title(en).heading == "Customer service report: East China, August 2026"
    assert "It covers East China in August 2026" in " ".join(background.scope(en).sentences)


def test_scorecard_shows_what_the_data_can_measure_and_lists_the_rest_under_it(tmp_path):
    """A contacts-only export with the required columns: the KPIs it cannot measure (a column or table
    missing) are not rows of n/a but one line under the table, with what they need; the exports keep them."""
    from csreport.report.chapters import background, open_report

    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "contacts_required_only.csv", data / "contacts.csv")
    ctx = open_report("2026-08", "east", "en", data, tmp_path / "validated")
    section = background.kpi_scorecard(ctx)
    [table] = section.tables
    assert table["KPI"].tolist() == ["Contacts"]  # the one KPI these data measure
    line = section.sentences[-1]
    assert line.startswith("Not measurable on these data, so left out of the table: ")
    assert "Service level, Average speed of answer, Abandonment rate (contacts has no queue_wait_s, abandoned " in line
    assert "CSAT (mean, 1–5)" in line and "(no surveys table)" in line and "(no customers table)" in line
    assert len(ctx.scorecard) == 25  # the scorecard (and its export) keeps every KPI
    zh = open_report("2026-08", "east", "zh", data, tmp_path / "validated")
    line = background.kpi_scorecard(zh).sentences[-1]
    assert line.startswith("以下指标无法用这些数据计算，未列入上表：服务水平、平均应答速度、放弃率（contacts 表缺少")


def test_empty_columns_are_not_shown():
    import pandas as pd

    from csreport.report.chapters.output import without_empty_columns

    frame = pd.DataFrame({"KPI": ["a", "b"], "Value": ["1", "2"], "Note": ["", None]})
    assert list(without_empty_columns(frame).columns) == ["KPI", "Value"]
    assert list(without_empty_columns(frame.assign(Note=["", "x"])).columns) == ["KPI", "Value", "Note"]


def test_chinese_headers_are_one_word_their_columns_fit_them():
    """每次联络成本 never breaks inside the word: its column is at least the whole header wide (Typst breaks
    Chinese between any two characters, so only the width keeps it whole); an English header wraps at spaces."""
    import pandas as pd

    from csreport.report.chapters.output import TABLE_INSET_PT, column_widths, text_points

    frame = pd.DataFrame({"流程": ["工单·技术"], "每次联络成本": ["¥9.58"], "Spend at risk/month": ["CN¥1.00"]})
    widths = column_widths(frame)
    assert widths[1] >= text_points("每次联络成本") * 1.08 + 2 * TABLE_INSET_PT - 1e-9
    assert widths[2] < text_points("Spend at risk/month") * 1.08 + 2 * TABLE_INSET_PT
