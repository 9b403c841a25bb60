"""Applying an import's rows to the account's prospects, and the errors CSV of skipped rows.

Choices where the docs are silent:

* v4: `prospect_id` wins over `salesforce_fid` when a row has both. An unknown `prospect_id` is a
  row error; an unknown `salesforce_fid` creates a prospect (it needs a valid email) and stores
  the id as `crm_contact_fid` when it starts with 003 (a Contact), else as `crm_lead_fid`.
* A blank cell is one holding only whitespace. An import can opt a prospect out but never back
  in (`opted_out` true is kept).
* New prospects get false for every boolean field not in the CSV, and created_at/updated_at of
  the completion time; updated prospects get updated_at of the completion time.
* The errors CSV holds one line per failed row with its cells as imported, in import order, plus
  the error's type and description. Its columns are unconfirmed, so the `error_csv_layout` switch
  serves each plausible shape (`ERROR_LAYOUTS`): the two columns after the row (`error_type`,
  `error_description`: the default) or before it, named as in the UI's report or in camelCase, a
  single `error` column with the description only, names a reader cannot know (`Outcome`,
  `Notes`), no names at all (the two cells trail each row, the header names only the row's
  columns), or no header row. Error types: no_match_key, missing_email, invalid_email,
  invalid_value, prospect_not_found, prospect_deleted.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from pardot_client.catalog import CATALOG, FieldType
from pardot_sim.import_csv import data_rows, resolve_column
from pardot_sim.import_index import ProspectIndex
from pardot_sim.import_jobs import ColumnOption, FailedRow, ImportJob
from pardot_sim.import_values import ValueReader, valid_email
from pardot_sim.switches import Switches

ERROR_COLUMNS = ("error_type", "error_description")  # added to each row of the errors CSV
# Layout -> (names of the error columns, or None for none; whether they come first; header row).
ERROR_LAYOUTS: dict[str, tuple[tuple[str, ...] | None, bool, bool]] = {
    "appended": (ERROR_COLUMNS, False, True),
    "prefixed": (ERROR_COLUMNS, True, True),
    "title_case": (("Error Type", "Error Description"), False, True),
    "camel_case": (("errorType", "errorDescription"), False, True),
    "single": (("error",), False, True),
    "other_names": (("Outcome", "Notes"), False, True),
    "unnamed": (None, False, True),
    "headerless": (None, False, False),
}


def apply_job(job: ImportJob, index: ProspectIndex, switches: Switches) -> None:
    """Apply every kept batch of a job once, recording its counts and failed rows."""
    apply_row = RowApplier(job, index, switches)
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


def failed_rows_csv(job: ImportJob, layout: str = "appended") -> bytes:
    """The failed rows as imported with their error columns, shaped as `layout` says."""
    names, first, with_header = ERROR_LAYOUTS[layout]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = job.header or []
    if with_header:
        errors = list(names or ())
        writer.writerow([*errors, *header] if first else [*header, *errors])
    for error in job.errors:
        extra = (
            (error.description,)
            if names is not None and len(names) == 1
            else (error.kind, error.description)
        )
        writer.writerow([*extra, *error.cells] if first else [*error.cells, *extra])
    return buffer.getvalue().encode()


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
