"""Generated Pardot data: realistic volume plus, on purpose, the edge cases that break connectors.

`populate` fills one table per catalog object. Rows are built column by column (one list per
column, zipped into tuples, in chunks) so a million visitor activities take seconds and little
extra memory. Each (object, column) draws from its own `Random(seed/object/column)`, so the data
depends only on seed, scale and anchor, and a field added to the catalog does not reshuffle the
others. The planted cases (a tied second over several pages, rows on window boundaries and in DST
changes, tricky text, deleted rows) are described in the returned facts, which tap tests read.
"""

from __future__ import annotations

import gc
import math
import random
from collections.abc import Callable, Sequence
from typing import Any, Final

from pardot_client.catalog import CATALOG, FieldType, ObjectSpec, to_snake
from pardot_client.dates import LocalTimeFormatter, get_zone
from pardot_sim import planted as plant
from pardot_sim import textcases as tx
from pardot_sim.accounts import Account
from pardot_sim.planted import DAY
from pardot_sim.scales import Scale
from pardot_sim.store import DataStore, Table

MARGIN: Final = 60  # the newest row is a minute old: never in the future, even with read lag
CHUNK: Final = 50_000  # rows built per pass: bounds the temporary column lists

# Dependency order: every object comes after the objects its foreign keys point to.
BUILD_ORDER: Final = (
    "user", "campaign", "lifecycleStage", "tag", "list", "email", "emailTemplate", "form",
    "customRedirect", "dynamicContent", "customField", "prospectAccount", "prospect", "visitor",
    "visit", "visitorActivity", "listMembership", "emailClick", "externalActivity",
    "lifecycleHistory", "opportunity", "tagObject",
)  # fmt: skip
EXPORT_OBJECTS: Final = frozenset(
    ("visitorActivity", "prospect", "listMembership", "visitor", "prospectAccount",
     "externalActivity")
)  # fmt: skip
# Distinct id ranges per object, so a key pointing at the wrong table fails the FK checks.
ID_BASE: Final = {
    "visitorActivity": 100_000_001, "prospect": 1_000_001, "visitor": 2_000_001,
    "listMembership": 3_000_001, "externalActivity": 5_000_001, "visit": 6_000_001,
    "emailClick": 7_000_001, "lifecycleHistory": 8_000_001, "tagObject": 9_000_001,
    "prospectAccount": 40_001, "campaign": 10_001, "customRedirect": 20_001,
    "dynamicContent": 30_001, "form": 50_001, "list": 60_001, "opportunity": 70_001,
    "tag": 80_001, "email": 90_001, "emailTemplate": 95_001, "customField": 101, "user": 501,
    "lifecycleStage": 1,
}  # fmt: skip
FOREIGN_KEYS: Final = {
    "prospect_id": "prospect", "visitor_id": "visitor", "campaign_id": "campaign",
    "list_id": "list", "list_email_id": "email", "email_id": "email",
    "email_template_id": "emailTemplate", "form_id": "form",
    "custom_redirect_id": "customRedirect", "prospect_account_id": "prospectAccount",
    "tag_id": "tag", "previous_stage_id": "lifecycleStage", "next_stage_id": "lifecycleStage",
    "created_by_id": "user",
}  # fmt: skip
DELETED_SHARE: Final = 0.03
DELETED_OBJECTS: Final = ("prospect", "listMembership", "visitor", "prospectAccount")


def _pick(rnd: Callable[[], float], pool: Sequence[Any], n: int, null: float = 0.0) -> list[Any]:
    """n draws from a pool, None with probability `null` (None for all if the pool is empty)."""
    size = len(pool)
    if not size or null >= 1:
        return [None] * n
    if null <= 0:
        return [pool[int(rnd() * size)] for _ in range(n)]
    return [pool[int(rnd() * size)] if rnd() >= null else None for _ in range(n)]


def _one(rnd: Callable[[], float], pool: Sequence[Any]) -> Any:
    return pool[int(rnd() * len(pool))] if pool else None


