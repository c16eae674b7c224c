"""Compile a pandera table schema (:mod:`csreport.schemas`) into DuckDB SQL that types and checks every row.

Pandera is the one definition of each rule; this module executes the same rules inside DuckDB, because checking
ten million rows in pandas is several times slower. ``tests/test_ingest_sql.py`` runs pandera's own lazy
validation on the fixtures and asserts it finds the same (row, column, rule) failures as this compiler.

Each row gets a list ``_violations`` of ``{column, rule, value}`` structs; a row is accepted when it is empty.
Rule names: ``type:<kind>`` (value does not parse), ``required`` (empty required value), ``isin``, ``in_range``,
``greater_than_or_equal_to``, ``str_matches`` (pandera's check names), ``unique`` (a key seen in an earlier row)
and ``not_before`` (e.g. resolved_at earlier than created_at).
"""

from __future__ import annotations

import pandera.pandas as pa

from csreport.mapping import TableMapping
from csreport.reader import RawTable
from csreport.schemas import SCHEMAS
from csreport.sql import literal, quote

TRUE_WORDS = ("true", "t", "1", "1.0", "yes", "y", "是", "对", "真")
FALSE_WORDS = ("false", "f", "0", "0.0", "no", "n", "否", "错", "假")
DEFAULT_TIMESTAMP_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
    "%Y%m%d %H:%M:%S",
    "%Y%m%d",
)
_NUMERIC = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "FLOAT",
    "DOUBLE",
    "DECIMAL",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
)


def _is_numeric(sql_type: str) -> bool:
    return sql_type.upper().startswith(_NUMERIC)


def _text(expr: str) -> str:
    return f"NULLIF(trim(CAST({expr} AS VARCHAR)), '')"


def _words(words: tuple[str, ...]) -> str:
    return ", ".join(literal(w) for w in words)


def typed_expression(kind: str, raw: str, source_type: str, formats: tuple[str, ...], tz: str) -> str:
    """SQL that turns the raw value ``raw`` (DuckDB type ``source_type``) into the contract type of ``kind``.

    Values that do not parse become NULL; the caller compares with the raw value to report them.
    """
    st = source_type.upper()
    s = _text(raw)
    if kind == "text":
        return s
    if kind == "code":
        return f"lower({s})"
    if kind in ("timestamp", "date"):
        if st.startswith("TIMESTAMP WITH TIME ZONE"):
            ts = f"timezone({literal(tz)}, {raw})"
        elif st.startswith(("TIMESTAMP", "DATE")):
            ts = f"CAST({raw} AS TIMESTAMP)"
        else:
            fmts = "[" + ", ".join(literal(f) for f in (*formats, *DEFAULT_TIMESTAMP_FORMATS)) + "]"
            ts = f"COALESCE(timezone({literal(tz)}, TRY_CAST({s} AS TIMESTAMPTZ)), TRY_STRPTIME({s}, {fmts}))"
        return ts if kind == "timestamp" else f"CAST({ts} AS DATE)"
    if kind == "period":
        if st.startswith(("TIMESTAMP", "DATE")):
            return f"strftime({raw}, '%Y-%m')"
        return (
            f"CASE WHEN regexp_full_match({s}, '\\d{{4}}-\\d{{1,2}}') "
            f"THEN strftime(TRY_STRPTIME({s}, '%Y-%m'), '%Y-%m') "
            f"ELSE strftime(TRY_CAST({s} AS DATE), '%Y-%m') END"
        )
    if kind == "float":
        return f"CAST({raw} AS DOUBLE)" if _is_numeric(st) else f"TRY_CAST({s} AS DOUBLE)"
    if kind == "int":
        d = f"CAST({raw} AS DOUBLE)" if _is_numeric(st) else f"TRY_CAST({s} AS DOUBLE)"
        return f"(CASE WHEN {d} = round({d}) THEN CAST({d} AS BIGINT) END)"
    if kind == "bool":
        if st == "BOOLEAN":
            return raw
        if _is_numeric(st):
            return f"(CASE WHEN {raw} = 1 THEN TRUE WHEN {raw} = 0 THEN FALSE END)"
        return (
            f"(CASE WHEN lower({s}) IN ({_words(TRUE_WORDS)}) THEN TRUE "
            f"WHEN lower({s}) IN ({_words(FALSE_WORDS)}) THEN FALSE END)"
        )
    raise ValueError(f"unknown column kind {kind!r}")


