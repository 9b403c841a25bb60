"""Changes to generated data between two syncs: rows updated and added in the last minute."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pardot_client.catalog import FieldType, ObjectSpec, get_object
from pardot_sim import textcases as tx
from pardot_sim.accounts import Account
from pardot_sim.generator import RowGenerator
from pardot_sim.store import Table


def mutate(
    account: Account, *, seed: int, now: float, updates: int, inserts: int,
    objects: Sequence[str] = ("prospect", "visitorActivity", "listMembership", "visitor"),
) -> dict[str, list[int]]:  # fmt: skip
    """Change and add rows stamped within the last minute before `now` (incremental syncs).

    Returns, per object, `obj` (every id touched), `obj.updated` and `obj.inserted`.
    """
    top = math.ceil(now) - 1  # the newest whole second before `now`
    gen = RowGenerator(account, seed, top - 59, top)
    gen.load(account.store)
    out: dict[str, list[int]] = {}
    for obj in objects:
        table, spec = account.store.table(obj), get_object(obj)  # v5-only objects too
        rng = gen.rng("mutate", obj)
        live = sorted(set(table.rows) - table.deleted)
        chosen = sorted(rng.sample(live, min(updates, len(live))))
        column = _mutated_column(table, spec)
        for k, row_id in enumerate(chosen):
            row, stamp = table.as_dict(table.rows[row_id]), top - rng.randrange(60)
            changes: dict[str, Any] = {}
            if column is not None:
                old = row[column]
                flag = getattr(spec.field(column), "type", None) is FieldType.BOOLEAN
                new = (not old) if flag else f"Changed {seed}.{k} at {stamp}"
                changes[column] = new if new != old else f"{old}*"
            if "updated_at" in row:
                changes["updated_at"] = max(stamp, row.get("created_at") or stamp)
            table.update(row_id, changes)
        first = table.next_id()
        new_ids = list(range(first, first + inserts))
        stamps = sorted(top - rng.randrange(60) for _ in range(inserts))
        created = stamps if "created_at" in table.position else None
        updated = stamps if "updated_at" in table.position else None
        gen.build(table, spec, len(table), new_ids, created, updated, {})
        gen.ids[obj] = gen.ids.get(obj, []) + new_ids
        out[obj] = sorted(chosen + new_ids)
        out[f"{obj}.updated"], out[f"{obj}.inserted"] = chosen, new_ids
    return out


def _mutated_column(table: Table, spec: ObjectSpec) -> str | None:
    """The column mutate changes: a text column where there is one, else a flag."""
    preferred = tx.MUTATED_COLUMN.get(table.name)
    if preferred in table.position:
        return preferred
    for kind in (FieldType.STRING, FieldType.BOOLEAN):
        for f in spec.fields:
            if f.type is kind and f.name in table.position and f.name not in ("email", "name"):
                return f.name
    return None
