"""Objects reached only through the v3/v4 query (or read) endpoints, docs/pardot-api/queries.md.

Fields are the documented v3/v4 ones (object field reference). Nested outputs such as a
campaign node or a visit's page views are not fields; a nested object becomes its `*_id`.
Result keys the docs leave unconfirmed (docs/pardot-api/queries.md#result-keys-per-object) use
the URL object name and `result_key_confirmed=False`.
"""

from __future__ import annotations

from pardot_client.catalog.building import (
    BOOL,
    DT,
    INT,
    NUM,
    STR,
)
from pardot_client.catalog.building import (
    STD_SEARCH as _STD,
)
from pardot_client.catalog.building import (
    UPDATED_SEARCH as _UPDATED,
)
from pardot_client.catalog.building import (
    field as _f,
)
from pardot_client.catalog.building import (
    query as _query,
)
from pardot_client.catalog.building import (
    stamps as _stamps,
)
from pardot_client.catalog.model import ObjectSpec

__all__ = [
    "CAMPAIGN",
    "CUSTOM_FIELD",
    "CUSTOM_REDIRECT",
    "DYNAMIC_CONTENT",
    "EMAIL",
    "EMAIL_CLICK",
    "EMAIL_TEMPLATE",
    "FORM",
    "LIFECYCLE_HISTORY",
    "LIFECYCLE_STAGE",
    "LIST",
    "OPPORTUNITY",
    "QUERY_OBJECT_SPECS",
    "TAG",
    "TAG_OBJECT",
    "USER",
    "VISIT",
]

_UTM = ("campaign", "medium", "source", "content", "term")

CAMPAIGN = ObjectSpec(
    name="campaign",
    v5_name="campaigns",
    fields=(
        _f("id", INT),
        _f("name", STR),
        _f("cost", INT),
        _f(
            "crm_fid",
            STR,
            "salesforceId",
            description="Salesforce campaign id (documented as integer)",
        ),
        *_stamps(),
    ),
    query=_query(
        "campaign",
        "campaign",
        (*_STD, "name", *_UPDATED),
        ("created_at", "id", "name", "updated_at", "cost"),
    ),
)

CUSTOM_FIELD = ObjectSpec(
    name="customField",
    v5_name="custom-fields",
    fields=(
        _f("id", INT),
        _f("name", STR),
        _f("field_id", STR, description="the API name used to request the field on prospects"),
        _f("type", STR),
        _f("type_id", INT),
        _f("is_record_multiple_responses", BOOL),
        _f("crm_id", STR, "salesforceId"),
        _f("is_use_values", BOOL),
        *_stamps(),
    ),
    query=_query("customField", None, _STD, ("created_at", "id", "name")),
)

CUSTOM_REDIRECT = ObjectSpec(
    name="customRedirect",
    v5_name="custom-redirects",
    fields=(
        _f("id", INT),
        _f("name", STR),
        _f("url", STR),
        _f("destination", STR),
        _f("campaign_id", INT, description="the API returns a campaign node"),
        *_stamps(),
    ),
    query=_query("customRedirect", None, (*_STD, *_UPDATED), ("created_at", "id", "updated_at")),
)

DYNAMIC_CONTENT = ObjectSpec(
    name="dynamicContent",
    v5_name="dynamic-contents",
    fields=(
        _f("id", INT),
        _f("name", STR),
        _f("embed_code", STR),
        _f("embed_url", STR),
        _f("base_content", STR),
        _f("based_on", STR),
        *_stamps(),
    ),
    query=_query("dynamicContent", None, (*_STD, *_UPDATED), ("created_at", "id", "updated_at")),
)

# emailClick has no v5 collection; "email-clicks" only serves as a lookup alias.
EMAIL_CLICK = ObjectSpec(
    name="emailClick",
    v5_name="email-clicks",
    fields=(
        _f("id", INT, None),
        _f("prospect_id", INT, None),
        _f("url", STR, None),
        _f("list_email_id", INT, None),
        _f("drip_program_action_id", INT, None),
        _f("email_template_id", INT, None),
        _f("tracker_redirect_id", INT, None),
        _f("created_at", DT, None),
    ),
    query=_query(
        "emailClick",
        "emailClick",
        (
            "created_after",
            "created_before",
            "id_greater_than",
            "list_email_id",
            "drip_program_action_id",
            "email_template_id",
            "tracker_redirect_id",
        ),
        (),  # no sort_by and no offset: page with id_greater_than
    ),
)

FORM = ObjectSpec(
    name="form",
    v5_name="forms",
    fields=(
        _f("id", INT),
        _f("name", STR),
        _f("campaign_id", INT),
        _f("embed_code", STR),
        *_stamps(),
    ),
    query=_query("form", None, (*_STD, *_UPDATED), ("created_at", "id", "updated_at")),
)

LIFECYCLE_HISTORY = ObjectSpec(
    name="lifecycleHistory",
    v5_name="lifecycle-histories",
    fields=(
        _f("id", INT),
        _f("prospect_id", INT),
        _f("previous_stage_id", INT),
        _f("next_stage_id", INT),
        _f("seconds_elapsed", INT),
        *_stamps(updated=False),
    ),
    query=_query("lifecycleHistory", None, _STD, ("created_at", "id")),
)

