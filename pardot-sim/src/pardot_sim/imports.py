"""The Import API engine: import jobs, their states on the simulated clock, applying their rows.

An import is Open while batches arrive, then Waiting, Processing and Complete (pardot-api.md §5.1,
§9). Imports of one account run one after another in the order they were submitted (set Ready);
a job's duration (a base latency plus its rows over a throughput) is fixed when it is submitted and
its state at any moment is derived from that schedule, so nothing runs in the background. The rows
are applied to the account's prospects exactly once, by `ImportEngine.settle`, when the import is
first observed Complete; until then Pardot's data is untouched. Batches are kept as the uploaded
bytes (validated on upload, parsed again when applied) and dropped once applied or expired.

Choices where the docs are silent:

* "Under 10 MB" is read as smaller than 10 MiB: a batch of 10,485,760 bytes or more is refused
  with 158 "Uploading a file was unsuccessful" and HTTP 413 (no code is documented for it).
* A batch sent to an import that is no longer Open (or expired) is 161, as the error-code
  reference says ("A batch was submitted to an import that is not Open"); setting Ready again is
  155. Daily limits (1000 batches, 10 GiB) count accepted batches per account-local day (164).
* Ready -> processing starts `queue_seconds` later (or when the account's previous import ends),
  so the answer to Ready really is Waiting, as documented.
* A batch whose header differs from the import's first batch is refused with 159 (not a valid CSV
  *for this import*); 226/227 are kept for disagreements with the `columns` options.
* A duplicated header name is 159; a header name that is not an importable prospect field, a
  custom field or a match column of the import's version is 130.
* Open imports expire 24 h after creation; Complete ones 7 days after completion.
* v4: `prospect_id` wins over `salesforce_fid` when a row has both. An unknown `prospect_id` is a
  row error; an unknown `salesforce_fid` creates a prospect (it needs a valid email) and stores
  the id as `crm_contact_fid` when it starts with 003 (a Contact), else as `crm_lead_fid`.
  Several prospects sharing an email (v3) or a CRM id (v4) resolve to the non-deleted, most
  recently updated one.
* A CSV without any match column is accepted; each of its rows then fails (Pardot skips rows).
* Values: integers and booleans (true/false/1/0) are read leniently of case and surrounding
  blanks, datetimes as wall times in the creating user's timezone (or ISO with an offset), text
  is stored exactly as sent. A blank cell is one holding only whitespace. Custom fields are text.
  An import can opt a prospect out but never back in (`opted_out` true is kept).
* New prospects get false for every boolean field not in the CSV, and created_at/updated_at of
  the completion time; updated prospects get updated_at of the completion time.
* The errors CSV is the import's header plus `error_type` and `error_description` (after the row
  by default, before it when `error_csv_layout` is "prefixed"), one line per failed row with its
  cells as imported, in import order. Error types: no_match_key, missing_email, invalid_email,
  invalid_value, prospect_not_found, prospect_deleted.

Speed: upload validation and applying are single passes with dict indexes built once per settle,
about 10 µs per row here (a million-row import settles in ~10 s, in the call that observes it).
"""

from __future__ import annotations

import csv
import io
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pardot_client.catalog import CATALOG, PROSPECT_IMPORT_MATCH_COLUMNS, FieldType
from pardot_client.dates import wall_time_candidates
from pardot_sim.accounts import Account, User
from pardot_sim.app import SimApp
from pardot_sim.responses import SimError
from pardot_sim.store import Row, Table
from pardot_sim.switches import Switches

OPEN_EXPIRY_SECONDS = 24 * 3600
COMPLETE_EXPIRY_SECONDS = 7 * 24 * 3600
ERROR_COLUMNS = ("error_type", "error_description")  # added to each row of the errors CSV
ORIGIN = "API"

# Message texts as the 2020 error-code reference prints them (pardot-api.md §6.2).
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

_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


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


@dataclass(frozen=True)
class ImportColumn:
    """A CSV header name resolved against the prospect table."""

    name: str
    role: str  # "field", or a match-only column: "prospect_id" / "salesforce_fid"
    position: int  # column of the prospect table; -1 for match-only columns
    kind: FieldType


def resolve_column(table: Table, version: int, name: str) -> ImportColumn | None:
    """What a header name means for an import of `version`; None: not importable (130)."""
    spec = CATALOG["prospect"]
    catalog_field = spec.field(name)
    if catalog_field is not None and catalog_field.name == name:
        if catalog_field.importable and name in table.position:
            return ImportColumn(name, "field", table.position[name], catalog_field.type)
        return None
    if name in PROSPECT_IMPORT_MATCH_COLUMNS[version]:
        return ImportColumn(name, name, -1, FieldType.STRING)
    if catalog_field is None and name in table.position:
        return ImportColumn(name, "field", table.position[name], FieldType.STRING)  # custom field
    return None


