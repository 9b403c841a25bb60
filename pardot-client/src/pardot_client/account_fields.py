"""The account's prospect account fields, listed by the documented `describe` call.

Prospect account fields are set up per account: only `id` and `name` are fixed (plus the record
stamps), every other field may be renamed, removed or added. `describe` lists them, each as a
`field` whose `@attributes` give its API name (`id`), label, type and whether it is custom
(docs/pardot-api/objects.md#prospect-account-fields). The tap exports the fields listed, as it
exports prospects' custom fields.
"""

from __future__ import annotations

from typing import Any

from pardot_client.catalog import FieldType
from pardot_client.client import PardotClient
from pardot_client.errors import PardotApiError

DESCRIBE = "/api/prospectAccount/version/{version}/do/describe"
FIXED_FIELDS = ("id", "name", "created_at", "updated_at")  # every account has these
_TYPES = {"number": FieldType.NUMBER, "date": FieldType.DATE}


def described_fields(data: Any) -> dict[str, FieldType]:
    """API name -> type of each field of a describe answer (`result.field`: a list or one).

    Types: `number` and `date` (any case) as such, every other kind (text, textarea, dropdown,
    ...) as text.
    """
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(result, dict):
        raise PardotApiError("Pardot's prospect account describe answer has no result")
    found = result.get("field")
    items = [found] if isinstance(found, dict) else found if isinstance(found, list) else []
    fields: dict[str, FieldType] = {}
    for item in items:
        attributes = item.get("@attributes") if isinstance(item, dict) else None
        if not isinstance(attributes, dict) or not attributes.get("id"):
            continue
        kind = str(attributes.get("type") or "").strip().lower()
        fields[str(attributes["id"])] = _TYPES.get(kind, FieldType.STRING)
    return fields


def prospect_account_fields(client: PardotClient) -> dict[str, FieldType]:
    """The fields this account's prospect accounts have, from one describe call."""
    return described_fields(client.get_json(DESCRIBE))
