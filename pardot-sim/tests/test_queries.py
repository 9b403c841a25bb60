"""Query endpoints: high-water-mark paging, strict bounds, shape quirks, every object."""

from __future__ import annotations

from typing import Any

import pytest

from pardot_client.catalog import CATALOG
from pardot_client.dates import format_pardot_datetime, parse_utc
from pardot_sim import Simulator
from pardot_sim.testing import RawApi, SimAdmin


def query(api: RawApi, obj: str, **params: Any) -> Any:
    response = api.call(
        "GET", f"/api/{obj}/version/4/do/query", params={"format": "json", **params}
    )
    assert response.status_code == 200, response.text
    return response.json()


def records(result: Any, key: str) -> list[dict[str, Any]]:
    if not result:
        return []
    found = result.get(key)
    if found is None:
        return []
    return [found] if isinstance(found, dict) else list(found)


def test_id_high_water_mark_paging_returns_every_row_once(api: RawApi, admin: SimAdmin) -> None:
    stored = [r["id"] for r in admin.records("visitorActivity", deleted="false")]
    seen: list[int] = []
    mark = 0
    for _ in range(1000):
        page = records(query(api, "visitorActivity", output="bulk", sort_by="id",
                             sort_order="ascending", id_greater_than=mark)["result"],
                       "visitor_activity")  # fmt: skip
        seen += [r["id"] for r in page]
        if len(page) < 200:
            break
        mark = page[-1]["id"]
    assert seen == sorted(stored)


def test_strict_updated_after_skips_the_rest_of_a_tied_second(
    api: RawApi, admin: SimAdmin, sim: Simulator
) -> None:
    facts = admin.get(f"/_sim/accounts/{sim.config()['business_unit_id']}/facts")
    tie = facts["tie_second"]
    wall = format_pardot_datetime(parse_utc(_iso(tie)), sim.timezone)
    answer = query(
        api, "prospect", output="bulk", sort_by="updated_at", sort_order="ascending",
        updated_after=wall,
    )  # fmt: skip
    page = records(answer["result"], "prospect")
    assert page and all(r["updated_at"] > wall for r in page)


def _iso(epoch: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()


def test_one_result_is_an_object_and_none_is_no_key(api: RawApi, admin: SimAdmin) -> None:
    first = admin.records("campaign")[0]["id"]
    one = query(api, "campaign", id_greater_than=first - 1, id_less_than=first + 1)["result"]
    assert one["total_results"] == 1
    assert isinstance(one["campaign"], dict)
    none = query(api, "campaign", id_greater_than=10**9)["result"]
    assert none == {"total_results": 0}


@pytest.mark.parametrize(("mode", "expected"), [("null", None), ("empty", {}), ("absent", "n/a")])
def test_empty_bulk_page_variants(api: RawApi, admin: SimAdmin, mode: str, expected: Any) -> None:
    admin.post("/_sim/switches", {"bulk_empty_result": mode})
    data = query(api, "campaign", output="bulk", id_greater_than=10**9)
    assert data.get("result", "n/a") == expected


def test_bulk_output_omits_total_results(api: RawApi) -> None:
    result = query(api, "campaign", output="bulk", limit=3)["result"]
    assert "total_results" not in result
    assert len(result["campaign"]) == 3


@pytest.mark.parametrize(
    ("params", "code"),
    [({"limit": 201}, 23), ({"sort_by": "colour"}, 19), ({"sort_order": "up"}, 20),
     ({"offset": -1}, 21), ({"created_after": "not a date"}, 7)],
)  # fmt: skip
def test_parameter_errors(api: RawApi, params: dict[str, Any], code: int) -> None:
    response = api.call("GET", "/api/campaign/version/4/do/query",
                        params={"format": "json", **params})  # fmt: skip
    assert response.json()["@attributes"]["err_code"] == code


def test_every_query_object_answers(api: RawApi) -> None:
    for spec in CATALOG.values():
        if spec.query is None or spec.query.offset_paging_only:
            continue
        result = query(api, spec.query.url_name, output="bulk", limit=5)["result"]
        assert result, spec.name
        assert records(result, spec.query.result_key), spec.name


def test_visits_take_id_lists_and_offset(api: RawApi, admin: SimAdmin) -> None:
    visits = admin.records("visit")
    visitor_ids = sorted({v["visitor_id"] for v in visits})[:3]
    result = query(api, "visit", visitor_ids=",".join(map(str, visitor_ids)))["result"]
    got = records(result, "visit")
    assert {v["visitor_id"] for v in got} <= set(visitor_ids)
    assert len(got) == len([v for v in visits if v["visitor_id"] in visitor_ids][:200])
    missing = api.call("GET", "/api/visit/version/4/do/query", params={"format": "json"})
    assert missing.json()["@attributes"]["err_code"] == 5


def test_deleted_rows_need_deleted_all(api: RawApi, admin: SimAdmin) -> None:
    deleted = [r["id"] for r in admin.records("prospect", deleted="true")]
    assert deleted
    target = deleted[0]
    plain = query(api, "prospect", id_greater_than=target - 1, id_less_than=target + 1)
    assert plain["result"]["total_results"] == 0
    every = query(
        api, "prospect", id_greater_than=target - 1, id_less_than=target + 1, deleted="all"
    )
    assert every["result"]["prospect"]["id"] == target


def test_email_reads(api: RawApi, admin: SimAdmin) -> None:
    email = admin.records("email")[0]
    read = api.call("GET", f"/api/email/version/4/do/read/id/{email['id']}?format=json").json()
    assert read["email"]["id"] == email["id"]
    stats = api.call("GET", f"/api/email/version/4/do/stats/id/{email['id']}?format=json").json()
    assert stats["stats"]["sent"] >= stats["stats"]["delivered"]
    listing = api.call("GET", "/api/emailTemplate/version/4/do/listOneToOne?format=json")
    assert listing.json()["emailTemplates"]["count"] >= 1
