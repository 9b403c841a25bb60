"""Pardot values to typed values, shared by export CSV cells and query JSON values.

CSV cells are text; query answers carry strings and numbers (integers as strings, booleans as
1/0 or true/false). Each converter takes either and returns the value the SDK's type conformance
would leave unchanged (docs/sdk.md): numbers as `Decimal` (digits kept; NaN and infinities
become null, as conformance would make them), booleans from the usual spellings, text as it is.
A value that does not convert raises `ValueTypeError` with the value's repr; callers wrap it
with the row and column, and keep it out of logs.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

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
