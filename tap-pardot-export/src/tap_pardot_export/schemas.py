"""Stream schemas, built from the field catalog of `pardot_client` (types decided there)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singer_sdk import typing as th

from pardot_client.account_fields import FIXED_FIELDS
from pardot_client.catalog import FieldType, ObjectSpec
from pardot_client.emails import STAT_COUNTS, STAT_RATES

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


def stream_schema(
    spec: ObjectSpec, custom_fields: Mapping[str, FieldType] | None = None
) -> dict[str, Any]:
    """The JSON schema of an object's exportable fields, plus the account's own fields.

    `custom_fields` are prospects' custom fields, or the prospect account fields the account's
    describe lists: those replace the catalog's list, of which only the fixed fields always stay
    (docs/pardot-api/objects.md#prospect-account-fields).
    """
    own = dict(custom_fields or {})
    fields = [f for f in spec.fields if f.exportable]
    if spec.name == "prospectAccount" and own:
        fields = [f for f in fields if f.name in FIXED_FIELDS or f.name in own]
    properties = [
        th.Property(
            f.name, JSON_TYPES[f.type], required=f.name == "id", description=f.description or None
        )
        for f in fields
    ]
    properties += [
        th.Property(name, JSON_TYPES[kind])
        for name, kind in own.items()
        if spec.field(name) is None
    ]
    return th.PropertiesList(*properties).to_dict()


def email_schema(spec: ObjectSpec) -> dict[str, Any]:
    """A list email's fields and its statistics, nested under `stats`.

    Rates are percentages, 98.42 for the "98.42%" Pardot sends
    (docs/pardot-api/queries.md#emails-and-their-statistics).
    """
    schema = stream_schema(spec)
    stats = th.ObjectType(
        *(th.Property(n, th.IntegerType) for n in STAT_COUNTS),
        *(th.Property(n, th.NumberType, description="percent, e.g. 98.42") for n in STAT_RATES),
    )
    schema["properties"]["stats"] = stats.to_dict()
    return schema
