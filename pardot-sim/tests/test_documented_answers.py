"""The simulator answers as the API documents say, where it once answered its own way.

Raw HTTP against the shared simulator; expected values come from the documents
(docs/pardot-api/exports.md#procedures-per-object and
docs/pardot-api/errors.md#other-codes-the-code-meets), expected rows from the simulator's store.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from pardot_sim import Simulator
from pardot_sim.testing import RawApi, SimAdmin

CREATE = "/api/export/version/4/do/create?format=json"


def _export_visitor_ids(api: RawApi, admin: SimAdmin, prospect_deleted: str) -> set[int]:
    payload = {
        "object": "visitor", "fields": ["id", "updated_at"],
        "procedure": {"name": "filter_by_prospect_updated_at", "arguments": {
            "prospect_updated_after": "2026-01-01 00:00:00",  # before every row; now closes it
            "prospect_deleted": prospect_deleted}},
    }  # fmt: skip
    created = api.call("POST", CREATE, json=payload)
    assert created.status_code == 200, created.text
    admin.advance(3600)
    export_id = created.json()["export"]["id"]
    done = api.call("GET", f"/api/export/version/4/do/read/id/{export_id}?format=json")
    refs = done.json()["export"].get("resultRefs") or []
    ids: set[int] = set()
    for url in [refs] if isinstance(refs, str) else refs:
        rows = list(csv.reader(io.StringIO(api.call("GET", url).text)))
        ids |= {int(r[0]) for r in rows[1:]}
    return ids


def test_prospect_deleted_picks_visitors_by_their_prospects_deletion(
    sim: Simulator, api: RawApi, admin: SimAdmin
) -> None:
    store = sim.account().store
    prospects, visitors = store.table("prospect"), store.table("visitor")
    link = visitors.position["prospect_id"]
    live_visitors = {i: r[link] for i, r in visitors.rows.items() if i not in visitors.deleted}
    of_deleted = {i for i, p in live_visitors.items() if p in prospects.deleted}
    of_live = {i for i, p in live_visitors.items() if p is not None and p not in prospects.deleted}
    assert of_deleted, "the data should hold visitors of deleted prospects"

    assert _export_visitor_ids(api, admin, "true") == of_deleted
    assert _export_visitor_ids(api, admin, "false") == of_live
    assert _export_visitor_ids(api, admin, "all") == of_deleted | of_live


@pytest.mark.parametrize(("status", "code"), [("Complete", None), ("Canceled", 5), ("done", 5)])
def test_the_export_query_takes_the_four_documented_states(
    api: RawApi, status: str, code: int | None
) -> None:
    answer = api.call("GET", "/api/export/version/4/do/query",
                      params={"format": "json", "status": status}).json()  # fmt: skip
    if code is None:
        assert "result" in answer
    else:
        assert answer["@attributes"]["err_code"] == code


@pytest.mark.parametrize(
    "path",
    [
        "/api/export/version/4/do/read/id/99999999",
        "/api/email/version/4/do/read/id/99999999",
        "/api/email/version/4/do/stats/id/99999999",
        "/api/emailTemplate/version/4/do/read/id/99999999",
    ],
)
def test_an_unknown_id_answers_the_documented_invalid_id_code(api: RawApi, path: str) -> None:
    answer: dict[str, Any] = api.call("GET", path, params={"format": "json"}).json()
    assert answer["@attributes"]["err_code"] == 16
    assert answer["err"].startswith("Invalid ID")
