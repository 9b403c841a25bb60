"""Validating what an import is given: the `columns` options and each uploaded CSV batch.

Batches are checked in full on upload so applying them later cannot meet a malformed file.
Choices where the docs are silent:

* "Under 10 MB" is read as smaller than 10 MiB: a batch of 10,485,760 bytes or more is refused
  with 158 "Uploading a file was unsuccessful" and HTTP 413 (no code is documented for it).
* A batch whose header differs from the import's first batch is refused with 159 (not a valid CSV
  *for this import*); 226/227 are kept for disagreements with the `columns` options.
* A duplicated header name is 159; a header name that is not an importable prospect field, a
  custom field or a match column of the import's version is 130.
* A CSV without any match column is accepted; each of its rows then fails (Pardot skips rows).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pardot_client.catalog import CATALOG, PROSPECT_IMPORT_MATCH_COLUMNS, FieldType
from pardot_sim.import_jobs import ColumnOption, import_error
from pardot_sim.store import Table


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


def parse_column_options(table: Table, version: int, raw: Any) -> tuple[ColumnOption, ...]:
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
    for name in names:
        if resolve_column(table, version, name) is None:
            raise import_error(227, f"{name} is not an importable prospect field")
    return tuple(options)


def check_batch(data: bytes, *, max_bytes: int, table: Table, version: int,
                first_header: list[str] | None,
                columns: tuple[ColumnOption, ...] | None) -> tuple[list[str], int]:  # fmt: skip
    """Validate one batch for an import whose first batch had `first_header`: header, row count."""
    if len(data) >= max_bytes:
        raise import_error(
            158, f"the batch has {len(data)} bytes; it must be under {max_bytes}", status=413
        )
    header, rows = scan_batch(data)
    if first_header is not None and header != first_header:
        raise import_error(159, "the header differs from the import's first batch")
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


# Python's csv module refuses a cell over 128 KiB by default, which would fail a valid batch
# holding one large cell with 159; a cell can be as large as a batch (under 10 MiB).
_CELL_LIMIT = 16 * 1024 * 1024
if csv.field_size_limit() < _CELL_LIMIT:
    csv.field_size_limit(_CELL_LIMIT)


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
