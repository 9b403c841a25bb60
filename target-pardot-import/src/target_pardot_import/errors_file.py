"""Pardot's errors file, read whatever its columns, and its rows traced back to input lines.

The API's errors CSV holds the rows Pardot skipped; its columns are unconfirmed
(docs/pardot-api/imports.md#the-errors-file). The UI's report is each row as imported plus an
error type and an error description, so the reader looks for the import's own columns (by name,
or by name once case, blanks and punctuation are ignored: `First Name` is `first_name`), then
for the error columns under the names they plausibly have (`error_type`, `Error Type`,
`errorType`, `error`, `message`, ...). Whatever else there is, columns the input did not have or
cells past the header's end, is kept as the reason's text. A file whose first line names none
of the import's columns nor an error column has no header: its lines are read by position, the
row's cells first (as in the UI's report). No layout stops the run: each line is reported.

Each skipped row is traced to its input line by its cells: written back in the target's own CSV
form they are byte for byte the row it uploaded, whose line the spooled part kept. Skipped rows
are matched in chunks, each chunk against one pass over the import's parts, so memory stays
bounded however many rows Pardot skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from target_pardot_import.parts import Part
from target_pardot_import.values import quote

KIND_NAMES = frozenset({"errortype", "type", "errorcode", "code", "errorkind", "kind"})
TEXT_NAMES = frozenset({
    "errordescription", "description", "errormessage", "message", "error", "errors", "reason",
    "errorreason", "errordetail", "errordetails", "detail", "details",
})  # fmt: skip
GENERIC_KIND = "pardot_error"
# An error type such as `invalid_email`: snake_case, so that no value (a name, an id) is ever
# taken for one; the kind is what the run's summary logs.
_KIND = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
CHUNK_ROWS = 20_000  # skipped rows matched per pass over the parts


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class SkippedRow:
    """A row Pardot skipped: its cells by column, the import's cells in order (when known),
    the reason for the rejects file, and the input line once traced."""

    record: dict[str, str]
    cells: tuple[str, ...] | None
    reason: str
    line: int | None = None


class ErrorsLayout:
    """Where the import's columns and the error columns are in one errors file."""

    def __init__(self, header: Sequence[str], sent: Sequence[str]) -> None:
        self.sent = tuple(sent)
        self.names = list(header)
        ours = {_normal(name): name for name in self.sent}
        self.at: dict[str, int] = {}  # import column -> position
        self.kind_at: int | None = None
        self.text_at: list[int] = []
        self.other_at: list[int] = []
        for position, name in enumerate(header):
            key = _normal(name)
            column = name if name in self.sent else ours.get(key)
            if column is not None and column not in self.at:
                self.at[column] = position
            elif key in KIND_NAMES and self.kind_at is None:
                self.kind_at = position
            elif key in TEXT_NAMES:
                self.text_at.append(position)
            else:
                self.other_at.append(position)
        self.has_header = bool(self.at)
        if not self.has_header:  # no header row: the import's cells first, then the errors
            self.names = []
            self.at = {name: i for i, name in enumerate(self.sent)}
            self.kind_at, self.text_at, self.other_at = None, [], []

    def read(self, cells: Sequence[str]) -> SkippedRow:
        """One data line of the file as a skipped row."""
        width = len(self.names) if self.has_header else len(self.sent)
        record = {name: cells[i] if i < len(cells) else "" for name, i in self.at.items()}
        texts = [cells[i] for i in self.text_at if i < len(cells) and cells[i]]
        texts += [
            f"{self.names[i]}: {cells[i]}" for i in self.other_at if i < len(cells) and cells[i]
        ]
        trailing = [cell for cell in cells[width:] if cell]
        kind = cells[self.kind_at] if self.kind_at is not None and self.kind_at < len(cells) else ""
        if not kind and not texts and len(trailing) >= 2:
            kind, trailing = trailing[0], trailing[1:]  # unnamed: the type, then the description
        if kind and not _KIND.match(kind):
            texts.insert(0, kind)
            kind = ""
        text = "; ".join([*texts, *trailing]) or "Pardot skipped this row without saying why"
        if not self.has_header:
            text += " (the errors file has no header row: cells read by position)"
        complete = len(self.at) == len(self.sent) and all(i < len(cells) for i in self.at.values())
        sent = tuple(cells[self.at[name]] for name in self.sent) if complete else None
        return SkippedRow(record, sent, f"{kind or GENERIC_KIND}: {text}")


def skipped_rows(lines: Iterator[list[str]], sent: Sequence[str]) -> Iterator[SkippedRow]:
    """The skipped rows of an errors file read as CSV records, in the file's order.

    A first line naming none of the import's columns is still a header when it names an error
    column; otherwise the file has no header and that line is the first skipped row.
    """
    first = next(lines, None)
    if first is None:
        return
    layout = ErrorsLayout(first, sent)
    if not layout.has_header and not any(_normal(c) in KIND_NAMES | TEXT_NAMES for c in first):
        yield layout.read(first)
    yield from (layout.read(cells) for cells in lines if cells)


def canonical_row(cells: Iterable[str]) -> bytes:
    """A row as the target writes it (RFC 4180, quoted only when needed)."""
    return (",".join(map(quote, cells)) + "\r\n").encode("utf-8", "backslashreplace")


def with_lines(rows: Iterable[SkippedRow], parts: Sequence[Part]) -> Iterator[SkippedRow]:
    """The rows with the input line each came on (None when its cells match no sent row)."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK_ROWS)):
        wanted: dict[int, list[int]] = {}
        for row in chunk:
            if row.cells is not None:
                wanted.setdefault(hash(canonical_row(row.cells)), [])
        if wanted:
            for part in parts:
                for line, data in part.rows_with_lines():
                    found = wanted.get(hash(data))
                    if found is not None:
                        found.append(line)
        for row in chunk:
            lines = wanted.get(hash(canonical_row(row.cells))) if row.cells is not None else None
            yield SkippedRow(row.record, row.cells, row.reason, lines.pop(0) if lines else None)
