"""Generated data of the objects only the v5 objects API serves (pardot_client.catalog V5_OBJECTS).

One table per object in the account's store, in the store's conventions (rows as tuples, `id`
first, datetimes as epoch seconds, deleted rows in the table's recycle bin), built by the
generator of the other objects with the links these objects have: folders nest, files and
landing pages sit in folders, form fields belong to forms, page views to visits, list emails
are the emails visitor activities point to, and so on. Counts follow the scale; rows sharing
one `updatedAt` second (a tie over several pages) and deleted rows are planted, as for the other
objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any, Final

from pardot_client.catalog import V5_OBJECTS, V5Object
from pardot_client.dates import format_iso_offset
from pardot_sim.accounts import Account
from pardot_sim.generator import MARGIN, RowGenerator
from pardot_sim.planted import DAY

# Rows per object at each scale (the account is one row; variations come per dynamic content).
COUNTS: Final[dict[str, dict[str, int]]] = {
    "tiny": {"folder": 8, "file": 12, "folderContents": 40, "formField": 30, "formHandler": 6,
             "formHandlerField": 18, "landingPage": 14, "layoutTemplate": 5, "trackerDomain": 3,
             "visitorPageView": 400, "engagementStudioProgram": 6},
    "demo": {"folder": 40, "file": 80, "folderContents": 400, "formField": 360,
             "formHandler": 20, "formHandlerField": 100, "landingPage": 90, "layoutTemplate": 15,
             "trackerDomain": 4, "visitorPageView": 15_000, "engagementStudioProgram": 25},
    "large": {"folder": 300, "file": 1_000, "folderContents": 5_000, "formField": 2_000,
              "formHandler": 100, "formHandlerField": 600, "landingPage": 600,
              "layoutTemplate": 60, "trackerDomain": 10, "visitorPageView": 250_000,
              "engagementStudioProgram": 150},
}  # fmt: skip
ID_BASE: Final = {
    "folder": 110_001, "file": 120_001, "folderContents": 130_001, "formField": 140_001,
    "formHandler": 150_001, "formHandlerField": 160_001, "landingPage": 170_001,
    "layoutTemplate": 180_001, "trackerDomain": 190_001, "engagementStudioProgram": 210_001,
    "dynamicContentVariation": 220_001, "visitorPageView": 200_000_001,
}  # fmt: skip
# Built in this order: every object after the ones its ids point to.
ORDER: Final = (
    "trackerDomain", "folder", "layoutTemplate", "file", "formHandler", "formHandlerField",
    "formField", "landingPage", "listEmail", "engagementStudioProgram",
    "dynamicContentVariation", "visitorPageView", "folderContents", "account",
)  # fmt: skip
DELETED_SHARE: Final = 0.04
RECENT: Final = 7 * DAY  # the newest tenth of every object (two rows at least) changed lately
FOLDER_CONTENT_KINDS: Final = (
    ("form", "Form"), ("landingPage", "LandingPage"), ("file", "File"), ("listEmail", "ListEmail"),
    ("formHandler", "FormHandler"), ("layoutTemplate", "LayoutTemplate"),
)  # fmt: skip
PROSPECT_FIELDS: Final = ("email", "first_name", "last_name", "company", "phone", "country")
ESP_STATUSES: Final = ("running", "paused", "draft", "scheduled", "stopped")


def _one(rnd: Callable[[], float], pool: Sequence[Any]) -> Any:
    return pool[int(rnd() * len(pool))] if pool else None


def v5_object(name: str) -> V5Object:
    """The catalog entry of a v5-only object by its name (`landingPage`)."""
    return next(o for o in V5_OBJECTS.values() if o.spec.name == name)


def columns_of(obj: V5Object) -> list[str]:
    """A table's columns: the fields, but `is_deleted`, which the recycle bin answers."""
    return [f.name for f in obj.spec.fields if f.name != "is_deleted"]


