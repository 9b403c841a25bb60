"""The export job engine: a queue per account, states on the simulated clock, CSV result files.

Jobs of one account run one after another, oldest first
(docs/pardot-api/exports.md#queue-and-polling). A job's duration is fixed when it is created (a
base latency plus its row count over a throughput); its state at any moment is derived from the
queue, so nothing runs in the background. Results are computed once, when first read after
completion, as several CSV files of varying size in no order, written to disk (a directory of the
engine's own, removed with it) and streamed from there: a result file never changes once written,
as Pardot's do not, and the simulator's memory does not grow with the rows it has exported, so
exports of ten million rows can be served (bench/tap_export.py).
"""

from __future__ import annotations

import csv
import math
import random
import shutil
import tempfile
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pardot_client.catalog import ExportProcedure, FieldType, ObjectSpec
from pardot_client.dates import LocalTimeFormatter, get_zone
from pardot_sim.accounts import Account, User
from pardot_sim.store import Row, Table

EXPIRY_SECONDS = 7 * 24 * 3600
WRITE_ROWS = 10_000  # rows encoded per write while rendering a result file


@dataclass(frozen=True)
class ResultFile:
    """One CSV result file of an export, on disk."""

    file_id: int
    path: Path
    size: int  # bytes
    rows: int  # data rows (without the header)

    def read_bytes(self) -> bytes:
        """The whole file (tests and small files only: downloads stream it)."""
        return self.path.read_bytes()


@dataclass
class ExportSettings:
    """Latency and file layout of exports; the admin API can change them."""

    pickup_seconds: float = 1.0  # a new export waits at least this long before processing
    base_seconds: float = 60.0  # processing time of an empty export
    rows_per_second: float = 10_000.0  # processing throughput
    max_rows_per_file: int = 100_000  # result files hold at most this many rows
    min_files: int = 2  # split results with >= 10 rows into at least this many files
    csv_booleans: str = "numeric"  # "numeric" (1/0) or "words" (true/false)


@dataclass
class ExportJob:
    """One export: what was asked, when, and how its run went."""

    id: int
    account: Account
    version: int  # 3, 4 or 5
    spec: ObjectSpec
    header: list[str]  # CSV header as requested (v5: camelCase)
    columns: list[str]  # the snake_case columns behind the header
    procedure: ExportProcedure
    after: float | None
    before: float | None
    filters: dict[str, Any]
    created_at: float
    user: User
    timezone: str  # the creator's timezone at creation: CSV dates use it
    duration: float
    activity_datetime: bool = False  # activityDate rendered as a DateTime at midnight (a switch)
    fail: bool = False
    canceled_at: float | None = None
    started_at: float = 0.0
    ended_at: float = 0.0
    occupies: bool = True
    files: list[ResultFile] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def state(self, now: float) -> str:
        """Waiting, Processing, Complete, Failed or Canceled at `now`."""
        if self.canceled_at is not None and self.canceled_at <= now:
            return "Canceled"
        if now >= self.created_at + EXPIRY_SECONDS and now < self.ended_at:
            return "Canceled"  # unfinished after 7 days: cancelled and expired
        if now < self.started_at:
            return "Waiting"
        if now < self.ended_at:
            return "Processing"
        return "Failed" if self.fail else "Complete"

    def is_expired(self, now: float) -> bool:
        """Results expire 7 days after completion; unfinished jobs after 7 days."""
        if self.state(now) == "Complete":
            return now >= self.ended_at + EXPIRY_SECONDS
        return now >= self.created_at + EXPIRY_SECONDS

    def updated_at(self, now: float) -> float:
        """The time of the job's last state change."""
        state = self.state(now)
        if state == "Canceled":
            return min(self.canceled_at or now, self.created_at + EXPIRY_SECONDS)
        if state == "Waiting":
            return self.created_at
        if state == "Processing":
            return self.started_at
        return self.ended_at


