"""v3/v4 query endpoints, and the prospect account describe.

Searches follow docs/pardot-api/queries.md: strict `*_after`/`*_before`,
`id_greater_than`/`id_less_than`, per-object equality filters, `sort_by`/`sort_order`,
`limit` <= 200, `offset`, and `output=bulk`, which drops `total_results`. The quirks connectors
trip on are kept: one record comes back as an object instead of a list, none as no key at all,
and an empty bulk page as a null `result` (by switch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pardot_client.catalog import CATALOG, FieldType, ObjectSpec, to_snake
from pardot_client.dates import LocalTimeFormatter
from pardot_sim import textcases as tx
from pardot_sim.app import Ctx, SimApp
from pardot_sim.dateargs import parse_date_argument, strictly_beyond
from pardot_sim.http import Response
from pardot_sim.responses import SimError, v34_ok
from pardot_sim.store import Row, Table

MAX_LIMIT = 200
_BOUNDS = {
    "created_after": ("created_at", "after"), "created_before": ("created_at", "before"),
    "updated_after": ("updated_at", "after"), "updated_before": ("updated_at", "before"),
    "last_activity_after": ("last_activity_at", "after"),
    "last_activity_before": ("last_activity_at", "before"),
}  # fmt: skip
_CONTROL = {"limit", "offset", "sort_by", "sort_order", "output", "format", "fields"}


def paginate_quirk(key: str, records: list[dict[str, Any]], *, with_total: bool) -> dict[str, Any]:
    """A `result` body with Pardot's shape quirks: 1 record -> object, 0 -> no key."""
    result: dict[str, Any] = {"total_results": len(records)} if with_total else {}
    if len(records) == 1:
        result[key] = records[0]
    elif records:
        result[key] = records
    return result


def register(app: SimApp) -> None:
    """Add the query routes of every object the catalog gives a query spec."""
    for spec in CATALOG.values():
        if spec.query is None:
            continue
        handler = _visit_query if spec.query.offset_paging_only else _query
        for method in ("GET", "POST"):
            app.add_route(
                method,
                rf"/api/{spec.query.url_name}/version/(?P<version>[34])/do/query",
                "v34",
                _bind(handler, spec),
            )
    app.add_route("GET", r"/api/prospectAccount/version/(?P<version>[34])/do/describe", "v34",
                  _describe_prospect_accounts)  # fmt: skip


def _bind(handler: Callable[[Ctx, ObjectSpec], Response], spec: ObjectSpec) -> Any:
    return lambda ctx: handler(ctx, spec)


def _query(ctx: Ctx, spec: ObjectSpec) -> Response:
    assert spec.query is not None
    args = ctx.request.args()
    table = ctx.account.store.table(spec.name)
    limit, offset = paging(args)
    sort_by, descending = _sort(args, spec)
    rows = _filtered_rows(ctx, spec, table, args)
    position = table.position[sort_by]
    rows.sort(key=lambda r: (r[position] is None, r[position], r[0]), reverse=descending)
    total = len(rows)
    page = rows[offset : offset + limit]
    return _answer(ctx, spec, table, page, total)


def _visit_query(ctx: Ctx, spec: ObjectSpec) -> Response:
    """Visits: only id lists (ids, visitor_ids, prospect_ids) and offset paging."""
    args = ctx.request.args()
    table = ctx.account.store.table(spec.name)
    limit, offset = paging(args)
    lists = {name: _id_list(args, name) for name in ("ids", "visitor_ids", "prospect_ids")}
    if not any(lists.values()):
        raise SimError(5, "Invalid query parameters: give ids, visitor_ids or prospect_ids")
    columns = {"ids": "id", "visitor_ids": "visitor_id", "prospect_ids": "prospect_id"}
    rows = [
        row
        for row in table.rows.values()
        if all(
            not wanted or row[table.position[columns[name]]] in wanted
            for name, wanted in lists.items()
        )
    ]
    rows.sort(key=lambda r: r[0])
    return _answer(ctx, spec, table, rows[offset : offset + limit], len(rows))


def _answer(ctx: Ctx, spec: ObjectSpec, table: Table, page: list[Row], total: int) -> Response:
    assert spec.query is not None
    bulk = ctx.request.arg("output") == "bulk"
    render = record_renderer(ctx, spec, table)
    records = [render(row) for row in page]
    key = spec.query.result_key
    if not spec.query.result_key_confirmed and ctx.app.switches.query_result_key == "snake":
        key = to_snake(key)
    if bulk and not records:
        mode = ctx.app.switches.bulk_empty_result
        if mode == "absent":
            return v34_ok(ctx.request, {})
        return v34_ok(ctx.request, {"result": None if mode == "null" else {}})
    result = paginate_quirk(key, records, with_total=not bulk)
    if not bulk:
        result["total_results"] = total
    return v34_ok(ctx.request, {"result": result})


def paging(
    args: dict[str, str], *, default: int = MAX_LIMIT, maximum: int = MAX_LIMIT
) -> tuple[int, int]:
    """`limit` and `offset` of a query, answering 23 and 21 as Pardot does."""
    try:
        limit = int(args.get("limit", default))
    except ValueError:
        raise SimError(23) from None
    if not 1 <= limit <= maximum:
        raise SimError(23, f"Invalid value specified for limit: at most {maximum}")
    try:
        offset = int(args.get("offset", 0))
    except ValueError:
        raise SimError(21) from None
    if offset < 0:
        raise SimError(21)
    return limit, offset