class V5RowGenerator(RowGenerator):
    """The generator of the other objects, plus the links and values of v5-only objects."""

    def __init__(self, account: Account, seed: int, lo: int, hi: int) -> None:
        super().__init__(account, seed, lo, hi)
        self.wanted: Sequence[str] = ()  # the columns of the table being built
        self.visits: list[tuple[int, int | None]] = []  # (visit id, visitor id)

    def _prefill(self, obj: str, n: int, start: int, c: dict[str, list[Any]]) -> None:
        rnd, ids = self.rng(obj, "v5").random, self.ids
        positions = range(start, start + n)
        for name, target in (("folder_id", "folder"), ("tracker_domain_id", "trackerDomain"),
                             ("layout_template_id", "layoutTemplate"),
                             ("form_handler_id", "formHandler"), ("updated_by_id", "user"),
                             ("schedule_created_by_id", "user"), ("ssl_requested_by_id", "user"),
                             ("default_campaign_id", "campaign")):  # fmt: skip
            if name in self.wanted and name not in c:
                c[name] = [_one(rnd, ids.get(target, ())) for _ in c["id"]]
        if obj == "folder":
            c["parent_folder_id"], c["name"], c["path"] = [], [], []
            paths: dict[int, str] = {}
            for k, row_id in zip(positions, c["id"], strict=True):
                parent = None if k < 3 else c["id"][int(rnd() * (k - start))] if k > start else None
                name = ("Assets", "Campaigns", "Emails")[k] if k < 3 else f"Folder {k}"
                paths[row_id] = f"{paths.get(parent, '') if parent else ''}/{name}"
                c["parent_folder_id"].append(parent)
                c["name"].append(name)
                c["path"].append(paths[row_id])
        elif obj == "folderContents":
            kinds = [FOLDER_CONTENT_KINDS[int(rnd() * len(FOLDER_CONTENT_KINDS))] for _ in c["id"]]
            c["object_type"] = [label for _, label in kinds]
            c["object_id"] = [_one(rnd, ids.get(target, ())) for target, _ in kinds]
            c["object_name"] = [
                f"{label} {i}" for (_, label), i in zip(kinds, c["object_id"], strict=True)
            ]
            c["folder_ref"] = [f"https://pi.pardot.com/folder/{f}" for f in c["folder_id"]]
            c["object_ref"] = [
                f"https://pi.pardot.com/{label.lower()}/{i}"
                for (_, label), i in zip(kinds, c["object_id"], strict=True)
            ]
        elif obj == "visitorPageView":
            visits = self.visits
            chosen = [visits[int(rnd() * len(visits))] if visits else (None, None) for _ in c["id"]]
            c["visit_id"] = [v for v, _ in chosen]
            c["visitor_id"] = [w for _, w in chosen]
            c["duration_in_seconds"] = [int(rnd() * 600) for _ in c["id"]]
            c["title"] = [f"Page {int(rnd() * 500)}" for _ in c["id"]]
        elif obj == "engagementStudioProgram":
            c["status"] = [ESP_STATUSES[int(rnd() * len(ESP_STATUSES))] for _ in c["id"]]
            c["business_hours"] = [{"days": ["monday", "tuesday", "wednesday", "thursday"],
                                    "startTime": "09:00:00", "endTime": "17:00:00",
                                    "timezone": self.zone.key} for _ in c["id"]]  # fmt: skip
            c["prospects_multiple_entry"] = [
                {"maximumEntries": 1 + int(rnd() * 4), "minimumDurationInDays": 30} for _ in c["id"]
            ]
            c["schedule"] = [{"createdAt": format_iso_offset_epoch(t, self), "startOn":
                              format_iso_offset_epoch(t + DAY, self), "stopOn": None}
                             for t in c["created_at"]]  # fmt: skip
            lists = ids.get("list", [])
            c["recipient_list_ids"] = [
                sorted({_one(rnd, lists) for _ in range(2)}) for _ in c["id"]
            ]
            c["suppression_list_ids"] = [[_one(rnd, lists)] if rnd() < 0.3 else [] for _ in c["id"]]
        elif obj == "dynamicContentVariation":
            parents = ids.get("dynamicContent", [])
            c["dynamic_content_id"] = [parents[(i - ID_BASE[obj]) // 3] for i in c["id"]]
            c["comparison"] = ["is" if rnd() < 0.7 else "contains" for _ in c["id"]]
            c["operator"] = ["and" for _ in c["id"]]
            c["value1"] = [("EMEA", "APAC", "North America")[int(rnd() * 3)] for _ in c["id"]]
            c["value2"] = [None for _ in c["id"]]
        elif obj == "account":
            c["level"] = ["Advanced" for _ in c["id"]]
            c["admin_id"] = [_one(rnd, ids.get("user", ())) for _ in c["id"]]
            c["plugin_campaign_id"] = [_one(rnd, ids.get("campaign", ())) for _ in c["id"]]
        elif obj in ("formField", "formHandlerField"):
            c["prospect_api_field_id"] = [_one(rnd, PROSPECT_FIELDS) for _ in c["id"]]
            c["data_format"] = [("text", "email", "number")[int(rnd() * 3)] for _ in c["id"]]
            if obj == "formField":
                c["type"] = [("Text", "Dropdown", "Checkbox", "Hidden")[int(rnd() * 4)]
                             for _ in c["id"]]  # fmt: skip
                c["sort_order"] = [k % 8 for k in positions]
        elif obj == "file":
            c["size"] = [1_000 + int(rnd() * 5_000_000) for _ in c["id"]]
        elif obj == "landingPage":
            c["layout_table_border"] = [int(rnd() * 3) for _ in c["id"]]
            c["archive_date"] = [None for _ in c["id"]]
        elif obj == "listEmail":
            users = ids.get("user", [])
            c["sender_options"] = [[{"type": "assigned_user", "address": None, "name": None,
                                     "userId": None},
                                    {"type": "general_user", "address": None, "name": None,
                                     "userId": _one(rnd, users)}] for _ in c["id"]]  # fmt: skip
            c["reply_to_options"] = [[{"type": "general_address", "address":
                                       "marketing@example.com", "userId": None}]
                                     for _ in c["id"]]  # fmt: skip
        super()._prefill(obj, n, start, c)


def format_iso_offset_epoch(epoch: int, gen: RowGenerator) -> str:
    """An epoch second as ISO 8601 with the account's offset (nested v5 stamps)."""
    return format_iso_offset(datetime.fromtimestamp(epoch, timezone.utc), gen.zone)


def populate_v5(account: Account, *, seed: int, scale: str, anchor: float) -> dict[str, Any]:
    """Fill the account's store with the v5-only objects; return what was planted."""
    counts = COUNTS.get(scale, COUNTS["tiny"])
    store = account.store
    history = {"tiny": 300, "demo": 120, "large": 180}.get(scale, 300)
    hi, lo = int(anchor) - MARGIN, int(anchor - history * DAY)
    gen = V5RowGenerator(account, seed, lo, hi)
    gen.load(store)
    visits = store.tables.get("visit")
    if visits is not None:
        pos = visits.position["visitor_id"]
        gen.visits = [(row[0], row[pos]) for row in visits.rows.values()]
    rnd = gen.rng("v5", "times").random
    tie = lo + int((hi - lo) * 0.6)
    facts: dict[str, Any] = {"tie_second": tie, "counts": {}, "deleted": {}, "ties": {}}
    for name in ORDER:
        obj = v5_object(name)
        ids = _ids(name, counts, gen)
        columns = columns_of(obj)
        table = store.create_table(name, columns)
        gen.wanted = columns
        created = sorted(hi - int((hi - lo) * rnd() ** 2) for _ in ids)
        updated = None
        ties = 0
        if "updated_at" in columns:
            updated = [t if rnd() < 0.6 else t + int((hi - t) * rnd() ** 2) for t in created]
            for k in range(len(ids) - max(2, len(ids) // 10), len(ids)):  # edited lately
                updated[k] = max(updated[k], hi - int(RECENT * rnd()))
            if obj.query.mark == "updated_at" and len(ids) >= 12:  # a tie over pages
                ties = min(len(ids) // 3, 40)
                for k in range(len(ids) // 3, len(ids) // 3 + ties):
                    created[k] = min(created[k], tie)
                    updated[k] = tie
        stamps = created if "created_at" in columns else None
        gen.build(table, obj.spec, 0, ids, stamps, updated, {})
        gen.ids[name] = list(ids)
        if obj.query.deletes and ids:
            doomed = gen.rng(name, "deleted").sample(
                list(ids), max(1, round(len(ids) * DELETED_SHARE))
            )
            table.deleted.update(doomed)
            facts["deleted"][name] = len(doomed)
        facts["counts"][name] = len(table)
        facts["ties"][name] = ties
    return facts


def _ids(name: str, counts: dict[str, int], gen: RowGenerator) -> list[int]:
    """The ids an object's rows get: list emails are the account's emails, the account is one."""
    if name == "listEmail":
        return list(gen.ids.get("email", []))
    if name == "account":
        return [1]
    if name == "dynamicContentVariation":
        parents = gen.ids.get("dynamicContent", [])
        return list(range(ID_BASE[name], ID_BASE[name] + 3 * len(parents)))
    base = ID_BASE[name]
    return list(range(base, base + counts[name]))
