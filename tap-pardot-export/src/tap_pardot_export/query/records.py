"""Query JSON records to typed records, in one place, as export/rows.py types export CSV cells.

v3/v4 query answers carry strings and numbers: integers may come as strings, booleans as 1/0 or
true/false (the shared `converters` type both), datetimes as wall times in the API user's
timezone, and nested nodes (a campaign) where the catalog has a flat `*_id`. Every value is typed
here once; datetimes become UTC ISO 8601 by the client's stated DST rule, exactly as the export
streams emit them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pardot_client.catalog import FieldType, ObjectSpec
from pardot_client.dates import LocalTimeParser
from pardot_client.transitions import span_parser
from tap_pardot_export import converters


class QueryValueError(ValueError):
    """A query value that does not hold a value of its field's type."""


class QueryRecordTyper:
    """Types the records of one object's query (or read) answers into schema-shaped records."""

    def __init__(
        self, spec: ObjectSpec, timezone: str, names: list[str] | None = None, *,
        custom: Mapping[str, FieldType] | None = None,
        exact: tuple[str, datetime, datetime] | None = None,
    ) -> None:  # fmt: skip
        """`exact` is (field, start, end): that datetime field lies in [start, end), read there
        (pardot_client.transitions), as export rows' filter field is in their window."""
        self.spec = spec
        self.names = names or list(spec.field_names)
        parse_time = LocalTimeParser(timezone)
        by_type: dict[FieldType, Callable[[Any], Any]] = {
            FieldType.INTEGER: converters.integer,
            FieldType.NUMBER: converters.number,
            FieldType.BOOLEAN: converters.boolean,
            FieldType.DATETIME: lambda v: parse_time(str(v)),
            FieldType.DATE: converters.date,
            FieldType.STRING: converters.text,
        }
        self._convert: dict[str, tuple[str, Callable[[Any], Any]]] = {}
        for f in spec.fields:
            for alias in {f.name, f.v5_name or f.name}:
                self._convert[alias] = (f.name, by_type[f.type])
        for name, kind in (custom or {}).items():  # prospects' custom fields, by API name
            self._convert[name] = (name, by_type[kind])
        if exact is not None:
            field, start, end = exact
            parse_in_span = span_parser(timezone, start, end)
            for alias, (name, _) in list(self._convert.items()):
                if name == field:
                    self._convert[alias] = (name, lambda v: parse_in_span(str(v)))

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
