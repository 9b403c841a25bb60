"""Records -> CSV rows Pardot reads: value formatting, row checks and RFC 4180 quoting.

This module replaces the SDK's JSON-Schema validation (the target's main cost, docs/sdk.md):
each value is checked against the Pardot type of its column while it is formatted, so a row
Pardot would refuse is rejected here, with a reason that never quotes the value (reasons can end
up in logs; values only ever go to the rejects file).

Formatting choices (docs/pardot-api/imports.md): booleans `true`/`false`; integers in decimal;
numbers without an exponent; `date-time` strings (ISO 8601; no offset means UTC, the Singer
convention) as `YYYY-MM-DD HH:MM:SS` wall time in the API user's timezone; text as sent. A null
or a missing key is an empty cell (whether it may blank Pardot's value is the column's
`nullOverwrite`); so is a blank string in a non-text column. A cell holding a comma, a quote,
CR or LF is quoted, quotes doubled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from pardot_client.catalog import FieldType
from pardot_client.dates import LocalTimeFormatter
from target_pardot_import.fields import Column

Encoder = Callable[[Any], str]
_NEEDS_QUOTES = re.compile(r'[",\r\n]')
_INTEGER = re.compile(r"^\s*[+-]?[0-9]+\s*$")
_BOOLEANS = {"true": "true", "1": "true", "false": "false", "0": "false"}
# The shape the simulator and Pardot's UI accept: a dot-atom local part and a dotted domain.
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)


class RowRejectedError(ValueError):
    """A record that cannot be imported; the message is the reason, without any value."""


def quote(text: str) -> str:
    """One CSV cell (RFC 4180): quoted only when it holds a comma, a quote, CR or LF."""
    if _NEEDS_QUOTES.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def valid_email(value: str) -> bool:
    """The email shape Pardot accepts, at most 255 characters."""
    return len(value) <= 255 and _EMAIL.match(value) is not None


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "an array", bool: "a boolean", str: "a string"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def format_number(value: float) -> str:
    """A finite float in plain decimal notation (no exponent), integral values without `.0`."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = repr(value)
    return format(Decimal(text), "f") if "e" in text else text


class ColumnEncoders:
    """Builds the encoder of each column: Pardot type and schema format decide it."""

    def __init__(self, tz: str) -> None:
        self._local = LocalTimeFormatter(tz)

    def for_column(self, column: Column) -> Encoder | None:
        """The encoder of a column; None means "str values pass as they are" (the fast path)."""
        fmt = _schema_format(column.schema)
        name = column.name
        if column.kind is FieldType.INTEGER or name == "prospect_id":
            return _integer(name)
        if column.kind is FieldType.BOOLEAN:
            return _boolean(name)
        if column.kind is FieldType.NUMBER:
            return _number(name)
        if fmt == "date-time" or column.kind is FieldType.DATETIME:
            return self._datetime(name)
        if name == "email":
            return _email
        return None

    def _datetime(self, name: str) -> Encoder:
        local = self._local

        def encode(value: Any) -> str:
            if isinstance(value, datetime):
                moment = value
            elif isinstance(value, str):
                if not value.strip():
                    return ""
                try:
                    moment = datetime.fromisoformat(value.strip())
                except ValueError:
                    raise RowRejectedError(f"{name}: not an ISO 8601 date-time") from None
            else:
                raise RowRejectedError(f"{name}: expected a date-time, got {_type_name(value)}")
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            try:
                return local(math.floor(moment.timestamp()))
            except (ValueError, OverflowError):
                raise RowRejectedError(f"{name}: date-time out of range") from None

        return encode


def _schema_format(schema: Mapping[str, Any]) -> str | None:
    if "format" in schema:
        return str(schema["format"])
    for option in schema.get("anyOf", ()):
        if isinstance(option, Mapping) and "format" in option:
            return str(option["format"])
    return None


def _integer(name: str) -> Encoder:
    def encode(value: Any) -> str:
        if isinstance(value, str) and not value.strip():
            return ""  # a blank cell, as null is
        if type(value) is int:
            return str(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, str) and _INTEGER.match(value):
            return value.strip()
        raise RowRejectedError(f"{name}: expected an integer, got {_type_name(value)}")

    return encode


def _number(name: str) -> Encoder:
    def encode(value: Any) -> str:
        if isinstance(value, str) and not value.strip():
            return ""
        if type(value) is int:
            return str(value)
        if isinstance(value, float) and math.isfinite(value):
            return format_number(value)
        if isinstance(value, str):
            try:
                if math.isfinite(float(value)):
                    return value.strip()
            except ValueError:
                pass
        raise RowRejectedError(f"{name}: expected a finite number, got {_type_name(value)}")

    return encode


def _boolean(name: str) -> Encoder:
    def encode(value: Any) -> str:
        if isinstance(value, str) and not value.strip():
            return ""
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, str | int) and str(value).strip().lower() in _BOOLEANS:
            return _BOOLEANS[str(value).strip().lower()]
        raise RowRejectedError(f"{name}: expected a boolean, got {_type_name(value)}")

    return encode


