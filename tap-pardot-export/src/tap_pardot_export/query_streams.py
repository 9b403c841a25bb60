"""The query streams, one per object the Export API does not cover (schemas from the catalog).

Each is incremental on `updated_at` where its query filters and sorts on it, else on `id`
(query_stream.mark_field decides from the catalog's QuerySpec).
"""

from __future__ import annotations

from tap_pardot_export.query_stream import QueryStream


class CampaignsStream(QueryStream):
    """Campaigns (updated_at)."""

    name = "campaigns"
    object_name = "campaign"


class CustomFieldsStream(QueryStream):
    """Prospect custom fields (id: the query has no updated_* filter)."""

    name = "custom_fields"
    object_name = "customField"


class CustomRedirectsStream(QueryStream):
    """Custom redirects (updated_at)."""

    name = "custom_redirects"
    object_name = "customRedirect"


class DynamicContentStream(QueryStream):
    """Dynamic content (updated_at)."""

    name = "dynamic_content"
    object_name = "dynamicContent"


class EmailClicksStream(QueryStream):
    """Email clicks (id: the query takes no sort and no updated_* filter)."""

    name = "email_clicks"
    object_name = "emailClick"


class FormsStream(QueryStream):
    """Forms (updated_at)."""

    name = "forms"
    object_name = "form"


class LifecycleHistoriesStream(QueryStream):
    """Lifecycle stage changes of prospects (id)."""

    name = "lifecycle_histories"
    object_name = "lifecycleHistory"


class LifecycleStagesStream(QueryStream):
    """Lifecycle stages (id)."""

    name = "lifecycle_stages"
    object_name = "lifecycleStage"


class ListsStream(QueryStream):
    """Lists (updated_at)."""

    name = "lists"
    object_name = "list"


class OpportunitiesStream(QueryStream):
    """Opportunities (id: the query has no updated_* filter)."""

    name = "opportunities"
    object_name = "opportunity"


class TagsStream(QueryStream):
    """Tags (updated_at)."""

    name = "tags"
    object_name = "tag"


class TagObjectsStream(QueryStream):
    """Tagged objects (id)."""

    name = "tag_objects"
    object_name = "tagObject"


class UsersStream(QueryStream):
    """Users (id)."""

    name = "users"
    object_name = "user"


QUERY_STREAMS: tuple[type[QueryStream], ...] = (
    CampaignsStream,
    CustomFieldsStream,
    CustomRedirectsStream,
    DynamicContentStream,
    EmailClicksStream,
    FormsStream,
    LifecycleHistoriesStream,
    LifecycleStagesStream,
    ListsStream,
    OpportunitiesStream,
    TagsStream,
    TagObjectsStream,
    UsersStream,
)