def _records(data: bytes) -> Iterator[list[str]]:
    """The non-empty records of a CSV file; SimError 159 when it is not valid CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise import_error(159, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for record in reader:
            if record:
                yield record
    except csv.Error as exc:
        raise import_error(159, f"record {reader.line_num}: {exc}") from None


def scan_batch(data: bytes) -> tuple[list[str], int]:
    """Validate a batch (1 header row, >= 1 data row, same column count): header, row count."""
    header: list[str] | None = None
    count = 0
    for record in _records(data):
        if header is None:
            header = [name.strip() for name in record]
            continue
        if len(record) != len(header):
            raise import_error(
                159, f"data row {count + 1} has {len(record)} columns; the header has {len(header)}"
            )
        count += 1
    if header is None:
        raise import_error(159, "there is no header row")
    if count == 0:
        raise import_error(159, "there is no data row")
    duplicated = sorted(n for n, c in Counter(header).items() if c > 1)
    if duplicated:
        raise import_error(159, f"duplicated columns {', '.join(duplicated)}")
    return header, count


def data_rows(data: bytes) -> Iterator[list[str]]:
    """The data rows of a batch that `scan_batch` accepted."""
    records = _records(data)
    next(records, None)
    yield from records


class ValueReader:
    """CSV cells -> stored values by catalog type; ValueError when a cell cannot be one."""

    def __init__(self, timezone: str, switches: Switches) -> None:
        self.zone = "UTC" if switches.naive_input_timezone == "utc" else timezone
        self.later = switches.ambiguous_input == "later"

    def __call__(self, raw: str, kind: FieldType) -> Any:
        convert = self.converter(kind)
        return raw if convert is None else convert(raw.strip())

    def converter(self, kind: FieldType) -> Callable[[str], Any] | None:
        """The function reading a stripped, non-blank cell of `kind`; None: text, kept as sent."""
        return {
            FieldType.STRING: None,
            FieldType.INTEGER: _integer,
            FieldType.NUMBER: _number,
            FieldType.BOOLEAN: _boolean,
            FieldType.DATE: _date,
            FieldType.DATETIME: self._datetime,
        }[kind]

    def _datetime(self, text: str) -> int:
        candidates = wall_time_candidates(text, self.zone)  # also ISO with an offset
        return int((candidates[-1] if self.later else candidates[0]).timestamp())


def _integer(text: str) -> int:
    if not (text.isascii() and text.isdigit()) and not _INTEGER.match(text):
        raise ValueError(text)
    return int(text)


def _number(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _boolean(text: str) -> bool:
    flag = _BOOLEANS.get(text.lower())
    if flag is None:
        raise ValueError(text)
    return flag


def _date(text: str) -> str:
    return date.fromisoformat(text).isoformat()


def valid_email(value: str) -> bool:
    """A basic RFC 5322-ish check (dot-atom local part, a dotted domain), at most 255 chars."""
    return len(value) <= 255 and _EMAIL.match(value) is not None


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


class RowSkippedError(Exception):
    """A row Pardot skips: its error type and description."""

    def __init__(self, kind: str, description: str) -> None:
        super().__init__(description)
        self.kind = kind
        self.description = description


# How RowApplier reads a CSV column.
_TEXT, _CONVERT, _EMAIL_FIELD, _PROSPECT_ID, _SALESFORCE_FID, _SKIP = range(6)
# One cell to write: table position, value (None: blank), overwrite, nullOverwrite.
_Value = tuple[int, Any, bool, bool]


class RowApplier:
    """Applies the data rows of one import to the prospects, one row at a time.

    Each CSV column is planned once (its role, table position, converter and options), so the
    per-row work is a loop over plain tuples: a million rows take seconds, not minutes.
    """

    def __init__(self, job: ImportJob, index: ProspectIndex, switches: Switches) -> None:
        table = index.table
        self.job = job
        self.index = index
        self.when = int(job.ended_at)
        read = ValueReader(job.timezone, switches)
        options = {o.field: o for o in job.columns or ()}
        email_pos = table.position["email"]
        self.plan: list[tuple[int, int, Callable[[str], Any], bool, bool, str]] = []
        for name in job.header or ():
            option = options.get(name, ColumnOption(name))
            column = resolve_column(table, job.version, name)
            convert: Callable[[str], Any] | None = str  # used by _CONVERT columns only
            if column is None:
                role = _SKIP  # a custom field removed since the upload
            elif column.role == "prospect_id":
                role = _PROSPECT_ID
            elif column.role == "salesforce_fid":
                role = _SALESFORCE_FID
            elif column.position == email_pos:
                role = _EMAIL_FIELD
            else:
                convert = read.converter(column.kind)
                role = _TEXT if convert is None else _CONVERT
            position = column.position if column is not None else -1
            self.plan.append(
                (role, position, convert or str, option.overwrite, option.null_overwrite, name)
            )
        self.created_pos = table.position["created_at"]
        self.updated_pos = table.position["updated_at"]
        self.lead_pos = table.position.get("crm_lead_fid", -1)
        self.contact_pos = table.position.get("crm_contact_fid", -1)
        self.opted_out_pos = table.position.get("opted_out", -1)
        template: list[Any] = [None] * len(table.columns)
        for catalog_field in CATALOG["prospect"].fields:
            if catalog_field.type is FieldType.BOOLEAN and catalog_field.name in table.position:
                template[table.position[catalog_field.name]] = False
        self.template = tuple(template)

    def __call__(self, cells: Sequence[str]) -> str | FailedRow:
        """Apply one row: "created", "updated", or the row as skipped and why."""
        try:
            return self._apply(cells)
        except RowSkippedError as skipped:
            return FailedRow(tuple(cells), skipped.kind, skipped.description)

    def _apply(self, cells: Sequence[str]) -> str:
        values, prospect_id, fid, email = self._values(cells)
        target = self._match(prospect_id, fid, email)
        if target is not None and self.index.is_deleted(target):
            if not self.job.restore_deleted:
                raise RowSkippedError(
                    "prospect_deleted",
                    f"Prospect {target} is in the recycle bin; restoreDeleted is false",
                )
            self.index.restore(target)
        if target is None:
            return self._create(values, fid, email)
        self._update(target, values)
        return "updated"

    def _values(
        self, cells: Sequence[str]
    ) -> tuple[list[_Value], int | None, str | None, str | None]:
        values: list[_Value] = []
        prospect_id: int | None = None
        fid = email = None
        problem: RowSkippedError | None = None
        for (role, pos, convert, overwrite, null_overwrite, name), raw in zip(
            self.plan, cells, strict=False
        ):
            if role == _TEXT:
                value = raw if raw and not raw.isspace() else None
                values.append((pos, value, overwrite, null_overwrite))
                continue
            text = raw.strip()
            if role == _CONVERT:
                if not text:
                    values.append((pos, None, overwrite, null_overwrite))
                    continue
                try:
                    values.append((pos, convert(text), overwrite, null_overwrite))
                except (ValueError, OverflowError):
                    problem = problem or _invalid(name, raw)
            elif role == _EMAIL_FIELD:
                if text:
                    email = text
                    if not valid_email(text):
                        problem = problem or RowSkippedError(
                            "invalid_email", f"Invalid email: {raw!r}"
                        )
                values.append((pos, text or None, overwrite, null_overwrite))
            elif role == _PROSPECT_ID:
                if text.isascii() and text.isdigit():
                    prospect_id = int(text)
                elif text:
                    problem = problem or _invalid(name, raw)
            elif role == _SALESFORCE_FID:
                fid = text or None
        if self.job.version == 4 and prospect_id is None and fid is None and problem is None:
            raise RowSkippedError("no_match_key", "The row has no prospect_id or salesforce_fid")
        if self.job.version == 3 and email is None and problem is None:
            raise RowSkippedError("missing_email", "The row has no email; v3 matches on email")
        if problem is not None:
            raise problem
        return values, prospect_id, fid, email

    def _match(self, prospect_id: int | None, fid: str | None, email: str | None) -> int | None:
        if self.job.version == 3:
            return self.index.by_email(email or "")
        if prospect_id is not None:
            if self.index.row(prospect_id) is None:
                raise RowSkippedError("prospect_not_found", f"No prospect with id {prospect_id}")
            return prospect_id
        return self.index.by_fid(fid or "")

    def _create(self, values: list[_Value], fid: str | None, email: str | None) -> str:
        if email is None:
            raise RowSkippedError(
                "missing_email", f"No prospect has CRM id {fid}; creating one needs an email"
            )
        row = list(self.template)
        row[0] = self.index.new_id()
        for pos, value, _, _ in values:
            row[pos] = value
        fid_pos = self.contact_pos if fid and fid.startswith("003") else self.lead_pos
        if fid is not None and fid_pos >= 0:
            row[fid_pos] = fid
        row[self.created_pos] = row[self.updated_pos] = self.when
        self.index.write(tuple(row), None)
        return "created"

    def _update(self, target: int, values: list[_Value]) -> None:
        old = self.index.row(target)
        assert old is not None
        row = list(old)
        opted_out_pos = self.opted_out_pos
        for pos, value, overwrite, null_overwrite in values:
            if overwrite and (null_overwrite or value is not None) and pos != opted_out_pos:
                row[pos] = value  # the defaults: the CSV value wins
                continue
            current = row[pos]
            blank = current is None or (isinstance(current, str) and not current.strip())
            if not overwrite and not blank:
                continue
            if value is None and not null_overwrite:
                continue
            if pos == opted_out_pos and current is True and value is False:
                continue  # an import can opt a prospect out, never back in
            row[pos] = value
        row[self.updated_pos] = self.when
        self.index.write(tuple(row), old)


def _invalid(name: str, raw: str) -> RowSkippedError:
    return RowSkippedError("invalid_value", f"Invalid value for {name}: {raw!r}")


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
        if not isinstance(raw, list) or not raw:
            raise import_error(165, "columns must be a non-empty list")
        options = []
        for entry in raw:
            if not isinstance(entry, dict) or not isinstance(entry.get("field"), str):
                raise import_error(165, "each column needs a field name")
            unknown = set(entry) - {"field", "overwrite", "nullOverwrite"}
            if unknown:
                raise import_error(165, f"unknown column option {min(unknown)}")
            flags = [entry.get(k, True) for k in ("overwrite", "nullOverwrite")]
            if not all(isinstance(flag, bool) for flag in flags):
                raise import_error(165, f"{entry['field']}: overwrite options must be booleans")
            options.append(ColumnOption(entry["field"].strip(), flags[0], flags[1]))
        names = [o.field for o in options]
        if len(set(names)) != len(names):
            raise import_error(165, "a field is listed twice")
        table = account.store.table("prospect")
        for name in names:
            if resolve_column(table, version, name) is None:
                raise import_error(227, f"{name} is not an importable prospect field")
        return tuple(options)

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
        if len(data) >= settings.max_batch_bytes:
            raise import_error(
                158,
                f"the batch has {len(data)} bytes; it must be under {settings.max_batch_bytes}",
                status=413,
            )
        header, rows = scan_batch(data)
        if job is not None and job.header is not None and header != job.header:
            raise import_error(159, "the header differs from the import's first batch")
        table = account.store.table("prospect")
        unknown = [n for n in header if resolve_column(table, version, n) is None]
        if unknown:
            raise import_error(130, ", ".join(unknown))
        if columns is not None:
            if len(columns) != len(header):
                raise import_error(
                    226, f"the CSV has {len(header)} columns and columns lists {len(columns)}"
                )
            missing = [o.field for o in columns if o.field not in header]
            if missing:
                raise import_error(227, f"{missing[0]} is not a column of the CSV")
        return header, rows

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
                self._apply(job, index)
            index.commit()
            return [j.id for j in due]

    def _apply(self, job: ImportJob, index: ProspectIndex) -> None:
        apply_row = RowApplier(job, index, self.switches)
        counts: Counter[str] = Counter()
        for batch in job.batches:
            if batch.data is None:
                continue
            for cells in data_rows(batch.data):
                outcome = apply_row(cells)
                if isinstance(outcome, str):
                    counts[outcome] += 1
                else:
                    job.errors.append(outcome)
            batch.data = None
        job.created_count = counts["created"]
        job.updated_count = counts["updated"]
        job.applied = True

    def errors_csv(self, job: ImportJob) -> bytes:
        """The failed rows as imported, with the error columns after or before them (switch)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        header = job.header or []
        prefixed = self.switches.error_csv_layout == "prefixed"
        writer.writerow([*ERROR_COLUMNS, *header] if prefixed else [*header, *ERROR_COLUMNS])
        for error in job.errors:
            extra = (error.kind, error.description)
            writer.writerow([*extra, *error.cells] if prefixed else [*error.cells, *extra])
        return buffer.getvalue().encode()


def register(app: SimApp, engine: ImportEngine) -> None:
    """Add the import routes (v3/v4) and the admin settle route."""
    from pardot_sim import import_api  # noqa: PLC0415 - import_api imports this module at its top

    engine.app = app
    import_api.register(app, engine)