def _sort(args: dict[str, str], spec: ObjectSpec) -> tuple[str, bool]:
    assert spec.query is not None
    sort_by = args.get("sort_by")
    if sort_by is None:
        sort_by = "id"
    elif sort_by not in spec.query.sort_by:
        raise SimError(19, f"Invalid value specified for sort_by: {sort_by}")
    if sort_by not in {f.name for f in spec.fields}:
        sort_by = "id"
    order = args.get("sort_order")
    if order is None:
        return sort_by, sort_by not in ("id", "name", "position", "probability", "value", "cost")
    if order not in ("ascending", "descending"):
        raise SimError(20)
    return sort_by, order == "descending"


def _filtered_rows(ctx: Ctx, spec: ObjectSpec, table: Table, args: dict[str, str]) -> list[Row]:
    assert spec.query is not None
    allowed = set(spec.query.search_params)
    tz, switches = ctx.user.timezone, ctx.app.switches
    bounds: list[tuple[int, str, float]] = []
    equals: list[tuple[int, set[Any]]] = []
    id_low = id_high = None
    for name, value in args.items():
        if name in _CONTROL or name not in allowed:
            continue
        if name in _BOUNDS:
            column, side = _BOUNDS[name]
            if column not in table.position:
                continue
            try:
                instant = parse_date_argument(value, tz, ctx.now, switches)
            except ValueError:
                raise SimError(7, f"Invalid timestamp: {name}={value!r}") from None
            bounds.append((table.position[column], side, instant))
        elif name in ("id_greater_than", "id_less_than"):
            try:
                number = int(value)
            except ValueError:
                raise SimError(5, f"Invalid query parameters: {name}") from None
            id_low, id_high = (number, id_high) if name == "id_greater_than" else (id_low, number)
        elif name in table.position:
            equals.append((table.position[name], _equality_values(value)))
    deleted = args.get("deleted", "false")
    only_identified = spec.name == "visitor" and args.get("only_identified", "true") != "false"
    prospect_pos = table.position.get("prospect_id")
    rows = []
    for row_id, row in table.rows.items():
        if id_low is not None and row_id <= id_low:
            continue
        if id_high is not None and row_id >= id_high:
            continue
        is_deleted = row_id in table.deleted
        if (deleted == "false" and is_deleted) or (deleted == "true" and not is_deleted):
            continue
        if only_identified and prospect_pos is not None and row[prospect_pos] is None:
            continue
        if not all(
            strictly_beyond(row[pos], limit, after=side == "after") for pos, side, limit in bounds
        ):
            continue
        if all(row[pos] in wanted for pos, wanted in equals):
            rows.append(row)
    return rows


def _equality_values(value: str) -> set[Any]:
    values: set[Any] = set()
    for item in value.split(","):
        text = item.strip()
        values.add(int(text) if text.lstrip("-").isdigit() else text)
        if text in ("true", "false"):
            values.add(text == "true")
    return values


def _id_list(args: dict[str, str], name: str) -> set[int]:
    raw = args.get(name, "")
    try:
        return {int(x) for x in raw.split(",") if x.strip()}
    except ValueError:
        raise SimError(5, f"Invalid query parameters: {name}") from None


def record_renderer(ctx: Ctx, spec: ObjectSpec, table: Table) -> Callable[[Row], dict[str, Any]]:
    """Rows -> v3/v4 JSON records: local wall times, absent (not null) optional fields."""
    fmt = LocalTimeFormatter(ctx.user.timezone)
    kinds = []
    for column in table.columns:
        catalog_field = spec.field(column)
        kinds.append(catalog_field.type if catalog_field else FieldType.STRING)
    columns = table.columns

    def render(row: Row) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for column, kind, value in zip(columns, kinds, row, strict=True):
            if value is None:
                continue
            if kind is FieldType.DATETIME:
                record[column] = fmt(value)
            elif kind is FieldType.BOOLEAN:
                record[column] = 1 if value else 0
            else:
                record[column] = value
        return record

    return render


def _describe_prospect_accounts(ctx: Ctx) -> Response:
    """The account's prospect account fields: each `field` with its `@attributes` (and options).

    Standard fields come from the catalog (`id` and the stamps are not described); the fields
    the account added are its own columns (docs/pardot-api/objects.md#prospect-account-fields).
    """
    spec = CATALOG["prospectAccount"]
    table = ctx.account.store.table("prospectAccount")
    added = {api: (label, kind, options) for label, api, kind, options in tx.ACCOUNT_FIELDS}
    fields = []
    for column in table.columns:
        if column in ("id", "created_at", "updated_at"):
            continue
        custom = spec.field(column) is None
        label, kind, options = added.get(column, (column.replace("_", " ").title(), "text", ()))
        attributes = {
            "id": column,
            "label": label,
            "required": column == "name",
            "custom": custom,
            "type": kind,
            "has_options": bool(options) and custom,
        }
        field: dict[str, Any] = {"@attributes": attributes}
        if attributes["has_options"]:
            field["options"] = list(options)
        fields.append(field)
    return v34_ok(ctx.request, {"result": {"field": fields}})
