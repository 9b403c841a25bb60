"""`V5Stream`: a stream of an object only Pardot's v5 objects API has.

Each object's mark comes from the catalog (docs/pardot-api/v5-objects.md#objects-and-their-marks):

* `updated_at`: changed rows only, past the bookmark and before the run's end, ties finished by
  id within their second (`V5UpdatedAtPager`);
* `id`: append-only rows past the last id, created before the run's end (`V5IdPager`);
* `scan`: the query has no updatedAt filter, so every id is read and the rows changed from the
  bookmark up to the scan's end are emitted; the scan's end and the id it reached are kept in
  state, so a stopped scan resumes where it was and the bookmark then moves to that end;
* `full`: every row every run (replication key none): one record (the account), the rows of
  each parent (dynamic content variations), or every id.

Deleted rows come too where the object has `isDeleted` (`deleted=all`), marked like the tap's
other streams' deleted rows. A catalog asking FULL_TABLE is honoured: the stream then reads
everything from `start_date`. STATE goes out every `query_state_every_pages` pages; on a stop
(the daily limit, the call budget), the state of what was emitted is written first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

from singer_sdk import Tap

from pardot_client import PardotError
from pardot_client.catalog import V5Object, get_object
from pardot_client.dates import parse_utc, to_utc_iso
from pardot_client.v5_objects import V5Objects, v5_instant
from tap_pardot_export.base import PardotStream
from tap_pardot_export.bounds import ONE_SECOND
from tap_pardot_export.context import RunContext
from tap_pardot_export.query.paging import IdPager, Mark, QueryEndpoint
from tap_pardot_export.v5.paging import V5IdPager, V5UpdatedAtPager
from tap_pardot_export.v5.records import V5RecordTyper, stamp, v5_schema

Record = dict[str, Any]
REPLICATION_KEYS = {"updated_at": "updated_at", "id": "id", "scan": "updated_at", "full": None}


class V5Stream(PardotStream):
    """A stream read from one v5 collection by the mark its catalog entry names."""

    v5: ClassVar[V5Object]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "v5" in cls.__dict__:
            cls.object_name = cls.v5.spec.name

    def __init__(self, tap: Tap, run: RunContext) -> None:
        super().__init__(tap, run)
        self.replication_key = REPLICATION_KEYS[self.v5.query.mark]

    def build_schema(self) -> dict[str, Any]:
        """Every field of the object, and `_sdc_deleted_at` where rows can be deleted."""
        return v5_schema(self.v5)

    @cached_property
    def api(self) -> V5Objects:
        """The v5 objects API through the run's client."""
        return V5Objects(self.run.client)

    @property
    def page_size(self) -> int:
        """Rows per v5 page: `v5_page_size`, at most Pardot's 1000."""
        return self.settings.v5_page_size

    def bound(self, instant: datetime) -> str:
        """A filter value in the user's offset."""
        return v5_instant(instant, self.run.timezone)

    @property
    def fixed_params(self) -> dict[str, str]:
        """Every query of the stream: deleted rows too where the object has them."""
        return {"deleted": "all"} if self.v5.query.deletes else {}

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[Record]:
        """The stream's records; on a stop, the state of what was emitted is written first."""
        state = self.get_context_state(context)
        try:
            yield from self.accounted(self._records(state))
        except PardotError:
            self.checkpoint()
            raise

    def _records(self, state: dict[str, Any]) -> Iterator[Record]:
        mark = self.v5.query.mark
        saved = state.get("replication_key") == self.replication_key and not self.full_table
        bookmark = state.get("replication_key_value") if saved else None
        if mark == "updated_at":
            yield from self._changed(state, bookmark)
        elif mark == "id":
            yield from self._appended(state, bookmark)
        elif mark == "scan":
            yield from self._scanned(state, bookmark)
        else:
            yield from self._everything()

    def _paced(self, pages: Iterable[tuple[list[Record], Mapping[str, Any]]],
               state: dict[str, Any], typer: V5RecordTyper) -> Iterator[Record]:  # fmt: skip
        """Typed rows of each page; the page's state keys once it is out; STATE every few."""
        for count, (rows, reached) in enumerate(pages, start=1):
            yield from (typer(row) for row in rows)
            state.update(reached)
            if count % self.settings.query_state_every_pages == 0:
                self.checkpoint()

    def _changed(self, state: dict[str, Any], bookmark: Any) -> Iterator[Record]:
        mark = (
            Mark.from_state(self.bookmark(bookmark), state.get("tie_after_id"))
            if bookmark
            else Mark(self.start_instant() - ONE_SECOND)
        )
        pager = V5UpdatedAtPager(
            self.api, self.v5, self.page_size, self.fixed_params, self.logger,
            timezone=self.run.timezone, before=self.end_instant(),
        )  # fmt: skip
        pages = (
            (rows, {"replication_key": "updated_at", **reached.to_state()})
            for rows, reached in pager.pages(mark)
        )
        yield from self._paced(pages, state, V5RecordTyper(self.v5))

    def _appended(self, state: dict[str, Any], bookmark: Any) -> Iterator[Record]:
        params = {**self.fixed_params, "createdAtBefore": self.bound(self.end_instant())}
        if bookmark is None:
            params["createdAtAfterOrEqualTo"] = self.bound(self.start_instant())
        pager = V5IdPager(self.api, self.v5, self.page_size, params, self.logger)
        pages = (
            (rows, {"replication_key": "id", "replication_key_value": last_id})
            for rows, last_id in pager.pages(int(bookmark or 0))
        )
        yield from self._paced(pages, state, V5RecordTyper(self.v5))

    def _scanned(self, state: dict[str, Any], bookmark: Any) -> Iterator[Record]:
        """Every id; the rows changed in [since, until) are emitted, then the bookmark is until.

        A stopped scan resumes after `scan_after_id` with its saved `scan_until`: rows changed
        after that are the next run's, whose scan starts there.
        """
        since = self.bookmark(bookmark) if bookmark else self.start_instant()
        resumed = bool(state.get("scan_until")) and not self.full_table
        until = parse_utc(state["scan_until"]) if resumed else max(self.end_instant(), since)
        after_id = int(state.get("scan_after_id") or 0) if resumed else 0
        state["scan_until"] = to_utc_iso(until)
        seen = {"read": 0, "kept": 0}
        pager = V5IdPager(self.api, self.v5, self.page_size, self.fixed_params, self.logger)

        def pages() -> Iterator[tuple[list[Record], dict[str, Any]]]:
            for rows, last_id in pager.pages(after_id):
                chosen = [
                    r
                    for r in rows
                    if r.get("updatedAt") is None or since <= stamp(r["updatedAt"]) < until
                ]
                seen["read"] += len(rows)
                seen["kept"] += len(chosen)
                yield chosen, {"scan_after_id": last_id}

        yield from self._paced(pages(), state, V5RecordTyper(self.v5))
        self.logger.info(
            "%s: the v5 query has no updatedAt filter, so all %d rows after id %d were read to "
            "emit the %d changed from %s to %s", self.name, seen["read"], after_id, seen["kept"],
            to_utc_iso(since), to_utc_iso(until),
        )  # fmt: skip
        state.pop("scan_after_id", None)
        state.pop("scan_until", None)
        state.update({"replication_key": "updated_at", "replication_key_value": to_utc_iso(until)})

    def _everything(self) -> Iterator[Record]:
        query = self.v5.query
        # no updated_at to date a deleted row by: the run's end, when it was seen deleted
        marks = query.deletes and self.v5.spec.field("updated_at") is None
        typer = V5RecordTyper(self.v5, deleted_at=to_utc_iso(self.end_instant()) if marks else None)
        if query.single:
            row = self.api.read_one(query.collection, self.v5.request_fields())
            if row is not None:
                yield typer(row)
            return
        parents: Iterable[int] = [0]
        if query.per_parent is not None:
            parents = self._parent_ids(query.per_parent[1])
        for parent in parents:
            params = dict(self.fixed_params)
            if query.per_parent is not None:
                params[query.per_parent[0]] = str(parent)
            pager = V5IdPager(self.api, self.v5, self.page_size, params, self.logger)
            for rows, _last_id in pager.pages(0):
                yield from (typer(row) for row in rows)

    def _parent_ids(self, parent: str) -> Iterator[int]:
        """The ids of every row of the parent object (its v3/v4 query, paged by id)."""
        endpoint = QueryEndpoint(self.run.client, get_object(parent))
        for rows, _last in IdPager(endpoint, self.settings.query_page_size).pages(0):
            yield from sorted(int(r["id"]) for r in rows)
