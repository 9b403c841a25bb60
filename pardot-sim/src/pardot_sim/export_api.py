"""Export API endpoints: v3/v4 create, read, query, cancel, download; v5 create and read.

Request validation follows docs/pardot-api/exports.md: body errors 150-154, procedure errors
174-177, state errors 178; codes the docs leave open (range over a year, unknown field) come from
the switches (docs/pardot-api/errors.md#codes-the-docs-leave-open). So do the behaviours the two
Export overviews or the field lists leave open: prospect `deleted` on filter_by_updated_at,
external activities on v3/v4, and fields no document lists among an object's export fields.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from pardot_client.catalog import ArgumentKind, ExportProcedure, ObjectSpec, get_object, to_camel
from pardot_client.dates import format_iso_offset, format_pardot_datetime
from pardot_sim.app import Ctx, SimApp
from pardot_sim.dateargs import parse_date_argument, strictly_beyond
from pardot_sim.exports import ExportEngine, ExportJob, stream_file
from pardot_sim.http import Response
from pardot_sim.queries import paginate_quirk
from pardot_sim.responses import SimError, v34

MAX_FIELDS = 150
QUERY_STATES = ("Complete", "Failed", "Processing", "Waiting")
MAX_RANGE_SECONDS = 366 * 24 * 3600  # "may not exceed 1 year": allow a leap year's full span
V34 = r"/api/export/version/(?P<version>[34])/do"


def register(app: SimApp, engine: ExportEngine) -> None:
    """Add the export routes."""
    api = ExportApi(app, engine)
    app.add_route("POST", f"{V34}/create", "v34", api.create)
    app.add_route("GET", rf"{V34}/read/id/(?P<id>\d+)", "v34", api.read)
    app.add_route("GET", f"{V34}/query", "v34", api.query)
    app.add_route("POST", f"{V34}/query", "v34", api.query)
    app.add_route("POST", rf"{V34}/cancel/id/(?P<id>\d+)", "v34", api.cancel)
    app.add_route(
        "GET", rf"{V34}/downloadResults/id/(?P<id>\d+)/file/(?P<file>\d+)", "v34", api.download
    )
    app.add_route("POST", "/api/v5/exports", "v5", api.create)
    app.add_route("GET", r"/api/v5/exports/(?P<id>\d+)", "v5", api.read)
    app.add_route("GET", r"/api/v5/exports/(?P<id>\d+)/results/(?P<file>\d+)", "v5", api.download)


class ExportApi:
    """Handlers bound to the app and the job engine."""

    def __init__(self, app: SimApp, engine: ExportEngine) -> None:
        self.app = app
        self.engine = engine

    # -- handlers -------------------------------------------------------------------------------

    def create(self, ctx: Ctx) -> Response:
        """Validate the body and queue the export."""
        body = _json_body(ctx)
        allowed = {"object", "fields", "procedure", "maxFileSizeBytes", "includeByteOrderMark"}
        for key in body:
            if key not in allowed:
                raise SimError(154, f"Invalid property in request: {key}")
        spec = self._object(body, ctx.version)
        procedure_body = body.get("procedure")
        if not isinstance(procedure_body, dict) or not procedure_body.get("name"):
            raise SimError(153, "Missing required property in request: procedure.name")
        procedure = spec.procedure(str(procedure_body["name"]))
        if procedure is None:
            names = ", ".join(p.name for p in spec.export_procedures)
            raise SimError(174, f"Unknown procedure name. {spec.name} supports: {names}")
        arguments = procedure_body.get("arguments") or {}
        if not isinstance(arguments, dict):
            raise SimError(154, "Invalid property in request: procedure.arguments")
        refused = self._refused_argument(spec, procedure.name, arguments)
        if refused is not None:
            raise SimError(175, f"Unknown procedure argument. {procedure.name}: {refused}")
        after, before, filters = self._arguments(ctx, procedure, arguments)
        header, columns = self._fields(ctx, spec, body.get("fields"))
        job = self.engine.create(
            account=ctx.account, version=ctx.version, spec=spec, header=header, columns=columns,
            procedure=procedure, after=after, before=before, filters=filters,
            created_at=ctx.now, user=ctx.user, timezone=ctx.user.timezone,
            activity_datetime=self.app.switches.activity_date_format == "datetime",
        )  # fmt: skip
        return self._render(ctx, job, status=201 if ctx.version == 5 else 200)

    def read(self, ctx: Ctx) -> Response:
        """The export's state; `resultRefs` once complete."""
        return self._render(ctx, self._job(ctx))

    def cancel(self, ctx: Ctx) -> Response:
        """Cancel a job that has not finished."""
        job = self._job(ctx)
        if job.state(ctx.now) not in ("Waiting", "Processing"):
            raise SimError(178, f"{_MESSAGE_178}: it is {job.state(ctx.now)}")
        self.engine.cancel(job, ctx.now)
        return self._render(ctx, job)

    def query(self, ctx: Ctx) -> Response:
        """The admin query of exports, with its sort and filters."""
        args = ctx.request.args()
        tz = ctx.user.timezone
        jobs = self.engine.account_jobs(ctx.account)
        bounds = {
            "created_after": ("created", 1), "created_before": ("created", -1),
            "updated_after": ("updated", 1), "updated_before": ("updated", -1),
        }  # fmt: skip
        for name, (which, side) in bounds.items():
            if name in args:
                try:
                    limit = parse_date_argument(args[name], tz, ctx.now, self.app.switches)
                except ValueError:
                    raise SimError(7, f"Invalid timestamp: {name}") from None
                jobs = [
                    j
                    for j in jobs
                    if strictly_beyond(_stamp(j, which, ctx.now), limit, after=side > 0)
                ]
        if "status" in args:  # the four documented values (Canceled is not one of them)
            if args["status"] not in QUERY_STATES:
                raise SimError(5, f"Invalid query parameters: status must be one of {QUERY_STATES}")
            jobs = [j for j in jobs if j.state(ctx.now) == args["status"]]
        if "object" in args:
            jobs = [j for j in jobs if j.spec.name.lower() == args["object"].lower()]
        sort_by = args.get("sort_by", "id")
        if sort_by not in ("id", "created_at", "updated_at"):
            raise SimError(19)
        order = args.get("sort_order", "descending")
        if order not in ("ascending", "descending"):
            raise SimError(20)
        key = {
            "id": lambda j: j.id,
            "created_at": lambda j: j.created_at,
            "updated_at": lambda j: j.updated_at(ctx.now),
        }[sort_by]
        jobs.sort(key=key, reverse=order == "descending")
        records = [self._fields_of(ctx, j, refs=False) for j in jobs]
        return v34(ctx.request, {"result": paginate_quirk("export", records, with_total=True)})

    def download(self, ctx: Ctx) -> Response:
        """One result file, streamed; expired or unfinished jobs answer 178."""
        job = self._job(ctx)
        state = job.state(ctx.now)
        if state != "Complete":
            raise SimError(178, f"{_MESSAGE_178}: it is {state}")
        if job.is_expired(ctx.now):
            code = self.app.switches.expired_download_code
            raise SimError(code, f"{_MESSAGE_178}: its results expired")
        wanted = int(ctx.params["file"])
        found = [f for f in self.engine.result_files(job) if f.file_id == wanted]
        if not found:
            raise SimError(16, "Invalid ID: no such result file", status=404)
        return Response(200, stream_file(found[0].path), "text/csv", length=found[0].size)

    # -- validation -----------------------------------------------------------------------------

    def _object(self, body: dict[str, Any], version: int) -> ObjectSpec:
        name = body.get("object")
        if not name:
            raise SimError(153, "Missing required property in request: object")
        try:
            spec = get_object(str(name))
        except KeyError:
            raise SimError(154, f"Invalid property in request: object {name!r}") from None
        refused = (
            version != 5
            and spec.export_v5_fallback
            and self.app.switches.external_activity_v34 == "refused"
        )
        if not spec.export_procedures or refused:
            raise SimError(154, f"Invalid property in request: object {name!r} cannot be exported")
        return spec

    def _refused_argument(
        self, spec: ObjectSpec, procedure: str, arguments: dict[str, Any]
    ) -> str | None:
        """`deleted` on prospect filter_by_updated_at when the switch follows overview b."""
        if (spec.name, procedure) != ("prospect", "filter_by_updated_at"):
            return None
        if self.app.switches.prospect_updated_deleted == "refused" and "deleted" in arguments:
            return "deleted"
        return None

    def _arguments(
        self, ctx: Ctx, procedure: ExportProcedure, arguments: dict[str, Any]
    ) -> tuple[float | None, float | None, dict[str, Any]]:
        after = before = None
        filters: dict[str, Any] = {}
        for name, value in arguments.items():
            argument = procedure.argument(name)
            if argument is None:
                raise SimError(175, f"Unknown procedure argument. {procedure.name}: {name}")
            if argument.kind in (ArgumentKind.AFTER, ArgumentKind.BEFORE):
                try:
                    instant = parse_date_argument(
                        str(value), ctx.user.timezone, ctx.now, self.app.switches,
                        v5=ctx.version == 5,
                    )  # fmt: skip
                except ValueError:
                    raise SimError(177, f"Invalid procedure argument. {name}: {value!r}") from None
                if argument.kind is ArgumentKind.AFTER:
                    after = instant
                else:
                    before = instant
            else:
                filters[argument.name] = _argument_value(
                    argument.kind, argument.choices, name, value
                )
        for argument in procedure.arguments:
            present = any(n in arguments for n in (argument.name, *argument.aliases))
            if argument.required and not present:
                raise SimError(176, f"Missing required argument. {procedure.name}: {argument.name}")
        if after is not None:
            end = before if before is not None else ctx.now
            if end <= after:
                raise SimError(8, "Invalid time range: the start is not before the end")
            if end - after > MAX_RANGE_SECONDS:
                code = self.app.switches.range_error_code
                raise SimError(code, "Invalid procedure argument. The date range exceeds 1 year")
        return after, before, filters

    def _fields(self, ctx: Ctx, spec: ObjectSpec, requested: Any) -> tuple[list[str], list[str]]:
        table = ctx.account.store.table(spec.name)
        camel = ctx.version == 5 or spec.export_camel_case
        if requested is None:
            names = [f.name for f in spec.fields if f.exportable]
            names += [c for c in table.columns if spec.field(c) is None]  # custom fields
            requested = [to_camel(n) for n in names] if camel else names
        if not isinstance(requested, list) or not requested:
            raise SimError(154, "Invalid property in request: fields must be a list of names")
        if len(requested) > MAX_FIELDS:
            raise SimError(154, f"Invalid property in request: fields (at most {MAX_FIELDS})")
        columns = []
        undocumented = self.app.switches.undocumented_export_fields
        for name in requested:
            column = self._column(spec, table.columns, str(name), camel=camel)
            listed = column is not None and getattr(spec.field(column), "export_documented", True)
            if column is None or (undocumented != "accepted" and not listed):
                code = self.app.switches.unknown_field_code
                message = "One or more of the specified fields are invalid"
                named = column is None or undocumented == "refused"
                raise SimError(code, f"{message}: {name}" if named else message)
            columns.append(column)
        header = [str(n) for n in requested]
        if ctx.version == 5 and self.app.switches.v5_csv_header == "snake":
            header = columns
        return header, columns

    @staticmethod
    def _column(
        spec: ObjectSpec, columns: tuple[str, ...], name: str, *, camel: bool
    ) -> str | None:
        catalog_field = spec.field(name)
        if catalog_field is not None:
            by_version = catalog_field.v5_name if camel else catalog_field.name
            if name != by_version or not catalog_field.exportable:
                return None
            return catalog_field.name
        return name if name in columns else None  # a custom field, by its API name

    def _job(self, ctx: Ctx) -> ExportJob:
        job = self.engine.get(ctx.account, int(ctx.params["id"]))
        if job is None or (job.version == 5) != (ctx.version == 5):
            raise SimError(16, "Invalid ID: no such export", status=404)
        return job

    # -- rendering ------------------------------------------------------------------------------

    def _render(self, ctx: Ctx, job: ExportJob, status: int = 200) -> Response:
        record = self._fields_of(ctx, job, refs=True)
        if ctx.version == 5:
            return Response.json(record, status)
        switches = self.app.switches
        payload: dict[str, Any] = (
            {"export": record} if switches.export_envelope == "wrapped" else dict(record)
        )
        if switches.export_attributes:
            payload = {"@attributes": {"stat": "ok", "version": 1}, **payload}
        return v34(ctx.request, payload, status)

    def _fields_of(self, ctx: Ctx, job: ExportJob, *, refs: bool) -> dict[str, Any]:
        now, tz = ctx.now, ctx.user.timezone
        fmt = format_iso_offset if job.version == 5 else format_pardot_datetime
        record: dict[str, Any] = {
            "id": job.id,
            "state": job.state(now),
            "isExpired": job.is_expired(now),
            "createdAt": fmt(_utc(job.created_at), tz),
            "updatedAt": fmt(_utc(job.updated_at(now)), tz),
        }
        if job.version == 5:
            record["createdById"] = record["updatedById"] = job.user.id
        if refs and record["state"] == "Complete" and not record["isExpired"]:
            urls = [
                self._file_url(ctx, job, file.file_id) for file in self.engine.result_files(job)
            ]
            single = job.version != 5 or self.app.switches.v5_result_refs == "like_v4"
            if len(urls) == 1 and single:
                record["resultRefs"] = urls[0]
            elif urls:
                record["resultRefs"] = urls
        return record

    @staticmethod
    def _file_url(ctx: Ctx, job: ExportJob, file_id: int) -> str:
        base = ctx.request.base_url
        if job.version == 5:
            return f"{base}/api/v5/exports/{job.id}/results/{file_id}"
        return (
            f"{base}/api/export/version/{job.version}/do/downloadResults/id/{job.id}/file/{file_id}"
        )


