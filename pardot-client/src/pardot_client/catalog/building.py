"""Short builders for the catalog's object definitions (fields, procedures, query specs).

The catalog modules write hundreds of fields; these keep each one a line, and keep the rules
(a v5 name is the camelCase of the snake_case name unless given) in one place.
"""

from __future__ import annotations

from dataclasses import replace

from pardot_client.catalog.model import (
    ArgumentKind,
    ExportProcedure,
    Field,
    FieldType,
    ProcedureArgument,
    QuerySpec,
    to_camel,
)

INT, NUM, STR, BOOL, DT, DATE = (
    FieldType.INTEGER,
    FieldType.NUMBER,
    FieldType.STRING,
    FieldType.BOOLEAN,
    FieldType.DATETIME,
    FieldType.DATE,
)
STD_SEARCH = ("created_after", "created_before", "id_greater_than", "id_less_than")
UPDATED_SEARCH = ("updated_after", "updated_before")


def field(
    name: str,
    ftype: FieldType,
    v5: str | None = "",
    *,
    exportable: bool = True,
    importable: bool = False,
    description: str = "",
) -> Field:
    """One field; `v5=""` means the v5 name is the plain camelCase of `name`, None means none."""
    v5_name = to_camel(name) if v5 == "" else v5
    return Field(name, ftype, v5_name, exportable, importable, description)


def import_field(
    name: str,
    ftype: FieldType = STR,
    v5: str | None = "",
    *,
    exportable: bool = True,
    description: str = "",
) -> Field:
    """A prospect field the Import API accepts as a CSV column."""
    return field(name, ftype, v5, exportable=exportable, importable=True, description=description)


def unlisted(found: Field) -> Field:
    """A field no document lists among the object's export fields (not exported by default)."""
    return replace(found, export_documented=False)


def stamps(*, updated: bool = True) -> tuple[Field, ...]:
    """created_at, and updated_at where the object tracks updates."""
    both = (field("created_at", DT), field("updated_at", DT))
    return both if updated else both[:1]


def query(
    url_name: str,
    result_key: str | None,
    search_params: tuple[str, ...],
    sort_by: tuple[str, ...],
    *,
    offset_paging_only: bool = False,
) -> QuerySpec:
    """A QuerySpec; `result_key=None` marks an unconfirmed result key (URL name assumed)."""
    return QuerySpec(
        url_name=url_name,
        result_key=result_key or url_name,
        result_key_confirmed=result_key is not None,
        search_params=search_params,
        sort_by=sort_by,
        offset_paging_only=offset_paging_only,
    )


def window(name: str, prefix: str, filter_field: str, *extra: ProcedureArgument) -> ExportProcedure:
    """A date-window procedure: `<prefix>_after` (required) and `<prefix>_before`, plus extras."""
    return ExportProcedure(
        name,
        filter_field,
        (
            ProcedureArgument(f"{prefix}_after", ArgumentKind.AFTER, required=True),
            ProcedureArgument(f"{prefix}_before", ArgumentKind.BEFORE),
            *extra,
        ),
    )


def choice_deleted(name: str = "deleted", default: str | None = None) -> ProcedureArgument:
    """A `deleted` argument taking true, false or all."""
    return ProcedureArgument(
        name, ArgumentKind.CHOICE, choices=("true", "false", "all"), default=default
    )
