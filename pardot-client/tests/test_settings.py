"""Settings that cannot work are refused before any call, with the setting to fix named."""

from __future__ import annotations

import pytest

from pardot_client import ClientSettings, GrantType, PardotConfigError, SecretStr

BASE = {
    "client_id": "cid-123456",
    "client_secret": "secret-123456",
    "refresh_token": "refresh-123456",
    "business_unit_id": "0Uv000000000001AAA",
}


def test_plain_http_is_refused_for_a_remote_host() -> None:
    with pytest.raises(PardotConfigError, match="plain http") as info:
        ClientSettings.from_config({**BASE, "base_url": "http://pi.pardot.com"})
    assert "base_url" in str(info.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.5.4.3", "localhost", "[::1]"])
def test_plain_http_is_allowed_on_loopback(host: str) -> None:
    settings = ClientSettings.from_config({**BASE, "base_url": f"http://{host}:8765"})
    assert settings.base_url == f"http://{host}:8765"


@pytest.mark.parametrize(
    ("config", "grant"),
    [
        (BASE, GrantType.REFRESH_TOKEN),
        (
            {**BASE, "refresh_token": None, "username": "u@x", "password": "pw-123456"},
            GrantType.PASSWORD,
        ),
        ({**BASE, "refresh_token": None}, GrantType.CLIENT_CREDENTIALS),
        (
            {**BASE, "refresh_token": None, "username": "u@x", "private_key": "pem-123456"},
            GrantType.JWT_BEARER,
        ),
        (
            {"username": "u@x", "password": "pw-123456", "user_key": "k" * 32},
            GrantType.LEGACY_API_KEY,
        ),
    ],
)
def test_the_grant_follows_the_credentials_given(config: dict[str, str], grant: GrantType) -> None:
    assert ClientSettings.from_config(config).effective_grant is grant


def test_missing_credentials_are_named() -> None:
    with pytest.raises(PardotConfigError, match="needs the settings client_secret"):
        ClientSettings.from_config({**BASE, "client_secret": None})


@pytest.mark.parametrize("bu", [None, "0Uv123", "1Uv000000000001AAA"])
def test_business_unit_id_is_checked(bu: str | None) -> None:
    with pytest.raises(PardotConfigError, match="business_unit_id"):
        ClientSettings.from_config({**BASE, "business_unit_id": bu})


def test_api_version_must_be_3_or_4() -> None:
    with pytest.raises(PardotConfigError, match="api_version must be 3 or 4"):
        ClientSettings.from_config({**BASE, "api_version": 5})


def test_secrets_never_print() -> None:
    settings = ClientSettings.from_config(BASE)
    text = f"{settings!r} {settings} {settings.client_secret}"
    for value in ("secret-123456", "refresh-123456", "cid-123456"):
        assert value not in text
    assert isinstance(settings.refresh_token, SecretStr)
    assert settings.refresh_token.reveal() == "refresh-123456"


def test_numbers_from_a_json_config_read_as_decimal_become_plain_numbers() -> None:
    from decimal import Decimal

    settings = ClientSettings.from_config(
        {"client_id": "i", "client_secret": "s", "refresh_token": "r",
         "business_unit_id": "0Uv000000000001AAA", "backoff_base_seconds": Decimal("0.5"),
         "max_tries": Decimal(3), "read_timeout": Decimal("2.5")}
    )  # fmt: skip
    assert settings.backoff_base_seconds == 0.5
    assert type(settings.backoff_base_seconds) is float
    assert settings.max_tries == 3
    assert type(settings.max_tries) is int
    assert settings.read_timeout == 2.5


def test_an_unknown_timezone_is_refused_with_what_to_write() -> None:
    with pytest.raises(
        PardotConfigError, match=r"timezone: Unknown timezone 'EST5'.*America/New_York"
    ):
        ClientSettings.from_config(
            {"client_id": "i", "client_secret": "s", "refresh_token": "r",
             "business_unit_id": "0Uv000000000001AAA", "timezone": "EST5"}
        )  # fmt: skip
