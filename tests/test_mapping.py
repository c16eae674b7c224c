from pathlib import Path

import pandas as pd
import pytest

from csreport.data.ingest import ingest
from csreport.data.mapping import load_mapping
from csreport.errors import ParameterError

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "params" / "mapping" / "helpdesk_cn.yml"
EXPORT = Path(__file__).parent / "fixtures" / "helpdesk_cn"


def test_example_mapping_reads_the_chinese_export(tmp_path):
    report = ingest(EXPORT, tmp_path / "out", load_mapping(EXAMPLE))
    contacts = pd.read_parquet(tmp_path / "out" / "store" / "contacts.parquet").set_index("contact_id")
    # 5 rows in the GBK export; T005 has channel 传真 (fax), which the mapping does not know
    assert report.tables["contacts"].rows_read == 5
    assert report.tables["contacts"].rows_quarantined == 1
    assert report.tables["contacts"].encoding == "gb18030"
    assert contacts.loc["T001", "channel"] == "phone" and contacts.loc["T002", "channel"] == "chat"
    assert contacts.loc["T003", "business_unit"] == "south" and contacts.loc["T002", "category"] == "delivery"
    assert contacts.loc["T002", "is_complaint"] and contacts.loc["T004", "abandoned"]
    assert contacts.loc["T001", "created_at"] == pd.Timestamp("2026-10-08 09:15")
    surveys = pd.read_parquet(tmp_path / "out" / "store" / "surveys.parquet").set_index("survey_id")
    assert surveys["csat"].to_dict() == {"Q1": 5, "Q2": 2}  # 非常满意 → 5, 不满意 → 2; Q3 "满分" is unmapped
    q = pd.read_csv(tmp_path / "out" / "quarantine" / "surveys.csv")
    assert q[["source_row", "column", "rule", "value"]].values.tolist() == [[7, "csat", "type:int", "满分"]]


def test_constants_fill_a_missing_column(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "contacts.csv").write_text("contact_id,created_at,channel\nC1,2026-10-01 09:00:00,phone\n")
    mapping = tmp_path / "m.yml"
    mapping.write_text("tables:\n  contacts:\n    constants: {business_unit: east}\n")
    ingest(data, tmp_path / "out", load_mapping(mapping))
    assert pd.read_parquet(tmp_path / "out" / "store" / "contacts.parquet")["business_unit"].tolist() == ["east"]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("tables:\n  tickets: {}\n", "unknown table 'tickets'"),
        (
            "tables:\n  contacts:\n    columns: {created: 创建时间}\n",
            r"'contacts.created' is not a column of the contract",
        ),
        ("tables:\n  contacts:\n    colums: {}\n", "unknown keys \\['colums'\\]"),
        ("tables: [\n", "not valid YAML"),
    ],
)
def test_bad_mapping_files(tmp_path, text, match):
    path = tmp_path / "m.yml"
    path.write_text(text)
    with pytest.raises(ParameterError, match=match):
        load_mapping(path)


def test_missing_mapping_file(tmp_path):
    with pytest.raises(ParameterError, match="mapping file not found"):
        load_mapping(tmp_path / "nope.yml")
