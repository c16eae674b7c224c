"""Data sets with parts of the contract left out, for the "any subset of optional data" tests.

The full set is simulated once from ``tests/fixtures/scenario_small_export.yml`` (two units, 14 months, about
4,000 contacts) and validated once; a variant is the validated store with one optional table removed or one
optional column dropped from its Parquet copy, so each variant costs a file copy, not a new validation. The
cases come from the schemas (:data:`csreport.data.schemas.SCHEMAS`), never from a hand list.

The combinations (``tests/test_optional_combinations.py``) are a covering array of strength 3 over the presence
of every optional table and column: for any three of them, every combination of present and absent that the
contract allows (a column only in a table that is there) occurs in some case. Finding a small one takes a
minute, so it is kept in ``tests/fixtures/optional_combinations.json``; ``python -m tests.optional_data`` makes it
again from the schemas, and :func:`uncovered` checks the kept one against them.
"""

from __future__ import annotations

import itertools
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from csreport.data.schemas import SCHEMAS
from csreport.data.sql import connect, literal, quote
from csreport.data.store import Store

SCENARIO = Path(__file__).parent / "fixtures" / "scenario_small_export.yml"
COMBINATIONS = Path(__file__).parent / "fixtures" / "optional_combinations.json"


def optional_columns() -> list[tuple[str, str]]:
    """(table, column) for every optional column of every table of the contract."""
    return [
        (table, column)
        for table, schema in SCHEMAS.items()
        for column in schema.columns
        if column not in schema.metadata["required_columns"]
    ]


def optional_tables() -> list[str]:
    return [t for t, schema in SCHEMAS.items() if not schema.metadata["required_table"]]


def required_only() -> dict[str, list[str]]:
    """Every table reduced to its required columns, the optional tables absent: only contacts remains."""
    return {"contacts": SCHEMAS["contacts"].metadata["required_columns"]}


def simulate(out: Path) -> Path:
    """The full small data set as CSV files (the shape of an export)."""
    from csreport.sample.generate import generate
    from csreport.sample.scenario import load_scenario

    raw = out / "raw"
    generate(load_scenario(SCENARIO), raw)
    data = out / "data"
    data.mkdir()
    for table in SCHEMAS:
        frame = pd.read_parquet(raw / f"{table}.parquet")
        frame.to_csv(data / f"{table}.csv", index=False)
    return data


def variant(
    validated,
    target: Path,
    *,
    drop_table: str | None = None,
    drop_column: tuple[str, str] | None = None,
    keep_only: dict[str, list[str]] | None = None,
):
    """A copy of the validated store (``validated``: its :class:`~csreport.data.ingest.IngestReport`) in ``target``
    with a table removed, a column dropped, or only ``keep_only`` tables and columns kept; returns the
    report of the copy."""
    source = Path(validated.store_dir)
    store = target / "store"
    shutil.copytree(source, store)
    tables = dict(validated.tables)
    drop_tables = {drop_table} if drop_table else set()
    columns: dict[str, list[str]] = {}
    if keep_only is not None:
        drop_tables |= set(tables) - set(keep_only)
        columns = dict(keep_only)
    if drop_column is not None:
        table, column = drop_column
        columns[table] = [c for c in Store(store).columns(table) if c != column]
    for table in drop_tables:
        (store / f"{table}.parquet").unlink(missing_ok=True)
        tables.pop(table, None)
    for table, keep in columns.items():
        path = store / f"{table}.parquet"
        with connect() as con:
            con.execute(
                f"COPY (SELECT {', '.join(quote(c) for c in keep)} FROM read_parquet({literal(str(path))})) "
                f"TO {literal(str(path) + '.new')} (FORMAT parquet)"
            )
        Path(str(path) + ".new").replace(path)
    return replace(validated, store_dir=str(store), tables=tables)


# ---- combinations: a covering array of strength 3 ----------------------------------------------------------


def factors() -> list[tuple[str, str | None]]:
    """What may be present or absent: ``(table, None)`` for each optional table, then ``(table, column)`` for
    each optional column (of contacts too)."""
    return [(t, None) for t in optional_tables()] + optional_columns()


def _owners(names: list[tuple[str, str | None]]) -> np.ndarray:
    """For each factor, the index of the table factor it needs (-1: none, contacts is always there)."""
    tables = {t: i for i, (t, c) in enumerate(names) if c is None}
    return np.array([tables.get(t, -1) if c is not None else -1 for t, c in names])


def _presence(cases: list[dict[str, list[str]]], names: list[tuple[str, str | None]]) -> np.ndarray:
    """One row per case, one 0/1 column per factor."""
    return np.array(
        [[int(t in case and (c is None or c in case[t])) for t, c in names] for case in cases], dtype=np.int8
    )


