"""target-duckdb's CSV COPY: the released statement loses a row, the wrapped one does not."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from target_duckdb_header_fix import headerless_copy

# target_duckdb 0.8.0, DbSync.load_rows
RELEASED = "COPY {} FROM '{}' WITH (new_line '\\r\\n')"


def load(tmp_path: Path, statement: str) -> list[tuple[str, str]]:
    """Load a headerless CSV of text columns, as target-duckdb writes them, with a statement."""
    csv_file = tmp_path / "batch.csv"
    csv_file.write_bytes(b"a@example.com,Ann\r\nb@example.com,Bob\r\n")
    with duckdb.connect() as db:
        db.execute("create table tmp (email varchar, name varchar)")
        db.execute(statement.format("tmp", csv_file))
        return [(str(r[0]), str(r[1])) for r in db.sql("select * from tmp order by 1").fetchall()]


def test_released_copy_takes_the_first_row_for_a_header(tmp_path: Path) -> None:
    """The upstream bug this wrapper exists for (if DuckDB ever stops sniffing, drop it)."""
    assert load(tmp_path, RELEASED) == [("b@example.com", "Bob")]


def test_wrapped_copy_loads_every_row(tmp_path: Path) -> None:
    rows = load(tmp_path, headerless_copy(RELEASED.format("{}", "{}")))
    assert rows == [("a@example.com", "Ann"), ("b@example.com", "Bob")]


def test_other_statements_pass_and_unknown_copies_stop() -> None:
    assert headerless_copy("select 1") == "select 1"
    with pytest.raises(RuntimeError, match="COPY statement only"):
        headerless_copy("COPY t FROM 'x.csv' (header true)")
