"""Each switch for an unconfirmed behaviour changes what the simulator answers."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from pardot_sim import Simulator
from pardot_sim.testing import RawApi, SimAdmin

CREATE = "/api/export/version/4/do/create?format=json"


def export_body(**arguments: str) -> dict[str, Any]:
    return {
        "object": "visitorActivity",
        "fields": ["id", "updated_at"],
        "procedure": {"name": "filter_by_updated_at", "arguments": arguments},
    }


def err(response: Any) -> int:
    return int(response.json()["@attributes"]["err_code"])


def test_code_switches(api: RawApi, admin: SimAdmin) -> None:
    too_long = export_body(
        updated_after="2025-06-01 00:00:00", updated_before="2026-11-01 00:00:00"
    )
    unknown = {**export_body(updated_after="2026-10-01 00:00:00"), "fields": ["id", "nope"]}
    assert err(api.call("POST", CREATE, json=too_long)) == 177
    assert err(api.call("POST", CREATE, json=unknown)) == 130
    admin.post("/_sim/switches", {"range_error_code": 224, "unknown_field_code": 224})
    assert err(api.call("POST", CREATE, json=too_long)) == 224
    assert err(api.call("POST", CREATE, json=unknown)) == 224


def test_expired_download_code_switch(api: RawApi, admin: SimAdmin) -> None:
    admin.post("/_sim/switches", {"expired_download_code": 404})
    export = api.call("POST", CREATE, json=export_body(updated_after="2026-10-01 00:00:00")).json()
    admin.advance(3600)
    read = api.call("GET", f"/api/export/version/4/do/read/id/{export['export']['id']}?format=json")
    url = read.json()["export"]["resultRefs"][0]
    admin.advance(8 * 24 * 3600)
    assert err(api.call("GET", url + "?format=json")) == 404


@pytest.mark.parametrize(("mode", "shift"), [("user", 0), ("utc", 5 * 3600)])
def test_naive_input_timezone(
    api: RawApi, admin: SimAdmin, sim: Simulator, mode: str, shift: int
) -> None:
    """The same wall-time bound selects rows 5 hours apart when read as UTC (New York, EST)."""
    admin.post("/_sim/switches", {"naive_input_timezone": mode})
    export = api.call("POST", CREATE, json=export_body(updated_after="2026-11-20 00:00:00")).json()[
        "export"
    ]
    admin.advance(3600)
    read = api.call("GET", f"/api/export/version/4/do/read/id/{export['id']}?format=json")
    ids = set()
    for url in read.json()["export"]["resultRefs"]:
        rows = list(csv.reader(io.StringIO(api.call("GET", url).text)))[1:]
        ids |= {int(r[0]) for r in rows}
    from pardot_client.dates import parse_utc

    bound = parse_utc("2026-11-20T05:00:00Z").timestamp() - shift
    expected = {
        r["id"]
        for r in admin.records("visitorActivity", deleted="false")
        if bound < parse_utc(r["updated_at"]).timestamp() < export_created(sim, export)
    }
    assert ids == expected


def export_created(sim: Simulator, export: dict[str, Any]) -> float:
    return sim.exports.jobs[export["id"]].created_at


@pytest.mark.parametrize(("mode", "utc_hour"), [("earlier", "05"), ("later", "06")])
def test_ambiguous_input(
    api: RawApi, admin: SimAdmin, sim: Simulator, mode: str, utc_hour: str
) -> None:
    admin.post("/_sim/switches", {"ambiguous_input": mode})
    export = api.call("POST", CREATE, json=export_body(updated_after="2026-11-01 01:30:00")).json()[
        "export"
    ]
    job = sim.exports.jobs[export["id"]]
    from datetime import datetime, timezone

    assert (
        datetime.fromtimestamp(job.after or 0, timezone.utc).strftime("%H:%M") == f"{utc_hour}:30"
    )


@pytest.mark.parametrize(("mode", "status"), [("accepted", 200), ("rejected", 400)])
def test_input_offsets(api: RawApi, admin: SimAdmin, mode: str, status: int) -> None:
    admin.post("/_sim/switches", {"input_offsets": mode})
    body = export_body(updated_after="2026-11-01T01:30:00-04:00")
    answer = api.call("POST", CREATE, json=body)
    assert answer.status_code == status
    if mode == "rejected":
        assert "Invalid procedure argument" in answer.text


def test_input_offsets_rejected_concerns_v3_v4_only(api: RawApi, admin: SimAdmin) -> None:
    """v5 bounds are ISO 8601 with an offset by definition, whatever v3/v4 accept."""
    admin.post("/_sim/switches", {"input_offsets": "rejected"})
    body = {
        "object": "externalActivity",
        "fields": ["id", "createdAt"],
        "procedure": {
            "name": "filter_by_created_at",
            "arguments": {"created_after": "2026-07-01T00:00:00-04:00"},
        },
    }
    assert api.call("POST", "/api/v5/exports", json=body).status_code == 201


@pytest.mark.parametrize(("mode", "header"), [("camel", "prospectId"), ("snake", "prospect_id")])
def test_v5_csv_header(api: RawApi, admin: SimAdmin, mode: str, header: str) -> None:
    admin.post("/_sim/switches", {"v5_csv_header": mode})
    body = {
        "object": "externalActivity",
        "fields": ["id", "prospectId"],
        "procedure": {"name": "filter_by_created_at", "arguments": {"created_after": "2026-07-01"}},
    }
    export = api.call("POST", "/api/v5/exports", json=body).json()
    admin.advance(3600)
    refs = api.call("GET", f"/api/v5/exports/{export['id']}").json()["resultRefs"]
    assert api.call("GET", refs[0]).text.splitlines()[0] == f"id,{header}"


@pytest.mark.parametrize(
    ("mode", "key"), [("documented", "customField"), ("snake", "custom_field")]
)
def test_query_result_key(api: RawApi, admin: SimAdmin, mode: str, key: str) -> None:
    admin.post("/_sim/switches", {"query_result_key": mode})
    data = api.call("GET", "/api/customField/version/4/do/query?format=json&limit=2").json()
    assert key in data["result"]


def test_legacy_login_retired(sim: Simulator, admin: SimAdmin) -> None:
    import requests

    form = {"email": "api-user@example.com", "password": "sim-password",
            "user_key": "0123456789abcdef0123456789abcdef"}  # fmt: skip
    with requests.Session() as session:
        ok = session.post(sim.url + "/api/login/version/4?format=json", data=form, timeout=10)
        assert ok.json()["api_key"].startswith("sim-key-")
        admin.post("/_sim/switches", {"legacy_login_retired": True})
        retired = session.post(sim.url + "/api/login/version/4?format=json", data=form, timeout=10)
    assert retired.json()["@attributes"]["err_code"] == 199
