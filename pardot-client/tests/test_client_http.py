"""The client against the simulator over real HTTP: errors, retries, limits, versions, counting."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from pardot_client import (
    PardotApiError,
    PardotClient,
    PardotConfigError,
    PardotOutcomeUnknownError,
    PardotQuotaExceededError,
    PardotRetryableError,
)
from pardot_sim import Simulator
from pardot_sim.switches import Switches
from pardot_sim.testing import SimAdmin, client_settings

QUERY = "/api/campaign/version/{version}/do/query"


def test_a_query_returns_the_stored_records(client: PardotClient, admin: SimAdmin) -> None:
    data = client.get_json(QUERY, params={"output": "bulk", "sort_by": "id", "limit": 200})
    got = data["result"]["campaign"]
    stored = admin.records("campaign")
    assert [r["id"] for r in got] == [r["id"] for r in stored][: len(got)]
    assert client.calls.snapshot() == {"campaign.query": 1, "oauth.token": 1}


@pytest.mark.parametrize("status", ["native", "200"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_are_raised_whatever_the_status_and_format(
    client: PardotClient, admin: SimAdmin, status: str, fmt: str
) -> None:
    admin.post("/_sim/switches", {"v34_error_status": status})
    with pytest.raises(PardotApiError) as info:
        client.request("GET", QUERY, params={"limit": 500, "format": fmt})
    assert info.value.code == 23
    assert "Pardot error 23 on campaign.query: Invalid value specified for limit" in str(info.value)


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "error", "code": 66},
        {"kind": "error", "code": 183},
        {"kind": "error", "code": 202},
        {"kind": "500"},
        {"kind": "502"},
        {"kind": "503"},
        {"kind": "429"},
        {"kind": "reset"},
    ],
)
def test_transient_failures_are_retried(
    client: PardotClient, admin: SimAdmin, fault: dict[str, Any]
) -> None:
    admin.post("/_sim/faults", {"script": [{**fault, "path": "campaign", "count": 2}]})
    data = client.get_json(QUERY, params={"limit": 5})
    assert data["result"]["total_results"] > 0
    assert client.calls.snapshot()["campaign.query"] == 3


def test_retries_stop_after_the_bounded_number_of_tries(sim: Simulator, admin: SimAdmin) -> None:
    admin.post("/_sim/faults", {"script": [{"kind": "503", "path": "campaign", "count": 50}]})
    client = PardotClient(client_settings(sim, max_tries=4))
    with pytest.raises(PardotRetryableError, match=r"HTTP 503 on campaign\.query"):
        client.get_json(QUERY)
    assert client.calls.snapshot()["campaign.query"] == 4


def test_a_slow_answer_is_a_read_timeout_that_is_retried(sim: Simulator, admin: SimAdmin) -> None:
    admin.post(
        "/_sim/faults", {"script": [{"kind": "slow", "path": "campaign"}], "slow_seconds": 1.5}
    )
    client = PardotClient(client_settings(sim, read_timeout=0.5))
    assert client.get_json(QUERY, params={"limit": 1})["result"]["total_results"] > 0
    assert client.calls.snapshot()["campaign.query"] == 2


def test_a_failed_post_is_not_repeated_blindly(client: PardotClient, admin: SimAdmin) -> None:
    admin.post("/_sim/faults", {"script": [{"kind": "500", "path": "export"}]})
    body = {"object": "prospect", "procedure": {"name": "filter_by_updated_at",
            "arguments": {"updated_after": "2026-11-01 00:00:00"}}}  # fmt: skip
    with pytest.raises(PardotOutcomeUnknownError, match="may have taken effect"):
        client.post_json("/api/export/version/{version}/do/create", body)
    assert client.calls.snapshot()["export.create"] == 1
    created = client.post_json("/api/export/version/{version}/do/create", body, idempotent=True)
    assert created["export"]["state"] == "Waiting"


@pytest.mark.parametrize("status", [429, 400, 200])
def test_the_daily_limit_stops_with_when_it_resets(
    client: PardotClient, admin: SimAdmin, sim: Simulator, status: int
) -> None:
    admin.post("/_sim/switches", {"daily_limit_status": status})
    admin.post(f"/_sim/accounts/{sim.config()['business_unit_id']}", {"daily_call_limit": 2})
    client.get_json(QUERY, params={"limit": 1})
    client.get_json(QUERY, params={"limit": 1})
    with pytest.raises(PardotQuotaExceededError) as info:
        client.get_json(QUERY, params={"limit": 1})
    text = str(info.value)
    assert "daily API limit is used up (error 122" in text
    assert "It resets at the start of the account's day" in text
    assert "America/New_York" in text
    assert info.value.resets_at is not None
    assert client.calls.snapshot()["campaign.query"] == 3  # not retried


@pytest.mark.parametrize(("account_version", "start_version"), [(3, 4), (4, 3)])
def test_a_version_mismatch_switches_once(
    sim: Simulator, admin: SimAdmin, account_version: int, start_version: int
) -> None:
    admin.post(
        f"/_sim/accounts/{sim.config()['business_unit_id']}", {"api_version": account_version}
    )
    client = PardotClient(client_settings(sim, api_version=start_version))
    assert client.get_json(QUERY, params={"limit": 1})["result"]["total_results"] > 0
    assert client.api_version == account_version
    assert client.calls.snapshot()["campaign.query"] == 2


def test_concurrency_limit_66_is_absorbed_by_retries(sim: Simulator, admin: SimAdmin) -> None:
    admin.post("/_sim/faults", {"script": [{"kind": "slow", "path": "campaign", "count": 5}],
                                "slow_seconds": 0.6})  # fmt: skip
    client = PardotClient(client_settings(sim, backoff_base_seconds=0.2))
    results: list[int] = []
    errors: list[BaseException] = []

    def query() -> None:
        try:
            results.append(client.get_json(QUERY, params={"limit": 1})["result"]["total_results"])
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=query) for _ in range(7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(results) == 7
    calls = admin.calls()["by_kind"]["campaign.query"]
    assert calls > 7  # some were answered 66 and sent again


def test_credentials_go_only_to_pardot_hosts(client: PardotClient) -> None:
    with pytest.raises(PardotConfigError, match="Refusing to send Pardot credentials"):
        client.download("https://evil.example.com/file.csv")
    with pytest.raises(PardotConfigError, match="Refusing"):
        client.download("http://www.pardot.com/file.csv")


def test_every_switch_variant_keeps_a_query_working(sim: Simulator, admin: SimAdmin) -> None:
    for name, variants in Switches.variants().items():
        for variant in variants:
            admin.post("/_sim/switches", {name: variant})
            client = PardotClient(client_settings(sim))
            data = client.get_json(QUERY, params={"limit": 2, "output": "bulk"})
            assert len(data["result"]["campaign"]) == 2, (name, variant)
        admin.post("/_sim/switches", {name: getattr(Switches(), name)})


def test_multipart_post_and_patch_reach_the_import_api(client: PardotClient) -> None:
    import json

    body = {"operation": "Upsert", "object": "Prospect"}
    data = b"email,first_name\nmultipart.client@example.com,Ann\n"
    created = client.post_files(
        "/api/import/version/{version}/do/create",
        {"importInput": (None, json.dumps(body), "application/json"),
         "importFile": ("part.csv", data, "text/csv")},
        idempotent=True,
    )  # fmt: skip
    assert created["state"] == "Open"
    path = f"/api/import/version/{{version}}/do/batch/id/{created['id']}"
    assert client.post_files(path, {"importFile": ("p2.csv", data, "text/csv")}) is None
    ready = client.patch_json(
        f"/api/import/version/{{version}}/do/update/id/{created['id']}", {"state": "Ready"}
    )
    assert ready == {"id": created["id"], "state": "Waiting", "isExpired": False}
    assert client.calls.snapshot()["import.batch"] == 1
    assert client.calls.snapshot()["import.update"] == 1


def test_calls_between_reports_only_what_was_called_in_between() -> None:
    from pardot_client.calls import calls_between

    before = {"export.create": 2, "export.read": 5}
    after = {"export.create": 3, "export.read": 5, "export.downloadResults": 4}
    assert calls_between(before, after) == "5 API calls (export.create 1, export.downloadResults 4)"
    assert calls_between(after, after) == "0 API calls"
