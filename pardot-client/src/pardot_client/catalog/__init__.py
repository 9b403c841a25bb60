"""The field catalog: every Pardot object the project reads or writes, and how to find one.

`CATALOG` is keyed by the v3/v4 object name; `V5_OBJECTS` holds the objects only the v5 objects
API has, by stream name. `get_object` finds either by its name, its v5 collection name or its
snake_case stream name, because config, URLs and stream names all spell objects differently
(docs/pardot-api/objects.md#what-the-catalog-holds).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pardot_client.catalog.export_objects import (
    EXPORT_OBJECT_SPECS,
    PROSPECT_IMPORT_MATCH_COLUMNS,
)
from pardot_client.catalog.model import (
    ArgumentKind,
    ExportProcedure,
    Field,
    FieldType,
    ObjectSpec,
    ProcedureArgument,
    QuerySpec,
    to_camel,
    to_snake,
)
from pardot_client.catalog.query_objects import QUERY_OBJECT_SPECS
from pardot_client.catalog.v5_model import V5Mark, V5Object, V5Query
from pardot_client.catalog.v5_objects import V5_OBJECTS

__all__ = [
    "CATALOG",
    "EXPORT_OBJECTS",
    "PROSPECT_IMPORT_MATCH_COLUMNS",
    "V5_OBJECTS",
    "ArgumentKind",
    "ExportProcedure",
    "Field",
    "FieldType",
    "ObjectSpec",
    "ProcedureArgument",
    "QuerySpec",
    "V5Mark",
    "V5Object",
    "V5Query",
    "get_object",
    "stream_name",
    "to_camel",
    "to_snake",
]

CATALOG: Mapping[str, ObjectSpec] = MappingProxyType(
    {spec.name: spec for spec in (*EXPORT_OBJECT_SPECS, *QUERY_OBJECT_SPECS)}
)

EXPORT_OBJECTS: tuple[str, ...] = tuple(n for n, s in CATALOG.items() if s.export_procedures)


def stream_name(spec: ObjectSpec) -> str:
    """The snake_case plural stream name, e.g. "visitor_activities" (the v5 collection, snaked)."""
    return spec.v5_name.replace("-", "_")


def _key(name: str) -> str:
    """Case- and separator-insensitive lookup key: "Visitor-Activities" == "visitor_activities"."""
    return name.strip().lower().replace("-", "_")


def _build_index() -> dict[str, ObjectSpec]:
    index: dict[str, ObjectSpec] = {}
    # Objects only v5 has are found by name too (docs/pardot-api/v5-objects.md).
    for spec in (*CATALOG.values(), *(o.spec for o in V5_OBJECTS.values())):
        for alias in {spec.name, spec.v5_name, stream_name(spec), to_snake(spec.name)}:
            other = index.setdefault(_key(alias), spec)
            if other is not spec:  # pragma: no cover - a catalog bug, caught at import
                msg = f"catalog alias {alias!r} names both {other.name} and {spec.name}"
                raise RuntimeError(msg)
    return index


_INDEX = _build_index()


def get_object(name: str) -> ObjectSpec:
    """Find an object by its v3/v4 name, v5 collection or snake_case stream name (any case).

    Raises KeyError listing the known v3/v4 names, so a typo in config is easy to fix.
    """
    spec = _INDEX.get(_key(name))
    if spec is None:
        msg = f"unknown Pardot object {name!r}; known objects: {', '.join(sorted(CATALOG))}"
        raise KeyError(msg)
    return spec
