"""Export streams: one per export object, each bound to one export procedure.

`get_records` walks the windows from the bookmark (or `start_date`) to `end_date` (or now): for
each it creates an export, polls it, streams its result files, and only then moves the bookmark
to the window's end and emits STATE, so a window is either fully delivered or done again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from singer_sdk import Stream
from singer_sdk import typing as th

from pardot_client import PardotApiError
from pardot_client.calls import calls_between
from pardot_client.catalog import ArgumentKind, ExportProcedure, FieldType, ObjectSpec, get_object
from pardot_client.dates import format_iso_offset, format_pardot_datetime, parse_utc
from tap_pardot_export.export_job import ExportJob, ExportRequest
from tap_pardot_export.fast_records import FastRecordsMixin
from tap_pardot_export.pipeline import ExportPipeline
from tap_pardot_export.query_window import QueryWindowReader, extraction_mode
from tap_pardot_export.rows import RowParser
from tap_pardot_export.windows import Window, run_end, unambiguous_edge

if TYPE_CHECKING:
    from tap_pardot_export.tap import TapPardotExport

MAX_FIELDS = 150
ONE_DAY = timedelta(days=1)
_TYPES: dict[FieldType, th.JSONTypeHelper[Any]] = {
    FieldType.INTEGER: th.IntegerType(),
    FieldType.NUMBER: th.NumberType(),
    FieldType.STRING: th.StringType(),
    FieldType.BOOLEAN: th.BooleanType(),
    FieldType.DATETIME: th.DateTimeType(),
    FieldType.DATE: th.DateType(),
}


def stream_schema(spec: ObjectSpec, custom_fields: dict[str, FieldType]) -> dict[str, Any]:
    """The JSON schema of an object's exportable fields, plus custom fields (prospects)."""
    properties = [
        th.Property(
            f.name, _TYPES[f.type], required=f.name == "id", description=f.description or None
        )
        for f in spec.fields
        if f.exportable
    ]
    properties += [th.Property(name, _TYPES[kind]) for name, kind in custom_fields.items()]
    return th.PropertiesList(*properties).to_dict()


