"""Query JSON records to typed records, in one place, like rows.py does for export CSV cells.

v3/v4 query answers carry strings and numbers: integers may come as strings, booleans as 1/0 or
true/false, datetimes as wall times in the API user's timezone, and nested nodes (a campaign)
where the catalog has a flat `*_id`. Every value is typed here once; datetimes become UTC ISO 8601
by the client's stated DST rule, exactly as the export streams emit them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pardot_client.catalog import FieldType, ObjectSpec
from pardot_client.dates import LocalTimeParser

_TRUE = frozenset({"1", "true", "True", "TRUE", "yes"})
_FALSE = frozenset({"0", "false", "False", "FALSE", "no"})


class QueryValueError(ValueError):
    """A query value that does not hold a value of its field's type."""


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise QueryValueError(f"{value!r} is not an integer") from None


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise QueryValueError(f"{value!r} is not a number") from None


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value)
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise QueryValueError(f"{value!r} is not a boolean")


class QueryRecordTyper:
    """Types the records of one object's query (or read) answers into schema-shaped records."""

    def __init__(
        self, spec: ObjectSpec, timezone: str, names: list[str] | None = None, *,
        custom: Mapping[str, FieldType] | None = None,
    ) -> None:  # fmt: skip
        self.spec = spec
        self.names = names or list(spec.field_names)
        parse_time = LocalTimeParser(timezone)
        by_type: dict[FieldType, Callable[[Any], Any]] = {
            FieldType.INTEGER: _integer,
            FieldType.NUMBER: _number,
            FieldType.BOOLEAN: _boolean,
            FieldType.DATETIME: lambda v: parse_time(str(v)),
            FieldType.DATE: str,
            FieldType.STRING: str,
        }
        self._convert: dict[str, tuple[str, Callable[[Any], Any]]] = {}
        for f in spec.fields:
            for alias in {f.name, f.v5_name or f.name}:
                self._convert[alias] = (f.name, by_type[f.type])
        for name, kind in (custom or {}).items():  # prospects' custom fields, by API name
            self._convert[name] = (name, by_type[kind])

    def __call__(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The typed record: every schema field present (None when Pardot left it out)."""
        record: dict[str, Any] = dict.fromkeys(self.names)
        for raw_key, raw_value in raw.items():
            key, value = raw_key, raw_value
            if isinstance(value, dict):  # a nested node, e.g. campaign {id, name, cost}
                key, value = f"{raw_key}_id", value.get("id")
            found = self._convert.get(key)
            if found is None or value is None or value == "":
                continue
            name, convert = found
            try:
                record[name] = convert(value)
            except ValueError as exc:
                raise QueryValueError(f"{self.spec.name} {raw.get('id')}, {name}: {exc}") from None
        return record
