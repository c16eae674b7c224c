"""Compile a pandera table schema (:mod:`csreport.data.schemas`) into DuckDB SQL that types and checks every row.

Pandera is the one definition of each rule; this module executes the same rules inside DuckDB, because checking
ten million rows in pandas is several times slower. ``tests/test_ingest_sql.py`` runs pandera's own lazy
validation on the fixtures and asserts it finds the same (row, column, rule) failures as this compiler.

Each row gets a list ``_violations`` of ``{column, rule, value}`` structs; a row is accepted when it is empty.
Rule names: ``type:<kind>`` (value does not parse), ``required`` (empty required value), ``isin``, ``in_range``,
``greater_than_or_equal_to``, ``str_matches`` (pandera's check names), ``unique`` (a key seen in an earlier row)
and ``not_before`` (e.g. resolved_at earlier than created_at).
"""

from __future__ import annotations

import difflib

import pandera.pandas as pa

from csreport.data.mapping import TableMapping
from csreport.data.reader import RawTable
from csreport.data.schemas import SCHEMAS
from csreport.data.sql import literal, quote

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
_INTEGER = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
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


def _text(expr: str, trim: bool = True) -> str:
    if not trim:
        return f"NULLIF(CAST({expr} AS VARCHAR), '')"
    return f"NULLIF(trim(CAST({expr} AS VARCHAR)), '')"


def _words(words: tuple[str, ...]) -> str:
    return ", ".join(literal(w) for w in words)


def typed_expression(
    kind: str, raw: str, source_type: str, formats: tuple[str, ...], tz: str, trim: bool = True
) -> str:
    """SQL that turns the raw value ``raw`` (DuckDB type ``source_type``) into the contract type of ``kind``.

    Values that do not parse become NULL; the caller compares with the raw value to report them. Text is
    trimmed when ``trim`` (CSV and Excel, which people edit by hand); in typed sources whitespace is data.
    """
    st = source_type.upper()
    s = _text(raw, trim and st == "VARCHAR") if st == "VARCHAR" else _text(raw)
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


#: tables whose extra columns (not in the contract, not mapped) are kept in the store, as BRIEF §3 says: a
#: customer's plan or contract type may be analysed as an attribute (csreport.analyses.churn_groups)
KEEPS_EXTRA_COLUMNS = {"customers"}


def extra_columns(raw: RawTable, tmap: TableMapping) -> list[str]:
    """Source columns of ``raw`` that are neither contract columns nor mapped onto one, in source order, for
    the tables in :data:`KEEPS_EXTRA_COLUMNS` (others: none). Names starting with ``_`` are csreport's own."""
    if raw.table not in KEEPS_EXTRA_COLUMNS:
        return []
    schema = SCHEMAS[raw.table]
    used = {tmap.source_name(c) for c in schema.columns} | set(schema.columns)
    return [c for c in raw.types if c not in used and not c.startswith("_") and c.strip()]


def unknown_columns(raw: RawTable, tmap: TableMapping) -> list[dict]:
    """Source columns of ``raw`` that no contract column reads (neither its name nor its mapped name), in source
    order: ``{"column", "kept", "did_you_mean"}``. ``kept``: stored as an attribute (:func:`extra_columns`);
    ``did_you_mean``: the contract column the source lacks whose name is closest (``handle_time`` →
    ``handle_s``; :func:`difflib.get_close_matches`), or None. Names starting with ``_`` are csreport's own."""
    schema = SCHEMAS[raw.table]
    used = {tmap.source_name(c) for c in schema.columns} | set(schema.columns)
    absent = [c for c in schema.columns if c not in present_columns(raw, tmap)]
    kept = set(extra_columns(raw, tmap))
    found = []
    for column in raw.columns:
        if column in used or column.startswith("_") or not column.strip():
            continue
        close = difflib.get_close_matches(column.strip().lower(), absent, n=1, cutoff=0.6)
        found.append({"column": column, "kept": column in kept, "did_you_mean": close[0] if close else None})
    return found


def missing_required(raw: RawTable, tmap: TableMapping) -> list[str]:
    """Required contract columns the source does not provide."""
    present = set(present_columns(raw, tmap))
    return [c for c in SCHEMAS[raw.table].metadata["required_columns"] if c not in present]


def _can_fail_to_parse(kind: str, source_type: str) -> bool:
    """Whether a value of ``source_type`` can fail to become ``kind`` (text never fails; typed sources rarely)."""
    st = source_type.upper()
    if kind in ("text", "code"):
        return False
    if st == "VARCHAR":
        return True
    if kind in ("float",):
        return not _is_numeric(st)
    if kind in ("timestamp", "date", "period"):
        return not st.startswith(("TIMESTAMP", "DATE"))
    if kind == "bool":
        return st != "BOOLEAN"  # a number can be 2
    return not st.startswith(_INTEGER)  # kind int: a float column can hold 4.5


