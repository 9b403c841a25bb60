"""Every behaviour the API docs leave unconfirmed, as a switch (docs/pardot-api/README.md).

Defaults follow the documented or most likely behaviour; the client's tests run against each
variant so the client accepts all of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

_CHOICES: dict[str, tuple[Any, ...]] = {
    "token_invalid_status": (401, 400, 200),
    "daily_limit_status": (429, 400, 200),
    "concurrency_status": (429, 400, 503, 200),
    "v34_error_status": ("native", "200"),
    "export_envelope": ("wrapped", "unwrapped"),
    "import_envelope": ("unwrapped", "wrapped"),
    "v5_result_refs": ("array", "like_v4"),
    "error_csv_layout": (
        "appended",
        "prefixed",
        "title_case",
        "camel_case",
        "single",
        "other_names",
        "unnamed",
        "headerless",
    ),
    "naive_input_timezone": ("user", "utc"),
    "ambiguous_input": ("earlier", "later"),
    "input_offsets": ("accepted", "rejected"),
    "v5_csv_header": ("camel", "snake"),
    "query_result_key": ("documented", "snake"),
    "bulk_empty_result": ("null", "empty", "absent"),
    "prospect_updated_deleted": ("accepted", "refused"),
    "external_activity_v34": ("accepted", "refused"),
    "undocumented_export_fields": ("accepted", "refused", "refused_unnamed"),
    "activity_date_format": ("date", "datetime"),
    "email_rate_format": ("percent", "number"),
    "single_template": ("list", "object"),
    "operational_without_feature": ("ignored", "refused"),
    "v5_tie_order": ("id", "id_desc"),
    "v5_account_answer": ("object", "values"),
}


@dataclass
class Switches:
    """Unconfirmed API behaviours; change them through the admin API or the CLI."""

    token_invalid_status: int = 401  # HTTP status of error 184 (401 per client code; 400 seen)
    daily_limit_status: int = 429  # HTTP status of error 122
    concurrency_status: int = 429  # HTTP status of error 66
    v34_error_status: str = "native"  # "200": v3/v4 errors arrive with HTTP 200, body only
    export_envelope: str = "wrapped"  # v3/v4 export JSON: {"export": {...}} or flat
    export_attributes: bool = False  # add "@attributes" to v3/v4 export and import JSON
    import_envelope: str = "unwrapped"  # v3/v4 import JSON: flat or {"import": {...}}
    v5_result_refs: str = "array"  # v5 resultRefs: always an array, or a string for one file
    error_csv_layout: str = "appended"  # import errors CSV columns: see pardot_sim.import_rows
    naive_input_timezone: str = "user"  # dates without an offset are read in the user's timezone
    ambiguous_input: str = "earlier"  # a repeated wall time means its first occurrence
    input_offsets: str = "accepted"  # v3/v4 date arguments with an offset (GNU date syntax)
    v5_csv_header: str = "camel"  # v5 export CSV header casing
    query_result_key: str = "documented"  # unconfirmed query result keys: URL name or snake_case
    bulk_empty_result: str = "null"  # an empty output=bulk page: result null, {}, or no key
    legacy_login_retired: bool = False  # answer the legacy login with 199, as Pardot now does
    # prospect filter_by_updated_at takes `deleted` (export overview a) or refuses it (b)
    prospect_updated_deleted: str = "accepted"
    external_activity_v34: str = "accepted"  # v3/v4 exports external activities, or refuses them
    # export fields no document lists (prospect is_archived, password; visitor prospect_id):
    # exported, or refused with unknown_field_code naming the field, or naming none
    undocumented_export_fields: str = "accepted"
    activity_date_format: str = "date"  # activityDate as YYYY-MM-DD, or as a DateTime at midnight
    email_rate_format: str = "percent"  # email statistics rates: "98.42%" or 98.42
    single_template: str = "list"  # a one-to-one list of one template: a list of one, or an object
    # operational_email on an account without the feature: ignored (opt-outs apply) or refused
    operational_without_feature: str = "ignored"
    v5_tie_order: str = "id"  # v5 rows sharing the orderBy value: by id, or by id descending
    v5_account_answer: str = "object"  # the v5 account read: the record, or {"values": [it]}
    range_error_code: int = 177  # export range over one year
    unknown_field_code: int = 130  # unknown export field
    expired_download_code: int = 178  # download of an expired export

    def update(self, changes: dict[str, Any]) -> None:
        """Apply changes, refusing unknown names and values outside the known variants."""
        known = {f.name: f for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown switch {name!r}; known: {', '.join(sorted(known))}")
            current = getattr(self, name)
            cast = type(current)(value) if not isinstance(current, bool) else bool(value)
            choices = _CHOICES.get(name)
            if choices and cast not in choices:
                raise ValueError(f"switch {name} must be one of {choices}, not {value!r}")
            setattr(self, name, cast)

    def as_dict(self) -> dict[str, Any]:
        """The current values, for the admin API."""
        return asdict(self)

    @staticmethod
    def variants() -> dict[str, tuple[Any, ...]]:
        """Every switch that has a fixed set of variants, with them (for tests that try each)."""
        return dict(_CHOICES)