class ExportStream(FastRecordsMixin, Stream):
    """A stream pulled through the asynchronous Export API."""

    object_name: ClassVar[str]
    default_procedure: ClassVar[str]
    fixed_arguments: ClassVar[dict[str, str]] = {}
    primary_keys: ClassVar[list[str]] = ["id"]
    is_sorted = False  # export files come in no order
    STATE_MSG_FREQUENCY = 10**15  # STATE goes out per window, from get_records, never per record

    def __init__(self, tap: TapPardotExport, custom_fields: dict[str, FieldType]) -> None:
        self.spec = get_object(self.object_name)
        self.custom_fields = custom_fields if self.object_name == "prospect" else {}
        self._pardot_tap = tap
        super().__init__(tap, schema=stream_schema(self.spec, self.custom_fields))
        self.procedure = self._bound_procedure()
        self.replication_key = self.procedure.filter_field

    def _bound_procedure(self) -> ExportProcedure:
        chosen = self.config.get("procedures") or {}
        streams = {stream.name for stream in EXPORT_STREAMS}  # type: ignore[misc]
        unknown = sorted(set(chosen) - streams)
        if unknown:
            raise ValueError(
                f"procedures names {', '.join(unknown)}, which is not an export stream; "
                f"use one of: {', '.join(sorted(streams))}"
            )
        name = chosen.get(self.name, self.default_procedure)
        procedure = self.spec.procedure(name)
        if procedure is None:
            known = ", ".join(p.name for p in self.spec.export_procedures)
            raise ValueError(
                f"procedures.{self.name} is {name!r}, which {self.spec.name} exports do not "
                f"have; use one of: {known}"
            )
        return procedure

    @property
    def api_version(self) -> int:
        """5 for v5-only objects (external activities), else 4 (the client picks 3 or 4)."""
        return 5 if self.spec.export_api_version == 5 else 4

    def export_fields(self) -> list[str]:
        """The selected fields as API names; id and the replication key always included."""
        selected = [
            name for name in self.schema["properties"] if self.mask.get(("properties", name), True)
        ]
        for needed in ("id", self.procedure.filter_field):
            if needed not in selected:
                selected.insert(0, needed)
        if len(selected) > MAX_FIELDS:
            raise ValueError(
                f"Stream {self.name} has {len(selected)} selected fields, but a Pardot export "
                f"takes at most {MAX_FIELDS}; deselect {len(selected) - MAX_FIELDS} fields in the "
                "catalog (meltano select) and run again"
            )
        if self.api_version == 5:
            return [self._v5_name(name) for name in selected]
        return selected

    def _increment_stream_state(
        self, latest_record: dict[str, Any], *, context: Mapping[str, Any] | None = None
    ) -> None:
        """Keep the SDK from tracking a per-record bookmark.

        Export rows come unsorted, so the SDK would promote the largest value seen at the end of
        the stream, overwriting the window end that `get_records` sets once a window is whole.
        """

    def _v5_name(self, name: str) -> str:
        catalog_field = self.spec.field(name)
        return catalog_field.v5_name if catalog_field and catalog_field.v5_name else name

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        """Every window's rows; the bookmark moves to a window's end once it is delivered."""
        if extraction_mode(self) != "export":  # small windows can be cheaper by query
            start, end, reader = self._start(), self._end(), QueryWindowReader(self, context)
            if reader.chooses_query(start, end):
                days = int(self.config.get("export_window_days", 31))
                yield from reader.records(start, end, days)
                return
        tap = self._pardot_tap
        before = tap.client.calls.snapshot()
        pipeline = ExportPipeline(
            stream=self.name,
            replication_key=self.procedure.filter_field,
            make_job=self._job,
            parser=RowParser(self.spec, tap.timezone, self.custom_fields),
            state=self.get_context_state(context),
            checkpoint=lambda: tap.state_writer.write_state(self.tap_state),
            timezone=tap.timezone,
            max_pending=int(self.config.get("max_pending_exports", 2)),
            max_tries=int(self.config.get("export_max_tries", 3)),
            snap_edge=self._snap_edge,
            dates_rejected=self._fall_back_to_wall_times,
        )
        rows = pipeline.run(
            self._start(), self._end(), int(self.config.get("export_window_days", 31))
        )
        try:
            yield from _first_of_each_id(rows) if self._rows_repeat_across_windows else rows
        finally:
            used = calls_between(before, tap.client.calls.snapshot())
            self.logger.info("%s: Pardot API calls by this stream: %s", self.name, used)

    def _start(self) -> datetime:
        state = self.get_context_state(None)
        bookmark = state.get("replication_key_value")
        if bookmark and state.get("replication_key") in (None, self.procedure.filter_field):
            return parse_utc(str(bookmark))
        start_date = self.config.get("start_date")
        if not start_date:
            raise ValueError("start_date is required: the first export starts there (UTC)")
        return parse_utc(str(start_date))

    def _end(self) -> datetime:
        return run_end(self.config)

    @property
    def _rows_repeat_across_windows(self) -> bool:
        """Procedures on a linked object's date export a row in every window it changed in."""
        return self.procedure.name.startswith("filter_by_prospect_")

    @property
    def _date_filter(self) -> bool:
        """Whether the procedure compares a calendar date (activity_date), not an instant."""
        field = self.spec.field(self.procedure.filter_field)
        return field is not None and field.type is FieldType.DATE

    def _snap_edge(self, edge: datetime) -> datetime:
        """Edges on whole days for date filters; out of repeated DST hours for wall times."""
        tap = self._pardot_tap
        if self._date_filter:
            return edge.replace(hour=0, minute=0, second=0, microsecond=0)
        if tap.wall_time_dates and self.api_version != 5:
            return unambiguous_edge(edge, tap.timezone)
        return edge

    def _fall_back_to_wall_times(self, error: PardotApiError) -> bool:
        """Pardot refused bounds with an offset: send wall times in the user's timezone instead.

        Offsets are GNU date syntax, which the docs say Pardot reads, and they name one instant
        even in a repeated DST hour. Whether Pardot takes them is unconfirmed, so a refusal
        switches the run to offset-less wall times, with window edges kept out of repeated hours.
        """
        tap = self._pardot_tap
        if tap.wall_time_dates or self.api_version == 5 or error.code not in (7, 177):
            return False
        tap.wall_time_dates = True
        self.logger.warning(
            "Pardot refused export dates with a UTC offset (%s); sending wall times in %s for "
            "the rest of this run, with window edges kept out of repeated DST hours",
            error, tap.timezone,
        )  # fmt: skip
        return True

    def _job(self, window: Window) -> ExportJob:
        return ExportJob(
            self._pardot_tap.client,
            self._request(window),
            poll_unit_seconds=float(self.config.get("poll_interval_seconds", 60)),
            timeout_seconds=float(self.config.get("export_timeout_minutes", 120)) * 60,
        )

    def _request(self, window: Window) -> ExportRequest:
        tz = self._pardot_tap.timezone
        wall = self._pardot_tap.wall_time_dates and self.api_version != 5
        fmt = format_pardot_datetime if wall else format_iso_offset
        after = next(a for a in self.procedure.arguments if a.kind is ArgumentKind.AFTER)
        before = next(a for a in self.procedure.arguments if a.kind is ArgumentKind.BEFORE)
        if self._date_filter:  # whole days, strict: after the day before, before the end day
            arguments: dict[str, Any] = {
                after.name: (window.start - ONE_DAY).date().isoformat(),
                before.name: window.end.date().isoformat(),
            }
        else:
            arguments = {after.name: fmt(window.after, tz), before.name: fmt(window.before, tz)}
        arguments.update(
            {k: v for k, v in self.fixed_arguments.items() if self.procedure.argument(k)}
        )
        return ExportRequest(
            stream=self.name,
            object_name=self.spec.name,
            fields=self.export_fields(),
            procedure=self.procedure.name,
            arguments=arguments,
            api_version=self.api_version,
            label=window.label(),
        )


