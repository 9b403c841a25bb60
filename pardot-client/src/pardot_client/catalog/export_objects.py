"""The objects the Export API reaches: their fields, export procedures and query endpoints.

Procedures and arguments follow the Export API overviews
(docs/pardot-api/exports.md#procedures-per-object); fields follow the object field reference
and, for externalActivity, the Export API overview (docs/pardot-api/objects.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pardot_client.catalog.building import (
    BOOL,
    DATE,
    DT,
    INT,
    STR,
)
from pardot_client.catalog.building import (
    STD_SEARCH as _STD,
)
from pardot_client.catalog.building import (
    UPDATED_SEARCH as _UPDATED,
)
from pardot_client.catalog.building import (
    choice_deleted as _choice_deleted,
)
from pardot_client.catalog.building import (
    field as _f,
)
from pardot_client.catalog.building import (
    import_field as _imp,
)
from pardot_client.catalog.building import (
    unlisted as _unlisted,
)
from pardot_client.catalog.building import (
    window as _window,
)
from pardot_client.catalog.model import (
    ArgumentKind,
    ObjectSpec,
    ProcedureArgument,
    QuerySpec,
)

__all__ = [
    "EXPORT_OBJECT_SPECS",
    "EXTERNAL_ACTIVITY",
    "LIST_MEMBERSHIP",
    "PROSPECT",
    "PROSPECT_ACCOUNT",
    "PROSPECT_IMPORT_MATCH_COLUMNS",
    "VISITOR",
    "VISITOR_ACTIVITY",
]

# Import CSV columns that identify the prospect a row updates, per API version
# (docs/pardot-api/imports.md#matching-prospects):
# v3 matches on email; v4 needs prospect_id (Pardot id) or salesforce_fid (CRM id) on each row.
# They are import-only pseudo-columns, not prospect fields, so they are not in the field list.
PROSPECT_IMPORT_MATCH_COLUMNS: Mapping[int, tuple[str, ...]] = MappingProxyType(
    {3: ("email",), 4: ("prospect_id", "salesforce_fid")}
)


_TYPE = ProcedureArgument("type", ArgumentKind.ID_LIST)
# Assets a visitor-activity query can filter by, as `<asset>_only` flags and `<asset>_id` ids.
_COMPARISONS = ("equal_to", "greater_than", "less_than")  # prospect grade_* and score_*
_VA_ASSETS = ("custom_url", "email", "file", "form", "form_handler", "landing_page")

# --- visitorActivity (docs/pardot-api/objects.md) ---------------------------------------------

VISITOR_ACTIVITY = ObjectSpec(
    name="visitorActivity",
    v5_name="visitor-activities",
    fields=(
        _f("id", INT),
        _f("prospect_id", INT),
        _f("visitor_id", INT),
        _f(
            "type",
            INT,
            description="activity type number, 1-38 (docs/pardot-api/objects.md); "
            "others mean unknown",
        ),
        _f("type_name", STR),
        _f("details", STR),
        _f("email_id", INT),
        _f("email_template_id", INT),
        _f("list_email_id", INT),
        _f("form_id", INT),
        _f("form_handler_id", INT),
        _f("site_search_query_id", INT),
        _f("landing_page_id", INT),
        _f("paid_search_ad_id", INT),
        _f("multivariate_test_variation_id", INT),
        _f("visitor_page_view_id", INT),
        _f("file_id", INT),
        _f("custom_redirect_id", INT),
        _f("campaign_id", INT, description="the query output nests campaign {id,name,cost}"),
        _f("created_at", DT),
        _f("updated_at", DT),
    ),
    export_procedures=(
        # The overviews spell the flag prospect_only here and prospectOnly below; accept both
        # (docs/pardot-api/exports.md#procedures-per-object).
        _window(
            "filter_by_created_at",
            "created",
            "created_at",
            _TYPE,
            ProcedureArgument("prospect_only", ArgumentKind.BOOLEAN, aliases=("prospectOnly",)),
        ),
        _window(
            "filter_by_updated_at",
            "updated",
            "updated_at",
            _TYPE,
            ProcedureArgument("prospectOnly", ArgumentKind.BOOLEAN, aliases=("prospect_only",)),
        ),
    ),
    export_api_version=4,
    query=QuerySpec(
        url_name="visitorActivity",
        result_key="visitor_activity",
        result_key_confirmed=True,
        search_params=(
            *_STD,
            *_UPDATED,
            "prospect_only",
            "type",
            *(f"{asset}_only" for asset in _VA_ASSETS),
            "campaign_id",
            *(f"{asset}_id" for asset in _VA_ASSETS),
            "prospect_id",
            "visitor_id",
        ),
        sort_by=("created_at", "id", "prospect_id", "visitor_id", "updated_at"),
    ),
)

# --- prospect (docs/pardot-api/objects.md) ----------------------------------------------------

PROSPECT = ObjectSpec(
    name="prospect",
    v5_name="prospects",
    fields=(
        _f("id", INT),
        _imp("campaign_id", INT),
        _imp("salutation"),
        _imp("first_name"),
        _imp("last_name"),
        _imp("email"),
        _unlisted(_imp("password", STR, None, description="write-only; v5 does not expose it")),
        _imp("company"),
        _imp("prospect_account_id", INT),
        _imp("website"),
        _imp("job_title"),
        _imp("department"),
        _imp("country"),
        _imp("address_one"),
        _imp("address_two"),
        _imp("city"),
        _imp("state"),
        _imp("territory"),
        _imp("zip"),
        _imp("phone"),
        _imp("fax"),
        _imp("source"),
        _imp("annual_revenue"),
        _imp("employees"),
        _imp("industry"),
        _imp("years_in_business"),
        _imp("comments"),
        _imp("notes", exportable=False),
        _imp("score", INT),
        _f("grade", STR, exportable=False, description="computed from profiles; not importable"),
        _f("last_activity_at", DT),
        _f("recent_interaction", STR),
        _f("crm_lead_fid", STR, "salesforceLeadId"),
        _f("crm_contact_fid", STR, "salesforceContactId"),
        _f("crm_owner_fid", STR, "salesforceOwnerId"),
        _f("crm_account_fid", STR, "salesforceAccountId"),
        _f("crm_last_sync", DT, "salesforceLastSync"),
        _f("crm_url", STR, "salesforceUrl"),
        _imp("is_do_not_email", BOOL),
        _imp("is_do_not_call", BOOL),
        _imp("opted_out", BOOL, description="an import can opt a prospect out, not back in"),
        _imp("is_reviewed", BOOL),
        _imp("is_starred", BOOL),
        _unlisted(_f("is_archived", BOOL, None, description="v4 only (2020-06); v5: isDeleted")),
        _f("created_at", DT),
        _f("updated_at", DT),
    ),
    export_procedures=(
        # deleted: export-api-overview-a.txt lists it here, overview b does not; the tap sends
        # deleted=all and goes on without it if refused (docs/pardot-api/exports.md).
        _window("filter_by_updated_at", "updated", "updated_at", _choice_deleted()),
        _window("filter_by_created_at", "created", "created_at", _choice_deleted()),
    ),
    export_api_version=4,
    query=QuerySpec(
        url_name="prospect",
        result_key="prospect",
        result_key_confirmed=True,
        search_params=(
            *_STD,
            *_UPDATED,
            "assigned",
            "assigned_to_user",
            "deleted",
            *(f"grade_{op}" for op in _COMPARISONS),
            "is_starred",
            "last_activity_after",
            "last_activity_before",
            "last_activity_never",
            "list_id",
            "new",
            *(f"score_{op}" for op in _COMPARISONS),
            "fields",
        ),
        sort_by=("created_at", "id", "last_activity_at", "updated_at"),
    ),
)

# --- listMembership (docs/pardot-api/objects.md) ----------------------------------------------

LIST_MEMBERSHIP = ObjectSpec(
    name="listMembership",
    v5_name="list-memberships",
    fields=(
        _f("id", INT),
        _f("list_id", INT),
        _f("prospect_id", INT),
        # v3/v4 document an integer 0/1 and v5 a boolean; one type keeps the schema stable
        # (docs/pardot-api/objects.md#export-objects).
        _f("opted_out", BOOL, description="v3/v4 send 0/1, v5 true/false"),
        _f("created_at", DT),
        _f("updated_at", DT),
    ),
    export_procedures=(
        _window("filter_by_created_at", "created", "created_at", _choice_deleted()),
        _window("filter_by_updated_at", "updated", "updated_at", _choice_deleted()),
    ),
    export_api_version=4,
    query=QuerySpec(
        url_name="listMembership",
        result_key="list_membership",
        result_key_confirmed=True,
        search_params=(*_STD, "list_id", "deleted", *_UPDATED),
        sort_by=("created_at", "id"),
    ),
)

# --- visitor (docs/pardot-api/objects.md) -----------------------------------------------------

VISITOR = ObjectSpec(
    name="visitor",
    v5_name="visitors",
    fields=(
        _f("id", INT),
        _unlisted(_f("prospect_id", INT, description="the linked prospect (simple query, v5)")),
        _f("page_view_count", INT),
        _f("ip_address", STR),
        _f("hostname", STR),
        _f("campaign_parameter", STR),
        _f("medium_parameter", STR),
        _f("source_parameter", STR),
        _f("content_parameter", STR),
        _f("term_parameter", STR),
        _f("created_at", DT),
        _f("updated_at", DT),
    ),
    export_procedures=(
        # filter_field: the object has no prospect_updated_at, so "updated_at" names the column
        # compared; the simulator compares the linked prospect's updated_at for this procedure.
        _window(
            "filter_by_prospect_updated_at",
            "prospect_updated",
            "updated_at",
            # true/false/all on the linked prospect's deletion, not the row's own
            _choice_deleted("prospect_deleted", default="false"),
        ),
        # deleted: the docs give "default false"; the product exports with deleted=all, so all
        # is taken (docs/pardot-api/exports.md#procedures-per-object).
        _window("filter_by_updated_at", "updated", "updated_at", _choice_deleted(default="false")),
    ),
    export_api_version=4,
    query=QuerySpec(
        url_name="visitor",
        result_key="visitor",
        result_key_confirmed=True,
        search_params=(*_STD, *_UPDATED, "only_identified", "prospect_ids", "fields"),
        sort_by=("created_at", "id", "updated_at"),
    ),
)

# --- prospectAccount (docs/pardot-api/objects.md) ---------------------------------------------
# Only id and name are fixed; the rest is the standard set an account starts with (v5 list).

_ADDRESS = ("address_one", "address_two", "city", "country", "state", "zip")

PROSPECT_ACCOUNT = ObjectSpec(
    name="prospectAccount",
    v5_name="prospect-accounts",
    fields=(
        _f("id", INT),
        _f("name", STR),
        _f("annual_revenue", STR),
        *(_f(f"billing_{part}", STR) for part in _ADDRESS),
        *(_f(f"shipping_{part}", STR) for part in _ADDRESS),
        _f("description", STR),
        _f("employees", STR),
        _f("fax", STR),
        _f("industry", STR),
        _f("number", STR),
        _f("ownership", STR),
        _f("phone", STR),
        _f("rating", STR),
        _f("sic", STR),
        _f("site", STR),
        _f("ticker_symbol", STR),
        _f("type", STR),
        _f("website", STR),
        _f("created_at", DT),
        _f("updated_at", DT),
    ),
    export_procedures=(
        # filter_field: as for visitor, the simulator compares the linked prospects' updated_at.
        _window(
            "filter_by_prospect_updated_at",
            "prospect_updated",
            "updated_at",
            # true/false/all on the linked prospect's deletion, not the row's own
            _choice_deleted("prospect_deleted", default="false"),
        ),
        # deleted: the docs give "default false"; the product exports with deleted=all, so all
        # is taken (docs/pardot-api/exports.md#procedures-per-object).
        _window("filter_by_updated_at", "updated", "updated_at", _choice_deleted(default="false")),
    ),
    export_api_version=4,
    query=QuerySpec(
        url_name="prospectAccount",
        result_key="prospectAccount",
        result_key_confirmed=True,
        search_params=(*_STD, "name", *_UPDATED, "fields"),
        sort_by=("created_at", "id", "name", "updated_at"),
    ),
)

# --- externalActivity (docs/pardot-api/exports.md#v5-endpoints) -------------------------------
# The Export overview lists it beside the other objects, its fields named in camelCase only: the
# account's version first, the v5 endpoints if that refuses it.

EXTERNAL_ACTIVITY = ObjectSpec(
    name="externalActivity",
    v5_name="external-activities",
    fields=(
        _f("id", INT),
        _f("extension", STR, description="at most 255 characters"),
        _f("extension_salesforce_id", STR),
        _f("type", STR, description="a registered activity type; at most 255 characters"),
        _f("type_salesforce_id", STR),
        _f("prospect_id", INT),
        _f("value", STR, description="nullable; at most 100 characters"),
        _f("activity_date", DATE, description="typed DateTime, described as YYYY-MM-DD"),
        _f("created_at", DT),
        _f("created_by_id", INT, description="nullable"),
    ),
    export_procedures=(
        _window("filter_by_created_at", "created", "created_at"),
        _window("filter_by_activity_date", "activity", "activity_date"),
    ),
    export_api_version=4,
    export_v5_fallback=True,
    export_camel_case=True,
)

EXPORT_OBJECT_SPECS: tuple[ObjectSpec, ...] = (
    VISITOR_ACTIVITY,
    PROSPECT,
    LIST_MEMBERSHIP,
    VISITOR,
    PROSPECT_ACCOUNT,
    EXTERNAL_ACTIVITY,
)
