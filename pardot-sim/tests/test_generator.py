"""The data generator: deterministic, consistent, and planting every edge case it promises."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pardot_client.catalog import CATALOG, FieldType
from pardot_sim import textcases
from pardot_sim.accounts import Account
from pardot_sim.generator import FOREIGN_KEYS, populate
from pardot_sim.mutations import mutate
from pardot_sim.scales import SCALES, Scale, scale_named
from pardot_sim.store import DataStore

NY = "America/New_York"
FALL_ANCHOR = 1_795_435_200  # 2026-11-23T12:00:00Z: history holds 2026-11-01 (fall back)
SPRING_ANCHOR = 1_775_044_800  # 2026-04-01T12:00:00Z: history holds 2026-03-08 (spring forward)
MAIN = ("visitorActivity", "prospect", "listMembership", "visitor")


def account(tz: str = NY) -> Account:
    return Account(business_unit_id="0Uv000000000001AAA", name="t", timezone=tz)


def build(seed: int = 1, scale: Scale | None = None, anchor: float = FALL_ANCHOR,
          tz: str = NY) -> tuple[Account, dict[str, Any]]:  # fmt: skip
    acct = account(tz)
    facts = populate(acct, seed=seed, scale=scale or SCALES["tiny"], anchor=anchor)
    return acct, facts


@pytest.fixture(scope="module")
def tiny() -> tuple[Account, dict[str, Any]]:
    return build()


def column(store: DataStore, obj: str, name: str) -> list[Any]:
    table = store.table(obj)
    pos = table.position[name]
    return [row[pos] for row in table.rows.values()]


def snapshot(store: DataStore) -> dict[str, Any]:
    return {
        name: (table.columns, dict(table.rows), set(table.deleted))
        for name, table in store.tables.items()
    }


def wall(epoch: int, tz: str = NY) -> str:
    return datetime.fromtimestamp(epoch, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S")


def test_scale_named_and_validation() -> None:
    assert scale_named("demo") is SCALES["demo"]
    bigger = scale_named("tiny", visitor_activities=100_000)
    assert bigger.visitor_activities == 100_000
    assert bigger.prospects == SCALES["tiny"].prospects
    with pytest.raises(ValueError, match="tiny, demo, large"):
        scale_named("huge")
    with pytest.raises(ValueError, match="history_days"):
        Scale(**{**SCALES["tiny"].__dict__, "history_days": 365})
    assert SCALES["large"].visitor_activities == 1_000_000
    assert all(s.history_days < 365 for s in SCALES.values())
    assert SCALES["demo"].history_days == 120


def test_same_seed_same_data_other_seed_other_data(tiny: tuple[Account, dict[str, Any]]) -> None:
    acct, facts = tiny
    again, facts_again = build()
    assert snapshot(again.store) == snapshot(acct.store)
    assert facts_again == facts
    other, _ = build(seed=2)
    assert snapshot(other.store) != snapshot(acct.store)
    for name in MAIN:
        assert other.store.table(name).rows != acct.store.table(name).rows


def test_facts_are_json(tiny: tuple[Account, dict[str, Any]]) -> None:
    _, facts = tiny
    assert json.loads(json.dumps(facts)) == facts
    for key in ("tie_second", "tie_counts", "dst", "boundary_instants", "deleted",
                "tricky_text_ids", "window", "counts"):  # fmt: skip
        assert key in facts


def test_columns_follow_the_catalog(tiny: tuple[Account, dict[str, Any]]) -> None:
    acct, facts = tiny
    custom = [row[2] for row in acct.store.table("customField").rows.values()]
    assert custom == list(facts["custom_fields"])
    for name, spec in CATALOG.items():
        table = acct.store.table(name)
        added = {"prospect": tuple(custom), "prospectAccount": tuple(facts["account_fields"])}
        expected = spec.field_names + added.get(name, ())
        assert table.columns == expected, name
        assert table.columns[0] == "id"
        assert len(table) == facts["counts"][name] > 0
        assert all(len(row) == len(expected) and row[0] == i for i, row in table.rows.items())


def test_value_types(tiny: tuple[Account, dict[str, Any]]) -> None:
    acct, _ = tiny
    allowed = {
        FieldType.INTEGER: (int,), FieldType.NUMBER: (int, float), FieldType.STRING: (str,),
        FieldType.BOOLEAN: (bool,), FieldType.DATETIME: (int,), FieldType.DATE: (str,),
    }  # fmt: skip
    for name, spec in CATALOG.items():
        table = acct.store.table(name)
        for f in spec.fields:
            values = [v for v in column(acct.store, name, f.name) if v is not None]
            assert all(isinstance(v, allowed[f.type]) for v in values), (name, f.name)
            if f.type is FieldType.INTEGER or f.type is FieldType.DATETIME:
                assert not any(isinstance(v, bool) for v in values), (name, f.name)
            if f.type is FieldType.DATE:
                assert values
                assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in values)
        assert len(table) > 0


def test_ties_span_more_than_one_page(tiny: tuple[Account, dict[str, Any]]) -> None:
    acct, facts = tiny
    tie = facts["tie_second"]
    minimum = {"visitorActivity": 450, "prospect": 250, "listMembership": 250, "visitor": 250}
    for name, least in minimum.items():
        assert facts["tie_counts"][name] >= least
        updated = Counter(column(acct.store, name, "updated_at"))
        created = Counter(column(acct.store, name, "created_at"))
        assert updated[tie] >= facts["tie_counts"][name] > 200
        assert created[tie] >= facts["tie_counts"][name]
        assert updated[tie] == facts["tie_counts_updated"][name]
        table = acct.store.table(name)
        pos = table.position["updated_at"]
        live = sum(row[pos] == tie and i not in table.deleted for i, row in table.rows.items())
        assert live >= facts["tie_counts_live"][name] > 200
    # a bulk change: some prospects updated in the tie second were created earlier
    assert facts["tie_counts_updated"]["prospect"] > facts["tie_counts"]["prospect"]


def test_query_objects_get_ties_when_big_enough() -> None:
    acct, facts = build(scale=SCALES["demo"])
    assert facts["tie_counts"]["campaign"] >= 210
    assert facts["tie_counts"]["list"] >= 210
    assert Counter(column(acct.store, "list", "updated_at"))[facts["tie_second"]] >= 210
    assert facts["tie_counts"]["prospectAccount"] >= 250
    assert Counter(column(acct.store, "externalActivity", "created_at"))[facts["tie_second"]] > 200


def test_rows_sit_on_midnights_and_anchor_day(tiny: tuple[Account, dict[str, Any]]) -> None:
    acct, facts = tiny
    bounds = facts["boundaries"]
    assert all(wall(m).endswith(" 00:00:00") for m in bounds["local_midnight"])
    assert all(m % 86_400 == 0 for m in bounds["utc_midnight"])
    assert all(wall(m).endswith("-01 00:00:00") for m in bounds["month_start"])
    assert len(bounds["local_midnight"]) >= 5
    assert len(bounds["utc_midnight"]) >= 3
    # the anchor's own day: local midnight of 2026-11-23 and UTC midnight, each +-1 s
    assert {1_795_410_000, 1_795_392_000, 1_795_409_999, 1_795_392_001} <= set(bounds["anchor_day"])
    instants = set(facts["boundary_instants"])
    for name in MAIN:
        updated = set(column(acct.store, name, "updated_at"))
        created = set(column(acct.store, name, "created_at"))
        assert instants <= updated, name
        assert instants <= created, name


def test_rows_in_both_occurrences_of_the_repeated_hour(
    tiny: tuple[Account, dict[str, Any]],
) -> None:
    acct, facts = tiny
    dst = facts["dst"]
    kinds = {(t["offset_before"], t["offset_after"]) for t in dst["transitions"]}
    assert kinds == {(-18_000, -14_400), (-14_400, -18_000)}  # both 2026 US changes
    repeated = dst["repeated_hour_utc"]
    first = [t for t in repeated if t < 1_793_512_800]  # 2026-11-01T06:00Z: EDT -> EST
    second = [t for t in repeated if t >= 1_793_512_800]
    assert first
    assert second
    assert {wall(t) for t in first} & {wall(t) for t in second}  # same wall time, twice
    assert all(wall(t).startswith("2026-11-01 01:") for t in repeated)
    for name in MAIN:
        updated = set(column(acct.store, name, "updated_at"))
        assert set(repeated) <= updated, name


def test_rows_around_the_skipped_hour() -> None:
    scale = Scale(**{**SCALES["tiny"].__dict__, "history_days": 60})
    acct, facts = build(scale=scale, anchor=SPRING_ANCHOR)
    dst = facts["dst"]
    assert [t["utc"] for t in dst["transitions"]] == [1_772_953_200]  # 2026-03-08T07:00Z
    skipped = dst["skipped_hour_utc"]
    walls = sorted(wall(t) for t in skipped)
    assert "2026-03-08 01:59:59" in walls
    assert "2026-03-08 03:00:00" in walls
    assert not any(w.startswith("2026-03-08 02:") for w in walls)
    assert dst["repeated_hour_utc"] == []
    for name in MAIN:
        assert set(skipped) <= set(column(acct.store, name, "created_at")), name


def test_utc_account_has_no_dst_cases() -> None:
    _, facts = build(tz="UTC")
    assert facts["dst"]["transitions"] == []
    assert facts["dst"]["repeated_hour_utc"] == facts["dst"]["skipped_hour_utc"] == []
    assert all(m % 86_400 == 0 for m in facts["boundaries"]["local_midnight"])


def test_tricky_text_is_planted_verbatim(tiny: tuple[Account, dict[str, Any]]) -> None:
    acct, facts = tiny
    assert facts["tricky_text"] == textcases.TRICKY_TEXT
    prospect_cases = facts["tricky_text_ids"]["prospect"]
    assert set(prospect_cases) == set(textcases.TRICKY_TEXT)  # every case on prospects
    for name in ("visitorActivity", "visitor", "prospectAccount", "campaign"):
        assert facts["tricky_text_ids"][name], name
    for name, cases in facts["tricky_text_ids"].items():
        table = acct.store.table(name)
        columns = facts["tricky_text_columns"][name]
        assert columns
        for case, ids in cases.items():
            for row_id in ids:
                row = table.get(row_id)
                assert row is not None
                assert all(row[c] == textcases.TRICKY_TEXT[case] for c in columns), (name, case)
    firsts = set(column(acct.store, "prospect", "first_name"))
    details = set(column(acct.store, "visitorActivity", "details"))
    wanted = ("Zoë Ångström", "東京 株式会社", "🚀 Launch 🎉 día", "first line\r\nsecond line\r\n",
              "first line\nsecond line", '"Hello, world", she said, "twice"', "  padded value  ",
              "", None)  # fmt: skip
    for value in wanted:
        assert value in firsts
        assert value in details
    assert "favorite_color__c" in facts["tricky_text_columns"]["prospect"]


def test_custom_field_values(tiny: tuple[Account, dict[str, Any]]) -> None:
    acct, facts = tiny
    kinds = facts["custom_fields"]
    assert {"Text", "Number", "Checkbox", "Date"} <= set(kinds.values())
    fields = CATALOG["customField"].field_names
    rows = [
        dict(zip(fields, r, strict=True)) for r in acct.store.table("customField").rows.values()
    ]
    assert [r["field_id"] for r in rows] == list(kinds)
    assert all(r["name"] and r["type"] == kinds[r["field_id"]] for r in rows)
    for api, kind in kinds.items():
        values = column(acct.store, "prospect", api)
        filled = [v for v in values if v]
        assert None in values, api
        assert "" in values, api
        assert filled, api
        if kind == "Number":
            assert all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in filled)
        if kind == "Checkbox":  # the labels of the boxes ticked, several joined by ";"
            assert set(filled) <= {"Weekly", "Monthly", "Weekly;Monthly"}
        if kind == "Date":
            assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in filled)


def test_foreign_keys_point_at_rows(tiny: tuple[Account, dict[str, Any]]) -> None:
    acct, _ = tiny
    store = acct.store
    checked = 0
    for name, table in store.tables.items():
        for col, target in FOREIGN_KEYS.items():
            if col in table.position and CATALOG[name].field(col).type is FieldType.INTEGER:  # type: ignore[union-attr]
                values = {v for v in column(store, name, col) if v is not None}
                assert values <= set(store.table(target).rows), (name, col)
                checked += 1
    assert checked >= 20
    assert None not in column(store, "visitorActivity", "campaign_id")
    # an activity's prospect is its visitor's prospect; email activities have no visitor
    va, visitors = store.table("visitorActivity"), store.table("visitor")
    owner = {i: r[visitors.position["prospect_id"]] for i, r in visitors.rows.items()}
    pos_v, pos_p = va.position["visitor_id"], va.position["prospect_id"]
    rows = list(va.rows.values())
    assert all(r[pos_p] == owner[r[pos_v]] for r in rows if r[pos_v] is not None)
    assert any(r[pos_v] is None for r in rows)
    assert any(r[pos_p] is None for r in rows)
    tag_targets = dict(textcases.TAG_TYPES)
    tags = store.table("tagObject")
    for row in tags.rows.values():
        target = store.table(tag_targets[row[tags.position["type"]]])
        assert row[tags.position["object_id"]] in target.rows
    pairs = list(zip(column(store, "listMembership", "list_id"),
                     column(store, "listMembership", "prospect_id"), strict=True))  # fmt: skip
    assert len(set(pairs)) == len(pairs)
    visits = store.table("visit")
    assert None not in column(store, "visit", "visitor_id")
    assert all(
        r[visits.position["prospect_id"]] == owner[r[visits.position["visitor_id"]]]
        for r in visits.rows.values()
    )


def test_deleted_share(tiny: tuple[Account, dict[str, Any]]) -> None:
    acct, facts = tiny
    for name in ("prospect", "listMembership", "visitor", "prospectAccount"):
        table = acct.store.table(name)
        assert table.deleted <= set(table.rows)
        assert len(table.deleted) == facts["deleted"][name]
        assert 0.015 <= len(table.deleted) / len(table) <= 0.045, name
    assert not acct.store.table("visitorActivity").deleted


def test_datetimes_stay_inside_the_history(tiny: tuple[Account, dict[str, Any]]) -> None:
    acct, facts = tiny
    lo, hi = FALL_ANCHOR - 300 * 86_400, FALL_ANCHOR - 60
    assert facts["window"] == {"from": lo, "to": hi}
    for name, spec in CATALOG.items():
        table = acct.store.table(name)
        for f in spec.fields:
            if f.type is FieldType.DATETIME:
                values = [v for v in column(acct.store, name, f.name) if v is not None]
                assert all(lo <= v <= hi for v in values), (name, f.name)
        if "updated_at" in table.position and "created_at" in table.position:
            c, u = table.position["created_at"], table.position["updated_at"]
            assert all(r[u] >= r[c] for r in table.rows.values()), name


def test_ids_follow_creation_and_recent_days_are_denser(
    tiny: tuple[Account, dict[str, Any]],
) -> None:
    acct, facts = tiny
    for name in MAIN:
        table = acct.store.table(name)
        pos = table.position["created_at"]
        created = [table.rows[i][pos] for i in sorted(table.rows)]
        assert created == sorted(created), name
    lo, hi = facts["window"]["from"], facts["window"]["to"]
    middle = (lo + hi) // 2
    created = column(acct.store, "visitorActivity", "created_at")
    recent = sum(t > middle for t in created)
    assert recent > 1.5 * (len(created) - recent)
    assert min(created) < lo + 60 * 86_400  # still spread over the whole history


def test_mutate_updates_and_inserts() -> None:
    acct, _ = build()
    before = snapshot(acct.store)
    now = FALL_ANCHOR + 3_600.5
    result = mutate(acct, seed=7, now=now, updates=5, inserts=3)
    for name in MAIN:
        table = acct.store.table(name)
        _, old_rows, _ = before[name]
        updated, inserted = result[f"{name}.updated"], result[f"{name}.inserted"]
        assert len(updated) == 5
        assert len(inserted) == 3
        assert result[name] == sorted(updated + inserted)
        assert min(inserted) > max(old_rows)
        assert not set(updated) & table.deleted
        u = table.position["updated_at"]
        for row_id in updated:
            row = table.rows[row_id]
            assert now - 60 <= row[u] < now
            assert row != old_rows[row_id]
            changed = [c for c, a, b in zip(table.columns, row, old_rows[row_id], strict=True)
                       if a != b]  # fmt: skip
            assert "updated_at" in changed
            assert len(changed) == 2, changed
        for row_id in inserted:
            row = table.get(row_id)
            assert row is not None
            assert now - 60 <= row["created_at"] == row["updated_at"] < now
        untouched = set(old_rows) - set(updated)
        assert all(table.rows[i] == old_rows[i] for i in untouched)
    # references of inserted rows exist; same seed on the same data gives the same change
    va = acct.store.table("visitorActivity")
    for row_id in result["visitorActivity.inserted"]:
        prospect = va.get(row_id)["prospect_id"]  # type: ignore[index]
        assert prospect is None or prospect in acct.store.table("prospect").rows
    twin, _ = build()
    assert mutate(twin, seed=7, now=now, updates=5, inserts=3) == result
    assert snapshot(twin.store) == snapshot(acct.store)


def test_mutate_other_objects() -> None:
    acct, _ = build()
    now = FALL_ANCHOR + 10
    result = mutate(acct, seed=1, now=now, updates=2, inserts=2,
                    objects=("externalActivity", "campaign", "prospectAccount"))  # fmt: skip
    for name in ("externalActivity", "campaign", "prospectAccount"):
        assert len(result[f"{name}.updated"]) == 2
        assert len(result[f"{name}.inserted"]) == 2
        table = acct.store.table(name)
        for row_id in result[f"{name}.inserted"]:
            assert now - 60 <= table.get(row_id)["created_at"] < now  # type: ignore[index]


def test_a_hundred_thousand_activities_build_quickly() -> None:
    scale = scale_named("tiny", visitor_activities=100_000)
    began = time.perf_counter()
    acct, facts = build(scale=scale)
    assert time.perf_counter() - began < 10
    table = acct.store.table("visitorActivity")
    assert len(table) == facts["counts"]["visitorActivity"] == 100_000
    assert Counter(column(acct.store, "visitorActivity", "updated_at"))[facts["tie_second"]] >= 450
    assert len(Counter(column(acct.store, "visitorActivity", "type"))) >= 10
    ids = sorted(table.rows)
    assert ids == list(range(ids[0], ids[0] + 100_000))
    assert table.next_id() == ids[-1] + 1
    assert datetime.fromtimestamp(max(column(acct.store, "visitorActivity", "created_at")),
                                  timezone.utc).year == 2026  # fmt: skip
