"""The account's custom prospect fields, which both connectors need besides the catalog.

The tap adds them to the prospects schema, typed; the target accepts them as import columns.
Paged by id with `output=bulk`, like every query here, so accounts with hundreds of custom
fields are read whole.

Types follow the field's `type` display name (docs/pardot-api/objects.md#custom-fields): Number
fields are numbers and Date fields dates; every other kind is text, Checkbox included, since a
checkbox field holds the labels of the boxes ticked (several at once for a group of boxes), not
a yes or no.
"""

from __future__ import annotations

from pardot_client.catalog import FieldType
from pardot_client.client import PardotClient
from pardot_client.shapes import query_records

PAGE_SIZE = 200
_TYPES = {"number": FieldType.NUMBER, "date": FieldType.DATE}


def field_type(type_name: object) -> FieldType:
    """The value type of a custom field from its `type` (any case): number, date, else text."""
    return _TYPES.get(str(type_name or "").strip().lower(), FieldType.STRING)


def custom_prospect_fields(client: PardotClient) -> dict[str, FieldType]:
    """API name -> type of every custom prospect field (numbers, dates, else text)."""
    fields: dict[str, FieldType] = {}
    last_id = 0
    while True:
        data = client.get_json(
            "/api/customField/version/{version}/do/query",
            params={"output": "bulk", "sort_by": "id", "sort_order": "ascending",
                    "id_greater_than": last_id, "limit": PAGE_SIZE},
        )  # fmt: skip
        records = query_records(data, "customField")
        for record in records:
            last_id = max(last_id, int(record.get("id") or 0))
            api_name = record.get("field_id")
            if api_name:
                fields[str(api_name)] = field_type(record.get("type"))
        if len(records) < PAGE_SIZE:
            return fields
