"""The prospect table as one settle sees it: match indexes by email and CRM id, pending writes.

Several prospects sharing an email (v3) or a CRM id (v4) resolve to the non-deleted, most
recently updated one (the docs are silent). Indexes are dict lookups built once per settle, so
matching costs microseconds per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pardot_sim.store import Row, Table


class ProspectIndex:
    """The prospect table seen by one settle: match indexes plus the rows changed so far.

    Changed rows stay in `pending` and are written to the table in one go by `commit`, so a
    million-row import costs one table write; the email and CRM-id indexes are built on first
    use and kept current as rows change.
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self.pending: dict[int, Row] = {}
        self.restored: set[int] = set()
        self._next_id = table.next_id()
        self._email_pos = table.position["email"]
        self._updated_pos = table.position["updated_at"]
        self._fid_pos = [
            table.position[c] for c in ("crm_lead_fid", "crm_contact_fid") if c in table.position
        ]
        self._by_email: dict[str, list[int]] | None = None
        self._by_fid: dict[str, list[int]] | None = None

    def row(self, row_id: int) -> Row | None:
        """The current row of a prospect (changed or stored)."""
        return self.pending.get(row_id) or self.table.rows.get(row_id)

    def is_deleted(self, row_id: int) -> bool:
        """Whether the prospect is in the recycle bin."""
        return row_id in self.table.deleted and row_id not in self.restored

    def new_id(self) -> int:
        """The id of a new prospect."""
        row_id = self._next_id
        self._next_id += 1
        return row_id

    def by_email(self, email: str) -> int | None:
        """The prospect an email matches (case-insensitive), or None."""
        if self._by_email is None:
            self._by_email = self._build([self._email_pos], _email_key)
        return self._best(self._by_email.get(email.strip().lower(), ()))

    def by_fid(self, fid: str) -> int | None:
        """The prospect a CRM lead or contact id matches, or None."""
        if self._by_fid is None:
            self._by_fid = self._build(self._fid_pos, str)
        return self._best(self._by_fid.get(fid, ()))

    def write(self, new: Row, old: Row | None) -> None:
        """Record a changed or created row and keep the indexes current."""
        self.pending[new[0]] = new
        if self._by_email is not None:
            _reindex(self._by_email, new, old, [self._email_pos], _email_key)
        if self._by_fid is not None:
            _reindex(self._by_fid, new, old, self._fid_pos, str)

    def restore(self, row_id: int) -> None:
        """Take a prospect out of the recycle bin (at commit)."""
        self.restored.add(row_id)

    def commit(self) -> None:
        """Write every changed row and restore every restored prospect."""
        if self.pending:
            self.table.insert_many(list(self.pending.values()))
        for row_id in self.restored:
            self.table.restore(row_id)
        self.pending.clear()
        self.restored.clear()

    def _build(self, positions: Sequence[int], key: Callable[[Any], str]) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        rows: Iterable[tuple[int, Row]] = self.table.rows.items()
        if self.pending:
            rows = {**self.table.rows, **self.pending}.items()
        for row_id, row in rows:
            for pos in positions:
                value = row[pos]
                if value:
                    index.setdefault(key(value), []).append(row_id)
        return index

    def _best(self, ids: Sequence[int]) -> int | None:
        if len(ids) == 1:
            return ids[0]  # the usual case: one prospect per email or CRM id
        best: tuple[bool, int, int] | None = None
        for row_id in ids:
            row = self.row(row_id)
            if row is None:
                continue
            rank = (not self.is_deleted(row_id), row[self._updated_pos] or 0, row_id)
            if best is None or rank > best:
                best = rank
        return None if best is None else best[2]


def _email_key(value: Any) -> str:
    return str(value).strip().lower()


def _reindex(
    index: dict[str, list[int]], new: Row, old: Row | None, positions: Sequence[int], key: Any
) -> None:
    for pos in positions:
        before = old[pos] if old is not None else None
        after = new[pos]
        if before == after:
            continue
        if before:
            ids = index.get(key(before))
            if ids is not None and new[0] in ids:
                ids.remove(new[0])
        if after:
            index.setdefault(key(after), []).append(new[0])