class ExportEngine:
    """Every export job of the simulator, scheduled per account."""

    def __init__(self, seed: int = 0) -> None:
        self.settings = ExportSettings()
        self.jobs: dict[int, ExportJob] = {}
        self.fail_next = 0  # admin: the next N created exports end Failed
        self._seed = seed
        self._next_id = 201_917
        self._lock = threading.Lock()
        self._folder: Path | None = None

    @property
    def folder(self) -> Path:
        """Where result files are written: a temporary directory removed with the engine."""
        with self._lock:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="pardot-sim-exports-"))
                weakref.finalize(self, shutil.rmtree, self._folder, ignore_errors=True)
            return self._folder

    def create(self, **kwargs: Any) -> ExportJob:
        """Queue a job (see `ExportJob` for the arguments; `id`, duration and fate are set here)."""
        with self._lock:
            job_id = self._next_id
            self._next_id += 1 + random.Random(self._seed + job_id).randrange(5)
            rows = estimate_rows(kwargs["account"], kwargs["spec"], kwargs["procedure"], kwargs)
            duration = self.settings.base_seconds + rows / self.settings.rows_per_second
            job = ExportJob(id=job_id, duration=duration, **kwargs)
            if self.fail_next > 0:
                self.fail_next -= 1
                job.fail = True
            self.jobs[job_id] = job
            self._schedule(job.account)
            return job

    def get(self, account: Account, job_id: int) -> ExportJob | None:
        """A job of this account, or None."""
        job = self.jobs.get(job_id)
        return job if job is not None and job.account is account else None

    def cancel(self, job: ExportJob, now: float) -> None:
        """Cancel a waiting or processing job; the queue moves on at once."""
        with self._lock:
            job.canceled_at = now
            self._schedule(job.account)

    def account_jobs(self, account: Account) -> list[ExportJob]:
        """The account's jobs, oldest first."""
        return [j for j in self.jobs.values() if j.account is account]

    def _schedule(self, account: Account) -> None:
        free_at = -math.inf
        for job in sorted(self.account_jobs(account), key=lambda j: j.id):
            start = max(job.created_at + self.settings.pickup_seconds, free_at)
            end = start + job.duration
            job.occupies = job.canceled_at is None or job.canceled_at > start
            if job.canceled_at is not None:
                end = max(start, min(end, job.canceled_at))
            job.started_at, job.ended_at = start, end
            if job.occupies:
                free_at = end

    def result_files(self, job: ExportJob) -> list[ResultFile]:
        """The job's CSV files, written on first use."""
        folder = self.folder
        with job.lock:
            if job.files is None:
                job.files = render_files(job, self.settings, folder)
            return job.files


def estimate_rows(account: Account, spec: ObjectSpec, procedure: ExportProcedure, job: Any) -> int:
    """How many rows the job will export, for its duration (filters beyond dates ignored)."""
    table = account.store.table(spec.name)
    after, before = job["after"], job["before"]
    column = procedure.filter_field
    catalog_field = spec.field(column)
    if catalog_field is None or catalog_field.type is not FieldType.DATETIME:
        return len(table)
    return len(table.ids_in_range(column, after, min(before or math.inf, job["created_at"])))


def select_rows(job: ExportJob) -> list[Row]:
    """The rows an export returns: strictly inside its bounds and created before the job."""
    table = job.account.store.table(job.spec.name)
    upper = job.created_at if job.before is None else min(job.before, job.created_at)
    if job.procedure.name == "filter_by_prospect_updated_at":
        ids = _ids_by_prospect(job, table, upper)
    elif job.procedure.filter_field == "activity_date":
        ids = _ids_by_date(job, table, upper)
    else:
        ids = table.ids_in_range(job.procedure.filter_field, job.after, upper)
    deleted = _deleted_mode(job, "deleted")
    rows = []
    type_pos = table.position.get("type")
    prospect_pos = table.position.get("prospect_id")
    types = job.filters.get("type")
    prospect_only = True in (job.filters.get("prospect_only"), job.filters.get("prospectOnly"))
    for row in table.iter_rows(ids):
        is_deleted = row[0] in table.deleted
        if (deleted == "false" and is_deleted) or (deleted == "true" and not is_deleted):
            continue
        if types and type_pos is not None and row[type_pos] not in types:
            continue
        if prospect_only and prospect_pos is not None and row[prospect_pos] is None:
            continue
        rows.append(row)
    return rows


def _deleted_mode(job: ExportJob, name: str) -> str:
    """true, false or all for a deletion argument; false when not given (its default)."""
    value = job.filters.get(name)
    if value is None:
        return "false"
    return "all" if value == "all" else ("true" if value in (True, "true") else "false")


