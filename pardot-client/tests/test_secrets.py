"""Secrets never reach logs, exception texts or reprs: proven by grepping what was captured."""

from __future__ import annotations

import logging

import pytest

from pardot_client import PardotAuthError, PardotClient, PardotError, install_redaction
from pardot_client.secrets import MASK, REGISTRY
from pardot_sim import Simulator
from pardot_sim.accounts import DEMO_CLIENT_SECRET, DEMO_PASSWORD, DEMO_REFRESH_TOKEN, DEMO_USERNAME
from pardot_sim.testing import SimAdmin, client_settings


def test_no_secret_in_debug_logs_errors_or_reprs(
    sim: Simulator, admin: SimAdmin, caplog: pytest.LogCaptureFixture
) -> None:
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        client = PardotClient(client_settings(sim))
        client.get_json("/api/campaign/version/{version}/do/query", params={"limit": 1})
        admin.post("/_sim/tokens/revoke")
        admin.post("/_sim/faults", {"script": [{"kind": "500", "path": "campaign", "count": 2}]})
        client.get_json("/api/campaign/version/{version}/do/query", params={"limit": 1})
        for bad in (
            client_settings(sim, refresh_token="bad-refresh-token-1"),
            client_settings(sim, client_secret="bad-client-secret-1"),
            client_settings(sim, refresh_token=None, username=DEMO_USERNAME, password="bad-pw-123"),
        ):
            with pytest.raises(PardotAuthError) as info:
                PardotClient(bad).get_json("/api/campaign/version/{version}/do/query")
            texts += [str(info.value), repr(info.value)]
        texts += [repr(client), repr(client.settings), str(client.settings)]
    tokens = list(sim.app.org.access_tokens)
    captured = caplog.text + "\n".join(texts) + "\n".join(r.getMessage() for r in caplog.records)
    assert "Retrying" in captured and "urllib3" in caplog.text  # logs were really captured
    secrets = [DEMO_CLIENT_SECRET, DEMO_REFRESH_TOKEN, DEMO_PASSWORD, "bad-refresh-token-1",
               "bad-client-secret-1", "bad-pw-123", *tokens]  # fmt: skip
    assert tokens
    for secret in secrets:
        assert secret not in captured, f"a secret leaked: {secret[:4]}..."


def test_an_error_echoing_a_secret_is_scrubbed(sim: Simulator, admin: SimAdmin) -> None:
    client = PardotClient(client_settings(sim))
    client.get_json("/api/campaign/version/{version}/do/query", params={"limit": 1})
    with pytest.raises(PardotError) as info:
        client.get_json(
            "/api/campaign/version/{version}/do/query",
            params={"limit": 1, "created_after": DEMO_REFRESH_TOKEN},
        )
    assert DEMO_REFRESH_TOKEN not in str(info.value)


def test_installed_redaction_scrubs_every_logger_and_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Records of loggers the client never touches (urllib3's connection lines, the SDK's, a
    # plugin's own) are scrubbed where they are made, whatever handler formats them.
    secret = "installed-redaction-secret-42"
    REGISTRY.add(secret)
    install_redaction()
    install_redaction()  # twice is harmless: one scrub per record
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("urllib3.connectionpool").debug('"GET /x?key=%s HTTP/1.1" 200', secret)
        logging.getLogger("singer_sdk.metrics").info("config %s", {"client_secret": secret})
        try:
            raise ValueError(f"refused {secret}")
        except ValueError:
            logging.getLogger("some.plugin").exception("failed")
    assert [r.name for r in caplog.records] == [
        "urllib3.connectionpool", "singer_sdk.metrics", "some.plugin"
    ]  # fmt: skip
    assert secret not in caplog.text
    assert caplog.text.count(MASK) == 3
    assert "ValueError: refused **********" in caplog.text
