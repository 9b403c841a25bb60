"""Import API endpoints (v3/v4): create, add batch, update state, read, download errors, query.

Request validation follows docs/pardot-api/imports.md: body errors 150-154, file errors 158-164,
column option errors 165/226/227, unknown CSV fields 130, state errors 155/156/161. The envelope
(flat or `{"import": {...}}`), `@attributes` and the errors CSV layout come from the switches.
Every handler that shows an import's outcome settles the account first, so rows are applied the
first time anyone can see an import Complete. Choices where the docs are silent:

* A JSON create with `state: "Ready"` has no data: 156. A multipart create with `state: "Ready"`
  but no `importFile` part: 162. A missing `importInput` part: 153; two of them: 166.
* Downloading errors before completion or after expiry: 161. An import without failed rows
  downloads a CSV holding only the header.
* Query: `status` is one of the states (any case; otherwise 5); `origin` is ui, api or all (any
  case; otherwise 188); `sort_by` id, created_at (the default) or updated_at; `sort_order`
  descending by default, as documented (docs/pardot-api/imports.md#query). The query answer is
  never wrapped in `{"import": ...}`: its records already sit under `result.import`.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pardot_client.dates import format_pardot_datetime
from pardot_sim.app import Ctx, SimApp
from pardot_sim.dateargs import parse_date_argument, strictly_beyond
from pardot_sim.http import Request, Response
from pardot_sim.import_jobs import ColumnOption, ImportJob, import_error
from pardot_sim.queries import paginate_quirk, paging
from pardot_sim.responses import SimError, v34

if TYPE_CHECKING:
    from pardot_sim.imports import ImportEngine

V34 = r"/api/import/version/(?P<version>[34])/do"
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
STATES = ("Open", "Waiting", "Processing", "Complete")
_INPUT_KEYS = {"operation", "object", "restoreDeleted", "state", "columns"}


def register(app: SimApp, engine: ImportEngine) -> None:
    """Add the import routes and `POST /_sim/imports/settle` (admin), served by `engine`."""
    engine.app = app
    api = ImportApi(app, engine)
    app.add_route("POST", f"{V34}/create", "v34", api.create)
    app.add_route("POST", rf"{V34}/batch/id/(?P<id>\d+)", "v34", api.batch)
    app.add_route("PATCH", rf"{V34}/update/id/(?P<id>\d+)", "v34", api.update)
    app.add_route("GET", rf"{V34}/read/id/(?P<id>\d+)", "v34", api.read)
    app.add_route("GET", rf"{V34}/downloadErrors/id/(?P<id>\d+)", "v34", api.download_errors)
    app.add_route("GET", f"{V34}/query", "v34", api.query)
    app.add_route("POST", f"{V34}/query", "v34", api.query)
    app.add_route("POST", "/_sim/imports/settle", "admin", api.settle_all)


class ImportApi:
    """Handlers bound to the app and the import engine."""

    def __init__(self, app: SimApp, engine: ImportEngine) -> None:
        self.app = app
        self.engine = engine

    # -- handlers -------------------------------------------------------------------------------

    def create(self, ctx: Ctx) -> Response:
        """Create an import from JSON, or from multipart `importInput` (+ `importFile`)."""
        body, files = _create_body(ctx.request)
        unknown = sorted(set(body) - _INPUT_KEYS)
        if unknown:
            raise SimError(154, f"Invalid property in request: {unknown[0]}")
        _require(body, "operation", "Upsert")
        _require(body, "object", "Prospect")
        restore = body.get("restoreDeleted", False)
        if not isinstance(restore, bool):
            raise SimError(154, "Invalid property in request: restoreDeleted must be a boolean")
        state = body.get("state", "Open")
        if state not in ("Open", "Ready"):
            raise SimError(154, "Invalid property in request: state must be Open or Ready")
        columns: tuple[ColumnOption, ...] | None = None
        if "columns" in body:
            columns = self.engine.column_options(ctx.account, ctx.version, body["columns"])
        if files is not None and len(files) > 1:
            raise import_error(163, "send one importFile per request")
        ready = state == "Ready"
        if ready and files is None:
            raise import_error(156, "a JSON create has no file; add batches, then set Ready")
        if ready and not files:
            raise import_error(162, "state Ready needs an importFile part")
        job = self.engine.create(
            account=ctx.account, version=ctx.version, user=ctx.user, now=ctx.now,
            restore_deleted=restore, columns=columns, data=files[0] if files else None,
            ready=ready,
        )  # fmt: skip
        return self._render(ctx, job)

    def batch(self, ctx: Ctx) -> Response:
        """Add one CSV batch (multipart part `importFile`); 204 without a body."""
        job = self._job(ctx)
        request = ctx.request
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise SimError(151, "Unsupported content-type: send multipart/form-data", status=415)
        files = _parts(request).get("importFile", [])
        if not files:
            raise import_error(162, "send the CSV in a part named importFile")
        if len(files) > 1:
            raise import_error(163, "send one importFile per request")
        self.engine.add_batch(job, files[0][0], ctx.now)
        return Response(204, b"", "text/plain")

    def update(self, ctx: Ctx) -> Response:
        """`{"state": "Ready"}`: submit the import for processing."""
        job = self._job(ctx)
        body = _json_body(ctx.request)
        unknown = sorted(set(body) - {"state"})
        if unknown:
            raise SimError(154, f"Invalid property in request: {unknown[0]}")
        if "state" not in body:
            raise SimError(153, "Missing required property in request: state")
        if body["state"] != "Ready":
            raise SimError(154, "Invalid property in request: state can only be set to Ready")
        self.engine.submit(job, ctx.now)
        return self._render(ctx, job)

    def read(self, ctx: Ctx) -> Response:
        """The import's state; counts and the errors link once complete."""
        job = self._job(ctx)
        self.engine.settle(ctx.account, ctx.now)
        return self._render(ctx, job)

    def download_errors(self, ctx: Ctx) -> Response:
        """The failed rows as CSV (layout by the `error_csv_layout` switch)."""
        job = self._job(ctx)
        self.engine.settle(ctx.account, ctx.now)
        state = job.state(ctx.now)
        if state != "Complete":
            raise import_error(161, f"the import is {state}; errors exist once it is Complete")
        if job.is_expired(ctx.now):
            raise import_error(161, "the import's results expired")
        return Response(200, self.engine.errors_csv(job), "text/csv; charset=utf-8")

    def query(self, ctx: Ctx) -> Response:
        """The imports of the account, filtered, sorted and paged like v3/v4 queries."""
        self.engine.settle(ctx.account, ctx.now)
        args = ctx.request.args()
        now = ctx.now
        jobs = self.engine.account_jobs(ctx.account)
        for name in ("created_after", "created_before", "updated_after", "updated_before"):
            if name not in args:
                continue
            try:
                limit = parse_date_argument(args[name], ctx.user.timezone, now, self.app.switches)
            except ValueError:
                raise SimError(7, f"Invalid timestamp: {name}") from None
            after = name.endswith("_after")
            created = name.startswith("created")
            jobs = [
                j for j in jobs
                if strictly_beyond(
                    j.created_at if created else j.updated_at(now), limit, after=after
                )
            ]  # fmt: skip
        if "status" in args:
            wanted = args["status"].strip().lower()
            if wanted not in {s.lower() for s in STATES}:
                raise SimError(5, f"Invalid query parameters: status must be one of {STATES}")
            jobs = [j for j in jobs if j.state(now).lower() == wanted]
        origin = args.get("origin", "all").strip().lower()
        if origin not in ("ui", "api", "all"):
            raise SimError(188, "Invalid value specified for origin: use ui, api or all")
        if origin != "all":
            jobs = [j for j in jobs if j.origin.lower() == origin]
        limit_, offset = paging(args, default=DEFAULT_LIMIT, maximum=MAX_LIMIT)
        sort_by = args.get("sort_by", "created_at")
        keys = {
            "id": lambda j: j.id,
            "created_at": lambda j: (j.created_at, j.id),
            "updated_at": lambda j: (j.updated_at(now), j.id),
        }
        if sort_by not in keys:
            raise SimError(19, f"Invalid value specified for sort_by: {sort_by}")
        order = args.get("sort_order", "descending")
        if order not in ("ascending", "descending"):
            raise SimError(20)
        jobs.sort(key=keys[sort_by], reverse=order == "descending")
        page = [self._summary(ctx, j) for j in jobs[offset : offset + limit_]]
        result = paginate_quirk("import", page, with_total=True)
        result["total_results"] = len(jobs)
        return v34(ctx.request, self._attributes({"result": result}))

    def settle_all(self, request: Request, params: dict[str, str]) -> Response:
        """Admin: apply every completed import now (optionally `{"business_unit_id": ...}`)."""
        body = json.loads(request.body) if request.body.strip() else {}
        if not isinstance(body, dict):
            raise TypeError("the admin API takes a JSON object")
        now = self.app.clock.now()
        wanted = body.get("business_unit_id")
        settled = {
            bu: self.engine.settle(account, now)
            for bu, account in self.app.accounts.items()
            if wanted is None or bu == wanted
        }
        return Response.json({"now": now, "settled": settled})

    # -- helpers --------------------------------------------------------------------------------

    def _job(self, ctx: Ctx) -> ImportJob:
        job = self.engine.get(ctx.account, int(ctx.params["id"]))
        if job is None:
            raise SimError(16, "Invalid ID: no such import", status=404)
        return job

    def _render(self, ctx: Ctx, job: ImportJob) -> Response:
        now = ctx.now
        state = job.state(now)
        expired = job.is_expired(now)
        record: dict[str, Any] = {"id": job.id, "state": state, "isExpired": expired}
        base = f"{ctx.request.base_url}/api/import/version/{job.version}/do"
        if state == "Open" and not expired:
            record["batchesRef"] = f"{base}/batch/id/{job.id}"
        if state == "Complete" and job.applied:
            record["createdCount"] = job.created_count
            record["updatedCount"] = job.updated_count
            if job.errors and not expired:
                record["errorCount"] = len(job.errors)
                record["errorsRef"] = f"{base}/downloadErrors/id/{job.id}"
        wrapped = self.app.switches.import_envelope == "wrapped"
        return v34(ctx.request, self._attributes({"import": record} if wrapped else record))

    def _attributes(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self.app.switches.export_attributes:
            return {"@attributes": {"stat": "ok", "version": 1}, **payload}
        return payload

    @staticmethod
    def _summary(ctx: Ctx, job: ImportJob) -> dict[str, Any]:
        tz = ctx.user.timezone
        return {
            "id": job.id,
            "state": job.state(ctx.now),
            "isExpired": job.is_expired(ctx.now),
            "origin": job.origin,
            "createdAt": format_pardot_datetime(_utc(job.created_at), tz),
            "updatedAt": format_pardot_datetime(_utc(job.updated_at(ctx.now)), tz),
        }


def _create_body(request: Request) -> tuple[dict[str, Any], list[bytes] | None]:
    """The import input and its files (None: a JSON create, which cannot carry a file)."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        return _json_body(request), None
    if not ctype.startswith("multipart/form-data"):
        raise SimError(151, "Unsupported content-type: send JSON or multipart/form-data", 415)
    if not request.body.strip():
        raise SimError(152)
    parts = _parts(request)
    inputs = parts.get("importInput", [])
    if not inputs:
        raise SimError(153, "Missing required property in request: importInput")
    if len(inputs) > 1:
        raise SimError(166, "The input is not in the required format: one importInput part")
    body = _decode_json(inputs[0][0])
    return body, [content for content, _ in parts.get("importFile", [])]


def _parts(request: Request) -> dict[str, list[tuple[bytes, str | None]]]:
    try:
        return request.multipart()
    except ValueError:
        raise SimError(166, "The input is not in the required format: bad multipart body") from None


def _json_body(request: Request) -> dict[str, Any]:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise SimError(151, status=415)
    if not request.body.strip():
        raise SimError(152)
    return _decode_json(request.body)


def _decode_json(data: bytes) -> dict[str, Any]:
    try:
        body = json.loads(data)
    except ValueError:
        raise SimError(150) from None
    if not isinstance(body, dict):
        raise SimError(150, "Input needs to be valid JSON: an object was expected")
    return body


def _require(body: dict[str, Any], name: str, expected: str) -> None:
    """A required input property with one accepted value (compared case-insensitively)."""
    if name not in body:
        raise SimError(153, f"Missing required property in request: {name}")
    value = body[name]
    if not isinstance(value, str) or value.lower() != expected.lower():
        raise SimError(154, f"Invalid property in request: {name} must be {expected}")


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(math.floor(epoch), timezone.utc)
