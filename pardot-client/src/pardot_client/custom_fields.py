"""The account's custom prospect fields, which both connectors need besides the catalog.

The tap adds them to the prospects schema, typed; the target accepts them as import columns.
Paged by id with `output=bulk`, like every query here, so accounts with hundreds of custom
fields are read whole.
"""

from __future__ import annotations

from pardot_client.catalog import FieldType
from pardot_client.client import PardotClient
from pardot_client.shapes import query_records

PAGE_SIZE = 200
_TYPES = {"number": FieldType.NUMBER, "checkbox": FieldType.BOOLEAN}


def custom_prospect_fields(client: PardotClient) -> dict[str, FieldType]:
    """API name -> type of every custom prospect field (numbers, checkboxes, else text)."""
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
                kind = str(record.get("type") or "").lower()
                fields[str(api_name)] = _TYPES.get(kind, FieldType.STRING)
        if len(records) < PAGE_SIZE:
            return fields
