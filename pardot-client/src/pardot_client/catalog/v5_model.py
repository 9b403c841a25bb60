"""How an object only the v5 objects API has is read: its collection, mark, filters, deletes.

The fields stay in an `ObjectSpec` like every other object (snake_case names, v5 names,
types); `V5Query` adds what the v5 query of that object takes, as the sources show it
(docs/pardot-api/v5-objects.md#objects-and-their-marks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pardot_client.catalog.model import ObjectSpec

# How a stream keeps its place (docs/pardot-api/v5-objects.md#objects-and-their-marks):
# updated_at  the query filters and sorts on updatedAt: changed rows only, ties read by id;
# id          append-only rows: every row past the last id;
# scan        rows change but no updatedAt filter is documented: every id is read, the rows
#             changed since the bookmark are emitted;
# full        every row every run (no updatedAt field, or one row, or read per parent).
V5Mark = Literal["updated_at", "id", "scan", "full"]


@dataclass(frozen=True)
class V5Query:
    """What the v5 query of one object takes."""

    collection: str  # `/api/v5/objects/{collection}`
    mark: V5Mark
    # Fields the query may filter on (`id`, `createdAt`, `updatedAt` and their After/Before
    # forms, plus equality filters such as `dynamicContentId`).
    filters: frozenset[str]
    # Fields the query may sort on with `orderBy` (`id ASC`, `updatedAt ASC`, ...).
    order_by: frozenset[str]
    deletes: bool = False  # the object has `isDeleted` and the query takes `deleted=all`
    single: bool = False  # one record, read without paging (the account)
    # Read once per row of another object, filtered on its id: (v5 filter, parent stream).
    per_parent: tuple[str, str] | None = None
    # Structured fields asked for by their parts: `senderOptions` as `senderOptions.type`, ...
    parts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class V5Object:
    """An object read only through the v5 objects API: its fields and its query."""

    spec: ObjectSpec
    query: V5Query

    @property
    def stream(self) -> str:
        """The stream name: the v5 collection in snake_case (`landing_pages`)."""
        return self.query.collection.replace("-", "_")

    def request_fields(self) -> tuple[str, ...]:
        """The `fields` parameter: every field by its v5 name, structured ones by their parts."""
        out: list[str] = []
        for f in self.spec.fields:
            assert f.v5_name is not None  # every v5-only field has a v5 name
            parts = self.query.parts.get(f.v5_name)
            out += [f"{f.v5_name}.{p}" for p in parts] if parts else [f.v5_name]
        return tuple(out)
