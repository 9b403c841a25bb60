"""`target-duckdb` 0.8.0 whose CSV `COPY` reads every line as data (see README.md)."""

from __future__ import annotations

import re
from typing import Any

# The one COPY statement target_duckdb.db_sync.DbSync.load_rows sends (0.8.0).
_COPY = re.compile(r"^COPY (?P<table>\S+) FROM '(?P<path>[^']*)' WITH \((?P<options>[^)]*)\)$")


def headerless_copy(query: str) -> str:
    """The statement to send: target-duckdb's CSV COPY with `header false`, others unchanged."""
    if not query.lstrip().upper().startswith("COPY"):
        return query
    match = _COPY.match(query.strip())
    if match is None or "header" in match["options"].lower():
        raise RuntimeError(
            "target-duckdb-header-fix knows target-duckdb 0.8.0's COPY statement only; "
            f"got {query!r}. Check whether the installed target-duckdb still needs this fix."
        )
    return f"COPY {match['table']} FROM '{match['path']}' WITH ({match['options']}, header false)"


class HeaderlessCopyConnection:
    """A DuckDB connection whose `execute` rewrites the CSV COPY; all else is delegated."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a statement (target-duckdb reads results back from the connection itself)."""
        if isinstance(query, str):
            query = headerless_copy(query)
        return self._connection.execute(query, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def main() -> None:
    """Entry point: target-duckdb's own `main` with the connection wrapped."""
    import target_duckdb  # noqa: PLC0415  (installed in the plugin's venv only)

    connect = target_duckdb.duckdb_connect

    def wrapped_connect(config: dict[str, Any]) -> HeaderlessCopyConnection:
        return HeaderlessCopyConnection(connect(config))

    target_duckdb.duckdb_connect = wrapped_connect
    target_duckdb.main()