class RowGenerator:
    """Column builders sharing seeded generators, id pools and the time window [lo, hi]."""

    def __init__(self, account: Account, seed: int, lo: int, hi: int) -> None:
        self.seed, self.lo, self.hi = seed, lo, hi
        self.zone = get_zone(account.timezone)
        self.local = LocalTimeFormatter(self.zone)
        self.ids: dict[str, list[int]] = {}
        self.visitor_prospect: dict[int, int | None] = {}
        self.pairs: set[tuple[Any, Any]] = set()  # (list_id, prospect_id) memberships
        self.custom: list[tuple[str, str, str]] = []  # (label, API name, type)
        self._rngs: dict[str, random.Random] = {}

    def rng(self, *parts: str) -> random.Random:
        """The generator of one (object, column): its draws never depend on other columns."""
        key = "/".join((str(self.seed), *parts))
        found = self._rngs.get(key)
        if found is None:
            found = self._rngs[key] = random.Random(key)
        return found

    def load(self, store: DataStore) -> None:
        """Take id pools and links from existing tables (mutate)."""
        for name, table in store.tables.items():
            self.ids[name] = sorted(table.rows)
            pos, rows = table.position, table.rows.values()
            if name == "visitor" and "prospect_id" in pos:
                self.visitor_prospect = {r[0]: r[pos["prospect_id"]] for r in rows}
            if name == "listMembership" and {"list_id", "prospect_id"} <= set(pos):
                self.pairs = {(r[pos["list_id"]], r[pos["prospect_id"]]) for r in rows}
            if name == "customField" and {"name", "field_id", "type"} <= set(pos):
                self.custom = [(r[pos["name"]], r[pos["field_id"]], r[pos["type"]]) for r in rows]

    def build(
        self, table: Table, spec: ObjectSpec, start: int, ids: Sequence[int],
        created: Sequence[int] | None, updated: Sequence[int] | None,
        patches: dict[int, dict[str, Any]],
    ) -> None:  # fmt: skip
        """Insert rows for `ids` (ids[0] is row number `start`); patches: row index -> values."""
        for a in range(0, len(ids), CHUNK):
            b = min(a + CHUNK, len(ids))
            c: dict[str, list[Any]] = {"id": list(ids[a:b])}
            if created is not None:
                c["created_at"] = list(created[a:b])
            if updated is not None:
                c["updated_at"] = list(updated[a:b])
            self._prefill(table.name, b - a, start + a, c)
            for name in table.columns:
                if name not in c:
                    found = spec.field(name)  # None: a column outside the catalog
                    kind = found.type if found is not None else None
                    c[name] = self._column(table.name, name, kind, c)
            for index, values in patches.items():
                if a <= index < b:
                    for name, value in values.items():
                        c[name][index - a] = value
            table.insert_many(zip(*(c[name] for name in table.columns), strict=True))
            if table.name == "visitor" and "prospect_id" in c:
                self.visitor_prospect.update(zip(c["id"], c["prospect_id"], strict=True))

    def _prefill(self, obj: str, n: int, start: int, c: dict[str, list[Any]]) -> None:
        """Columns that depend on each other within a row (drivers first)."""
        rnd = self.rng(obj, "prefill").random
        ids, positions = self.ids, range(start, start + n)
        if obj == "visitorActivity":
            c["type"] = types = self.rng(obj, "type").choices(
                tx.VA_TYPE_IDS, cum_weights=tx.VA_CUM_WEIGHTS, k=n
            )
            c["type_name"] = [tx.VA_NAME[t] for t in types]
            c["details"] = [(d := tx.VA_DETAILS[t])[int(rnd() * len(d))] for t in types]
            emailed = [t in tx.EMAIL_ACTIVITY_TYPES for t in types]
            visitors, prospects, link = ids["visitor"], ids["prospect"], self.visitor_prospect
            c["visitor_id"] = [None if e else visitors[int(rnd() * len(visitors))] for e in emailed]
            c["prospect_id"] = [
                prospects[int(rnd() * len(prospects))] if v is None else link[v]
                for v in c["visitor_id"]
            ]
            emails, templates = ids["email"], ids["emailTemplate"]
            c["email_id"] = c["list_email_id"] = [
                emails[int(rnd() * len(emails))] if e else None for e in emailed
            ]
            c["email_template_id"] = [
                templates[int(rnd() * len(templates))] if e and rnd() < 0.5 else None
                for e in emailed
            ]
            c["form_id"] = [_one(rnd, ids["form"]) if t in (3, 4) else None for t in types]
            c["custom_redirect_id"] = [
                _one(rnd, ids["customRedirect"]) if t == 21 else None for t in types
            ]
        elif obj == "visit":
            c["visitor_id"] = _pick(rnd, ids["visitor"], n)
            c["prospect_id"] = [self.visitor_prospect.get(v) for v in c["visitor_id"]]
            c["duration_in_seconds"] = [int(rnd() * 3600) for _ in range(n)]
            c["first_visitor_page_view_at"] = c["created_at"]
            c["last_visitor_page_view_at"] = [
                min(t + d, self.hi)
                for t, d in zip(c["created_at"], c["duration_in_seconds"], strict=True)
            ]
        elif obj == "listMembership":
            c["list_id"], c["prospect_id"] = [], []
            for _ in range(n):
                for _attempt in range(20):  # distinct (list, prospect) pairs while there is room
                    pair = (_one(rnd, ids["list"]), _one(rnd, ids["prospect"]))
                    if pair not in self.pairs:
                        break
                self.pairs.add(pair)
                c["list_id"].append(pair[0])
                c["prospect_id"].append(pair[1])
        elif obj == "tagObject":
            kinds = _pick(rnd, tx.TAG_TYPES, n)
            c["type"] = [label for label, _ in kinds]
            c["object_id"] = [_one(rnd, ids.get(target, ())) for _, target in kinds]
        elif obj == "customField":
            specs = [self.custom[k % len(self.custom)] for k in positions]
            c["name"] = [label for label, _, _ in specs]
            c["field_id"] = [api for _, api, _ in specs]
            c["type"] = kinds = [kind for _, _, kind in specs]
            c["type_id"] = [tx.CUSTOM_TYPE_IDS.get(k, 1) for k in kinds]
            c["is_record_multiple_responses"] = [k == "Multi-Select" for k in kinds]
            c["is_use_values"] = [k in ("Checkbox", "Multi-Select") for k in kinds]
        elif obj == "lifecycleStage":
            c["name"] = [
                tx.STAGES[k] if k < len(tx.STAGES) else f"Stage {k + 1}" for k in positions
            ]
            c["position"] = list(positions)
            c["is_locked"] = [k < 2 for k in positions]
        elif obj == "emailTemplate":  # the one-to-one listing needs at least one
            c["is_one_to_one_email"] = [k == 0 or rnd() < 0.3 for k in positions]
        elif obj == "prospectAccount":  # the fields this account added (describe lists them)
            for _label, api, _kind, options in tx.ACCOUNT_FIELDS:
                c[api] = _pick(self.rng(obj, api).random, options, n, null=0.2)
        elif obj == "prospect":
            span = self.hi - self.lo
            for _label, api, kind in self.custom:
                r = self.rng(obj, api).random
                if kind == "Date":
                    values = [self.local(self.lo + int(span * r()))[:10] for _ in range(n)]
                else:
                    values = _pick(r, tx.CUSTOM_VALUES.get(kind, tx.COLORS), n)
                c[api] = [None if (u := r()) < 0.25 else "" if u < 0.3 else v for v in values]

    def _column(
        self, obj: str, name: str, kind: FieldType | None, c: dict[str, list[Any]]
    ) -> list[Any]:
        """One catalog column, chosen by its name first and its type second."""
        rnd, n, created = self.rng(obj, name).random, len(c["id"]), c.get("created_at")
        if name in FOREIGN_KEYS and kind is FieldType.INTEGER:
            null = tx.FK_NULL.get(f"{obj}.{name}", tx.FK_NULL.get(name, 0.0))
            return _pick(rnd, self.ids.get(FOREIGN_KEYS[name], ()), n, null)
        if kind is FieldType.DATETIME and created is not None:
            null, hi = tx.DATETIME_NULL.get(name, 0.3), self.hi
            return [None if rnd() < null else t + int((hi - t) * rnd()) for t in created]
        if kind is FieldType.DATE and created is not None:
            return [self.local(t)[:10] for t in created]
        if kind is FieldType.BOOLEAN:
            share = tx.TRUE_SHARE.get(name, 0.3)
            return [rnd() < share for _ in range(n)]
        if kind is FieldType.INTEGER and name in tx.INT_RANGES:
            low, high = tx.INT_RANGES[name]
            return [low + int(rnd() * (high - low + 1)) for _ in range(n)]
        if kind is FieldType.NUMBER:
            return [round(rnd() * 250_000, 2) for _ in range(n)]
        if kind is not FieldType.STRING:
            return [None] * n
        if name == "email":
            first, last, domains = tx.EMAIL_FIRST, tx.EMAIL_LAST, tx.DOMAINS
            return [f"{first[i % len(first)]}.{last[i % len(last)]}.{i}@{domains[i % 4]}"
                    for i in c["id"]]  # fmt: skip
        label = to_snake(obj).replace("_", " ").title()
        if name == "name":
            return [f"{label} {tx.COMPANIES[i % 17]} {i}" for i in c["id"]]
        return _pick(rnd, self._pool(obj, name, label), n, tx.STRING_NULL.get(name, 0.1))

    @staticmethod
    def _pool(obj: str, name: str, label: str) -> Sequence[str]:
        pool = tx.POOLS.get(f"{obj}.{name}") or tx.POOLS.get(name)
        suffix = next((s for s in tx.SUFFIXES if name.endswith(s)), None)
        if pool is None and suffix is not None:
            pool = tx.POOLS[suffix]
        elif pool is None and (name.endswith(("fid", "salesforce_id")) or name == "crm_id"):
            prefix = tx.SALESFORCE_PREFIXES.get(name, "001")
            pool = tuple(f"{prefix}Sim{k:012d}" for k in range(200))
        return pool or tuple(f"{label} {name.replace('_', ' ')} {k}" for k in range(40))