def plain_text(name: str, value: Any) -> str:
    """A text column's cell: text as sent, scalars written as Pardot would show them."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return format_number(value)
    raise RowRejectedError(f"{name}: expected text, got {_type_name(value)}")


def _email(value: Any) -> str:
    if not isinstance(value, str):
        raise RowRejectedError(f"email: expected text, got {_type_name(value)}")
    text = value.strip()
    if text and not valid_email(text):
        raise RowRejectedError("email: not a valid email address")
    return text


class RowEncoder:
    """Encodes records of one stream as CSV rows of its fixed header (or a variant of it).

    Columns whose `nullOverwrite` is true have a meaning for an empty cell (clear Pardot's
    value), so a record that lacks such a key goes to a header variant without that column:
    a missing key then leaves Pardot's value alone, as it does for every other column.
    Properties named `_sdc_*` (Singer metadata) are never columns and never a reason to reject.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        version: int,
        tz: str,
        null_overwrite: Sequence[str] = (),
    ) -> None:
        encoders = ColumnEncoders(tz)
        self.columns = tuple(columns)
        self.version = version
        self._plan = tuple((c.name, encoders.for_column(c)) for c in columns)
        self._allowed = frozenset(c.name for c in columns)
        self._null_overwrite = tuple(n for n in null_overwrite if n in self._allowed)
        self._plans: dict[tuple[str, ...], tuple[tuple[str, Encoder | None], ...]] = {
            (): self._plan
        }
        self._match_at: dict[tuple[str, ...], tuple[int, int]] = {
            (): self._match_positions(self._plan)
        }

    def header(self, left_out: tuple[str, ...] = ()) -> tuple[str, ...]:
        """The header of a variant (the columns left out of it removed)."""
        return tuple(name for name, _ in self._plan if name not in left_out)

    def encode(self, record: Mapping[str, Any]) -> tuple[tuple[str, ...], bytes]:
        """The variant (columns left out) and the encoded row; RowRejectedError if it can't go."""
        left_out, row, _ = self.encode_keyed(record)
        return left_out, row

    def encode_keyed(self, record: Mapping[str, Any]) -> tuple[tuple[str, ...], bytes, int]:
        """`encode`, plus a hash of the row's match key (the value Pardot finds its prospect by:
        v3 the email, whatever its case; v4 prospect_id, else salesforce_fid)."""
        if not record.keys() <= self._allowed:
            self._check_unknown(record)
        left_out: tuple[str, ...] = ()
        if self._null_overwrite:
            left_out = tuple(n for n in self._null_overwrite if n not in record)
        plan = self._plans.get(left_out)
        if plan is None:
            plan = self._plans[left_out] = tuple(p for p in self._plan if p[0] not in left_out)
            self._match_at[left_out] = self._match_positions(plan)
        cells = []
        for name, encode in plan:
            value = record.get(name)
            if value is None:
                cells.append("")
            elif encode is None:
                cells.append(value if type(value) is str else plain_text(name, value))
            else:
                cells.append(encode(value))
        key = self._match_key(cells, self._match_at[left_out])
        line = ",".join(cells)
        # One C-speed check for the usual row: no quote, no line break, only separator commas.
        if line.count(",") != len(cells) - 1 or '"' in line or "\n" in line or "\r" in line:
            line = ",".join(map(quote, cells))
        try:
            return left_out, (line + "\r\n").encode(), key
        except UnicodeEncodeError:  # a lone surrogate (the reader rejects them first)
            raise RowRejectedError("text that is not valid Unicode (a lone surrogate)") from None

    def _match_positions(self, plan: Sequence[tuple[str, Encoder | None]]) -> tuple[int, int]:
        """Where a variant's cells hold the match columns (-1: not in the variant)."""
        names = [name for name, _ in plan]
        first, second = ("email", "") if self.version == 3 else ("prospect_id", "salesforce_fid")
        return (
            names.index(first) if first in names else -1,
            names.index(second) if second in names else -1,
        )

    def _match_key(self, cells: Sequence[str], at: tuple[int, int]) -> int:
        """A hash of the row's match key, from its encoded cells; RowRejectedError if none.

        v3 matches emails without regard to case (the cell is already stripped); v4 matches by
        prospect_id when a row has one, else by salesforce_fid (docs/pardot-api/imports.md).
        """
        first = cells[at[0]] if at[0] >= 0 else ""
        if self.version == 3:
            if not first:
                raise RowRejectedError("no email: api_version 3 matches prospects by email")
            return hash(first.lower())
        if first:
            return hash(("prospect_id", int(first)))  # the cell is a checked integer
        fid = cells[at[1]].strip() if at[1] >= 0 else ""
        if fid:
            return hash(("salesforce_fid", fid))
        raise RowRejectedError(
            "no match key: api_version 4 matches prospects by prospect_id or salesforce_fid"
        )

    def _check_unknown(self, record: Mapping[str, Any]) -> None:
        extra = sorted(
            k for k in record.keys() - self._allowed
            if record[k] is not None and not str(k).startswith("_sdc_")
        )  # fmt: skip
        if extra:
            raise RowRejectedError(
                f"fields Pardot cannot import (or not in the stream's schema): {', '.join(extra)}"
            )
