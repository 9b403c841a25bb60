"""Export fields no document lists are in the catalog but not selected by default.

Prospect `is_archived` and `password` and visitor `prospect_id` are Pardot fields, but no
document lists them among the fields an export takes (docs/pardot-api/exports.md#fields). They
stay in the schema, marked `selected-by-default: false`: a default run asks only for documented
fields, and selecting one (`meltano select`, or `selected: true` in the catalog) asks for it,
with the refusal rule of export/refusals.py if Pardot will not export it.
"""

from __future__ import annotations

from typing import Any

from singer_sdk import singerlib as singer

from pardot_client.catalog import ObjectSpec


class DocumentedFieldsByDefault:
    """A stream mixin: undocumented export fields default to not selected."""

    spec: ObjectSpec

    @property
    def metadata(self) -> singer.MetadataMapping:
        """The SDK's metadata, undocumented fields marked not selected by default."""
        metadata: singer.MetadataMapping = super().metadata  # type: ignore[misc]
        for field in self.spec.fields:
            entry: Any = metadata.get(("properties", field.name))
            if field.export_documented or entry is None:
                continue
            if entry.selected is None and entry.selected_by_default is None:
                entry.selected_by_default = False
        return metadata