_MESSAGE_178 = "The current state of the export does not allow the operation"


def _json_body(ctx: Ctx) -> dict[str, Any]:
    if not ctx.request.headers.get("content-type", "").startswith("application/json"):
        raise SimError(151, status=415)
    if not ctx.request.body.strip():
        raise SimError(152)
    try:
        body = ctx.request.json()
    except ValueError:
        raise SimError(150) from None
    if not isinstance(body, dict):
        raise SimError(150, "Input needs to be valid JSON: an object was expected")
    return body


def _argument_value(kind: ArgumentKind, choices: tuple[str, ...], name: str, value: Any) -> Any:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if kind is ArgumentKind.CHOICE:
        if text not in choices:
            raise SimError(177, f"Invalid procedure argument. {name} must be one of {choices}")
        return text
    if kind is ArgumentKind.BOOLEAN:
        if text not in ("true", "false"):
            raise SimError(177, f"Invalid procedure argument. {name} must be true or false")
        return text == "true"
    items = value if isinstance(value, list) else str(value).split(",")
    try:
        return {int(str(item).strip()) for item in items if str(item).strip()}
    except ValueError:
        raise SimError(177, f"Invalid procedure argument. {name} must list integer ids") from None


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(math.floor(epoch), timezone.utc)


def _stamp(job: ExportJob, which: str, now: float) -> float:
    return job.created_at if which == "created" else job.updated_at(now)
