"""CSV cells to typed record values, decided once per file header, applied per row.

The SDK does not parse strings (docs/sdk.md), so every cell is typed here, into exactly the
values the SDK's type conformance would leave unchanged (the fast record path relies on it, and
tests/test_fast_path_conformance.py proves it): the shared `converters` for integers, numbers,
booleans and dates (`YYYY-MM-DD`, from a date or a date-time), datetimes from the API user's
wall time to fixed-width UTC ISO 8601 strings (the client's DST rule), strings as they are;
empty cells become null.

Rows are typed by one function built per header (`row_function`): a dict display with a
converter per column, so a row costs one call instead of one per cell. Its source holds only
generated names and column positions, never header text.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from pardot_client.catalog import FieldType, ObjectSpec, to_snake
from pardot_client.dates import LocalTimeParser
from pardot_client.transitions import span_parser
from tap_pardot_export import converters
from tap_pardot_export.converters import text
from tap_pardot_export.export.windows import Window

Converter = Callable[[str], Any]
RowFunction = Callable[[Sequence[str]], dict[str, Any]]


class CellError(ValueError):
    """A cell that does not hold a value of its column's type."""


_FASTER: dict[Converter, Converter] = {converters.integer: int}  # same value; errors say more


def row_function(columns: Sequence[tuple[str, Converter]]) -> RowFunction:
    """One function typing a whole row: `{key_i: convert_i(row[i]) if row[i] else None, ...}`.

    Text columns skip the call (`row[i] or None`); a datetime column holding the same text as the
    previous datetime column of the row (updated_at is created_at for most activities) reuses
    that column's value instead of parsing it again; converters are pure, so this is exact.
    """
    namespace: dict[str, Any] = {}
    entries: list[str] = []
    parsed: dict[Converter, list[int]] = {}
    for i, (key, convert) in enumerate(columns):
        namespace[f"k{i}"] = key
        cell = f"row[{i}]"
        if convert is text:
            entries.append(f"k{i}: {cell} or None")
            continue
        fast = convert.fast if isinstance(convert, LocalTimeParser) else convert  # a plain function
        namespace[f"c{i}"] = _FASTER.get(fast, fast)
        value = f"(c{i}({cell}) if {cell} else None)"
        if isinstance(convert, LocalTimeParser):
            earlier = parsed.setdefault(convert, [])
            if earlier:  # the previous datetime column only: one comparison per cell at most
                j = earlier[-1]
                value = f"(v{j} if {cell} == row[{j}] else {value})"
            earlier.append(i)
            value = f"(v{i} := {value})"
        entries.append(f"k{i}: {value}")
    source = "def typed_row(row):\n    return {" + ", ".join(entries) + "}\n"
    exec(compile(source, "<tap_pardot_export.export.rows>", "exec"), namespace)  # noqa: S102
    function: RowFunction = namespace["typed_row"]
    return function


class RowParser:
    """Types the rows of one export's CSV files into records keyed by snake_case column.

    The `exact_field` (the export's filter field) of a row lies inside its window, so a wall time
    of a repeated DST hour is read as the instant inside the window (pardot_client.transitions):
    exact when no offset change crosses the window. Other datetimes follow the stated rule.
    """

    def __init__(
        self,
        spec: ObjectSpec,
        timezone: str,
        custom_types: dict[str, FieldType],
        exact_field: str | None = None,
    ) -> None:
        self.spec = spec
        self.custom_types = custom_types
        self.timezone = timezone
        self.exact_field = exact_field
        self.parse_time = parse_time = LocalTimeParser(timezone)  # one hour cache for all files
        self._by_type: dict[FieldType, Converter] = {
            FieldType.INTEGER: converters.integer,
            FieldType.NUMBER: converters.number,
            FieldType.BOOLEAN: converters.boolean,
            FieldType.DATETIME: parse_time,
            FieldType.DATE: converters.date,
            FieldType.STRING: text,
        }

    def columns(
        self, header: Sequence[str], span: Window | None = None
    ) -> list[tuple[str, Converter]]:
        """The record key and converter of each header cell (v3/v4 or v5 names)."""
        out: list[tuple[str, Converter]] = []
        for name in header:
            catalog_field = self.spec.field(name)
            if catalog_field is not None:
                convert = self._by_type[catalog_field.type]
                exact = catalog_field.name == self.exact_field
                if span is not None and exact and catalog_field.type is FieldType.DATETIME:
                    convert = span_parser(self.timezone, span.start, span.end, self.parse_time)
                out.append((catalog_field.name, convert))
            else:
                key = name if name in self.custom_types else to_snake(name)
                kind = self.custom_types.get(key, FieldType.STRING)
                out.append((key, self._by_type[kind]))
        return out

    def records(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        skip: int = 0,
        span: Window | None = None,
        progress: list[int] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Typed records for the rows of one file, after its first `skip` rows (not typed);
        `span` is the window the file's rows were exported for. `progress[0]` holds how many
        rows of the file (skipped ones included) have been yielded."""
        progress = [skip] if progress is None else progress
        columns = self.columns(header, span)
        typed_row = row_function(columns)
        width = len(columns)
        for number, row in enumerate(itertools.islice(rows, skip, None), start=2 + skip):
            if len(row) != width:
                raise CellError(f"CSV line {number} has {len(row)} cells, the header {width}")
            try:
                record = typed_row(row)
            except ValueError:
                raise _cell_error(columns, row, number) from None
            progress[0] = number - 1
            yield record


def _cell_error(
    columns: Sequence[tuple[str, Converter]], row: Sequence[str], number: int
) -> Exception:
    """The error naming the line and the first column whose cell does not convert."""
    for (key, convert), cell in zip(columns, row, strict=True):
        try:
            if cell:
                convert(cell)
        except ValueError as exc:
            return CellError(f"CSV line {number}, column {key}: {exc}")
    return CellError(f"CSV line {number}: a cell does not convert")  # pragma: no cover
