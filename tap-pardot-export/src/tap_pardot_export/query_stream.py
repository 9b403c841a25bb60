"""The base of the query streams: objects the Export API does not cover, read by bulk queries.

A stream is incremental on `updated_at` where its query can filter and sort on it, else on `id`,
and full table only where neither exists (query_paging.py pages either mark). The stream keeps
its own bookmark, as the export streams do: the SDK's per-record tracking would take the row's
emitted `updated_at`, which in a repeated DST hour follows the stated rule rather than the exact
instant the mark needs. STATE goes out every `query_state_every_pages` pages and when the stream
ends; a stop in between (a used-up daily limit) writes the state of the last emitted page first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import Stream

from pardot_client import PardotApiError, PardotError
from pardot_client.calls import calls_between
from pardot_client.catalog import ObjectSpec, get_object
from pardot_client.dates import parse_utc
from tap_pardot_export.query_paging import (
    MAX_PAGE_SIZE,
    ONE_SECOND,
    IdPager,
    Mark,
    QueryDates,
    QueryEndpoint,
    UpdatedAtPager,
)
from tap_pardot_export.query_rows import QueryRecordTyper
from tap_pardot_export.streams import stream_schema
from tap_pardot_export.windows import run_end

if TYPE_CHECKING:
    from tap_pardot_export.tap import TapPardotExport

Record = dict[str, Any]


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


class PardotStreamMixin:
    """What every non-export stream shares: the tap's client, dates, settings and checkpoints."""

    _pardot_tap: TapPardotExport
    config: Mapping[str, Any]
    name: str

    @property
    def page_size(self) -> int:
        """Rows per query page: `query_page_size`, at most Pardot's 200."""
        return max(1, min(MAX_PAGE_SIZE, int(self.config.get("query_page_size", MAX_PAGE_SIZE))))

    @property
    def pages_per_state(self) -> int:
        """Pages between two STATE messages."""
        return max(1, int(self.config.get("query_state_every_pages", 10)))

    def query_dates(self) -> QueryDates:
        """Bounds with the user's offset, falling back to wall times for the run if refused."""
        dates = QueryDates(self._pardot_tap.timezone, self._refused_offsets)
        dates.wall = self._pardot_tap.wall_time_dates
        return dates

    def _refused_offsets(self, error: PardotApiError) -> bool:
        tap = self._pardot_tap
        if not tap.wall_time_dates:
            tap.wall_time_dates = True
            tap.logger.warning(
                "%s: Pardot refused query dates with a UTC offset (%s); sending wall times in "
                "%s for the rest of this run, lower bounds moved out of repeated DST hours",
                self.name, error, tap.timezone,
            )  # fmt: skip
        return True

    def end_instant(self) -> datetime:
        """`end_date` or now, on a whole second (rows of the current second wait a run)."""
        return run_end(self.config)

    def start_instant(self) -> datetime:
        """`start_date` (UTC if no offset)."""
        start_date = self.config.get("start_date")
        if not start_date:
            raise ValueError("start_date is required: query streams start there (UTC)")
        return parse_utc(str(start_date))

    def created_since_start(self, spec: ObjectSpec) -> dict[str, str]:
        """`created_after` for a first run of an id-paged object: it starts at start_date too."""
        query = spec.query
        if query is None or "created_after" not in query.search_params:
            return {}
        after = self.query_dates().bound(self.start_instant() - ONE_SECOND, lower=True)[0]
        return {"created_after": after}

    def log_calls(self, before: dict[str, int]) -> None:
        """Log the API calls this stream used."""
        used = calls_between(before, self._pardot_tap.client.calls.snapshot())
        self._pardot_tap.logger.info("%s: Pardot API calls by this stream: %s", self.name, used)


class QueryStream(PardotStreamMixin, Stream):
    """A stream read page by page from one object's bulk query endpoint."""

    object_name: ClassVar[str]
    primary_keys: ClassVar[list[str]] = ["id"]
    fixed_params: ClassVar[dict[str, str]] = {}
    is_sorted = False  # the stream keeps its own bookmark (module docstring)
    STATE_MSG_FREQUENCY = 10**15  # STATE goes out every N pages, from get_records

    def __init__(self, tap: TapPardotExport) -> None:
        self.spec = get_object(self.object_name)
        self._pardot_tap = tap
        super().__init__(tap, schema=stream_schema(self.spec, {}))
        self.replication_key = mark_field(self.spec)

    def _increment_stream_state(
        self, latest_record: dict[str, Any], *, context: Mapping[str, Any] | None = None
    ) -> None:
        """The bookmark moves per page in `get_records`, never per record."""

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[Record]:
        """Every row beyond the bookmark, typed; STATE every few pages."""
        tap = self._pardot_tap
        before = tap.client.calls.snapshot()
        state = self.get_context_state(context)
        typer = QueryRecordTyper(self.spec, tap.timezone, list(self.schema["properties"]))
        pages = 0
        try:
            for rows, saved in self._pages(state):
                for row in rows:
                    yield typer(row)
                state.update(saved)
                pages += 1
                if pages % self.pages_per_state == 0:
                    self._checkpoint()
        except PardotError:
            self._checkpoint()  # what was emitted stays emitted: resume after it
            raise
        finally:
            self.log_calls(before)

    def _checkpoint(self) -> None:
        self._pardot_tap.state_writer.write_state(self.tap_state)

    def _pages(self, state: dict[str, Any]) -> Iterator[tuple[list[Record], dict[str, Any]]]:
        """Raw pages and the state keys that hold once each page is emitted."""
        endpoint = QueryEndpoint(self._pardot_tap.client, self.spec)
        saved = state.get("replication_key") == self.replication_key
        bookmark = state.get("replication_key_value") if saved else None
        if self.replication_key == "updated_at":
            pager = UpdatedAtPager(
                endpoint, "updated_at", self.query_dates(), self.page_size,
                before=self.end_instant(), params=self.fixed_params,
            )  # fmt: skip
            mark = (
                Mark.from_state(str(bookmark), state.get("tie_after_id"))
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
