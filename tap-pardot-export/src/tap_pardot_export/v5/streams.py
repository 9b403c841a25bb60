"""The v5 streams: one per object only the v5 objects API has (catalog/v5_objects.py).

Each reads its object by the mark the catalog names (v5/base.py); names are the v5 collections
in snake_case, as Airbyte's source-pardot names them, so a team moving over keeps its tables.
"""

from __future__ import annotations

from pardot_client.catalog import V5_OBJECTS
from tap_pardot_export.v5.base import V5Stream


class AccountStream(V5Stream):
    """The account: one row, read whole every run (limits, address, admin)."""

    name = "account"
    v5 = V5_OBJECTS["account"]


class DynamicContentVariationsStream(V5Stream):
    """Variations of each dynamic content (full table: one query per dynamic content)."""

    name = "dynamic_content_variations"
    v5 = V5_OBJECTS["dynamic_content_variations"]


class EngagementStudioProgramsStream(V5Stream):
    """Engagement Studio programs (updated_at; deleted ones marked)."""

    name = "engagement_studio_programs"
    v5 = V5_OBJECTS["engagement_studio_programs"]


class FilesStream(V5Stream):
    """Files (updated_at, by a scan of every id: no updatedAt filter)."""

    name = "files"
    v5 = V5_OBJECTS["files"]


class FoldersStream(V5Stream):
    """Folders (updated_at, by a scan of every id: no updatedAt filter)."""

    name = "folders"
    v5 = V5_OBJECTS["folders"]


class FolderContentsStream(V5Stream):
    """What each folder holds (updated_at)."""

    name = "folder_contents"
    v5 = V5_OBJECTS["folder_contents"]


class FormFieldsStream(V5Stream):
    """The fields of forms (updated_at)."""

    name = "form_fields"
    v5 = V5_OBJECTS["form_fields"]


class FormHandlersStream(V5Stream):
    """Form handlers (full table: no updatedAt field; deleted ones marked)."""

    name = "form_handlers"
    v5 = V5_OBJECTS["form_handlers"]


class FormHandlerFieldsStream(V5Stream):
    """The fields of form handlers (full table: no updatedAt field)."""

    name = "form_handler_fields"
    v5 = V5_OBJECTS["form_handler_fields"]


class LandingPagesStream(V5Stream):
    """Landing pages (updated_at; deleted ones marked)."""

    name = "landing_pages"
    v5 = V5_OBJECTS["landing_pages"]


class LayoutTemplatesStream(V5Stream):
    """Layout templates (updated_at by a scan of every id; deleted ones marked)."""

    name = "layout_templates"
    v5 = V5_OBJECTS["layout_templates"]


class ListEmailsStream(V5Stream):
    """List emails (updated_at; deleted ones marked; sender and reply-to options as lists)."""

    name = "list_emails"
    v5 = V5_OBJECTS["list_emails"]


class TrackerDomainsStream(V5Stream):
    """Tracker domains (updated_at by a scan of every id; deleted ones marked)."""

    name = "tracker_domains"
    v5 = V5_OBJECTS["tracker_domains"]


class VisitorPageViewsStream(V5Stream):
    """Visitor page views (id: append-only)."""

    name = "visitor_page_views"
    v5 = V5_OBJECTS["visitor_page_views"]


V5_STREAMS: tuple[type[V5Stream], ...] = (
    AccountStream,
    DynamicContentVariationsStream,
    EngagementStudioProgramsStream,
    FilesStream,
    FoldersStream,
    FolderContentsStream,
    FormFieldsStream,
    FormHandlersStream,
    FormHandlerFieldsStream,
    LandingPagesStream,
    LayoutTemplatesStream,
    ListEmailsStream,
    TrackerDomainsStream,
    VisitorPageViewsStream,
)
