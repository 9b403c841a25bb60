"""The send ledger: a SQLite file that remembers every send key, so no send goes out twice.

A key is written, and committed to disk, before its call is made (`sending`), and its outcome
after (`sent` with Pardot's email id, `not_sent` when Pardot refused it or the call never
left, `unknown` when the call may or may not have gone through). A key whose call started and
whose outcome the ledger never learnt (the run was killed mid-call) stays `sending`. Only
`not_sent` keys, and keys a person marked `retry`, are sent again; `sending` and `unknown`
keys are listed for review (`target-pardot-import-sends review`) until a person confirms them
(`confirmed`: it went out) or marks them for a retry. Every change is also appended to
`events`, the ledger's history.

Claiming a key is one `BEGIN IMMEDIATE` transaction, so two runs sharing a ledger never both
claim one key. The file uses SQLite's rollback journal with full sync (no WAL: WAL needs
shared memory, which network file systems do not give); keep it on storage whose file locks
work, and let one run use it at a time.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Final

from pardot_client import PardotConfigError
from target_pardot_import.paths import why_unwritable

SCHEMA_VERSION: Final = 1
SENDING, SENT, NOT_SENT, UNKNOWN, CONFIRMED, RETRY = (
    "sending", "sent", "not_sent", "unknown", "confirmed", "retry",
)  # fmt: skip
DONE: Final = frozenset({SENT, CONFIRMED})  # never sent again
REVIEW: Final = frozenset({SENDING, UNKNOWN})  # never sent again until a person decides
SENDABLE: Final = frozenset({NOT_SENT, RETRY})
_TABLES = """
create table if not exists meta (name text primary key, value text not null);
create table if not exists sends (
    send_key text primary key,
    stream text not null,
    kind text not null,
    state text not null,
    fingerprint text not null,
    email_id integer,
    attempts integer not null default 0,
    run_id text not null,
    input_line integer,
    started_at text not null,
    finished_at text,
    detail text
);
create index if not exists sends_by_state on sends (state);
create table if not exists events (
    at text not null, send_key text not null, state text not null, run_id text not null,
    detail text
);
"""


class LedgerError(PardotConfigError):
    """The ledger file cannot be used; the text names the file and what to do."""


@dataclass(frozen=True)
class Entry:
    """One key as the ledger holds it."""

    key: str
    stream: str
    kind: str
    state: str
    fingerprint: str
    email_id: int | None
    attempts: int
    run_id: str
    input_line: int | None
    started_at: str
    finished_at: str | None
    detail: str | None


_BY_KEY = (
    "select send_key, stream, kind, state, fingerprint, email_id, attempts, run_id, input_line, "
    "started_at, finished_at, detail from sends where send_key = ?"
)
_ALL = (
    "select send_key, stream, kind, state, fingerprint, email_id, attempts, run_id, input_line, "
    "started_at, finished_at, detail from sends order by started_at, send_key"
)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Ledger:
    """One ledger file; `read_only` (a dry run) never creates nor changes it."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self._db: sqlite3.Connection | None = None

    def open(self) -> Ledger:
        """Open (creating it unless read-only) and check the file; `LedgerError` if unusable."""
        if self._db is not None:
            return self
        try:
            if self.read_only:
                if not self.path.exists():
                    return self  # an empty ledger: nothing sent yet
                db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
                db.execute("pragma synchronous = full")
                db.executescript(_TABLES)
                db.execute("insert or ignore into meta values ('schema', ?)", (SCHEMA_VERSION,))
            found = db.execute("select value from meta where name = 'schema'").fetchone()
        except OSError as exc:
            raise LedgerError(self._unusable(why_unwritable(self.path, exc))) from None
        except sqlite3.Error as exc:
            raise LedgerError(self._unusable(f"not a usable SQLite ledger: {exc}")) from None
        if found is None or int(found[0]) > SCHEMA_VERSION:
            db.close()
            raise LedgerError(self._unusable(
                f"it was written by a newer target (ledger schema {found and found[0]})"
            ))  # fmt: skip
        self._db = db
        return self

    def _unusable(self, why: str) -> str:
        return (
            f"send_ledger_path {self.path} cannot be used ({why}). Set send_ledger_path to a "
            "file on durable storage the run can write; never point it at a new file for sends "
            "already made, or they are sent again."
        )

    def close(self) -> None:
        """Close the file (every change is already on disk)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction: no other writer between its read and its write."""
        if self.read_only:
            raise RuntimeError("a read-only ledger is never written")
        db = self.open()._db
        assert db is not None
        db.execute("begin immediate")
        try:
            yield db
        except BaseException:
            db.execute("rollback")
            raise
        db.execute("commit")

    def lookup(self, key: str) -> Entry | None:
        """The key's entry, or None when it was never claimed."""
        db = self.open()._db
        if db is None:
            return None
        row = db.execute(_BY_KEY, (key,)).fetchone()
        return Entry(*row) if row else None

    def claim(
        self, key: str, *, stream: str, kind: str, fingerprint: str, run_id: str, line: int | None
    ) -> Entry | None:
        """Mark the key `sending`, on disk, before its call; None when it is new or sendable.

        Returns the entry instead (and claims nothing) when the key is sent, confirmed or in
        review, which another run may have made it since it was looked up.
        """
        with self._write() as db:
            row = db.execute(_BY_KEY, (key,)).fetchone()
            now = _now()
            if row is None:
                db.execute(
                    "insert into sends (send_key, stream, kind, state, fingerprint, attempts, "
                    "run_id, input_line, started_at) values (?, ?, ?, ?, ?, 1, ?, ?, ?)",
                    (key, stream, kind, SENDING, fingerprint, run_id, line, now),
                )
            elif Entry(*row).state in SENDABLE:
                db.execute(
                    "update sends set stream = ?, kind = ?, state = ?, fingerprint = ?, "
                    "attempts = attempts + 1, run_id = ?, input_line = ?, started_at = ?, "
                    "finished_at = null, detail = null, email_id = null where send_key = ?",
                    (stream, kind, SENDING, fingerprint, run_id, line, now, key),
                )
            else:
                return Entry(*row)
            self._event(db, key, SENDING, run_id, None)
        return None

    def finish(
        self, key: str, state: str, *, run_id: str, email_id: int | None = None,
        detail: str | None = None,
    ) -> None:  # fmt: skip
        """Record a claimed key's outcome: `sent`, `not_sent` or `unknown`."""
        with self._write() as db:
            db.execute(
                "update sends set state = ?, email_id = ?, finished_at = ?, detail = ? "
                "where send_key = ?",
                (state, email_id, _now(), detail, key),
            )
            self._event(db, key, state, run_id, detail)

    def decide(self, key: str, state: str, *, email_id: int | None = None, who: str) -> Entry:
        """A person's decision on a key in review: `confirmed` (it went out) or `retry`."""
        with self._write() as db:
            row = db.execute(_BY_KEY, (key,)).fetchone()
            if row is None:
                raise KeyError(key)
            entry = Entry(*row)
            if entry.state not in REVIEW and not (state == CONFIRMED and entry.state in SENDABLE):
                raise ValueError(entry.state)
            note = f"decided by {who}"
            db.execute(
                "update sends set state = ?, email_id = coalesce(?, email_id), finished_at = ?, "
                "detail = ? where send_key = ?",
                (state, email_id, _now(), note, key),
            )
            self._event(db, key, state, who, note)
        found = self.lookup(key)
        assert found is not None
        return found

    def in_review(self) -> list[Entry]:
        """Keys whose outcome nobody knows, oldest first."""
        return self.entries(REVIEW)

    def entries(self, states: frozenset[str] | None = None) -> list[Entry]:
        """Entries in the given states (all when None), oldest first."""
        db = self.open()._db
        if db is None:
            return []
        rows = db.execute(_ALL).fetchall()
        return [e for e in (Entry(*r) for r in rows) if states is None or e.state in states]

    def counts(self) -> dict[str, int]:
        """Keys by state."""
        db = self.open()._db
        if db is None:
            return {}
        return dict(db.execute("select state, count(*) from sends group by state").fetchall())

    @staticmethod
    def _event(
        db: sqlite3.Connection, key: str, state: str, run_id: str, detail: str | None
    ) -> None:
        db.execute("insert into events values (?, ?, ?, ?, ?)", (_now(), key, state, run_id,
                                                                detail))  # fmt: skip


def new_run_id() -> str:
    """An id for this run in the ledger: start time and process id."""
    return f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}"