def _check_condition(check: pa.Check, col: str) -> str:
    """SQL that is true when the typed value in ``col`` fails the pandera ``check``."""
    stats, c = check.statistics, quote(col)
    if check.name == "isin":
        return f"{c} NOT IN ({', '.join(literal(v) for v in stats['allowed_values'])})"
    if check.name == "in_range":
        return f"({c} < {literal(stats['min_value'])} OR {c} > {literal(stats['max_value'])})"
    if check.name == "greater_than_or_equal_to":
        return f"{c} < {literal(stats['min_value'])}"
    if check.name == "str_matches":
        return f"NOT regexp_matches({c}, {literal(stats['pattern'])})"
    raise NotImplementedError(f"pandera check {check.name!r} has no SQL translation; add one here")


def _value_codes(raw: str, codes: dict[str, object]) -> str:
    cases = " ".join(f"WHEN {literal(k)} THEN {literal(str(v))}" for k, v in codes.items())
    return f"(CASE trim(CAST({raw} AS VARCHAR)) {cases} ELSE CAST({raw} AS VARCHAR) END)"


def present_columns(raw: RawTable, tmap: TableMapping) -> list[str]:
    """Contract columns available in this source, by mapping, own name or constant, in contract order."""
    return [c for c in SCHEMAS[raw.table].columns if tmap.source_name(c) in raw.types or c in tmap.constants]


def missing_required(raw: RawTable, tmap: TableMapping) -> list[str]:
    """Required contract columns the source does not provide."""
    present = set(present_columns(raw, tmap))
    return [c for c in SCHEMAS[raw.table].metadata["required_columns"] if c not in present]


def checked_query(raw: RawTable, tmap: TableMapping, tz: str) -> tuple[str, list[str]]:
    """SQL selecting ``_row``, the typed contract columns and ``_violations`` from the raw view.

    Returns the query and the list of contract columns it yields.
    """
    schema = SCHEMAS[raw.table]
    columns = present_columns(raw, tmap)
    typed, rawtext = [], []
    for col in columns:
        kind = schema.columns[col].metadata["kind"]
        if col in tmap.constants:
            src, src_type = literal(tmap.constants[col]), "VARCHAR"
        else:
            src = quote(tmap.source_name(col))
            src_type = raw.types[tmap.source_name(col)]
            if col in tmap.values:
                src, src_type = _value_codes(src, tmap.values[col]), "VARCHAR"
        typed.append(f"{typed_expression(kind, src, src_type, tmap.timestamp_formats, tz)} AS {quote(col)}")
        rawtext.append(f"{_text(src)} AS {quote('__raw_' + col)}")

    violations = []

    def violation(cond: str, col: str, rule: str) -> None:
        violations.append(
            f'CASE WHEN {cond} THEN struct_pack("column" := {literal(col)}, rule := {literal(rule)}, '
            f"value := {quote('__raw_' + col)}) END"
        )

    for col in columns:
        spec, c, r = schema.columns[col], quote(col), quote("__raw_" + col)
        violation(f"{r} IS NOT NULL AND {c} IS NULL", col, f"type:{spec.metadata['kind']}")
        if spec.metadata["required"]:
            violation(f"{r} IS NULL", col, "required")
        for check in spec.checks:
            violation(_check_condition(check, col), col, check.name)
        if spec.unique:
            violation(f"{c} IS NOT NULL AND row_number() OVER (PARTITION BY {c} ORDER BY _row) > 1", col, "unique")
    key = schema.metadata["key"]
    if len(key) > 1 and all(k in columns for k in key):
        keys = ", ".join(quote(k) for k in key)
        violation(f"row_number() OVER (PARTITION BY {keys} ORDER BY _row) > 1", key[0], "unique")
    for cross in schema.metadata["cross_checks"]:
        if cross.column in columns and cross.other in columns:
            violation(f"{quote(cross.column)} < {quote(cross.other)}", cross.column, cross.rule)

    sql = (
        f"WITH typed AS (SELECT _row, {', '.join(typed + rawtext)} FROM {raw.view}) "
        f"SELECT _row, {', '.join(quote(c) for c in columns)}, "
        f"list_filter([{', '.join(violations)}], lambda v: v IS NOT NULL) AS _violations FROM typed"
    )
    return sql, columns
