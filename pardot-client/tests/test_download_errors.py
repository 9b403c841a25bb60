"""Downloads whose answer is a Pardot error sent with HTTP 200 (switches v34_error_status,
concurrency_status, token_invalid_status): the client must not hand the error on as the file."""

from __future__ import annotations

from typing import Any

import pytest

from pardot_client import PardotApiError, PardotClient, job_status
from pardot_sim.testing import SimAdmin

BODY = {
    "object": "visitorActivity",
    "fields": ["id", "updated_at"],
    "procedure": {"name": "filter_by_updated_at", "arguments": {"updated_after": "2026-09-01"}},
}


def _result_url(client: PardotClient, admin: SimAdmin) -> str:
    created = job_status(client.post_json("/api/export/version/{version}/do/create", BODY))
    admin.advance(3600)
    done = job_status(client.get_json(f"/api/export/version/{{version}}/do/read/id/{created.id}"))
    return done.result_refs[0]


@pytest.mark.parametrize(
    ("switches", "code"),
    [
        ({"concurrency_status": 200}, 66),
        ({"v34_error_status": "200"}, 66),
        ({"v34_error_status": "200"}, 183),
        ({"token_invalid_status": 200}, 184),
    ],
)
def test_an_error_answered_with_200_to_a_download_is_retried(
    client: PardotClient, admin: SimAdmin, switches: dict[str, Any], code: int
) -> None:
    url = _result_url(client, admin)
    admin.post("/_sim/switches", switches)
    admin.post(
        "/_sim/faults",
        {"script": [{"kind": "error", "code": code, "path": "/downloadResults/", "count": 1}]},
    )
    with client.download(url) as response:
        assert response.content.startswith(b"id,updated_at\r\n")
    assert admin.get("/_sim/state")["faults"]["injected"] == {"error": 1}


def test_a_json_answer_where_a_file_was_expected_is_an_error(
    client: PardotClient, admin: SimAdmin
) -> None:
    created = job_status(client.post_json("/api/export/version/{version}/do/create", BODY))
    read = client.url(f"/api/export/version/{{version}}/do/read/id/{created.id}?format=json")
    with pytest.raises(PardotApiError, match="where a file was expected"):
        client.download(read)
