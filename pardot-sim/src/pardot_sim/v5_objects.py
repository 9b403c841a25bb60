"""The simulator's v5 objects API, for the objects only v5 serves (docs/pardot-api/v5-objects.md).

`GET /api/v5/objects/{collection}` answers `values` (each record with the fields asked for, by
their v5 names; stamps ISO 8601 in the user's offset; null where empty) and, while rows are
left, `nextPageToken` and `nextPageUrl`. A token carries its query: only `fields` may come with
it (else 400), it lives four hours (210) and an unknown one is 211. A token sequence serves at
most `sequence_cap` rows (100,000): the page that reaches it carries no token, whatever is
left, and the header `Pardot-Warning: 203`. `GET /api/v5/objects/account` reads the one account
record, as the object itself or, by switch, inside `values`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import islice
from typing import Any

from pardot_client.catalog import V5_OBJECTS, FieldType, V5Object
from pardot_client.dates import format_iso_offset
from pardot_sim.app import Ctx, SimApp
from pardot_sim.http import Response
from pardot_sim.responses import SimError
from pardot_sim.store import Row
from pardot_sim.v5_query import bad_request, parse_plan, walk

CAP_WARNING = (
    "203;Record count for nextPageToken sequence has been exceeded. No page token returned."
)


@dataclass
class V5Settings:
    """Limits of page-token sequences; the admin API can change them (tests lower the cap)."""

    sequence_cap: int = 100_000  # rows one token sequence serves at most
    token_ttl_seconds: float = 4 * 3600.0  # a page token's life


@dataclass
class Cursor:
    """What a page token stands for: its query, the last row served, rows served so far."""

    collection: str
    args: dict[str, str]
    key: tuple[Any, int] | None
    served: int
    issued_at: float


class V5ObjectsApi:
    """The routes of the v5-only objects, their page tokens and their settings."""

    def __init__(self) -> None:
        self.settings = V5Settings()

    def register(self, app: SimApp) -> None:
        """Add one GET route per v5-only collection."""
        for obj in V5_OBJECTS.values():
            handler = self._account if obj.query.single else self._bind(obj)
            app.add_route("GET", rf"/api/v5/objects/{obj.query.collection}", "v5", handler)

    def _bind(self, obj: V5Object) -> Callable[[Ctx], Response]:
        return lambda ctx: self._query(ctx, obj)

    def _query(self, ctx: Ctx, obj: V5Object) -> Response:
        args = ctx.request.args()
        tokens: dict[str, Cursor] = ctx.account.jobs.setdefault("v5_tokens", {})
        cursor = self._cursor(ctx, obj, args, tokens)
        fields = requested_fields(args.get("fields"), obj)
        plan = parse_plan(cursor.args if cursor else args, obj, ctx.user.timezone)
        table = ctx.account.store.table(obj.spec.name)
        descending_ties = ctx.app.switches.v5_tie_order == "id_desc"
        rows = walk(table, plan, cursor.key if cursor else None, ties_descending=descending_ties)
        if cursor is None and plan.offset:
            rows = islice(rows, plan.offset, None)
        page = list(islice(rows, plan.limit))
        more = next(rows, None) is not None
        served = (cursor.served if cursor else 0) + len(page)
        render = renderer(ctx, obj, fields)
        body: dict[str, Any] = {"values": [render(row) for row in page],
                                "nextPageToken": None, "nextPageUrl": None}  # fmt: skip
        headers = {}
        if more and served < self.settings.sequence_cap:
            token = secrets.token_urlsafe(18)
            tokens[token] = Cursor(obj.query.collection, cursor.args if cursor else dict(args),
                                   _key(table.position[plan.order_column], page[-1]), served,
                                   ctx.now)  # fmt: skip
            body["nextPageToken"] = token
            body["nextPageUrl"] = (
                f"{ctx.request.base_url}/api/v5/objects/{obj.query.collection}"
                f"?nextPageToken={token}"
            )
        elif more:  # the sequence's cap: no token, whatever is left
            headers["Pardot-Warning"] = CAP_WARNING
        response = Response.json(body)
        response.headers.update(headers)
        return response

    def _cursor(
        self, ctx: Ctx, obj: V5Object, args: dict[str, str], tokens: dict[str, Cursor]
    ) -> Cursor | None:
        """The cursor a `nextPageToken` stands for, checked; None for a first page."""
        token = args.get("nextPageToken")
        if token is None:
            return None
        extra = sorted(set(args) - {"nextPageToken", "fields"})
        if extra:
            raise bad_request(f"Only fields may be sent with nextPageToken, not {', '.join(extra)}")
        cursor = tokens.get(token)
        if cursor is None or cursor.collection != obj.query.collection:
            raise SimError(211, "Page token is invalid.", status=400)
        if ctx.now - cursor.issued_at > self.settings.token_ttl_seconds:
            raise SimError(210, "Page token has expired.", status=400)
        return cursor

    def _account(self, ctx: Ctx) -> Response:
        """The account record: the object itself, or inside `values` (switch)."""
        obj = V5_OBJECTS["account"]
        fields = requested_fields(ctx.request.arg("fields"), obj)
        table = ctx.account.store.table(obj.spec.name)
        record = renderer(ctx, obj, fields)(next(iter(table.rows.values())))
        live = {
            "maximumDailyApiCalls": ctx.account.daily_call_limit,
            "apiCallsUsed": ctx.account.daily_calls[ctx.account.local_day(ctx.now)],
        }
        record.update({k: v for k, v in live.items() if k in record})
        if ctx.app.switches.v5_account_answer == "values":
            return Response.json({"values": [record]})
        return Response.json(record)


def _key(position: int, row: Row) -> tuple[Any, int]:
    return row[position], int(row[0])


def requested_fields(text: str | None, obj: V5Object) -> dict[str, tuple[str, ...] | None]:
    """`fields` as {v5 field: None, or the parts asked of a structured one}; 400 if unknown."""
    if not text:
        raise bad_request("fields is required: name the fields to return")
    out: dict[str, tuple[str, ...] | None] = {}
    for item in (part.strip() for part in text.split(",")):
        head, _, part = item.partition(".")
        found = obj.spec.field(head)
        if (
            found is None
            or found.v5_name != head
            or (part and found.type not in (FieldType.OBJECT, FieldType.ARRAY))
        ):
            raise bad_request(f"Invalid field: {item}", 130)
        if part:
            out[head] = (*(out.get(head) or ()), part)
        else:
            out.setdefault(head, None)
    return out


def renderer(
    ctx: Ctx, obj: V5Object, fields: dict[str, tuple[str, ...] | None]
) -> Callable[[Row], dict[str, Any]]:
    """Rows -> v5 records of the asked fields: stamps in the user's offset, deleted flags."""
    table = ctx.account.store.table(obj.spec.name)
    tz = ctx.user.timezone
    plan: list[tuple[str, int | None, FieldType, tuple[str, ...] | None]] = []
    for name, parts in fields.items():
        found = obj.spec.field(name)
        assert found is not None
        plan.append((name, table.position.get(found.name), found.type, parts))

    def render(row: Row) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for name, pos, kind, parts in plan:
            if name == "isDeleted":
                record[name] = row[0] in table.deleted
                continue
            value = None if pos is None else row[pos]
            if value is not None and kind is FieldType.DATETIME:
                value = format_iso_offset(datetime.fromtimestamp(value, timezone.utc), tz)
            elif value is not None and parts is not None:
                value = _parts(value, parts)
            record[name] = value
        return record

    return render


def _parts(value: Any, parts: tuple[str, ...]) -> Any:
    """A structured value cut to the parts asked for (dotted fields)."""
    if isinstance(value, list):
        return [_parts(item, parts) for item in value]
    if isinstance(value, dict):
        return {part: value.get(part) for part in parts}
    return value
