"""One retry layer: each retry is one log line, and failures that cannot heal stop at once.

Before this layer was flattened, a call whose token could not be fetched retried the token
inside the call's own retries (`max_tries: 2` made 4 token attempts, each logged twice, and
"Giving up" four times at ERROR), and a wrong `login_url` kept a run retrying for minutes.
"""

from __future__ import annotations

import logging
import time

import pytest

from pardot_client import PardotAuthError, PardotClient, PardotConfigError, PardotRetryableError
from pardot_client.calls import CallBudgetSpentError
from pardot_sim import Simulator
from pardot_sim.testing import SimAdmin, client_settings

QUERY = "/api/campaign/version/{version}/do/query"
CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens there


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.levelname} {r.name}: {r.getMessage()}" for r in caplog.records]


def test_an_unreachable_login_host_fails_at_once_naming_login_url(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    client = PardotClient(client_settings(sim, login_url=CLOSED, max_tries=2))
    caplog.set_level(logging.DEBUG)
    began = time.monotonic()
    with pytest.raises(PardotConfigError) as info:
        client.get_json(QUERY)
    assert time.monotonic() - began < 5
    text = str(info.value)
    assert "127.0.0.1:9" in text
    assert "login_url" in text
    assert "connection refused" in text
    assert client.calls.snapshot() == {"oauth.token": 1}
    assert not [m for m in _messages(caplog) if "Giving up" in m or " backoff:" in m]


def test_a_login_host_that_does_not_resolve_fails_at_once(sim: Simulator) -> None:
    client = PardotClient(client_settings(sim, login_url="https://login.invalid", max_tries=5))
    with pytest.raises(PardotConfigError) as info:
        client.get_json(QUERY)
    text = str(info.value)
    assert "login.invalid" in text
    assert "does not resolve" in text
    assert "login_url" in text
    assert client.calls.snapshot() == {"oauth.token": 1}


def test_an_unreachable_api_host_fails_at_once_naming_base_url(sim: Simulator) -> None:
    client = PardotClient(client_settings(sim, base_url=CLOSED, max_tries=3))
    with pytest.raises(PardotConfigError, match="base_url") as info:
        client.get_json(QUERY)
    assert "connection refused" in str(info.value)
    assert client.calls.snapshot() == {"campaign.query": 1, "oauth.token": 1}


def test_a_4xx_from_the_token_endpoint_is_not_retried(sim: Simulator) -> None:
    client = PardotClient(client_settings(sim, login_url=sim.url + "/not-salesforce", max_tries=4))
    with pytest.raises(PardotAuthError, match="HTTP 404"):
        client.get_json(QUERY)
    assert client.calls.snapshot() == {"oauth.token": 1}


def test_a_token_outage_is_retried_in_one_layer_with_one_line_per_retry(
    sim: Simulator, admin: SimAdmin, caplog: pytest.LogCaptureFixture
) -> None:
    admin.post("/_sim/faults", {"script": [{"kind": "503", "path": "oauth2", "count": 50}]})
    client = PardotClient(client_settings(sim, max_tries=2))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(PardotRetryableError) as info:
        client.get_json(QUERY)
    assert client.calls.snapshot() == {"oauth.token": 2}
    messages = _messages(caplog)
    retries = [m for m in messages if "Retrying in" in m]
    assert len(retries) == 1, messages
    assert not [m for m in messages if m.startswith("ERROR")], messages
    assert not [m for m in messages if " backoff:" in m], messages
    assert "gave up after 2 tries" in str(info.value)


def test_a_transient_api_failure_is_one_line_per_retry(
    sim: Simulator, admin: SimAdmin, caplog: pytest.LogCaptureFixture
) -> None:
    admin.post("/_sim/faults", {"script": [{"kind": "503", "path": "campaign", "count": 2}]})
    client = PardotClient(client_settings(sim, max_tries=4))
    caplog.set_level(logging.DEBUG)
    assert client.get_json(QUERY, params={"limit": 1})["result"]["total_results"] > 0
    retries = [m for m in _messages(caplog) if "Retrying in" in m]
    assert len(retries) == 2
    assert all(m.startswith("WARNING pardot_client:") for m in retries)


def test_the_call_budget_stops_before_the_call_past_it(sim: Simulator) -> None:
    client = PardotClient(client_settings(sim, max_api_calls=3))
    client.get_json(QUERY, params={"limit": 1})  # the token and one query
    client.get_json(QUERY, params={"limit": 1})
    with pytest.raises(CallBudgetSpentError) as info:
        client.get_json(QUERY, params={"limit": 1})
    assert client.calls.total == 3
    text = str(info.value)
    assert "max_api_calls" in text
    assert "3" in text


def test_a_login_url_that_is_no_https_server_fails_at_once(sim: Simulator) -> None:
    """https:// to the simulator's plain-http port: the handshake fails, and cannot heal."""
    login = sim.url.replace("http://", "https://")
    client = PardotClient(client_settings(sim, login_url=login, max_tries=4))
    with pytest.raises(PardotConfigError) as info:
        client.get_json(QUERY)
    assert "TLS handshake" in str(info.value)
    assert "login_url" in str(info.value)
    assert client.calls.snapshot() == {"oauth.token": 1}