class VisitorActivitiesStream(ExportStream):
    """Visitor activities (visitorActivity exports)."""

    name = "visitor_activities"
    object_name = "visitorActivity"
    default_procedure = "filter_by_updated_at"


class ProspectsStream(ExportStream):
    """Prospects, with the account's custom fields."""

    name = "prospects"
    object_name = "prospect"
    default_procedure = "filter_by_updated_at"


class ListMembershipsStream(ExportStream):
    """List memberships, deleted ones included."""

    name = "list_memberships"
    object_name = "listMembership"
    default_procedure = "filter_by_updated_at"
    fixed_arguments: ClassVar[dict[str, str]] = {"deleted": "all"}


class VisitorsStream(ExportStream):
    """Visitors, deleted ones included."""

    name = "visitors"
    object_name = "visitor"
    default_procedure = "filter_by_updated_at"
    fixed_arguments: ClassVar[dict[str, str]] = {"deleted": "all"}


class ProspectAccountsStream(ExportStream):
    """Prospect accounts, deleted ones included."""

    name = "prospect_accounts"
    object_name = "prospectAccount"
    default_procedure = "filter_by_updated_at"
    fixed_arguments: ClassVar[dict[str, str]] = {"deleted": "all"}


class ExternalActivitiesStream(ExportStream):
    """External activities (a v5 export)."""

    name = "external_activities"
    object_name = "externalActivity"
    default_procedure = "filter_by_created_at"


def _first_of_each_id(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Each id once per run (ids of one stream's run fit in memory: accounts, visitors)."""
    seen: set[Any] = set()
    for row in rows:
        if row["id"] not in seen:
            seen.add(row["id"])
            yield row


EXPORT_STREAMS: tuple[type[ExportStream], ...] = (
    VisitorActivitiesStream,
    ProspectsStream,
    ListMembershipsStream,
    VisitorsStream,
    ProspectAccountsStream,
    ExternalActivitiesStream,
)
