"""The SQL compiler must agree with pandera, the one definition of every rule."""

import duckdb
import pandas as pd
import pandera.pandas as pa
import pytest

from csreport.data.ingest_sql import checked_query, typed_expression
from csreport.data.mapping import TableMapping
from csreport.data.reader import open_file
from csreport.data.schemas import SCHEMAS

PANDERA_RULES = {"not_nullable": "null", "field_uniqueness": "unique", "multiple_fields_uniqueness": "unique"}


def _sql_and_pandera(path, table, tmp_path):
    con = duckdb.connect()
    raw = open_file(con, table, path, TableMapping(), tmp_path)
    query, columns = checked_query(raw, TableMapping(), "Asia/Shanghai")
    frame = con.execute(query).df()
    schema = SCHEMAS[table]
    sql = set()
    for row, violations in zip(frame["_row"], frame["_violations"], strict=True):
        if violations is None or violations is pd.NA:
            continue
        for v in violations:
            rule = v["rule"]
            required = schema.columns[v["column"]].metadata["required"]
            if rule.startswith("type:") and not required:
                continue  # an unparsable optional value becomes null, which pandera cannot see
            sql.add((int(row), v["column"], "null" if rule == "required" or rule.startswith("type:") else rule))
    typed = frame.drop(columns=["_violations", "_bad"]).set_index("_row")
    typed = typed.astype({c: schema.columns[c].dtype.type for c in columns if c in typed}, errors="ignore")
    found = set()
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for case in cases.itertuples():
            check = str(case.check).split("(")[0]
            rule = "not_before" if "must not be before" in check else PANDERA_RULES.get(check, check)
            if rule == "dtype" or pd.isna(case.index):
                continue
            column = case.column if isinstance(case.column, str) and case.column in columns else None
            if rule == "not_before":
                column = next(
                    c.column
                    for c in schema.metadata["cross_checks"]
                    if c.column in columns
                    and pd.notna(typed.loc[case.index, c.column])
                    and pd.notna(typed.loc[case.index, c.other])
                    and typed.loc[case.index, c.column] < typed.loc[case.index, c.other]
                )
            if rule == "unique" and column is None:
                column = schema.metadata["key"][0]
            found.add((int(case.index), column, rule))
    return sql, found


@pytest.mark.parametrize(
    ("table", "fixture"),
    [
        ("contacts", "contacts_bad_rows.csv"),
        ("surveys", "surveys_out_of_range.csv"),
        ("agent_months", "agent_months_bad_period.csv"),
        ("contacts", "contacts_valid.csv"),
    ],
)
def test_sql_finds_what_pandera_finds(table, fixture, tmp_path):
    from tests.conftest import FIXTURES

    sql, pandera_found = _sql_and_pandera(FIXTURES / fixture, table, tmp_path)
    # pandera flags every copy of a duplicated key; the first copy is kept by design, so compare later copies
    first_copies = {f for f in pandera_found if f[2] == "unique"} - {s for s in sql if s[2] == "unique"}
    assert sql == pandera_found - first_copies


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("bool", "是", True),
        ("bool", "否", False),
        ("bool", "Yes", True),
        ("bool", "0", False),
        ("bool", "2", None),
        ("int", "5", 5),
        ("int", "5.0", 5),
        ("int", "4.5", None),
        ("float", "12.5", 12.5),
        ("float", "1e3", 1000.0),
        ("code", " Phone ", "phone"),
        ("text", "  ", None),
        ("period", "2026-7", "2026-07"),
        ("period", "2026-10-15", "2026-10"),
        ("date", "2026/10/05", pd.Timestamp("2026-10-05").date()),
    ],
)
def test_typed_expression(kind, text, expected):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    value = con.execute(f"SELECT {typed_expression(kind, '$1', 'VARCHAR', (), 'Asia/Shanghai')}", [text]).fetchone()
    assert value[0] == expected


def test_custom_timestamp_format_from_mapping():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    expr = typed_expression("timestamp", "$1", "VARCHAR", ("%d.%m.%Y %H:%M",), "Asia/Shanghai")
    assert con.execute(f"SELECT {expr}", ["05.10.2026 14:30"]).fetchone()[0] == pd.Timestamp("2026-10-05 14:30")
