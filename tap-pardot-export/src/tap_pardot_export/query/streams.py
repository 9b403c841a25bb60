"""The query streams paged by a mark, one per object the Export API does not cover.

A stream is incremental on `updated_at` where its query can filter and sort on it, else on `id`
(`mark_field` decides from the catalog's QuerySpec; query/paging.py pages either mark). The
stream keeps its own bookmark, as every stream here does: the SDK's per-record tracking would take
the row's emitted `updated_at`, which in a repeated DST hour follows the stated rule rather than
the exact instant the mark needs. STATE goes out every `query_state_every_pages` pages and when
the stream ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from singer_sdk import Tap

from pardot_client.catalog import ObjectSpec
from tap_pardot_export.bounds import ONE_SECOND
from tap_pardot_export.context import RunContext
from tap_pardot_export.query.base import QueryBase, Record
from tap_pardot_export.query.paging import IdPager, Mark, QueryEndpoint, UpdatedAtPager

Page = tuple[list[Record], dict[str, Any]]


def mark_field(spec: ObjectSpec) -> str | None:
    """`updated_at` where the query filters and sorts on it, else `id` where it pages by id."""
    query = spec.query
    if query is None:
        return None
    if "updated_after" in query.search_params and "updated_at" in query.sort_by:
        return "updated_at"
    if "id_greater_than" in query.search_params:
        return "id"
    return None


class QueryStream(QueryBase):
    """A stream read page by page from one object's bulk query endpoint, beyond its mark."""

    fixed_params: ClassVar[dict[str, str]] = {}

    def __init__(self, tap: Tap, run: RunContext) -> None:
        super().__init__(tap, run)
        self.replication_key = mark_field(self.spec)

    def _records(self, state: dict[str, Any]) -> Iterator[Record]:
        """Every row beyond the bookmark, typed; STATE every few pages."""
        typer = self.typer()
        for pages, (rows, saved) in enumerate(self._pages(state), start=1):
            for row in rows:
                yield typer(row)
            state.update(saved)
            if pages % self.pages_per_state == 0:
                self.checkpoint()

    def _pages(self, state: dict[str, Any]) -> Iterator[Page]:
        """Raw pages and the state keys that hold once each page is emitted."""
        endpoint = QueryEndpoint(self.run.client, self.spec)
        saved = state.get("replication_key") == self.replication_key
        bookmark = state.get("replication_key_value") if saved else None
        if self.replication_key == "updated_at":
            pager = UpdatedAtPager(
                endpoint, "updated_at", self.run.bounds, self.page_size,
                before=self.end_instant(), params=self.fixed_params,
                on_refused=self.refused_offsets,
            )  # fmt: skip
            mark = (
                Mark.from_state(self.bookmark(bookmark), state.get("tie_after_id"))
                if bookmark
                else Mark(self.start_instant() - ONE_SECOND)
            )
            for rows, reached in pager.pages(mark):
                yield rows, {"replication_key": "updated_at", **reached.to_state()}
        elif self.replication_key == "id":
            params = dict(self.fixed_params)
            if bookmark is None:
                params.update(self.created_since_start(self.spec))
            id_pager = IdPager(endpoint, self.page_size, params)
            for rows, last_id in id_pager.pages(int(bookmark or 0)):
                yield rows, {"replication_key": "id", "replication_key_value": last_id}
        else:
            raise ValueError(f"{self.name}: {self.spec.name} has no query mark to page by")


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
