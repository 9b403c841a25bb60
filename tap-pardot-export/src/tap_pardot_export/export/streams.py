"""Export streams: one per export object, each bound to one export procedure.

`get_records` walks the windows from the bookmark (or `start_date`) to `end_date` (or now): for
each it creates an export, polls it, streams its result files, and only then moves the bookmark
to the window's end and emits STATE, so a window is either fully delivered or done again. A
stream may read its windows by bulk query instead (`extraction_mode`, export/by_query.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from singer_sdk import Tap

from pardot_client import PardotApiError
from pardot_client.catalog import ArgumentKind, ExportProcedure, FieldType, get_object
from pardot_client.transitions import offset_changes
from tap_pardot_export.base import PardotStream
from tap_pardot_export.bounds import unambiguous_edge
from tap_pardot_export.context import RunContext
from tap_pardot_export.export.by_query import QueryWindowReader
from tap_pardot_export.export.field_defaults import DocumentedFieldsByDefault
from tap_pardot_export.export.job import ExportJob, ExportRequest
from tap_pardot_export.export.pipeline import ExportPipeline
from tap_pardot_export.export.refusals import ExportRefusals
from tap_pardot_export.export.rows import RowParser
from tap_pardot_export.export.windows import Window
from tap_pardot_export.output.fast_records import FastRecordsMixin
from tap_pardot_export.schemas import DELETE_MARKS, stream_schema

MAX_FIELDS = 150  # fields one export takes (docs/pardot-api/exports.md)
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class _Plan:
    """How one run reads a stream: its span, and a pipeline unless it reads by query."""

    start: datetime
    end: datetime
    days: int
    reader: QueryWindowReader | None
    pipeline: ExportPipeline | None


class ExportStream(DocumentedFieldsByDefault, FastRecordsMixin, PardotStream):
    """A stream pulled through the asynchronous Export API."""

    default_procedure: ClassVar[str]
    fixed_arguments: ClassVar[dict[str, str]] = {}
    lean_loop = True  # own bookmark, STATE from get_records (base.py): output/fast_records.py

    def __init__(self, tap: Tap, run: RunContext) -> None:
        self.run, self.spec = run, get_object(self.object_name)
        self.procedure = self._bound_procedure()  # before the schema: it decides delete marks
        super().__init__(tap, run)
        self.refusals = ExportRefusals(self.name, self.spec, self.logger)
        self.replication_key = self.procedure.filter_field
        self.mode = self._extraction_mode()
        self._planned: _Plan | None = None  # this run's reading plan, made once (`_plan`)

    def build_schema(self) -> dict[str, Any]:
        """The object's exportable fields, custom fields for prospects, and delete marks."""
        schema = stream_schema(self.spec, self.custom_fields)
        if self.marks_deletes:
            schema["properties"].update(DELETE_MARKS)
        return schema

    @property
    def marks_deletes(self) -> bool:
        """Whether the procedure can tell deleted rows (a `deleted` argument: true/false/all)."""
        argument = self.procedure.argument("deleted")
        return argument is not None and argument.kind is ArgumentKind.CHOICE

    def deleted_variants(self) -> tuple[str | None, ...]:
        """The parts each window is exported in: live rows, then deleted ones (else one)."""
        if self.marks_deletes and "deleted" not in self.refusals.dropped_arguments:
            return ("false", "true")
        return (None,)

    @property
    def custom_fields(self) -> dict[str, FieldType]:
        """The account's own fields: prospects' custom fields, prospect accounts' fields."""
        if self.object_name == "prospectAccount":
            return self.run.account_fields
        return self.run.custom_fields if self.object_name == "prospect" else {}

    def _bound_procedure(self) -> ExportProcedure:
        name = self.settings.procedures.get(self.name, self.default_procedure)
        procedure = self.spec.procedure(name)
        if procedure is None:
            known = ", ".join(p.name for p in self.spec.export_procedures)
            raise ValueError(
                f"procedures.{self.name} is {name!r}, which {self.spec.name} exports do not "
                f"have; use one of: {known}"
            )
        return procedure

    def _extraction_mode(self) -> str:
        """The mode set for this stream; unset: auto where a query can read its rows (with
        their deletes marked), else export (README, "Extraction modes")."""
        mode = self.settings.mode_of(self.name)
        query = self.spec.query
        if query is None or self.api_version == 5:
            why = f"{self.spec.name} has no v3/v4 query endpoint"
        elif self.marks_deletes and "deleted" not in query.search_params:
            why = f"the {self.spec.name} query cannot return deleted rows, which this stream marks"
        elif self._rows_repeat_across_windows:
            why = f"a {self.spec.name} query cannot filter on the linked prospect's date"
        else:
            return mode or "auto"
        if mode in (None, "export"):
            return "export"
        raise ValueError(f"extraction_mode.{self.name} is {mode!r}, but {why}; use export")

    @property
    def api_version(self) -> int:
        """4 (the client picks 3 or 4), or 5 once v3/v4 refused the object (export/refusals.py)."""
        return self.refusals.api_version

    def export_fields(self) -> list[str]:
        """The selected fields as API names; id and the replication key always included."""
        selected = self.refusals.fields(
            name
            for name in self.schema["properties"]
            if self.mask.get(("properties", name), True) and name not in DELETE_MARKS
        )
        for needed in ("id", self.procedure.filter_field):
            if needed not in selected:
                selected.insert(0, needed)
        if len(selected) > MAX_FIELDS:
            raise ValueError(
                f"Stream {self.name} has {len(selected)} selected fields, but a Pardot export "
                f"takes at most {MAX_FIELDS}; deselect {len(selected) - MAX_FIELDS} fields in the "
                "catalog (meltano select) and run again"
            )
        if self.api_version == 5 or self.spec.export_camel_case:
            return [self._v5_name(name) for name in selected]
        return selected

    def _v5_name(self, name: str) -> str:
        catalog_field = self.spec.field(name)
        return catalog_field.v5_name if catalog_field and catalog_field.v5_name else name

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        """Every window's rows; the bookmark moves to a window's end once it is delivered."""
        plan, self._planned = self._plan(), None
        if plan.pipeline is None:  # read by query: the next streams' exports queue meanwhile
            assert plan.reader is not None
            self.run.exports.fill_after(self.name)
            yield from self.accounted(plan.reader.records(plan.start, plan.end, plan.days))
            return
        rows = plan.pipeline.run(plan.start, plan.end, plan.days)
        if self._rows_repeat_across_windows:
            rows = _first_of_each_id(rows)
        yield from self.accounted(rows, count_rows=False)  # the pipeline counts, per file

    def queue_ahead(self, capacity: int) -> bool:
        """Create this stream's first exports while the stream before it finishes
        (export/queue.py); True when it has nothing left to create (or reads by query)."""
        if not self.selected:
            return True
        try:
            pipeline = self._plan().pipeline
            return pipeline is None or pipeline.fill(capacity)
        except Exception as exc:  # noqa: BLE001 - the stream meets it again at its turn
            self._planned = None  # exports created so far are in its state: resumed then
            self.logger.info("%s: no export created ahead (%s); the stream creates its exports "
                             "when it starts", self.name, exc)  # fmt: skip
            return False

    def _plan(self) -> _Plan:
        """How this run reads the stream, decided once: by query, or through its pipeline."""
        if self._planned is not None:
            return self._planned
        start, end = self._start(), self.end_instant()
        days, state = self.settings.export_window_days, self.get_context_state(None)
        if self.mode != "export":  # few rows may be cheaper by query
            reader = QueryWindowReader(self, state)
            if reader.chooses_query(start, end):
                self._planned = _Plan(start, end, days, reader, None)
                return self._planned
        pipeline = ExportPipeline(
            stream=self.name,
            replication_key=self.procedure.filter_field,
            make_job=self._job,
            parser=RowParser(self.spec, self.run.timezone, self.custom_fields, self._exact_field),
            state=state,
            checkpoint=self.checkpoint,
            timezone=self.run.timezone,
            max_pending=self.settings.max_pending_exports,
            max_tries=self.settings.export_max_tries,
            snap_edge=self.snap_edge,
            refused=self._refused,
            variants=self.deleted_variants,
            cuts=self.offset_changes,
            figures=self.run.summary.of(self.name),
            exports=self.run.exports,
        )
        pipeline.prime(start, end, days)
        self._planned = _Plan(start, end, days, None, pipeline)
        return self._planned

    def _start(self) -> datetime:
        state = self.get_context_state(None)
        bookmark = None if self.full_table else state.get("replication_key_value")
        if bookmark and state.get("replication_key") in (None, self.procedure.filter_field):
            return self.bookmark(bookmark)
        return self.start_instant()

    @property
    def _exact_field(self) -> str | None:
        """The row field the windows bound (None where a linked prospect's date is filtered)."""
        return None if self._rows_repeat_across_windows else self.procedure.filter_field

    @property
    def _rows_repeat_across_windows(self) -> bool:
        """Procedures on a linked object's date export a row in every window it changed in."""
        return self.procedure.name.startswith("filter_by_prospect_")

    @property
    def date_filter(self) -> bool:
        """Whether the procedure compares a calendar date (activity_date), not an instant."""
        field = self.spec.field(self.procedure.filter_field)
        return field is not None and field.type is FieldType.DATE

    def snap_edge(self, edge: datetime) -> datetime:
        """Edges on whole days for date filters; out of repeated DST hours for wall times."""
        if self.date_filter:
            return edge.replace(hour=0, minute=0, second=0, microsecond=0)
        if self.run.bounds.wall and self.api_version != 5:
            return unambiguous_edge(edge, self.run.timezone)
        return edge

    def offset_changes(self, start: datetime, end: datetime) -> list[datetime]:
        """Extra window edges: the user's offset changes, where bounds carry offsets.

        No window then spans a change, so each wall time of the filter field has one reading
        inside its window and rows of a repeated hour get their true instant. With wall-time
        bounds (Pardot refused offsets) a window edge inside a repeated hour could not be sent,
        so the stated DST rule stands there (docs/pardot-api/dates.md).
        """
        if self.date_filter or (self.run.bounds.wall and self.api_version != 5):
            return []
        return offset_changes(self.run.timezone, start, end)

    def _refused(self, error: PardotApiError) -> bool:
        """Pardot refused a create: go on without what it refused, or with other dates.

        `deleted` is optional too (one Export API overview leaves it out for prospects): once
        refused, windows are exported in one part, without deleted rows.
        """
        optional = [*self._own_arguments(), *(["deleted"] if self.marks_deletes else [])]
        return self.refusals.handle(
            error, optional_arguments=optional, fields=self.export_fields(),
            kept=("id", self.procedure.filter_field), custom=list(self.custom_fields),
        ) or self._fall_back_to_wall_times(error)  # fmt: skip

    def _own_arguments(self) -> dict[str, str]:
        """The arguments this stream adds (`prospect_deleted=all`), less those Pardot refused."""
        own = {k: v for k, v in self.fixed_arguments.items() if self.procedure.argument(k)}
        return self.refusals.arguments(own)

    def _fall_back_to_wall_times(self, error: PardotApiError) -> bool:
        """Pardot refused bounds with an offset: send wall times in the user's timezone instead.

        Offsets are GNU date syntax, which the docs say Pardot reads, and they name one instant
        even in a repeated DST hour. Whether Pardot takes them is unconfirmed, so a refusal
        switches the run to offset-less wall times, with window edges kept out of repeated hours.
        """
        if self.api_version == 5 or error.code not in (7, 177):
            return False
        return self.run.bounds.fall_back(
            self.logger,
            "Pardot refused export dates with a UTC offset (%s); sending wall times in %s for "
            "the rest of this run, with window edges kept out of repeated DST hours",
            error, self.run.timezone,
        )  # fmt: skip

    def _job(self, window: Window, variant: str | None) -> ExportJob:
        return ExportJob(
            self.run.client,
            self._request(window, variant),
            poll_unit_seconds=self.settings.poll_interval_seconds,
            timeout_seconds=self.settings.export_timeout_seconds,
        )

    def _request(self, window: Window, variant: str | None = None) -> ExportRequest:
        after = next(a for a in self.procedure.arguments if a.kind is ArgumentKind.AFTER)
        before = next(a for a in self.procedure.arguments if a.kind is ArgumentKind.BEFORE)
        if self.date_filter:  # whole days, strict: after the day before, before the end day
            arguments: dict[str, Any] = {
                after.name: (window.start - ONE_DAY).date().isoformat(),
                before.name: window.end.date().isoformat(),
            }
        else:
            text = self.run.bounds.text
            v5 = self.api_version == 5
            arguments = {
                after.name: text(window.after, offset=v5),
                before.name: text(window.before, offset=v5),
            }
        arguments.update(self._own_arguments())
        if variant is not None:
            arguments["deleted"] = variant
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
    """Prospects, with the account's custom fields; deleted ones included and marked."""

    name = "prospects"
    object_name = "prospect"
    default_procedure = "filter_by_updated_at"
    fixed_arguments: ClassVar[dict[str, str]] = {"deleted": "all"}


class ListMembershipsStream(ExportStream):
    """List memberships, deleted ones included and marked."""

    name = "list_memberships"
    object_name = "listMembership"
    default_procedure = "filter_by_updated_at"


class VisitorsStream(ExportStream):
    """Visitors, deleted ones included and marked."""

    name = "visitors"
    object_name = "visitor"
    default_procedure = "filter_by_updated_at"
    fixed_arguments: ClassVar[dict[str, str]] = {"prospect_deleted": "all"}


class ProspectAccountsStream(ExportStream):
    """Prospect accounts, deleted ones included and marked."""

    name = "prospect_accounts"
    object_name = "prospectAccount"
    default_procedure = "filter_by_updated_at"
    fixed_arguments: ClassVar[dict[str, str]] = {"prospect_deleted": "all"}


class ExternalActivitiesStream(ExportStream):
    """External activities (the account's version, v5 if that refuses them)."""

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
