"""The import job model: options, batches, a schedule its state is derived from, its outcome.

An import is Open while batches arrive, then Waiting, Processing and Complete
(docs/pardot-api/imports.md#ready-reading-and-states). Its state at any moment follows from its
schedule (set by the engine on submission), so nothing runs in the background. Open imports
expire 24 h after creation, Complete ones 7 days after completion (as documented).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pardot_sim.accounts import Account, User
from pardot_sim.responses import SimError

OPEN_EXPIRY_SECONDS = 24 * 3600
COMPLETE_EXPIRY_SECONDS = 7 * 24 * 3600
ORIGIN = "API"

# Message texts as the 2020 error-code reference prints them (docs/pardot-api/errors.md).
MESSAGES = {
    130: "One or more of the specified fields are invalid",
    155: 'Can\'t update. Import must be in "Open" state.',
    156: "Can't start processing. Import has no associated data.",
    158: "Uploading a file was unsuccessful",
    159: "The file is not in a valid CSV format",
    160: "The limit of batches per import has been reached",
    161: "The current state of the import does not allow the operation",
    162: "No file was specified or uploaded",
    163: "Too many files were specified or uploaded",
    164: "Daily limit of import batches has been reached",
    165: "column options is invalid",
    166: "The input is not in the required format",
    226: "The number of columns in the CSV does not match the number of column options",
    227: "Invalid field in column options",
}


def import_error(code: int, detail: str | None = None, status: int | None = None) -> SimError:
    """A SimError with the documented text of an import code, plus what went wrong."""
    text = MESSAGES.get(code)
    if text is None:
        return SimError(code, detail, status)
    return SimError(code, f"{text}: {detail}" if detail else text, status)


@dataclass
class ImportSettings:
    """Import processing latency and limits; the admin API can change them (plain numbers)."""

    queue_seconds: float = 5.0  # Ready -> start of processing when no other import is queued
    base_seconds: float = 30.0  # processing time of an empty import
    rows_per_second: float = 20_000.0  # processing throughput
    max_batches: int = 10  # per import (160)
    max_batch_bytes: int = 10 * 1024 * 1024  # a batch must be smaller than this (158)
    daily_batch_limit: int = 1000  # batches per account-local day (164)
    daily_byte_limit: int = 10 * 1024**3  # bytes per account-local day (164)


@dataclass(frozen=True)
class ColumnOption:
    """Conflict handling of one CSV column (ignored when the row creates a prospect)."""

    field: str
    overwrite: bool = True  # False: keep Pardot's non-blank value, fill only blanks
    null_overwrite: bool = True  # False: a blank CSV value never blanks Pardot's value


@dataclass
class Batch:
    """One uploaded CSV file: its bytes until applied, and its data row count."""

    data: bytes | None
    rows: int
    size: int


@dataclass(frozen=True)
class FailedRow:
    """A row Pardot skipped: its cells exactly as imported, and why."""

    cells: tuple[str, ...]
    kind: str
    description: str


@dataclass
class ImportJob:
    """One import: its options, batches, schedule and, once applied, its outcome."""

    id: int
    account: Account
    version: int  # 3 or 4: decides how rows match prospects
    user: User
    timezone: str  # the creator's timezone at creation: naive CSV datetimes are read in it
    restore_deleted: bool
    columns: tuple[ColumnOption, ...] | None
    created_at: float
    changed_at: float
    header: list[str] | None = None
    batches: list[Batch] = field(default_factory=list)
    submitted_at: float | None = None
    queue_delay: float = 0.0
    duration: float = 0.0
    started_at: float = math.inf
    ended_at: float = math.inf
    applied: bool = False
    created_count: int = 0
    updated_count: int = 0
    errors: list[FailedRow] = field(default_factory=list)
    origin: str = ORIGIN

    @property
    def rows(self) -> int:
        """Data rows over all batches."""
        return sum(b.rows for b in self.batches)

    def state(self, now: float) -> str:
        """Open, Waiting, Processing or Complete at `now`."""
        if self.submitted_at is None:
            return "Open"
        if now < self.started_at:
            return "Waiting"
        if now < self.ended_at:
            return "Processing"
        return "Complete"

    def is_expired(self, now: float) -> bool:
        """Open imports expire 24 h after creation, complete ones 7 days after completion."""
        if self.submitted_at is None:
            return now >= self.created_at + OPEN_EXPIRY_SECONDS
        if now >= self.ended_at:
            return now >= self.ended_at + COMPLETE_EXPIRY_SECONDS
        return False

    def updated_at(self, now: float) -> float:
        """The time of the import's last change (a batch, a state change or expiry)."""
        state = self.state(now)
        if state == "Open":
            if self.is_expired(now):
                return self.created_at + OPEN_EXPIRY_SECONDS
            return self.changed_at
        if state == "Waiting":
            return self.submitted_at or self.created_at
        if state == "Processing":
            return self.started_at
        return self.ended_at