def _ids_by_prospect(job: ExportJob, table: Table, upper: float) -> list[int]:
    """Rows linked to prospects updated in the bounds, chosen by those prospects' deletion.

    `prospect_deleted` filters on the linked prospect's deletion, not the row's own
    (docs/pardot-api/exports.md#procedures-per-object); the row's own deletion is left to the
    `deleted` filter, which this procedure does not take (so deleted rows stay out).
    """
    prospects = job.account.store.table("prospect")
    mode = _deleted_mode(job, "prospect_deleted")
    changed = {
        i
        for i in prospects.ids_in_range("updated_at", job.after, upper)
        if mode == "all" or (i in prospects.deleted) == (mode == "true")
    }
    link = "prospect_id" if job.spec.name == "visitor" else None
    if link is not None and link in table.position:
        pos = table.position[link]
        return [i for i, row in table.rows.items() if row[pos] in changed]
    account_pos = prospects.position.get("prospect_account_id")
    if account_pos is None:
        return []
    accounts = {prospects.rows[i][account_pos] for i in changed if i in prospects.rows}
    return [i for i in table.rows if i in accounts]


def _ids_by_date(job: ExportJob, table: Table, upper: float) -> list[int]:
    fmt = LocalTimeFormatter(job.timezone)
    after = fmt(int(job.after))[:10] if job.after is not None else None
    before = fmt(int(upper))[:10]
    return table.ids_in_range("activity_date", after, before)


def render_files(job: ExportJob, settings: ExportSettings, folder: Path) -> list[ResultFile]:
    """Split the job's rows into CSV files of varying size, in a shuffled order, on disk."""
    rows = select_rows(job)
    rng = random.Random(job.id)
    rng.shuffle(rows)
    if not rows:
        return []
    count = max(math.ceil(len(rows) / settings.max_rows_per_file), 1)
    if len(rows) >= 10:
        count = max(count, settings.min_files)
    cuts = sorted(rng.sample(range(1, len(rows)), count - 1)) if count > 1 else []
    bounds = list(zip([0, *cuts], [*cuts, len(rows)], strict=True))
    encode = _row_encoder(job, settings)
    files = []
    for number, (lo, hi) in enumerate(bounds):
        file_id = 20_000 + job.id % 1000 * 10 + number
        path = folder / f"{job.id}-{file_id}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(job.header)
            for start in range(lo, hi, WRITE_ROWS):
                writer.writerows(encode(row) for row in rows[start : min(hi, start + WRITE_ROWS)])
        files.append(ResultFile(file_id, path, path.stat().st_size, hi - lo))
    return files


def _row_encoder(job: ExportJob, settings: ExportSettings) -> Any:
    table = job.account.store.table(job.spec.name)
    fmt = LocalTimeFormatter(job.timezone)
    true, false = ("1", "0") if settings.csv_booleans == "numeric" else ("true", "false")
    zone = get_zone(job.timezone)

    def midnight(day: str) -> str:  # v3/v4 wall time, v5 ISO with the day's offset
        if job.version != 5:
            return f"{day} 00:00:00"
        return datetime.fromisoformat(day).replace(tzinfo=zone).isoformat()

    converters = []
    for column in job.columns:
        pos = table.position[column]
        catalog_field = job.spec.field(column)
        kind = catalog_field.type if catalog_field else FieldType.STRING
        if column == "activity_date" and job.activity_datetime:
            kind = FieldType.DATETIME  # a date stored, sent as that day's midnight
        converters.append((pos, kind))

    def encode(row: Row) -> list[Any]:
        out: list[Any] = []
        for pos, kind in converters:
            value = row[pos]
            if value is None:
                out.append("")
            elif kind is FieldType.DATETIME and isinstance(value, str):
                out.append(midnight(value))
            elif kind is FieldType.DATETIME:
                out.append(fmt(value))
            elif kind is FieldType.BOOLEAN:
                out.append(true if value else false)
            else:
                out.append(value)
        return out

    return encode


def stream_file(path: Path, chunk: int = 256 * 1024) -> Iterator[bytes]:
    """A result file's bytes in chunks, read as they are sent, so downloads stream like Pardot's."""
    with path.open("rb") as handle:
        while data := handle.read(chunk):
            yield data
