"""The query streams paged by a mark, one per object the Export API does not cover.

Each object's mark is chosen by what its query can filter on (docs/pardot-api/queries.md):

* `updated_at`: the query filters and sorts on it: incremental, changed rows only.
* `id`: append-only objects (their rows never change): incremental on the last id.
* `scan` (opportunities): rows change but the query has no updated_* filter, so every run reads
  all ids and emits the rows whose `updated_at` reached the bookmark; the cost is logged.
* none (custom fields, lifecycle stages, users: a few hundred rows): full table every run.

Every stream keeps its own bookmark: the SDK's per-record tracking would take the row's emitted
`updated_at`, which in a repeated DST hour follows the stated rule rather than the exact instant
the mark needs. STATE goes out every `query_state_every_pages` pages and when the stream ends. A
catalog asking FULL_TABLE is honoured: the stream then reads everything from `start_date`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar, Literal

from singer_sdk import Tap

from pardot_client.dates import to_utc_iso, wall_time_candidates
from tap_pardot_export.bounds import ONE_SECOND
from tap_pardot_export.context import RunContext
from tap_pardot_export.query.base import QueryBase, Record
from tap_pardot_export.query.paging import IdPager, Mark, QueryEndpoint, UpdatedAtPager

Page = tuple[list[Record], dict[str, Any]]
MarkKind = Literal["updated_at", "id", "scan", "full"]
REPLICATION_KEYS: dict[MarkKind, str | None] = {
    "updated_at": "updated_at", "id": "id", "scan": "updated_at", "full": None,
}  # fmt: skip


class QueryStream(QueryBase):
    """A stream read page by page from one object's bulk query endpoint, beyond its mark."""

    mark: ClassVar[MarkKind]
    fixed_params: ClassVar[dict[str, str]] = {}

    def __init__(self, tap: Tap, run: RunContext) -> None:
        super().__init__(tap, run)
        self.replication_key = REPLICATION_KEYS[self.mark]

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
        saved = state.get("replication_key") == self.replication_key and not self.full_table
        bookmark = state.get("replication_key_value") if saved else None
        if self.mark == "updated_at":
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
        elif self.mark == "id":
            params = dict(self.fixed_params)
            if bookmark is None:
                params.update(self.created_since_start(self.spec))
            id_pager = IdPager(endpoint, self.page_size, params)
            for rows, last_id in id_pager.pages(int(bookmark or 0)):
                yield rows, {"replication_key": "id", "replication_key_value": last_id}
        elif self.mark == "scan":
            since = self.bookmark(bookmark) if bookmark else self.start_instant()
            yield from self._scan(endpoint, state, since)
        else:  # full table: every row, every run
            for rows, _last_id in IdPager(endpoint, self.page_size, self.fixed_params).pages(0):
                yield rows, {}

    def _scan(
        self, endpoint: QueryEndpoint, state: dict[str, Any], since: datetime
    ) -> Iterator[Page]:
        """Every id, keeping the rows whose `updated_at` may be at or after `since`.

        Ids do not follow `updated_at`, so the bookmark moves only once the scan is whole; a
        stopped scan resumes after the id it reached (`scan_after_id`), with the same `since`
        and the latest `updated_at` seen so far (`scan_latest`).
        """
        after_id = int(state.get("scan_after_id") or 0)
        latest = str(state.get("scan_latest") or to_utc_iso(since))
        read = kept = 0
        for rows, last_id in IdPager(endpoint, self.page_size, self.fixed_params).pages(after_id):
            read += len(rows)
            changed = []
            for row in rows:
                stamps = (
                    wall_time_candidates(str(row.get("updated_at") or ""), self.run.timezone)
                    if row.get("updated_at")
                    else ()
                )
                if stamps and stamps[-1] >= since:
                    changed.append(row)
                    latest = max(latest, to_utc_iso(stamps[0]))
            kept += len(changed)
            yield changed, {"scan_after_id": last_id, "scan_latest": latest}
        self.logger.info(
            "%s: Pardot's query has no updated_at filter, so all %d rows after id %d were read to "
            "emit the %d changed since %s", self.name, read, after_id, kept, to_utc_iso(since),
        )  # fmt: skip
        state.pop("scan_after_id", None)
        state.pop("scan_latest", None)
        yield [], {"replication_key": "updated_at", "replication_key_value": latest}


class CampaignsStream(QueryStream):
    """Campaigns (updated_at)."""

    name = "campaigns"
    object_name = "campaign"
    mark = "updated_at"


class CustomFieldsStream(QueryStream):
    """Prospect custom fields (full table: a few rows, no updated_* filter)."""

    name = "custom_fields"
    object_name = "customField"
    mark = "full"


class CustomRedirectsStream(QueryStream):
    """Custom redirects (updated_at)."""

    name = "custom_redirects"
    object_name = "customRedirect"
    mark = "updated_at"


class DynamicContentStream(QueryStream):
    """Dynamic content (updated_at)."""

    name = "dynamic_content"
    object_name = "dynamicContent"
    mark = "updated_at"


class EmailClicksStream(QueryStream):
    """Email clicks (id: append-only; the query takes no sort and no updated_* filter)."""

    name = "email_clicks"
    object_name = "emailClick"
    mark = "id"


class FormsStream(QueryStream):
    """Forms (updated_at)."""

    name = "forms"
    object_name = "form"
    mark = "updated_at"


class LifecycleHistoriesStream(QueryStream):
    """Lifecycle stage changes of prospects (id: append-only)."""

    name = "lifecycle_histories"
    object_name = "lifecycleHistory"
    mark = "id"


class LifecycleStagesStream(QueryStream):
    """Lifecycle stages (full table: a few rows)."""

    name = "lifecycle_stages"
    object_name = "lifecycleStage"
    mark = "full"


class ListsStream(QueryStream):
    """Lists (updated_at)."""

    name = "lists"
    object_name = "list"
    mark = "updated_at"


class OpportunitiesStream(QueryStream):
    """Opportunities (updated_at by a full id scan: the query has no updated_* filter)."""

    name = "opportunities"
    object_name = "opportunity"
    mark = "scan"


class TagsStream(QueryStream):
    """Tags (updated_at)."""

    name = "tags"
    object_name = "tag"
    mark = "updated_at"


class TagObjectsStream(QueryStream):
    """Tagged objects (id: append-only)."""

    name = "tag_objects"
    object_name = "tagObject"
    mark = "id"


class UsersStream(QueryStream):
    """Users (full table: a few hundred rows, no updated_* filter)."""

    name = "users"
    object_name = "user"
    mark = "full"


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
