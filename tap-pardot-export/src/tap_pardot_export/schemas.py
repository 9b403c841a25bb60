"""Stream schemas, built from the field catalog of `pardot_client` (types decided there)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singer_sdk import typing as th

from pardot_client.catalog import FieldType, ObjectSpec

JSON_TYPES: dict[FieldType, th.JSONTypeHelper[Any]] = {
    FieldType.INTEGER: th.IntegerType(),
    FieldType.NUMBER: th.NumberType(),
    FieldType.STRING: th.StringType(),
    FieldType.BOOLEAN: th.BooleanType(),
    FieldType.DATETIME: th.DateTimeType(),
    FieldType.DATE: th.DateType(),
}
# Columns of streams that export deleted rows: the SDK's soft-delete convention, and a flag.
DELETE_MARKS: dict[str, Any] = th.PropertiesList(
    th.Property("is_deleted", th.BooleanType,
                description="True when Pardot reports the row deleted (exported deleted=true)."),
    th.Property("_sdc_deleted_at", th.DateTimeType,
                description="When the row was deleted (its last change), null while it lives; "
                "loaders such as target-postgres soft-delete rows that have it."),
).to_dict()["properties"]  # fmt: skip
# Email statistics: counts, and rates (docs/pardot-api/queries.md)
EMAIL_STATS = ("sent", "delivered", "total_clicks", "unique_clicks", "soft_bounced",
               "hard_bounced", "opt_outs", "spam_complaints", "opens", "unique_opens")  # fmt: skip
EMAIL_RATES = ("delivery_rate", "opens_rate", "click_through_rate", "unique_click_through_rate",
               "click_open_ratio", "opt_out_rate", "spam_complaint_rate")  # fmt: skip


def stream_schema(
    spec: ObjectSpec, custom_fields: Mapping[str, FieldType] | None = None
) -> dict[str, Any]:
    """The JSON schema of an object's exportable fields, plus custom fields (prospects)."""
    properties = [
        th.Property(
            f.name, JSON_TYPES[f.type], required=f.name == "id", description=f.description or None
        )
        for f in spec.fields
        if f.exportable
    ]
    properties += [
        th.Property(name, JSON_TYPES[kind]) for name, kind in (custom_fields or {}).items()
    ]
    return th.PropertiesList(*properties).to_dict()


def email_schema(spec: ObjectSpec) -> dict[str, Any]:
    """A list email's fields and its statistics, nested under `stats`."""
    schema = stream_schema(spec)
    stats = th.ObjectType(
        *(th.Property(n, th.IntegerType) for n in EMAIL_STATS),
        *(th.Property(n, th.NumberType) for n in EMAIL_RATES),
    )
    schema["properties"]["stats"] = stats.to_dict()
    return schema
