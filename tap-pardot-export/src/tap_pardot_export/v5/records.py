"""v5 records to typed records, and the schema they fill.

v5 answers carry JSON values under camelCase names: integers, booleans and text as such, stamps
as ISO 8601 with the user's offset, structured fields (an Engagement Studio program's schedule,
a list email's sender options) as objects and lists. Every value is typed here once: names
become the snake_case columns (docs/pardot-api/objects.md#names-per-api-version), stamps UTC
ISO 8601 as every other stream emits them, nested keys snake_case too. A deleted row
(`isDeleted`) gets `_sdc_deleted_at`, as the tap's other streams mark deletes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from singer_sdk import typing as th

from pardot_client.catalog import FieldType, V5Object, to_snake
from pardot_client.dates import parse_utc, to_utc_iso
from tap_pardot_export import converters
from tap_pardot_export.schemas import DELETE_MARKS, JSON_TYPES

STRUCTURED: dict[FieldType, dict[str, Any]] = {
    FieldType.OBJECT: {"type": ["object", "null"], "additionalProperties": True},
    FieldType.ARRAY: {"type": ["array", "null"], "items": {}},
}


class V5ValueError(ValueError):
    """A v5 value that does not hold a value of its field's type."""


def v5_schema(obj: V5Object) -> dict[str, Any]:
    """The stream's JSON schema: every field, plus `_sdc_deleted_at` where rows can be deleted."""
    properties = [
        th.Property(
            f.name,
            th.CustomType(STRUCTURED[f.type]) if f.type in STRUCTURED else JSON_TYPES[f.type],
            required=f.name == "id",
        )
        for f in obj.spec.fields
    ]
    schema = th.PropertiesList(*properties).to_dict()
    if obj.spec.field("is_deleted") is not None:
        schema["properties"].update(DELETE_MARKS)
        schema["properties"]["is_deleted"] = {
            **DELETE_MARKS["is_deleted"],
            "description": "True when Pardot reports the row deleted (v5 isDeleted).",
        }
    return schema


def stamp(value: Any) -> datetime:
    """A v5 stamp (ISO 8601 with an offset) as an aware UTC instant, to the second."""
    return parse_utc(str(value)).replace(microsecond=0)


def utc_text(value: Any) -> str:
    """A v5 stamp as the UTC ISO 8601 text every stream emits."""
    return to_utc_iso(stamp(value))


def snake_keys(value: Any) -> Any:
    """A structured value with its keys in snake_case, at every depth."""
    if isinstance(value, dict):
        return {to_snake(str(k)): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


class V5RecordTyper:
    """Types one object's v5 records into schema-shaped records."""

    def __init__(self, obj: V5Object, *, deleted_at: str | None = None) -> None:
        """`deleted_at` stands for a deleted row's last change where it has no `updated_at`."""
        by_type: dict[FieldType, Callable[[Any], Any]] = {
            FieldType.INTEGER: converters.integer,
            FieldType.NUMBER: converters.number,
            FieldType.BOOLEAN: converters.boolean,
            FieldType.DATETIME: utc_text,
            FieldType.DATE: converters.date,
            FieldType.STRING: converters.text,
            FieldType.OBJECT: snake_keys,
            FieldType.ARRAY: snake_keys,
        }
        self.obj = obj
        self.convert = [(f.name, f.v5_name or f.name, by_type[f.type]) for f in obj.spec.fields]
        self.marks_deletes = obj.spec.field("is_deleted") is not None
        self.deleted_at = deleted_at

    def __call__(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The typed record: every field present (None where Pardot sent null or nothing)."""
        record: dict[str, Any] = {}
        for name, v5_name, convert in self.convert:
            value = raw.get(v5_name)
            if value is None or value == "":
                record[name] = None
                continue
            try:
                record[name] = convert(value)
            except ValueError as exc:
                raise V5ValueError(f"{self.obj.stream} {raw.get('id')}, {name}: {exc}") from None
        if self.marks_deletes:
            deleted = bool(record.get("is_deleted"))
            record["is_deleted"] = deleted
            changed = record.get("updated_at") or self.deleted_at
            record["_sdc_deleted_at"] = changed if deleted else None
        return record
