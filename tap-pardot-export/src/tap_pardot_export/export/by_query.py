"""`extraction_mode`: an export stream's windows read by bulk queries instead of exports.

An export costs a few calls but minutes of Pardot's latency; a query costs one call per 200 rows
and none. So a small window is cheaper by query. Each window `[start, end)` is read with both
strict bounds on the export's filter field and paged by `id_greater_than` (ids never change, so
no tie or DST hour can lose a row; a row updated while the window is read moves past `end` and
comes with the next window or run). The bookmark moves to a window's end once it is read, as with
exports; in between, STATE every few pages keeps the id reached, so a stopped run resumes there.

`auto` (the default where the query can read the stream's rows) counts the rows to read with one
non-bulk query (`total_results`) and takes the query path when there are at most
`auto_query_max_rows`, logging why. Should Pardot refuse the count's bounds with a UTC offset,
the run falls back to wall times (export/streams.py) and the stream exports, which windows
wall-time bounds safely; an explicit `query` stops with what to do instead.

A stream that marks deleted rows reads each window twice, `deleted=false` then `deleted=true`,
as its exports do, and marks the second read's rows; an object whose query cannot filter on
`deleted` (visitors, prospect accounts) cannot be read by query without losing its deletes, so
the stream refuses the mode (export/streams.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from datetime import datetime
from typing import Any, Protocol

from pardot_client import PardotApiError, PardotError
from pardot_client.catalog import ExportProcedure, FieldType, ObjectSpec
from pardot_client.dates import parse_utc, to_utc_iso
from tap_pardot_export.context import RunContext
from tap_pardot_export.export.windows import Window, windows
from tap_pardot_export.query.paging import IdPager, QueryEndpoint
from tap_pardot_export.query.records import QueryRecordTyper

RESUME_KEY = "query_window"  # {"end", "after_id", "deleted"?}: a window read part way


class WindowedStream(Protocol):
    """What the reader needs of an export stream (export/streams.py)."""

    @property
    def name(self) -> str: ...
    @property
    def run(self) -> RunContext: ...
    @property
    def spec(self) -> ObjectSpec: ...
    @property
    def procedure(self) -> ExportProcedure: ...
    @property
    def fixed_arguments(self) -> dict[str, str]: ...
    @property
    def mode(self) -> str: ...
    @property
    def schema(self) -> dict[str, Any]: ...
    @property
    def logger(self) -> logging.Logger: ...
    @property
    def custom_fields(self) -> dict[str, FieldType]: ...

    def deleted_variants(self) -> tuple[str | None, ...]: ...

    def snap_edge(self, edge: datetime) -> datetime: ...

    def offset_changes(self, start: datetime, end: datetime) -> list[datetime]: ...

    def checkpoint(self) -> None: ...


class QueryWindowReader:
    """Reads an export stream's windows through its object's bulk query endpoint."""

    def __init__(self, stream: WindowedStream, state: MutableMapping[str, Any]) -> None:
        self.stream = stream
        self.run = stream.run
        self.state = state
        self.field = stream.procedure.filter_field
        self.prefix = self.field.removesuffix("_at")
        self.endpoint = QueryEndpoint(self.run.client, stream.spec)
        query = stream.spec.query
        assert query is not None
        self.params = {k: v for k, v in stream.fixed_arguments.items() if k in query.search_params}
        if "only_identified" in query.search_params:
            self.params["only_identified"] = "false"  # every visitor, as the export gives
        self.page_size = self.run.settings.query_page_size
        self.pages_per_state = self.run.settings.query_state_every_pages

    def chooses_query(self, start: datetime, end: datetime) -> bool:
        """Whether to read by query: always in `query` mode; in `auto`, when few rows changed."""
        if self.stream.mode != "auto":
            return self.stream.mode == "query"
        limit = self.run.settings.auto_query_max_rows
        try:
            count = self.endpoint.count({**self.params, **self._bounds(Window(start, end))})
        except PardotApiError as error:
            if error.code != 7 or not self.run.bounds.fall_back(
                self.stream.logger,
                "%s: Pardot refused query dates with a UTC offset (%s); sending wall times in %s "
                "for the rest of this run, and exporting this stream (auto), whose windows keep "
                "their edges out of repeated DST hours", self.stream.name, error,
                self.run.timezone,
            ):  # fmt: skip
                raise
            return False
        name, span, log = self.stream.name, Window(start, end).label(), self.stream.logger
        if count <= limit:
            log.info(
                "%s: %d rows in %s, at most auto_query_max_rows=%d: reading by query "
                "(%d calls, no export latency)", name, count, span, limit,
                count // self.page_size + 1,
            )  # fmt: skip
            return True
        log.info(
            "%s: %d rows in %s, more than auto_query_max_rows=%d: reading by export "
            "(a few calls per window instead of %d)", name, count, span, limit,
            count // self.page_size + 1,
        )  # fmt: skip
        return False

    def records(self, start: datetime, end: datetime, days: int) -> Iterator[dict[str, Any]]:
        """Every row stamped in `[start, end)`, window by window; the bookmark follows."""
        resume = self.state.get(RESUME_KEY) or {}
        variants = self.stream.deleted_variants()
        try:
            if resume and parse_utc(str(resume["end"])) <= end:
                window = Window(start, parse_utc(str(resume["end"])))
                left = variants[variants.index(resume.get("deleted")) :] if (
                    resume.get("deleted") in variants) else variants  # fmt: skip
                after_id = int(resume.get("after_id") or 0)
                for variant in left:
                    yield from self._window(window, variant, after_id)
                    after_id = 0
                start = window.end
            cuts = self.stream.offset_changes(start, end)
            for window in windows(start, end, days, self.stream.snap_edge, cuts):
                for variant in variants:
                    yield from self._window(window, variant, 0)
        except PardotApiError as error:
            self.stream.checkpoint()
            if error.code == 7 and not self.run.bounds.wall:
                raise PardotApiError(
                    f"{self.stream.name}: Pardot refused query dates with a UTC offset ({error}); "
                    "run this stream with extraction_mode export, which falls back to wall times",
                    code=error.code,
                    status=error.status,
                ) from error
            raise
        except PardotError:
            self.stream.checkpoint()
            raise

    def _window(
        self, window: Window, variant: str | None, after_id: int
    ) -> Iterator[dict[str, Any]]:
        """One part of a window (its `deleted` variant); the bookmark moves after its last part."""
        typer = QueryRecordTyper(
            self.stream.spec, self.run.timezone, list(self.stream.schema["properties"]),
            custom=self.stream.custom_fields, exact=(self.field, window.start, window.end),
        )  # fmt: skip
        params = {**self.params, **self._bounds(window)}
        if variant is not None:
            params["deleted"] = variant
        deleted = variant == "true"
        pager = IdPager(self.endpoint, self.page_size, params)
        for number, (rows, last_id) in enumerate(pager.pages(after_id), start=1):
            for row in rows:
                record = typer(row)
                if variant is not None:
                    record["is_deleted"] = deleted
                    record["_sdc_deleted_at"] = (
                        record.get("updated_at", record.get(self.field)) if deleted else None
                    )
                yield record
            self.state[RESUME_KEY] = {"end": to_utc_iso(window.end), "after_id": last_id}
            if variant is not None:
                self.state[RESUME_KEY]["deleted"] = variant
            if number % self.pages_per_state == 0:
                self.stream.checkpoint()
        if variant not in (None, self.stream.deleted_variants()[-1]):
            return  # the window's next part follows
        self.state.pop(RESUME_KEY, None)
        self.state["replication_key"] = self.field
        self.state["replication_key_value"] = to_utc_iso(window.end)
        self.stream.checkpoint()

    def _bounds(self, window: Window) -> dict[str, str]:
        bounds = self.run.bounds
        return {
            f"{self.prefix}_after": bounds.bound(window.after, lower=False)[0],
            f"{self.prefix}_before": bounds.bound(window.before, lower=False)[0],
        }