def _typed_columns(raw: RawTable, tmap: TableMapping, tz: str):
    """Typed-column SQL, raw-text SQL for columns parsed from text, the SQL of each column's shown value."""
    schema = SCHEMAS[raw.table]
    columns = present_columns(raw, tmap)
    typed, rawtext, value_of = [], [], {}
    from_text: set[str] = set()  # columns parsed from text, which can fail to parse
    for col in columns:
        kind = schema.columns[col].metadata["kind"]
        if col in tmap.constants:
            src, src_type = literal(tmap.constants[col]), "VARCHAR"
        else:
            src = quote(tmap.source_name(col))
            src_type = raw.types[tmap.source_name(col)]
            if col in tmap.values:
                src, src_type = _value_codes(src, tmap.values[col]), "VARCHAR"
        trim = raw.kind in ("csv", "excel") or col in tmap.values or col in tmap.constants
        typed.append(f"{typed_expression(kind, src, src_type, tmap.timestamp_formats, tz, trim)} AS {quote(col)}")
        if _can_fail_to_parse(kind, src_type):
            rawtext.append(f"{_text(src)} AS {quote('__raw_' + col)}")
            value_of[col] = quote("__raw_" + col)
            from_text.add(col)
        else:
            value_of[col] = f"CAST({quote(col)} AS VARCHAR)"
    for col in extra_columns(raw, tmap):  # kept as they come (text from CSV and Excel, trimmed; empty = NULL)
        src = quote(col)
        if raw.kind in ("csv", "excel"):
            src = f"NULLIF(trim(CAST({src} AS VARCHAR)), '')"
        typed.append(f"{src} AS {quote(col)}")

    return schema, columns, typed, rawtext, value_of, from_text


def reference_select(raw: RawTable, tmap: TableMapping, tz: str) -> str | None:
    """SELECT of ``_row`` and the typed columns straight from a typed Parquet source, or None.

    Possible when the source needs no text parsing and no code mapping: then the store can read the source
    itself (typing on the fly) instead of a copy, and ingestion costs one validating scan.
    """
    if raw.source_sql is None or tmap.values or tmap.constants:
        return None
    _, columns, typed, _, _, from_text = _typed_columns(raw, tmap, tz)
    if from_text:
        return None
    return f"SELECT _row, {', '.join(typed)} FROM ({raw.source_sql})"


def checked_query(raw: RawTable, tmap: TableMapping, tz: str) -> tuple[str, list[str]]:
    """SQL selecting ``_row``, the typed contract columns, ``_bad``, ``_time_raw`` (the row's time column as
    read, text when it did not parse), ``_month`` (its YYYY-MM, ``unknown`` when absent or unparseable) and
    ``_violations`` from the raw view.

    ``_violations`` is built only for bad rows (NULL otherwise): on clean data the cost is the typing and one
    boolean per rule. Duplicate keys are found with a GROUP BY and a join, not a window over every row; the
    first occurrence of a key (by source row) is kept, later ones are quarantined.
    Returns the query and the list of columns it yields: the contract columns, then the kept extra columns.
    """
    schema, columns, typed, rawtext, value_of, from_text = _typed_columns(raw, tmap, tz)

    conditions: list[tuple[str, str, str]] = []  # (condition, column, rule)
    for col in columns:
        spec, c = schema.columns[col], quote(col)
        if col in from_text:
            conditions.append((f"{value_of[col]} IS NOT NULL AND {c} IS NULL", col, f"type:{spec.metadata['kind']}"))
        if spec.metadata["required"]:
            conditions.append((f"{value_of[col] if col in from_text else c} IS NULL", col, "required"))
        for check in spec.checks:
            conditions.append((_check_condition(check, col), col, check.name))
    key_sets = [[c] for c in columns if schema.columns[c].unique]
    key = schema.metadata["key"]
    if len(key) > 1 and all(k in columns for k in key):
        key_sets.append(key)
    ctes, joins, firsts = [], [], []
    for i, keys in enumerate(key_sets):
        k = ", ".join(quote(x) for x in keys)
        ctes.append(
            f"dup{i} AS (SELECT {k}, min(_row) AS first_row FROM typed WHERE "
            f"{' AND '.join(f'{quote(x)} IS NOT NULL' for x in keys)} GROUP BY ALL HAVING count(*) > 1)"
        )
        joins.append(f"LEFT JOIN dup{i} USING ({k})")
        firsts.append(f"dup{i}.first_row AS _first{i}")
        conditions.append((f"_first{i} IS NOT NULL AND _row > _first{i}", keys[0], "unique"))
    for cross in schema.metadata["cross_checks"]:
        if cross.column in columns and cross.other in columns:
            conditions.append((f"{quote(cross.column)} < {quote(cross.other)}", cross.column, cross.rule))

    kept = columns + extra_columns(raw, tmap)
    # the row's time as read (text when it did not parse) and its month, for the quarantine by month
    time_column = schema.metadata["time_column"]
    if time_column in columns:
        typed_time = quote(time_column)
        kind = schema.columns[time_column].metadata["kind"]
        month = typed_time if kind == "period" else f"strftime({typed_time}, '%Y-%m')"
        timing = (
            f"CASE WHEN _bad THEN {value_of[time_column]} END AS _time_raw, "
            f"CASE WHEN _bad THEN coalesce({month}, 'unknown') END AS _month"
        )  # only for bad rows: on clean data the cost is nil
    else:
        timing = "CAST(NULL AS VARCHAR) AS _time_raw, CASE WHEN _bad THEN 'unknown' END AS _month"
    bad = " OR ".join(f"coalesce({cond}, FALSE)" for cond, _, _ in conditions) or "FALSE"
    structs = ", ".join(
        f'CASE WHEN {cond} THEN struct_pack("column" := {literal(col)}, rule := {literal(rule)}, '
        f"value := {value_of[col]}) END"
        for cond, col, rule in conditions
    )
    sql = (
        f"WITH typed AS NOT MATERIALIZED (SELECT _row, {', '.join(typed + rawtext)} FROM {raw.view})"
        + "".join(f", {cte}" for cte in ctes)
        + f", joined AS (SELECT {', '.join(['typed.*', *firsts])} FROM typed {' '.join(joins)})"
        f", flagged AS (SELECT *, {bad} AS _bad FROM joined) "
        f"SELECT _row, {', '.join(quote(c) for c in kept)}, _bad, {timing}, "
        f"CASE WHEN _bad THEN list_filter([{structs}], lambda v: v IS NOT NULL) END AS _violations FROM flagged"
    )
    return sql, kept
