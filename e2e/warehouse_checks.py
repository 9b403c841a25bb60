"""Reading the tables a pipeline loaded, and holding them to the simulator's data."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import psycopg
from pipeline_support import COMPARED, MARKED, STREAMS, SimAdmin, comparable, expected_rows
from psycopg import sql
from psycopg.rows import dict_row

Tables = dict[str, dict[int, dict[str, Any]]]  # stream -> id -> row


def duckdb_tables(
    path: Path, schema: str = "pardot", streams: Iterable[str] = tuple(STREAMS)
) -> Tables:
    """The export streams' tables in a DuckDB file, rows by id."""
    tables: Tables = {}
    with duckdb.connect(str(path), read_only=True) as db:
        for stream in streams:
            cursor = db.execute(f'select * from "{schema}"."{stream}"')
            names = [d[0] for d in cursor.description or ()]
            rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
            tables[stream] = {int(row["id"]): row for row in rows}
    return tables


def postgres_tables(url: str, schema: str) -> Tables:
    """Every export stream's table in a PostgreSQL schema, rows by id."""
    tables: Tables = {}
    with psycopg.connect(url, row_factory=dict_row) as connection:
        for stream in STREAMS:
            query = sql.SQL("select * from {}.{}").format(
                sql.Identifier(schema), sql.Identifier(stream)
            )
            tables[stream] = {int(row["id"]): row for row in connection.execute(query).fetchall()}
    return tables


def assert_matches_simulator(tables: Tables, admin: SimAdmin, start: str, end: str) -> None:
    """Every row the simulator holds for [start, end) is loaded once, with the same values."""
    for stream, rows in tables.items():
        expected = expected_rows(admin, stream, start, end)
        assert expected, f"the simulator has no {stream} rows: the test proves nothing"
        missing = sorted(set(expected) - set(rows))[:10]
        extra = sorted(set(rows) - set(expected))[:10]
        assert not missing, f"{stream}: rows lost, e.g. ids {missing}"
        assert not extra, f"{stream}: rows the simulator does not hold, e.g. ids {extra}"
        for column in COMPARED[stream]:
            wrong = [
                (row_id, rows[row_id][column], record.get(column))
                for row_id, record in expected.items()
                if comparable(rows[row_id][column]) != comparable(record.get(column))
            ]
            assert not wrong, f"{stream}.{column} differs from the simulator: {wrong[:5]}"
        if stream in MARKED:
            assert_deletes_marked(stream, rows, expected)


def assert_deletes_marked(
    stream: str, rows: dict[int, dict[str, Any]], expected: dict[int, dict[str, Any]]
) -> None:
    """Rows the simulator holds deleted are loaded marked, as a loader can soft-delete them."""
    deleted = {i for i, record in expected.items() if record["_deleted"]}
    assert deleted, f"{stream}: the simulator holds no deleted row: the check proves nothing"
    flagged = {i for i, row in rows.items() if row["is_deleted"]}
    stamped = {i for i, row in rows.items() if row["_sdc_deleted_at"] is not None}
    assert flagged == deleted, f"{stream}: is_deleted differs, e.g. {sorted(flagged ^ deleted)[:5]}"
    assert stamped == deleted, (
        f"{stream}: _sdc_deleted_at differs, e.g. {sorted(stamped ^ deleted)[:5]}"
    )


def loaded_after(tables: Tables, marks: dict[str, Any]) -> dict[str, set[int]]:
    """Per stream, the ids whose `_sdc_batched_at` is newer than the mark (loaded by a run)."""
    return {
        stream: {i for i, row in rows.items() if row["_sdc_batched_at"] > marks[stream]}
        for stream, rows in tables.items()
    }


def newest_load(tables: Tables) -> dict[str, Any]:
    """Per stream, the newest `_sdc_batched_at`."""
    return {
        stream: max(r["_sdc_batched_at"] for r in rows.values()) for stream, rows in tables.items()
    }
