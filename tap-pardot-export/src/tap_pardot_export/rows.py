"""CSV cells to typed record values, decided once per file header, applied per row.

The SDK does not parse strings (sdk-notes §1.4), so every cell is typed here: integers, numbers,
booleans from 1/0/true/false, datetimes from the API user's wall time to fixed-width UTC ISO 8601
(the client's DST rule), dates as they are; empty cells become null.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from pardot_client.catalog import FieldType, ObjectSpec, to_snake
from pardot_client.dates import LocalTimeParser

Converter = Callable[[str], Any]
_TRUE = frozenset({"1", "true", "True", "TRUE", "yes"})
_FALSE = frozenset({"0", "false", "False", "FALSE", "no"})


class CellError(ValueError):
    """A cell that does not hold a value of its column's type."""


def _integer(cell: str) -> int:
    try:
        return int(cell)
    except ValueError:
        raise CellError(f"{cell!r} is not an integer") from None


def _number(cell: str) -> Decimal:
    try:
        return Decimal(cell)
    except InvalidOperation:
        raise CellError(f"{cell!r} is not a number") from None


def _boolean(cell: str) -> bool:
    if cell in _TRUE:
        return True
    if cell in _FALSE:
        return False
    raise CellError(f"{cell!r} is not a boolean")


class RowParser:
    """Types the rows of one export's CSV files into records keyed by snake_case column."""

    def __init__(self, spec: ObjectSpec, timezone: str, custom_types: dict[str, FieldType]) -> None:
        self.spec = spec
        self.custom_types = custom_types
        parse_time = LocalTimeParser(timezone)
        self._by_type: dict[FieldType, Converter] = {
            FieldType.INTEGER: _integer,
            FieldType.NUMBER: _number,
            FieldType.BOOLEAN: _boolean,
            FieldType.DATETIME: parse_time,
            FieldType.DATE: str,
            FieldType.STRING: str,
        }

    def columns(self, header: Sequence[str]) -> list[tuple[str, Converter]]:
        """The record key and converter of each header cell (v3/v4 or v5 names)."""
        out = []
        for name in header:
            catalog_field = self.spec.field(name)
            if catalog_field is not None:
                out.append((catalog_field.name, self._by_type[catalog_field.type]))
            else:
                key = name if name in self.custom_types else to_snake(name)
                kind = self.custom_types.get(key, FieldType.STRING)
                out.append((key, self._by_type[kind]))
        return out

    def records(
        self, header: Sequence[str], rows: Iterable[Sequence[str]]
    ) -> Iterator[dict[str, Any]]:
        """Typed records for the rows of one file."""
        columns = self.columns(header)
        width = len(columns)
        for number, row in enumerate(rows, start=2):
            if len(row) != width:
                raise CellError(f"CSV line {number} has {len(row)} cells, the header {width}")
            record: dict[str, Any] = {}
            for (key, convert), cell in zip(columns, row, strict=True):
                try:
                    record[key] = convert(cell) if cell != "" else None
                except ValueError as exc:
                    raise CellError(f"CSV line {number}, column {key}: {exc}") from None
            yield record
