"""The Import API engine: every import job, scheduled per account on the simulated clock.

Imports of one account run one after another in the order they were submitted (set Ready); a
job's duration (a base latency plus its rows over a throughput) is fixed when it is submitted, so
nothing runs in the background. The rows are applied to the account's prospects exactly once, by
`ImportEngine.settle`, when the import is first observed Complete; until then Pardot's data is
untouched. Batches are kept as the uploaded bytes (validated on upload, parsed again when
applied) and dropped once applied or expired. The job model is in `import_jobs`, upload checks in
`import_csv`, applying rows in `import_rows`.

Choices where the docs are silent:

* A batch sent to an import that is no longer Open (or expired) is 161, as the error-code
  reference says ("A batch was submitted to an import that is not Open"); setting Ready again is
  155. Daily limits (1000 batches, 10 GiB) count accepted batches per account-local day (164).
* Ready -> processing starts `queue_seconds` later (or when the account's previous import ends),
  so the answer to Ready really is Waiting, as documented.

Speed: upload validation and applying are single passes with dict indexes built once per settle,
about 10 µs per row here (a million-row import settles in ~10 s, in the call that observes it).
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from typing import Any

from pardot_sim.accounts import Account, User
from pardot_sim.app import SimApp
from pardot_sim.import_csv import check_batch, parse_column_options
from pardot_sim.import_index import ProspectIndex
from pardot_sim.import_jobs import (
    Batch,
    ColumnOption,
    ImportJob,
    ImportSettings,
    import_error,
)
from pardot_sim.import_rows import apply_job, failed_rows_csv
from pardot_sim.import_values import ValueReader
from pardot_sim.switches import Switches

__all__ = [
    "ColumnOption",
    "ImportEngine",
    "ImportJob",
    "ImportSettings",
    "ValueReader",
    "import_error",
]


class ImportEngine:
    """Every import job of the simulator, scheduled per account."""

    def __init__(self) -> None:
        self.settings = ImportSettings()
        self.jobs: dict[int, ImportJob] = {}
        self.app: SimApp | None = None  # set by `register`; its switches are read on each use
        self.daily_batches: Counter[tuple[str, str]] = Counter()  # (business unit, local day)
        self.daily_bytes: Counter[tuple[str, str]] = Counter()
        self._next_id = 1001
        self._lock = threading.RLock()

    @property
    def switches(self) -> Switches:
        """The app's current switches (tests may replace the whole object)."""
        return self.app.switches if self.app is not None else Switches()

    # -- validation -----------------------------------------------------------------------------

    def column_options(self, account: Account, version: int, raw: Any) -> tuple[ColumnOption, ...]:
        """Validate the `columns` input: 165 when malformed, 227 when a field is not importable."""
        return parse_column_options(account.store.table("prospect"), version, raw)

    def _prepare_batch(self, job: ImportJob | None, account: Account, version: int,
                       columns: tuple[ColumnOption, ...] | None, data: bytes,
                       now: float) -> tuple[list[str], int]:  # fmt: skip
        settings = self.settings
        if job is not None and len(job.batches) >= settings.max_batches:
            raise import_error(160, f"an import holds at most {settings.max_batches} batches")
        day = (account.business_unit_id, account.local_day(now))
        if self.daily_batches[day] >= settings.daily_batch_limit:
            raise import_error(164, f"at most {settings.daily_batch_limit} batches a day")
        if self.daily_bytes[day] + len(data) > settings.daily_byte_limit:
            raise import_error(164, f"at most {settings.daily_byte_limit} bytes a day")
        return check_batch(
            data,
            max_bytes=settings.max_batch_bytes,
            table=account.store.table("prospect"),
            version=version,
            first_header=job.header if job is not None else None,
            columns=columns,
        )

    # -- lifecycle ------------------------------------------------------------------------------

    def create(self, *, account: Account, version: int, user: User, now: float,
               restore_deleted: bool, columns: tuple[ColumnOption, ...] | None,
               data: bytes | None = None, ready: bool = False) -> ImportJob:  # fmt: skip
        """A new import, with its first batch and submitted at once when asked."""
        with self._lock:
            batch = None
            if data is not None:
                header, rows = self._prepare_batch(None, account, version, columns, data, now)
                batch = (header, Batch(data, rows, len(data)))
            job = ImportJob(
                id=self._next_id, account=account, version=version, user=user,
                timezone=user.timezone, restore_deleted=restore_deleted, columns=columns,
                created_at=now, changed_at=now,
            )  # fmt: skip
            self._next_id += 1
            self.jobs[job.id] = job
            if batch is not None:
                self._append(job, batch[0], batch[1], now)
            if ready:
                self.submit(job, now)
            return job

    def add_batch(self, job: ImportJob, data: bytes, now: float) -> None:
        """Add a CSV batch to an Open import."""
        with self._lock:
            if job.state(now) != "Open" or job.is_expired(now):
                why = "it expired" if job.state(now) == "Open" else f"it is {job.state(now)}"
                raise import_error(161, f"batches can only be added while Open; {why}")
            header, rows = self._prepare_batch(
                job, job.account, job.version, job.columns, data, now
            )
            self._append(job, header, Batch(data, rows, len(data)), now)

    def _append(self, job: ImportJob, header: list[str], batch: Batch, now: float) -> None:
        job.header = job.header or header
        job.batches.append(batch)
        job.changed_at = now
        day = (job.account.business_unit_id, job.account.local_day(now))
        self.daily_batches[day] += 1
        self.daily_bytes[day] += batch.size

    def submit(self, job: ImportJob, now: float) -> None:
        """Set an Open import Ready: it queues behind the account's other imports."""
        with self._lock:
            if job.state(now) != "Open" or job.is_expired(now):
                why = "it expired" if job.state(now) == "Open" else f"it is {job.state(now)}"
                raise import_error(155, why)
            if not job.batches:
                raise import_error(156)
            job.submitted_at = now
            job.queue_delay = self.settings.queue_seconds
            job.duration = self.settings.base_seconds + job.rows / self.settings.rows_per_second
            self._schedule(job.account)

    def _schedule(self, account: Account) -> None:
        free_at = -math.inf
        queued = [j for j in self.account_jobs(account) if j.submitted_at is not None]
        for job in sorted(queued, key=lambda j: (j.submitted_at, j.id)):
            assert job.submitted_at is not None
            job.started_at = max(job.submitted_at + job.queue_delay, free_at)
            job.ended_at = free_at = job.started_at + job.duration

    def get(self, account: Account, job_id: int) -> ImportJob | None:
        """An import of this account, or None."""
        job = self.jobs.get(job_id)
        return job if job is not None and job.account is account else None

    def account_jobs(self, account: Account) -> list[ImportJob]:
        """The account's imports, oldest first."""
        with self._lock:
            return [j for j in self.jobs.values() if j.account is account]

    # -- applying -------------------------------------------------------------------------------

    def settle(self, account: Account, now: float) -> list[int]:
        """Apply every import that has completed by `now` and was not applied yet; their ids.

        Imports are applied in completion order, each exactly once. Batches of expired Open
        imports are dropped (nothing of them is ever imported).
        """
        with self._lock:
            due = [
                j for j in self.account_jobs(account)
                if not j.applied and j.submitted_at is not None and j.ended_at <= now
            ]  # fmt: skip
            for job in self.account_jobs(account):
                if job.submitted_at is None and job.is_expired(now):
                    for batch in job.batches:
                        batch.data = None
            if not due:
                return []
            index = ProspectIndex(account.store.table("prospect"))
            for job in sorted(due, key=lambda j: (j.ended_at, j.id)):
                apply_job(job, index, self.switches)
            index.commit()
            return [j.id for j in due]

    def errors_csv(self, job: ImportJob) -> bytes:
        """The failed rows as imported, error columns shaped by the `error_csv_layout` switch."""
        return failed_rows_csv(job, self.switches.error_csv_layout)
