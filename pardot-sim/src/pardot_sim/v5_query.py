"""What a v5 objects query asks for, and the rows that answer it, in order, past a key.

Parameters follow docs/pardot-api/v5-objects.md: `fields` (required, v5 names, dotted parts of
structured fields), filters named `<field>`, `<field>GreaterThan[OrEqualTo]`,
`<field>LessThan[OrEqualTo]`, `<field>After[OrEqualTo]`, `<field>Before[OrEqualTo]` on the fields
the object's query takes (at most three distinct fields, else 209), `orderBy=<field> ASC|DESC`,
`limit` (default 200, at most 1000), `deleted=true|false|all` where the object has a recycle
bin. Rows are walked from a sorted index of the order field, so a page past a key costs the page,
not the table.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pardot_client.catalog import FieldType, V5Object
from pardot_client.dates import get_zone
from pardot_sim.responses import SimError
from pardot_sim.store import Row, Table

CONTROL = frozenset({"fields", "orderBy", "limit", "offset", "deleted", "nextPageToken"})
MAX_FILTERED_FIELDS = 3  # more distinct filtered fields: error 209
DEFAULT_LIMIT, MAX_LIMIT = 200, 1000
_OPERATORS = (
    ("GreaterThanOrEqualTo", ">="), ("GreaterThan", ">"), ("LessThanOrEqualTo", "<="),
    ("LessThan", "<"), ("AfterOrEqualTo", ">="), ("After", ">"), ("BeforeOrEqualTo", "<="),
    ("Before", "<"), ("IsNotNull", "set"), ("IsNull", "unset"),
)  # fmt: skip


def bad_request(message: str, code: int = 5) -> SimError:
    """A v5 400 answer: `{"code": ..., "message": ...}`."""
    return SimError(code, message, status=400)


@dataclass(frozen=True)
class Condition:
    """One filter: a column, an operator (=, >, >=, <, <=, set, unset) and its value."""

    column: str
    op: str
    value: Any

    def holds(self, value: Any) -> bool:
        """Whether a row's value passes (null passes only `unset`)."""
        if self.op in ("set", "unset"):
            return (value is not None) == (self.op == "set")
        if value is None:
            return False
        if self.op == "=":
            return bool(value == self.value)
        if self.op == ">":
            return bool(value > self.value)
        if self.op == ">=":
            return bool(value >= self.value)
        if self.op == "<":
            return bool(value < self.value)
        return bool(value <= self.value)


@dataclass(frozen=True)
class QueryPlan:
    """A parsed query: what rows, in what order, how many per page."""

    conditions: tuple[Condition, ...]
    order_column: str
    descending: bool
    deleted: str  # "false" (the default), "true" or "all"
    limit: int
    offset: int


def parse_plan(args: Mapping[str, str], obj: V5Object, timezone: str) -> QueryPlan:
    """The query the parameters ask for; a 400 (or 209) for what the object does not take."""
    query, spec = obj.query, obj.spec
    conditions: list[Condition] = []
    for name, text in args.items():
        if name in CONTROL:
            continue
        field_name, op = _split(name)
        if field_name not in query.filters:
            raise bad_request(f"Invalid query parameter: {name}")
        found = spec.field(field_name)
        if found is None:
            raise bad_request(f"Invalid query parameter: {name}")
        value = _value(text, found.type, timezone, name) if op not in ("set", "unset") else None
        conditions.append(Condition(found.name, op, value))
    if len({c.column for c in conditions}) > MAX_FILTERED_FIELDS:
        raise SimError(209, "Too many fields are filtered: at most 3", status=400)
    order_column, descending = _order(args.get("orderBy"), obj)
    deleted = args.get("deleted", "false")
    if "deleted" in args and not query.deletes:
        raise bad_request("Invalid query parameter: deleted")
    if deleted not in ("true", "false", "all"):
        raise bad_request(f"Invalid value for deleted: {deleted}")
    limit = _number(args.get("limit"), DEFAULT_LIMIT, "limit", 1, MAX_LIMIT)
    offset = _number(args.get("offset"), 0, "offset", 0, 2000)
    return QueryPlan(tuple(conditions), order_column, descending, deleted, limit, offset)


