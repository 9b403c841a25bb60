"""Pardot values to typed values, shared by export CSV cells and query JSON values.

CSV cells are text; query answers carry strings and numbers (integers as strings, booleans as
1/0 or true/false). Each converter takes either and returns the value the SDK's type conformance
would leave unchanged (docs/sdk.md): numbers as `Decimal` (digits kept; NaN and infinities
become null, as conformance would make them), booleans from the usual spellings, text as it is.
A value that does not convert raises `ValueTypeError` with the value's repr; callers wrap it
with the row and column, and keep it out of logs.
"""

from __future__ import annotations

import re
from datetime import date as _date
from decimal import Decimal, InvalidOperation
from typing import Any

# YYYY-MM-DD, alone or starting a wall time or an ISO 8601 date-time; or MM/DD/YYYY.
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:$|[ T]\d{2}:\d{2}(?::\d{2})?)")
_US_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})$")
TRUE = frozenset({"1", "true", "True", "TRUE", "yes"})
FALSE = frozenset({"0", "false", "False", "FALSE", "no"})


class ValueTypeError(ValueError):
    """A value that does not hold a value of its field's type."""


def integer(value: Any) -> int:
    """An integer from an int, a bool or decimal text."""
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueTypeError(f"{value!r} is not an integer") from None


def number(value: Any) -> Decimal | None:
    """A Decimal; NaN and infinities become None."""
    try:
        result = Decimal(value if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise ValueTypeError(f"{value!r} is not a number") from None
    return result if result.is_finite() else None


def boolean(value: Any) -> bool:
    """A bool from a bool, 1/0, true/false or yes/no."""
    if isinstance(value, bool):
        return value
    text = str(value)
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueTypeError(f"{value!r} is not a boolean")


def text(value: Any) -> str:
    """Text as it is (numbers from JSON as their decimal text)."""
    return value if isinstance(value, str) else str(value)


def date(value: Any) -> str:
    """A calendar date as `YYYY-MM-DD` from a date, a date-time's day, or `MM/DD/YYYY`.

    `activity_date` is documented as a DateTime described as `YYYY-MM-DD`, and custom Date
    fields have no documented form (docs/pardot-api/objects.md#custom-fields), so every form is
    read; a date-time keeps the day it was written with (the API user's, or its offset's).
    """
    text = str(value).strip()
    match = _ISO_DAY.match(text)
    if match:
        year, month, day = match.groups()
    else:
        us = _US_DAY.match(text)
        if us is None:
            raise ValueTypeError(f"{value!r} is not a date")
        month, day, year = us.groups()
    try:
        return _date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        raise ValueTypeError(f"{value!r} is not a date") from None
