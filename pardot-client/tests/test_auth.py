"""Every grant, token refresh on 401 and on 184 under any status, and clear auth errors."""

from __future__ import annotations

import logging

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pardot_client import PardotAuthError, PardotClient, PardotTokenInvalidError
from pardot_sim import Simulator
from pardot_sim.accounts import DEMO_PASSWORD, DEMO_USER_KEY, DEMO_USERNAME
from pardot_sim.testing import SimAdmin, client_settings

QUERY = "/api/campaign/version/{version}/do/query"


def _query(client: PardotClient) -> int:
    total: int = client.get_json(QUERY, params={"limit": 1})["result"]["total_results"]
    return total


def test_refresh_token_grant(client: PardotClient) -> None:
    assert _query(client) > 0


def test_password_grant(sim: Simulator) -> None:
    client = PardotClient(
        client_settings(sim, refresh_token=None, username=DEMO_USERNAME, password=DEMO_PASSWORD)
    )
    assert _query(client) > 0


def test_client_credentials_grant(sim: Simulator) -> None:
    assert _query(PardotClient(client_settings(sim, refresh_token=None))) > 0


def test_jwt_bearer_grant(sim: Simulator) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    sim.app.org.jwt_public_key = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = client_settings(sim, refresh_token=None, username=DEMO_USERNAME, private_key=pem)
    assert _query(PardotClient(settings)) > 0
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    wrong = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    bad = PardotClient(
        client_settings(sim, refresh_token=None, username=DEMO_USERNAME, private_key=wrong)
    )
    with pytest.raises(PardotAuthError, match="certificate uploaded to the connected app"):
        _query(bad)


def test_legacy_api_key_login_warns_and_works(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    settings = client_settings(
        sim, client_id=None, client_secret=None, refresh_token=None, username=DEMO_USERNAME,
        password=DEMO_PASSWORD, user_key=DEMO_USER_KEY,
    )  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="pardot_client"):
        client = PardotClient(settings)
        assert _query(client) > 0
    assert "legacy Pardot api_key login" in caplog.text
    assert client.calls.snapshot()["login"] == 1


def test_legacy_key_expiry_logs_in_again(sim: Simulator, admin: SimAdmin) -> None:
    settings = client_settings(
        sim, client_id=None, client_secret=None, refresh_token=None, username=DEMO_USERNAME,
        password=DEMO_PASSWORD, user_key=DEMO_USER_KEY,
    )  # fmt: skip
    client = PardotClient(settings)
    assert _query(client) > 0
    admin.advance(3700)  # api keys live 60 minutes
    assert _query(client) > 0
    assert client.calls.snapshot()["login"] == 2


@pytest.mark.parametrize("status", [401, 400])
def test_an_expired_token_is_refreshed_once_under_either_status(
    client: PardotClient, admin: SimAdmin, status: int
) -> None:
    admin.post("/_sim/switches", {"token_invalid_status": status})
    assert _query(client) > 0
    admin.post("/_sim/tokens/revoke")
    assert _query(client) > 0
    calls = client.calls.snapshot()
    assert calls["oauth.token"] == 2
    assert calls["campaign.query"] == 3


def test_184_in_a_200_answer_also_refreshes(client: PardotClient, admin: SimAdmin) -> None:
    admin.post("/_sim/faults", {"script": [{"kind": "error", "code": 184, "path": "campaign"}]})
    admin.post("/_sim/switches", {"token_invalid_status": 200})
    assert _query(client) > 0
    assert client.calls.snapshot()["oauth.token"] == 2


def test_a_token_rejected_after_refresh_is_an_error(client: PardotClient, admin: SimAdmin) -> None:
    admin.post(
        "/_sim/faults", {"script": [{"kind": "error", "code": 184, "path": "campaign", "count": 2}]}
    )
    with pytest.raises(PardotTokenInvalidError, match="Pardot error 184"):
        _query(client)
    assert client.calls.snapshot()["oauth.token"] == 2


def test_the_token_lifetime_setting_refreshes_proactively(sim: Simulator, admin: SimAdmin) -> None:
    client = PardotClient(client_settings(sim, token_lifetime_seconds=0.0))
    _query(client)
    _query(client)
    assert client.calls.snapshot()["oauth.token"] == 2


def test_invalid_grant_says_what_to_fix(sim: Simulator) -> None:
    client = PardotClient(client_settings(sim, refresh_token="revoked-refresh-token"))
    with pytest.raises(PardotAuthError) as info:
        _query(client)
    text = str(info.value)
    assert "invalid_grant: expired access/refresh token" in text
    assert "Get a new refresh token" in text
    assert client.calls.snapshot() == {"oauth.token": 1}  # never retried


def test_wrong_client_secret_says_what_to_fix(sim: Simulator) -> None:
    with pytest.raises(PardotAuthError, match="Check client_id and client_secret"):
        _query(PardotClient(client_settings(sim, client_secret="wrong-secret-value")))


@pytest.mark.parametrize(
    ("bu", "code"),
    [("0Uv000000000009AAA", 201)],
)
def test_business_unit_errors(sim: Simulator, bu: str, code: int) -> None:
    client = PardotClient(client_settings(sim, business_unit_id=bu))
    with pytest.raises(Exception, match=f"Pardot error {code}"):
        _query(client)


def test_a_token_endpoint_outage_is_retried(client: PardotClient, admin: SimAdmin) -> None:
    admin.post("/_sim/faults", {"script": [{"kind": "503", "path": "oauth2", "count": 2}]})
    assert _query(client) > 0
    assert client.calls.snapshot()["oauth.token"] == 3
