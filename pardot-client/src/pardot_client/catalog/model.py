"""Types of the field catalog: what an object's fields, export procedures and query rules are.

The catalog is the project's single statement of Pardot's objects. The tap builds schemas from it,
the target checks import columns against it, and the simulator serves data shaped by it, so a
field added here shows up everywhere at once.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field


class FieldType(str, enum.Enum):
    """The value type of a field, as the tap emits it and the simulator stores it."""

    INTEGER = "integer"
    NUMBER = "number"
    STRING = "string"
    BOOLEAN = "boolean"
    DATETIME = (
        "datetime"  # `YYYY-MM-DD HH:MM:SS` in the API user's timezone (v3/v4), ISO with offset (v5)
    )
    DATE = "date"  # `YYYY-MM-DD`
    # Structured v5 values kept whole (docs/pardot-api/v5-objects.md#values): an object such as
    # an Engagement Studio program's schedule, a list such as its recipient list ids.
    OBJECT = "object"
    ARRAY = "array"


@dataclass(frozen=True)
class Field:
    """One field of a Pardot object.

    `name` is the v3/v4 API name, which is snake_case and is also our column name whatever the
    API version (docs/pardot-api/objects.md#names-per-api-version). `v5_name` is the camelCase v5
    name, or None when v5 has none.
    """

    name: str
    type: FieldType
    v5_name: str | None
    exportable: bool = True  # False where the Export API refuses the field (prospect grade, notes)
    importable: bool = False  # True where the Import API accepts it as a CSV column (prospects)
    description: str = ""
    # False where no document lists the field among an object's export fields: the tap leaves it
    # out unless selected, and drops it if Pardot refuses it (docs/pardot-api/exports.md#fields).
    export_documented: bool = True


class ArgumentKind(str, enum.Enum):
    """How an export procedure argument is validated."""

    AFTER = "after"  # lower date bound, exclusive
    BEFORE = "before"  # upper date bound, exclusive
    CHOICE = "choice"  # one of `choices`
    BOOLEAN = "boolean"  # true/false
    ID_LIST = "id_list"  # comma-separated integers, or a JSON list of them


@dataclass(frozen=True)
class ProcedureArgument:
    """One argument of an export procedure; `aliases` are other documented spellings."""

    name: str
    kind: ArgumentKind
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportProcedure:
    """An export procedure: its name, arguments and the field its date bounds filter on."""

    name: str
    filter_field: str  # the field the AFTER/BEFORE arguments compare with (snake_case)
    arguments: tuple[ProcedureArgument, ...]

    def argument(self, name: str) -> ProcedureArgument | None:
        """Find an argument by its name or one of its aliases."""
        for arg in self.arguments:
            if name == arg.name or name in arg.aliases:
                return arg
        return None


@dataclass(frozen=True)
class QuerySpec:
    """How the v3/v4 query endpoint of an object behaves (docs/pardot-api/queries.md)."""

    url_name: str  # the `{object}` of /api/{object}/version/{3|4}/do/query
    result_key: str  # the key under `result` holding the records
    result_key_confirmed: bool  # False where docs/pardot-api/queries.md marks it unconfirmed
    search_params: tuple[str, ...]  # documented search parameters besides limit/offset/sort
    sort_by: tuple[str, ...]  # allowed sort_by values; empty when the endpoint takes none
    offset_paging_only: bool = False  # visits: only id lists and offset


@dataclass(frozen=True)
class ObjectSpec:
    """A Pardot object: its fields and how the Export and query endpoints reach it."""

    name: str  # v3/v4 object name, e.g. "visitorActivity"
    v5_name: str  # v5 collection, e.g. "visitor-activities"
    fields: tuple[Field, ...]
    export_procedures: tuple[ExportProcedure, ...] = ()
    export_api_version: int | None = None  # 4: exported through v3/v4 first; None: no export
    # Exported through the v5 endpoints when the account's v3/v4 version refuses the object
    # (external activities: docs/pardot-api/exports.md#v5-endpoints).
    export_v5_fallback: bool = False
    # Export field names are the camelCase (v5) names in every API version: the Export overview
    # documents external activity fields only that way (docs/pardot-api/exports.md#v5-endpoints).
    export_camel_case: bool = False
    query: QuerySpec | None = None
    _by_name: dict[str, Field] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({f.name: f for f in self.fields})
        self._by_name.update({f.v5_name: f for f in self.fields if f.v5_name})

    @property
    def field_names(self) -> tuple[str, ...]:
        """The snake_case names of all fields, in catalog order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field | None:
        """Find a field by its v3/v4 (snake_case) or v5 (camelCase) name."""
        return self._by_name.get(name)

    def procedure(self, name: str) -> ExportProcedure | None:
        """Find an export procedure by name."""
        return next((p for p in self.export_procedures if p.name == name), None)


# A boundary inside a camelCase word: `prospectId` -> prospect|Id, `IPAddress` -> IP|Address.
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def to_snake(name: str) -> str:
    """`prospectId` -> `prospect_id`; dotted v5 relationship paths convert per segment.

    Our columns are snake_case whatever the API version
    (docs/pardot-api/objects.md#names-per-api-version), so v5 names are mapped back with this.
    """
    return ".".join(_CAMEL_BOUNDARY.sub("_", part).lower() for part in name.split("."))


def to_camel(name: str) -> str:
    """`prospect_id` -> `prospectId`; dotted paths such as `campaign.name` convert per segment."""

    def segment(part: str) -> str:
        head, *rest = part.split("_")
        return head + "".join(word[:1].upper() + word[1:] for word in rest)

    return ".".join(segment(part) for part in name.split("."))