LIFECYCLE_STAGE = ObjectSpec(
    name="lifecycleStage",
    v5_name="lifecycle-stages",
    fields=(_f("id", INT), _f("name", STR), _f("position", INT), _f("is_locked", BOOL)),
    query=_query("lifecycleStage", None, ("id_greater_than", "id_less_than"), ("position", "id")),
)

LIST = ObjectSpec(
    name="list",
    v5_name="lists",
    fields=(
        _f("id", INT),
        _f("name", STR),
        _f("is_public", BOOL),
        _f("is_dynamic", BOOL),
        _f("title", STR),
        _f("description", STR),
        _f("is_crm_visible", BOOL),
        *_stamps(),
    ),
    query=_query(
        "list", "list", (*_STD, "name", *_UPDATED), ("created_at", "id", "name", "updated_at")
    ),
)

OPPORTUNITY = ObjectSpec(
    name="opportunity",
    v5_name="opportunities",
    fields=(
        _f("id", INT),
        _f("campaign_id", INT),
        _f("name", STR),
        _f("value", NUM),
        _f("probability", INT),
        _f("type", STR),
        _f("stage", STR),
        _f("status", STR, description="won, lost or open"),
        _f("closed_at", DT),
        *_stamps(),
    ),
    query=_query(
        "opportunity",
        "opportunity",
        (
            *_STD,
            "probability_greater_than",
            "probability_less_than",
            "prospect_email",
            "prospect_id",
            "value_greater_than",
            "value_less_than",
        ),
        ("created_at", "id", "probability", "value"),
    ),
)

TAG = ObjectSpec(
    name="tag",
    v5_name="tags",
    fields=(_f("id", INT), _f("name", STR), *_stamps()),
    query=_query(
        "tag", None, (*_STD, "name", *_UPDATED), ("created_at", "id", "name", "updated_at")
    ),
)

TAG_OBJECT = ObjectSpec(
    name="tagObject",
    v5_name="tagged-objects",
    fields=(
        _f("id", INT),
        _f("tag_id", INT),
        _f("type", STR, description="the kind of tagged object"),
        _f("object_id", INT),
        *_stamps(updated=False),
    ),
    query=_query("tagObject", None, (*_STD, "tag_id", "type", "object_id"), ("created_at", "id")),
)

USER = ObjectSpec(
    name="user",
    v5_name="users",
    fields=(
        _f("id", INT),
        _f("email", STR),
        _f("first_name", STR),
        _f("last_name", STR),
        _f("job_title", STR),
        _f("role", STR),
        *_stamps(),
    ),
    query=_query("user", "user", _STD, ("created_at", "id")),
)

VISIT = ObjectSpec(
    name="visit",
    v5_name="visits",
    fields=(
        _f("id", INT),
        _f("visitor_id", INT),
        _f("prospect_id", INT),
        _f("visitor_page_view_count", INT),
        _f("first_visitor_page_view_at", DT),
        _f("last_visitor_page_view_at", DT),
        _f("duration_in_seconds", INT),
        *(_f(f"{utm}_parameter", STR) for utm in _UTM),
        *_stamps(),
    ),
    query=_query(
        "visit", "visit", ("ids", "visitor_ids", "prospect_ids"), (), offset_paging_only=True
    ),
)

# email and emailTemplate have read endpoints only (query=None). The message bodies are
# flattened from the email's message node and the template's htmlMessage/textMessage tags.
EMAIL = ObjectSpec(
    name="email",
    v5_name="emails",
    fields=(
        _f("id", INT),
        _f("name", STR),
        _f("subject", STR),
        _f("text_message", STR),
        _f("html_message", STR),
        *_stamps(updated=False),
    ),
)

# The v3/v4 read output uses camelCase tags here (isDripEmail); columns stay snake_case
# (docs/pardot-api/objects.md#names-per-api-version).
EMAIL_TEMPLATE = ObjectSpec(
    name="emailTemplate",
    v5_name="email-templates",
    fields=(
        _f("id", INT),
        _f("name", STR),
        _f("subject", STR),
        _f("html_message", STR),
        _f("text_message", STR),
        _f("is_one_to_one_email", BOOL),
        _f("is_auto_responder_email", BOOL),
        _f("is_drip_email", BOOL),
        _f("is_list_email", BOOL),
        _f("is_archived", BOOL),
    ),
)

QUERY_OBJECT_SPECS: tuple[ObjectSpec, ...] = (
    CAMPAIGN,
    CUSTOM_FIELD,
    CUSTOM_REDIRECT,
    DYNAMIC_CONTENT,
    EMAIL_CLICK,
    FORM,
    LIFECYCLE_HISTORY,
    LIFECYCLE_STAGE,
    LIST,
    OPPORTUNITY,
    TAG,
    TAG_OBJECT,
    USER,
    VISIT,
    EMAIL,
    EMAIL_TEMPLATE,
)