def _split(name: str) -> tuple[str, str]:
    for suffix, op in _OPERATORS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], op
    return name, "="


def _value(text: str, kind: FieldType, timezone: str, name: str) -> Any:
    try:
        if kind is FieldType.DATETIME:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=get_zone(timezone))
            return moment.timestamp()
        if kind is FieldType.INTEGER:
            return int(text)
        if kind is FieldType.BOOLEAN:
            return text == "true"
    except ValueError:
        raise bad_request(f"Invalid value for {name}: {text!r}", 7 if kind is FieldType.DATETIME
                          else 5) from None  # fmt: skip
    return text


def _order(text: str | None, obj: V5Object) -> tuple[str, bool]:
    if not text:
        return "id", False
    parts = text.split()
    direction = parts[1].upper() if len(parts) == 2 else "ASC"
    if len(parts) > 2 or parts[0] not in obj.query.order_by or direction not in ("ASC", "DESC"):
        raise bad_request(f"Invalid value for orderBy: {text}")
    found = obj.spec.field(parts[0])
    assert found is not None
    return found.name, direction == "DESC"


def _number(text: str | None, default: int, name: str, low: int, high: int) -> int:
    try:
        value = default if text is None else int(text)
    except ValueError:
        raise bad_request(f"Invalid value for {name}: {text}") from None
    if not low <= value <= high:
        raise bad_request(f"Invalid value for {name}: between {low} and {high}")
    return value


def walk(
    table: Table, plan: QueryPlan, after: tuple[Any, int] | None, *, ties_descending: bool
) -> Iterator[Row]:
    """Matching rows in the plan's order, past `after` (the last served row's key and id).

    Rows sharing a value of the order field come by id, ascending or (a switch) descending.
    """
    keys, ids = table.sorted_index(plan.order_column)
    position = table.position
    tests = [(position[c.column], c) for c in plan.conditions]
    on_order = [c for c in plan.conditions if c.column == plan.order_column]
    rows, deleted = table.rows, table.deleted
    for value, run in _groups(keys, ids, plan, on_order, after, ties_descending):
        group = run
        if after is not None and value == after[0]:
            group = [i for i in run if (i < after[1] if ties_descending else i > after[1])]
        for row_id in group:
            row = rows.get(row_id)
            if row is None:
                continue
            gone = row_id in deleted
            if (plan.deleted == "false" and gone) or (plan.deleted == "true" and not gone):
                continue
            if all(c.holds(row[pos]) for pos, c in tests):
                yield row


def _groups(
    keys: list[Any], ids: list[int], plan: QueryPlan, on_order: list[Condition],
    after: tuple[Any, int] | None, ties_descending: bool,
) -> Iterator[tuple[Any, list[int]]]:  # fmt: skip
    """Runs of equal order values, each with its ids, from the first that may match."""
    if plan.descending:
        start, stop, step = len(keys) - 1, -1, -1
        if after is not None:
            start = bisect.bisect_right(keys, after[0]) - 1
    else:
        low = [c.value for c in on_order if c.op in (">", ">=", "=")]
        start, stop, step = bisect.bisect_left(keys, max(low)) if low else 0, len(keys), 1
        if after is not None:
            start = max(start, bisect.bisect_left(keys, after[0]))
        high = [c.value for c in on_order if c.op in ("<", "<=", "=")]
        if high:
            stop = bisect.bisect_right(keys, min(high))
    i = start
    while (i < stop) if step > 0 else (i > stop):
        value = keys[i]
        first = bisect.bisect_left(keys, value)
        last = bisect.bisect_right(keys, value)
        group = ids[first:last]
        yield value, group[::-1] if ties_descending else group
        i = last if step > 0 else first - 1
