"""The simulator's records: one table per Pardot object, rows as tuples keyed by id.

Rows are tuples in column order (not dicts) so millions of visitor activities fit in memory.
Datetimes are stored as integer epoch seconds (UTC) and rendered in the API user's timezone only
when served. Sorted indexes for range filters are built on first use and dropped on writes.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

Row = tuple[Any, ...]


class Table:
    """The rows of one object, with a recycle bin and range lookups on any column."""

    def __init__(self, name: str, columns: Sequence[str]) -> None:
        if not columns or columns[0] != "id":
            raise ValueError(f"table {name}: the first column must be 'id'")
        self.name = name
        self.columns: tuple[str, ...] = tuple(columns)
        self.position = {c: i for i, c in enumerate(self.columns)}
        self.rows: dict[int, Row] = {}
        self.deleted: set[int] = set()
        self._next_id = 1
        self._lock = threading.RLock()
        self._indexes: dict[str, tuple[list[Any], list[int]]] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def add_column(self, column: str) -> None:
        """Add a column (prospect custom fields); existing rows get null."""
        with self._lock:
            if column in self.position:
                return
            self.columns = (*self.columns, column)
            self.position[column] = len(self.columns) - 1
            self.rows = {i: (*row, None) for i, row in self.rows.items()}
            self._indexes.clear()

    def insert(self, values: Mapping[str, Any]) -> int:
        """Add a row; `id` is assigned when absent. Unknown columns are an error."""
        with self._lock:
            unknown = set(values) - set(self.position)
            if unknown:
                raise KeyError(f"table {self.name} has no columns {sorted(unknown)}")
            row_id = int(values.get("id") or self._next_id)
            self._next_id = max(self._next_id, row_id + 1)
            self.rows[row_id] = tuple(row_id if c == "id" else values.get(c) for c in self.columns)
            self._indexes.clear()
            return row_id

    def insert_many(self, rows: Iterable[Row]) -> None:
        """Add complete tuples in column order (the data generator's fast path)."""
        with self._lock:
            for row in rows:
                self.rows[row[0]] = row
                self._next_id = max(self._next_id, row[0] + 1)
            self._indexes.clear()

    def update(self, row_id: int, changes: Mapping[str, Any]) -> Row:
        """Change some columns of a row and return the new row."""
        with self._lock:
            old = self.rows[row_id]
            values = list(old)
            for column, value in changes.items():
                values[self.position[column]] = value
            self.rows[row_id] = new = tuple(values)
            self._indexes.clear()
            return new

    def delete(self, row_id: int) -> None:
        """Move a row to the recycle bin (it stays readable with deleted=true/all)."""
        with self._lock:
            self.deleted.add(row_id)
            self._indexes.clear()

    def restore(self, row_id: int) -> None:
        """Take a row out of the recycle bin."""
        with self._lock:
            self.deleted.discard(row_id)

    def get(self, row_id: int) -> dict[str, Any] | None:
        """One row as a dict, or None."""
        row = self.rows.get(row_id)
        return None if row is None else dict(zip(self.columns, row, strict=True))

    def as_dict(self, row: Row) -> dict[str, Any]:
        """A row tuple as a dict."""
        return dict(zip(self.columns, row, strict=True))

    def value(self, row: Row, column: str) -> Any:
        """One column of a row tuple."""
        return row[self.position[column]]

    def next_id(self) -> int:
        """The id the next inserted row would get."""
        return self._next_id

    def ids_in_range(self, column: str, after: Any = None, before: Any = None) -> list[int]:
        """Ids whose `column` is strictly between the bounds (None: unbounded), sorted by value, id.

        Rows whose value is null never match a bounded side.
        """
        keys, ids = self._index(column)
        lo = 0 if after is None else bisect.bisect_right(keys, after)
        hi = len(keys) if before is None else bisect.bisect_left(keys, before)
        return ids[lo:hi] if lo < hi else []

    def sorted_index(self, column: str) -> tuple[list[Any], list[int]]:
        """(values, ids) of the rows whose `column` is set, sorted by value then id (read only)."""
        return self._index(column)

    def iter_rows(self, ids: Iterable[int]) -> Iterator[Row]:
        """Rows for ids, skipping ids that no longer exist."""
        rows = self.rows
        for row_id in ids:
            row = rows.get(row_id)
            if row is not None:
                yield row

    def _index(self, column: str) -> tuple[list[Any], list[int]]:
        with self._lock:
            index = self._indexes.get(column)
            if index is None:
                pos = self.position[column]
                pairs = sorted(
                    (row[pos], row_id) for row_id, row in self.rows.items() if row[pos] is not None
                )
                index = ([p[0] for p in pairs], [p[1] for p in pairs])
                self._indexes[column] = index
            return index


class DataStore:
    """All tables of one business unit."""

    def __init__(self) -> None:
        self.tables: dict[str, Table] = {}

    def table(self, name: str) -> Table:
        """The table of an object (v3/v4 name, e.g. `visitorActivity`)."""
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(f"no table {name!r}; have {sorted(self.tables)}") from None

    def create_table(self, name: str, columns: Sequence[str]) -> Table:
        """Create (or replace) the table of an object."""
        self.tables[name] = table = Table(name, columns)
        return table