def _times(
    gen: RowGenerator, obj: str, n: int, tie: int, ties: int, planted: list[int], *, updated: bool
) -> tuple[list[int], list[int] | None]:
    """Sorted created_at (ids follow creation order) and updated_at >= created_at.

    Random instants are denser recently (age = span * u^2); the tie second and the planted
    instants are exact, with updated_at == created_at so both procedures meet them.
    """
    rnd = gen.rng(obj, "times").random
    hi, span = gen.hi, gen.hi - gen.lo
    created = [hi - int(span * u * u) for u in [rnd() for _ in range(n - ties - len(planted))]]
    created += [tie] * ties + planted
    created.sort()
    if not updated:
        return created, None
    exact, share = {tie, *planted}, tx.UPDATED_SHARE.get(obj, 0.3)
    later = [t if t in exact or rnd() >= share else t + int((hi - t) * rnd() ** 3) for t in created]
    return created, later


def _mass_update(gen: RowGenerator, created: list[int], updated: list[int], tie: int, keep: set[int]) -> int:  # fmt: skip  # noqa: E501
    """Older prospects updated in the tie second (a bulk change), so created_at differs."""
    candidates = [i for i, t in enumerate(created) if t < tie and t not in keep]
    chosen = gen.rng("prospect", "mass_update").sample(candidates, min(40, len(candidates) // 4))
    for i in chosen:
        updated[i] = tie
    return len(chosen)


def _tricky(
    gen: RowGenerator, obj: str, n: int, columns: Sequence[str]
) -> dict[int, dict[str, Any]]:
    """Row index -> a tricky case for every text column; `_case` names the case."""
    targets = [c for c in tx.TEXT_COLUMNS.get(obj, ()) if c in columns]
    per = 2 if n >= 200 else 1
    cases = list(tx.TRICKY_TEXT.items())[: n // (2 * per)] if targets else []
    chosen = gen.rng(obj, "tricky").sample(range(n), len(cases) * per)
    return {
        index: {"_case": case, **dict.fromkeys(targets, value)}
        for k, (case, value) in enumerate(cases)
        for index in chosen[k * per : (k + 1) * per]
    }


def populate(account: Account, *, seed: int, scale: Scale, anchor: float) -> dict[str, Any]:
    """Fill the account's store with one table per object; return the planted edge cases.

    Every datetime is an int epoch second in [anchor - history_days, anchor - 60].
    """
    enabled = gc.isenabled()
    gc.disable()  # millions of new tuples and no cycles: collections would only rescan them
    try:
        return _populate(account, seed, scale, anchor)
    finally:
        if enabled:
            gc.enable()


def _populate(account: Account, seed: int, scale: Scale, anchor: float) -> dict[str, Any]:
    hi, lo = math.floor(anchor) - MARGIN, math.ceil(anchor - scale.history_days * DAY)
    gen = RowGenerator(account, seed, lo, hi)
    dst, boundaries = plant.dst_cases(gen.zone, lo, hi), plant.boundaries(gen.zone, anchor, lo, hi)
    specials = list(dict.fromkeys([  # most valuable first: small tables keep only a prefix
        *dst["repeated_hour_utc"], *dst["skipped_hour_utc"], *boundaries["anchor_day"],
        *boundaries["local_midnight"], *boundaries["utc_midnight"], *boundaries["month_start"],
    ]))  # fmt: skip
    tie = plant.tie_second(seed, lo, hi, set(specials))
    gen.custom = [*tx.CUSTOM_FIELDS] + [
        (f"Custom Field {k}", f"custom_field_{k}__c", "Text")
        for k in range(len(tx.CUSTOM_FIELDS) + 1, scale.custom_fields + 1)
    ]
    facts: dict[str, Any] = {
        "seed": seed, "anchor": anchor, "timezone": account.timezone,
        "window": {"from": lo, "to": hi}, "history_days": scale.history_days,
        "tie_second": tie, "tie_counts": {}, "tie_counts_live": {}, "tie_counts_updated": {},
        "dst": dst, "boundaries": boundaries, "boundary_instants": sorted(specials),
        "planted_boundary_rows": {}, "deleted": {}, "tricky_text": dict(tx.TRICKY_TEXT),
        "tricky_text_columns": {}, "tricky_text_ids": {}, "counts": {},
        "custom_fields": {api: kind for _, api, kind in gen.custom},
        "account_fields": {api: kind for _, api, kind, _ in tx.ACCOUNT_FIELDS},
    }  # fmt: skip
    for obj in BUILD_ORDER:
        spec = CATALOG[obj]
        n = len(gen.custom) if obj == "customField" else scale.count(obj)
        columns = [*spec.field_names, *(api for _, api, _ in gen.custom if obj == "prospect")]
        if obj == "prospectAccount":
            columns += [api for _, api, _, _ in tx.ACCOUNT_FIELDS]
        created = updated = None
        ties = plant.tie_count(obj, n) if "created_at" in columns else 0
        if "created_at" in columns:
            planted = (specials * (2 if obj in EXPORT_OBJECTS else 1))[: (n - ties) // 2]
            created, updated = _times(
                gen, obj, n, tie, ties, planted, updated="updated_at" in columns
            )
            facts["planted_boundary_rows"][obj] = len(planted)
        if obj == "prospect" and created is not None and updated is not None:
            facts["mass_updated_prospects"] = _mass_update(gen, created, updated, tie, {*specials})
        base = ID_BASE.get(obj, 1)
        ids = range(base, base + n)
        patches = _tricky(gen, obj, n, columns)
        if patches:
            facts["tricky_text_columns"][obj] = [c for c in tx.TEXT_COLUMNS[obj] if c in columns]
            by_case: dict[str, list[int]] = facts["tricky_text_ids"].setdefault(obj, {})
            for index, values in sorted(patches.items()):
                by_case.setdefault(values.pop("_case"), []).append(base + index)
        table = account.store.create_table(obj, columns)
        gen.build(table, spec, 0, ids, created, updated, patches)
        gen.ids[obj] = list(ids)
        if obj in DELETED_OBJECTS and n:
            doomed = gen.rng(obj, "deleted").sample(gen.ids[obj], max(1, round(n * DELETED_SHARE)))
            table.deleted.update(doomed)
            facts["deleted"][obj] = len(doomed)
        facts["counts"][obj] = len(table)
        if created is not None and ties:
            last = updated or created
            tied = [i for i, t, u in zip(ids, created, last, strict=True) if t == u == tie]
            facts["tie_counts"][obj] = len(tied)
            facts["tie_counts_live"][obj] = sum(i not in table.deleted for i in tied)
            facts["tie_counts_updated"][obj] = last.count(tie)
    return facts
