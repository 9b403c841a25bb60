"""The simulator's v5 objects API over real HTTP: fields, filters, order, deletes, tokens, cap.

Answers are checked against what the simulator stores (its tables), never against the tap.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import requests

from pardot_client.catalog import V5_OBJECTS
from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START, RawApi, SimAdmin
from pardot_sim.v5_data import COUNTS, columns_of

CAP_HEADER = "Pardot-Warning"


@pytest.fixture
def v5_api(sim: Simulator) -> Iterator[RawApi]:
    caller = RawApi(sim)
    yield caller
    caller.close()


def get(api: RawApi, collection: str, **params: Any) -> requests.Response:
    return api.call("GET", f"/api/v5/objects/{collection}", params=params)


def all_pages(api: RawApi, collection: str, fields: str, **params: Any) -> list[requests.Response]:
    """Every answer of one token sequence, following nextPageUrl with `fields` only."""
    answers = [get(api, collection, fields=fields, **params)]
    while answers[-1].json()["nextPageUrl"]:
        answers.append(api.call("GET", answers[-1].json()["nextPageUrl"],
                                params={"fields": fields}))  # fmt: skip
        assert answers[-1].status_code == 200, answers[-1].text
    return answers


def test_every_collection_answers_the_fields_asked_by_their_v5_names(
    v5_api: RawApi, sim: Simulator
) -> None:
    store = sim.account().store
    for obj in V5_OBJECTS.values():
        fields = ",".join(obj.request_fields())
        answer = get(v5_api, obj.query.collection, fields=fields)
        assert answer.status_code == 200, (obj.stream, answer.text)
        body = answer.json()
        records = [body] if obj.query.single else body["values"]
        wanted = {f.v5_name for f in obj.spec.fields}
        assert records, obj.stream
        for record in records:
            assert set(record) == wanted, obj.stream
        table = store.table(obj.spec.name)
        first = records[0]
        stored = table.as_dict(table.rows[first["id"]])
        if "createdAt" in first:  # stamps in the user's offset, the stored instant
            at = datetime.fromisoformat(first["createdAt"])
            assert at.utcoffset() is not None
            assert at.timestamp() == stored["created_at"]


def test_fields_are_required_and_checked_in_the_v5_error_shape(v5_api: RawApi) -> None:
    missing = get(v5_api, "landing-pages")
    assert missing.status_code == 400
    assert set(missing.json()) == {"code", "message"}
    unknown = get(v5_api, "landing-pages", fields="id,noSuchField")
    assert unknown.status_code == 400
    assert "noSuchField" in unknown.json()["message"]


def test_a_token_sequence_reads_every_row_once_in_order(v5_api: RawApi, sim: Simulator) -> None:
    table = sim.account().store.table("visitorPageView")
    answers = all_pages(v5_api, "visitor-page-views", "id,createdAt", limit=37, orderBy="id ASC")
    ids = [r["id"] for a in answers for r in a.json()["values"]]
    assert ids == sorted(table.rows)
    assert len(answers) == -(-len(table.rows) // 37)
    assert answers[-1].json()["nextPageToken"] is None


def test_the_sequence_cap_ends_a_sequence_with_warning_203_while_rows_are_left(
    v5_api: RawApi, admin: SimAdmin, sim: Simulator
) -> None:
    admin.post("/_sim/settings", {"v5": {"sequence_cap": 50}})
    answers = all_pages(v5_api, "visitor-page-views", "id", limit=20, orderBy="id ASC")
    ids = [r["id"] for a in answers for r in a.json()["values"]]
    assert len(ids) == 60  # three pages: the one reaching 50 rows has no token
    assert answers[-1].headers[CAP_HEADER].startswith("203;")
    assert all(CAP_HEADER not in a.headers for a in answers[:-1])
    rest = get(v5_api, "visitor-page-views", fields="id", idGreaterThan=ids[-1], limit=1000)
    assert len(rest.json()["values"]) == len(sim.account().store.table("visitorPageView")) - 60


def test_a_token_takes_fields_only_lives_four_hours_and_must_be_known(
    v5_api: RawApi, admin: SimAdmin
) -> None:
    first = get(v5_api, "folders", fields="id", limit=2).json()
    url = first["nextPageUrl"]
    extra = v5_api.call("GET", url, params={"fields": "id", "limit": 5})
    assert extra.status_code == 400
    assert "limit" in extra.json()["message"]
    invalid = get(v5_api, "folders", fields="id", nextPageToken="not-a-token")
    assert (invalid.status_code, invalid.json()["code"]) == (400, 211)
    admin.post("/_sim/settings", {"v5": {"token_ttl_seconds": 60}})
    admin.advance(61)
    v5_api.refresh()
    expired = v5_api.call("GET", url, params={"fields": "id"})
    assert (expired.status_code, expired.json()["code"]) == (400, 210)


def test_deleted_rows_come_only_when_asked(v5_api: RawApi, sim: Simulator) -> None:
    table = sim.account().store.table("landingPage")
    assert table.deleted
    live = {r["id"] for r in get(v5_api, "landing-pages", fields="id,isDeleted",
                                 limit=1000).json()["values"]}  # fmt: skip
    every = get(v5_api, "landing-pages", fields="id,isDeleted", limit=1000, deleted="all")
    gone = get(v5_api, "landing-pages", fields="id,isDeleted", limit=1000, deleted="true")
    assert live == set(table.rows) - table.deleted
    assert {r["id"] for r in every.json()["values"]} == set(table.rows)
    assert {r["id"]: r["isDeleted"] for r in gone.json()["values"]} == dict.fromkeys(
        table.deleted, True
    )
    no_bin = get(v5_api, "folders", fields="id", deleted="all")
    assert no_bin.status_code == 400


def test_filters_are_strict_or_inclusive_by_name_and_at_most_three(
    v5_api: RawApi, sim: Simulator
) -> None:
    table = sim.account().store.table("listEmail")
    tie = sim.facts[sim.config()["business_unit_id"]]["v5"]["tie_second"]
    on_tie = {i for i, r in table.rows.items() if r[table.position["updated_at"]] == tie}
    assert len(on_tie) >= 2
    stamp = datetime.fromtimestamp(tie, timezone.utc).isoformat()

    def ids(**params: Any) -> set[int]:
        answer = get(v5_api, "list-emails", fields="id", limit=1000, deleted="all", **params)
        assert answer.status_code == 200, answer.text
        return {r["id"] for r in answer.json()["values"]}

    after = ids(updatedAtAfter=stamp)
    from_on = ids(updatedAtAfterOrEqualTo=stamp)
    assert on_tie <= from_on
    assert not on_tie & after
    assert from_on - after == on_tie
    too_many = get(v5_api, "visitor-page-views", fields="id", idGreaterThan=0, visitorId=1,
                   createdAtAfter=stamp, visitIdGreaterThan=0)  # fmt: skip
    assert (too_many.status_code, too_many.json()["code"]) == (400, 209)
    no_filter = get(v5_api, "folders", fields="id", updatedAtAfter=stamp)
    assert no_filter.status_code == 400  # folders filter on id and parentFolderId only


@pytest.mark.parametrize("order", ["id", "id_desc"])
def test_rows_sharing_the_order_value_come_by_id_either_way(
    v5_api: RawApi, admin: SimAdmin, sim: Simulator, order: str
) -> None:
    admin.post("/_sim/switches", {"v5_tie_order": order})
    answers = all_pages(v5_api, "form-fields", "id,updatedAt", limit=3,
                        orderBy="updatedAt ASC")  # fmt: skip
    rows = [r for a in answers for r in a.json()["values"]]
    table = sim.account().store.table("formField")
    assert sorted(r["id"] for r in rows) == sorted(table.rows)
    stamps = [datetime.fromisoformat(r["updatedAt"]) for r in rows]
    assert stamps == sorted(stamps)
    tie = sim.facts[sim.config()["business_unit_id"]]["v5"]["tie_second"]
    tied = [r["id"] for r in rows if datetime.fromisoformat(r["updatedAt"]).timestamp() == tie]
    assert len(tied) > 3
    assert tied == sorted(tied, reverse=order == "id_desc")


@pytest.mark.parametrize("shape", ["object", "values"])
def test_the_account_is_one_record_with_the_live_call_counts(
    v5_api: RawApi, admin: SimAdmin, shape: str
) -> None:
    admin.post("/_sim/switches", {"v5_account_answer": shape})
    fields = ",".join(V5_OBJECTS["account"].request_fields())
    body = get(v5_api, "account", fields=fields).json()
    record = body["values"][0] if shape == "values" else body
    assert record["id"] == 1
    assert record["maximumDailyApiCalls"] == 100_000
    assert record["apiCallsUsed"] >= 1


def test_structured_fields_come_whole_or_by_the_parts_asked(v5_api: RawApi) -> None:
    fields = "id,businessHours,schedule,recipientListIds"
    programs = get(v5_api, "engagement-studio-programs", fields=fields).json()["values"]
    assert isinstance(programs[0]["businessHours"]["days"], list)
    assert all(isinstance(i, int) for p in programs for i in p["recipientListIds"])
    emails = get(v5_api, "list-emails", fields="id,senderOptions.type,senderOptions.userId")
    options = [o for r in emails.json()["values"] for o in r["senderOptions"]]
    assert options
    assert all(set(o) == {"type", "userId"} for o in options)


@pytest.mark.parametrize("scale", ["tiny", "demo"])
def test_each_scale_has_the_v5_objects_it_names(scale: str) -> None:
    with Simulator(seed=3, scale=scale, start=FIXED_START) as sim:
        facts = sim.facts[sim.config()["business_unit_id"]]["v5"]
        for name, count in COUNTS[scale].items():
            assert facts["counts"][name] == count
        store = sim.account().store
        for obj in V5_OBJECTS.values():
            table = store.table(obj.spec.name)
            assert list(table.columns) == columns_of(obj)
            assert len(table) > 0, obj.stream
        assert len(store.table("listEmail")) == len(store.table("email"))
        variations = store.table("dynamicContentVariation")
        parents = {r[variations.position["dynamic_content_id"]] for r in variations.rows.values()}
        assert parents == set(store.table("dynamicContent").rows)


def test_an_unknown_v5_collection_answers_in_the_v5_shape(v5_api: RawApi) -> None:
    answer = get(v5_api, "no-such-things", fields="id")
    assert answer.status_code == 404
    assert set(answer.json()) == {"code", "message"}


def test_mutations_change_v5_objects_for_incremental_runs(own_sim: Simulator) -> None:
    admin = SimAdmin(own_sim)
    bu = own_sim.config()["business_unit_id"]
    before = len(own_sim.account().store.table("landingPage"))
    body = {"seed": 9, "updates": 2, "inserts": 1, "objects": ["landingPage"]}
    changed = admin.post(f"/_sim/accounts/{bu}/mutate", body)
    assert len(changed["landingPage.updated"]) == 2
    assert len(own_sim.account().store.table("landingPage")) == before + 1
    records = admin.records("landingPage", ids=",".join(map(str, changed["landingPage"])))
    assert all(r["updated_at"].endswith("+00:00") for r in records)  # read as instants
    admin.close()
