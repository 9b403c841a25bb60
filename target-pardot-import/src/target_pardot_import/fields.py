"""Which stream properties become import columns, and the conflict options of each column.

The header is fixed once per stream from its schema (after stream maps), in schema order, so
every part of every import of the stream has the same header (docs/pardot-api/imports.md). A
property is a column when Pardot's Import API accepts it: an importable prospect field of the
catalog, a custom field of the account, or a match column of the API version (v3 `email`; v4
`prospect_id`, `salesforce_fid`). Other properties are not columns; a record carrying a value
for one is rejected, so nothing the user sent is silently dropped. Singer metadata (`_sdc_*`
properties, from the SDK's `add_record_metadata` or carried over from a warehouse) is never a
column and never sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pardot_client.catalog import CATALOG, PROSPECT_IMPORT_MATCH_COLUMNS, FieldType

PROSPECT = CATALOG["prospect"]
METADATA_PREFIX = "_sdc_"


class SchemaError(ValueError):
    """The stream's schema cannot be imported (no match column); says what to change."""


@dataclass(frozen=True)
class ColumnOption:
    """Conflict handling of one column; our default never lets a blank clear Pardot's value."""

    overwrite: bool = True
    null_overwrite: bool = False

    @classmethod
    def from_setting(cls, given: Mapping[str, Any]) -> ColumnOption:
        """One column's entry of the `column_options` setting; a key it lacks keeps our default."""
        return cls(**{attr: bool(given[key]) for key, attr in _OPTION_KEYS if key in given})

    def as_input(self, name: str) -> dict[str, Any]:
        """The `columns` entry of the import input."""
        return {"field": name, "overwrite": self.overwrite, "nullOverwrite": self.null_overwrite}


_OPTION_KEYS = (("overwrite", "overwrite"), ("nullOverwrite", "null_overwrite"))  # setting, field


@dataclass(frozen=True)
class Column:
    """One import column: its name and the Pardot type its values must have."""

    name: str
    kind: FieldType
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class ImportColumns:
    """The columns of a stream, the match columns among them and the properties left out."""

    columns: tuple[Column, ...]
    match_columns: tuple[str, ...]
    left_out: Mapping[str, str]  # property -> why Pardot cannot import it

    @property
    def names(self) -> tuple[str, ...]:
        """The header, in schema order."""
        return tuple(c.name for c in self.columns)


def importable_fields(version: int, custom_fields: Mapping[str, FieldType]) -> dict[str, FieldType]:
    """Every column name the Import API accepts for this version, with its type."""
    fields = {f.name: f.type for f in PROSPECT.fields if f.importable}
    fields.update(custom_fields)
    for name in PROSPECT_IMPORT_MATCH_COLUMNS[version]:
        fields.setdefault(name, FieldType.STRING)
    return fields


def import_columns(
    properties: Mapping[str, Mapping[str, Any]],
    version: int,
    custom_fields: Mapping[str, FieldType],
    stream: str,
) -> ImportColumns:
    """Resolve a stream's schema properties against what Pardot imports."""
    known = importable_fields(version, custom_fields)
    columns: list[Column] = []
    left_out: dict[str, str] = {}
    other_version = 4 if version == 3 else 3
    for name, schema in properties.items():
        if name.startswith(METADATA_PREFIX):
            continue
        if name in known:
            columns.append(Column(name, known[name], schema))
        elif name in PROSPECT_IMPORT_MATCH_COLUMNS[other_version]:
            left_out[name] = f"{name} is a match column of api_version {other_version} only"
        elif PROSPECT.field(name) is not None:
            left_out[name] = f"{name} is a prospect field Pardot does not import"
        else:
            left_out[name] = f"{name} is not a prospect field nor a custom field of the account"
    match = tuple(c.name for c in columns if c.name in PROSPECT_IMPORT_MATCH_COLUMNS[version])
    if not match:
        wanted = " or ".join(PROSPECT_IMPORT_MATCH_COLUMNS[version])
        raise SchemaError(
            f"Stream {stream!r} has no match column for api_version {version}: its schema needs "
            f"{wanted} (Pardot matches imported rows to prospects by it). Add the property, "
            "map it with stream_maps, or set api_version to the account's version."
        )
    return ImportColumns(tuple(columns), match, left_out)


def column_options(
    given: Mapping[str, ColumnOption], names: Iterable[str]
) -> dict[str, ColumnOption]:
    """Options per column: those the settings give, our defaults for the others."""
    return {name: given.get(name, ColumnOption()) for name in names}