def _triples(names, strength: int) -> tuple[np.ndarray, np.ndarray]:
    """Every set of ``strength`` factors and, per set, which of its 2**strength presence patterns the contract
    allows (a column present needs its table present)."""
    owners = _owners(names)
    sets = np.array(list(itertools.combinations(range(len(names)), strength)))
    allowed = np.ones((len(sets), 2**strength), bool)
    for pattern in range(2**strength):
        bits = [(pattern >> (strength - 1 - p)) & 1 for p in range(strength)]
        for a, b in itertools.permutations(range(strength), 2):
            allowed[(owners[sets[:, a]] == sets[:, b]) & (bits[a] == 1) & (bits[b] == 0), pattern] = False
    return sets, allowed


def _patterns(rows: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """The presence pattern (an integer) of each set of factors in each row: shape (rows, sets)."""
    strength = sets.shape[1]
    return sum(rows[:, sets[:, p]].astype(np.int64) << (strength - 1 - p) for p in range(strength))


def uncovered(cases: list[dict[str, list[str]]], strength: int = 3) -> list[tuple]:
    """The allowed presence patterns of ``strength`` factors that no case has, as ((table, column), present)
    pairs (empty when ``cases`` is a covering array of that strength for the current schemas)."""
    names = factors()
    sets, allowed = _triples(names, strength)
    seen = np.zeros_like(allowed)
    if cases:
        patterns = _patterns(_presence(cases, names), sets)
        for row in patterns:
            seen[np.arange(len(sets)), row] = True
    missing = np.argwhere(allowed & ~seen)
    return [
        tuple((names[f], bool((pattern >> (strength - 1 - p)) & 1)) for p, f in enumerate(sets[i]))
        for i, pattern in missing
    ]


def build_cases(strength: int = 3, seed: int = 0, starts: int = 20) -> list[dict[str, list[str]]]:
    """A small covering array of ``strength``: rows added greedily, each the best of ``starts`` random rows
    improved one factor at a time, until every allowed pattern is covered. Deterministic for a seed."""
    names = factors()
    owners = _owners(names)
    sets, allowed = _triples(names, strength)
    todo = allowed.copy()
    rng = np.random.default_rng(seed)
    index = np.arange(len(sets))

    def effective(row: np.ndarray) -> np.ndarray:
        needed = owners >= 0
        out = row.copy()
        out[needed] &= row[owners[needed]]
        return out

    def gain(row: np.ndarray) -> int:
        return int(todo[index, _patterns(effective(row)[None, :], sets)[0]].sum())

    rows = []
    while todo.any():
        best, best_gain = None, -1
        for _ in range(starts):
            row = rng.integers(0, 2, len(names)).astype(np.int8)
            current, better = gain(row), True
            while better:
                better = False
                for f in rng.permutation(len(names)):
                    row[f] ^= 1
                    flipped = gain(row)
                    if flipped > current:
                        current, better = flipped, True
                    else:
                        row[f] ^= 1
            if current > best_gain:
                best, best_gain = row.copy(), current
        row = effective(best)
        todo[index, _patterns(row[None, :], sets)[0]] = False
        rows.append(row)
    cases = []
    for row in rows:
        case = {"contacts": []}
        case |= {t: [] for (t, c), present in zip(names, row, strict=True) if c is None and present}
        for (t, c), present in zip(names, row, strict=True):
            if c is not None and present:
                case[t].append(c)
        cases.append(case)
    return cases


def covering_cases() -> list[dict[str, list[str]]]:
    """The kept covering array as ``keep_only`` arguments of :func:`variant`: each present table with its
    required columns and the optional columns the case has, in contract order."""
    kept = json.loads(COMBINATIONS.read_text(encoding="utf-8"))["cases"]
    return [
        {
            table: [c for c in SCHEMAS[table].columns if c in SCHEMAS[table].metadata["required_columns"] or c in cols]
            for table, cols in case.items()
        }
        for case in kept
    ]


def write_cases(cases: list[dict[str, list[str]]]) -> None:
    """Keep ``cases`` (optional columns only) in :data:`COMBINATIONS`, one case a line."""
    about = (
        "Optional tables and columns present in each case of tests/test_optional_combinations.py: a covering "
        "array of strength 3 made by `python -m tests.optional_data` (tests/optional_data.py)."
    )
    lines = ",\n".join("  " + json.dumps(case, ensure_ascii=False) for case in cases)
    COMBINATIONS.write_text(f'{{"about": {json.dumps(about)},\n "cases": [\n{lines}\n]}}\n', encoding="utf-8")


if __name__ == "__main__":  # python -m tests.optional_data: make the covering array again from the schemas
    made = build_cases()
    assert not uncovered(made)
    write_cases(made)
    print(f"{COMBINATIONS}: {len(made)} cases")
