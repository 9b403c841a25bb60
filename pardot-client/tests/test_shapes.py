"""The client reads every variant of the unconfirmed response shapes, served by the simulator."""

from __future__ import annotations

from typing import Any

import pytest

from pardot_client import PardotClient, job_status, query_records
from pardot_sim.testing import SimAdmin

CREATE = "/api/export/version/{version}/do/create"
BODY = {
    "object": "visitorActivity",
    "fields": ["id", "updated_at"],
    "procedure": {"name": "filter_by_updated_at", "arguments": {"updated_after": "2026-09-01"}},
}


@pytest.mark.parametrize(
    "switches",
    [
        {"export_envelope": "wrapped"},
        {"export_envelope": "unwrapped"},
        {"export_envelope": "wrapped", "export_attributes": True},
        {"export_envelope": "unwrapped", "export_attributes": True},
    ],
)
def test_export_envelopes(client: PardotClient, admin: SimAdmin, switches: dict[str, Any]) -> None:
    admin.post("/_sim/switches", switches)
    created = job_status(client.post_json(CREATE, BODY))
    assert created.state == "Waiting"
    assert created.result_refs == ()
    admin.advance(3600)
    done = job_status(client.get_json(f"/api/export/version/{{version}}/do/read/id/{created.id}"))
    assert done.state == "Complete"
    assert len(done.result_refs) >= 2
    assert all("/downloadResults/" in ref for ref in done.result_refs)


@pytest.mark.parametrize("mode", ["array", "like_v4"])
def test_v5_result_refs_one_file(client: PardotClient, admin: SimAdmin, mode: str) -> None:
    admin.post("/_sim/switches", {"v5_result_refs": mode})
    admin.post("/_sim/settings", {"export": {"min_files": 1}})
    body = {
        "object": "externalActivity",
        "fields": ["id", "createdAt"],
        "procedure": {"name": "filter_by_created_at", "arguments": {"created_after": "2026-07-01"}},
    }
    created = job_status(client.post_json("/api/v5/exports", body))
    admin.advance(3600)
    raw = client.get_json(f"/api/v5/exports/{created.id}")
    assert isinstance(raw["resultRefs"], list if mode == "array" else str)
    done = job_status(raw)
    assert len(done.result_refs) == 1
    with client.download(done.result_refs[0]) as response:
        assert response.content.startswith(b"id,createdAt")


@pytest.mark.parametrize("mode", ["null", "empty", "absent"])
def test_empty_bulk_pages_read_as_no_records(
    client: PardotClient, admin: SimAdmin, mode: str
) -> None:
    admin.post("/_sim/switches", {"bulk_empty_result": mode})
    data = client.get_json(
        "/api/campaign/version/{version}/do/query",
        params={"output": "bulk", "id_greater_than": 10**9},
    )
    assert query_records(data, "campaign") == []


def test_one_record_reads_as_a_list_of_one(client: PardotClient, admin: SimAdmin) -> None:
    first = admin.records("campaign")[0]["id"]
    data = client.get_json(
        "/api/campaign/version/{version}/do/query",
        params={"id_greater_than": first - 1, "id_less_than": first + 1},
    )
    assert [r["id"] for r in query_records(data, "campaign")] == [first]


@pytest.mark.parametrize("mode", ["documented", "snake"])
def test_custom_fields_are_read_under_either_result_key(
    client: PardotClient, admin: SimAdmin, mode: str
) -> None:
    from pardot_client.catalog import FieldType
    from pardot_client.custom_fields import custom_prospect_fields

    admin.post("/_sim/switches", {"query_result_key": mode})
    fields = custom_prospect_fields(client)
    assert fields["seat_count__c"] is FieldType.NUMBER
    # a Checkbox field holds the labels of the boxes ticked (several at once): text, not a flag
    assert fields["newsletter_opt_in__c"] is FieldType.STRING
    assert fields["renewal_date__c"] is FieldType.DATE
    assert fields["favorite_color__c"] is FieldType.STRING
