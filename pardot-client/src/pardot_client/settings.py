"""Client settings: credentials, hosts and retry policy, validated before any call is made."""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlsplit

from pardot_client.dates import get_zone
from pardot_client.errors import PardotConfigError
from pardot_client.secrets import REGISTRY, SecretStr

DEFAULT_LOGIN_URL = "https://login.salesforce.com"
DEFAULT_BASE_URL = "https://pi.pardot.com"
# Settings that say "this run talks to an account": any of them set means the user meant to
# connect, so a failing call is an error rather than a reason to fall back to offline behaviour.
CREDENTIAL_SETTINGS = (
    "client_id", "client_secret", "refresh_token", "username", "password", "private_key",
    "user_key", "business_unit_id",
)  # fmt: skip
_BUSINESS_UNIT = re.compile(r"^0Uv[0-9A-Za-z]{15}$")


class GrantType(str, enum.Enum):
    """How the client obtains its access token."""

    REFRESH_TOKEN = "refresh_token"  # noqa: S105 - the grant's name
    PASSWORD = "password"  # noqa: S105 - the OAuth grant's name, not a password
    CLIENT_CREDENTIALS = "client_credentials"
    JWT_BEARER = "jwt_bearer"
    LEGACY_API_KEY = "legacy_api_key"  # retired by Pardot in 2021; kept for old accounts only


@dataclass(frozen=True)
class ClientSettings:
    """Everything the client needs; secrets are `SecretStr` so they never print."""

    business_unit_id: str | None = None
    client_id: SecretStr | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    private_key: SecretStr | None = None  # PEM, for the JWT bearer grant
    user_key: SecretStr | None = None  # legacy api_key login
    grant_type: GrantType | None = None  # None: chosen from the credentials given
    login_url: str = DEFAULT_LOGIN_URL
    base_url: str = DEFAULT_BASE_URL
    api_version: int = 4
    timezone: str = "UTC"
    connect_timeout: float = 10.0
    read_timeout: float = 300.0
    max_retry_seconds: float = 600.0  # total time a call may spend retrying
    max_tries: int = 8
    backoff_base_seconds: float = 1.0
    token_lifetime_seconds: float = 3600.0  # Salesforce sends no expires_in; refresh after this
    max_api_calls: int | None = None  # this run's call budget; None: no budget of our own
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        REGISTRY.add(
            self.client_id, self.client_secret, self.refresh_token, self.password,
            self.private_key, self.user_key,
        )  # fmt: skip

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ClientSettings:
        """Build settings from a tap/target config mapping (the settings names are shared)."""
        known = {f.name for f in fields(cls)} - {"extra"}
        secret_names = {
            "client_id", "client_secret", "refresh_token", "password", "private_key", "user_key",
        }  # fmt: skip
        values: dict[str, Any] = {}
        for name in known:
            value = config.get(name)
            if value is None or value == "":
                continue
            if name in secret_names:
                value = SecretStr(str(value))
            elif name == "grant_type":
                value = _grant_type(value)
            elif name in _INTEGERS or name in _NUMBERS:
                value = _number(name, value, integer=name in _INTEGERS)
            values[name] = value
        settings = cls(**values, extra={k: v for k, v in config.items() if k not in known})
        settings.validate()
        return settings

    def with_changes(self, **changes: Any) -> ClientSettings:
        """A copy with some values replaced (used by tests and the simulator demo)."""
        return replace(self, **changes)

    @property
    def effective_grant(self) -> GrantType:
        """The grant to use: the explicit one, else the one the given credentials allow."""
        if self.grant_type is not None:
            return self.grant_type
        if self.refresh_token:
            return GrantType.REFRESH_TOKEN
        if self.user_key:
            return GrantType.LEGACY_API_KEY
        if self.private_key and self.username:
            return GrantType.JWT_BEARER
        if self.username and self.password:
            return GrantType.PASSWORD
        return GrantType.CLIENT_CREDENTIALS

    def validate(self) -> None:
        """Refuse settings that cannot work, saying which setting to fix."""
        _check_url("login_url", self.login_url)
        _check_url("base_url", self.base_url)
        try:
            get_zone(self.timezone)
        except ValueError as exc:
            raise PardotConfigError(
                f"timezone: {exc}, the Pardot API user's timezone (Pardot reads and writes dates "
                "in it)"
            ) from None
        if self.api_version not in (3, 4):
            raise PardotConfigError(
                f"api_version must be 3 or 4, not {self.api_version}: use 4 for accounts that "
                "allow multiple prospects with the same email, 3 otherwise"
            )
        grant = self.effective_grant
        needed = _REQUIRED[grant]
        missing = [name for name in needed if not getattr(self, name)]
        if missing:
            raise PardotConfigError(
                f"The {grant.value} login needs the settings {', '.join(missing)}; "
                f"set them, or give other credentials (refresh_token, username + password, "
                f"private_key + username, or client_id + client_secret alone)"
            )
        if grant is not GrantType.LEGACY_API_KEY:
            bu = self.business_unit_id
            if not bu:
                raise PardotConfigError(
                    "business_unit_id is required: the 18-character id starting with 0Uv, "
                    "from Salesforce Setup > Account Engagement > Business Unit Setup"
                )
            if not _BUSINESS_UNIT.match(bu):
                raise PardotConfigError(
                    f"business_unit_id {bu!r} is not an 18-character id starting with 0Uv; copy it "
                    "from Salesforce Setup > Account Engagement > Business Unit Setup"
                )
        if self.max_api_calls is not None and self.max_api_calls < 1:
            raise PardotConfigError(
                f"max_api_calls must be a positive number of calls, not {self.max_api_calls}; "
                "leave it unset for no budget"
            )


_INTEGERS = frozenset({"api_version", "max_tries", "max_api_calls"})
_NUMBERS = frozenset(
    {"connect_timeout", "read_timeout", "max_retry_seconds", "backoff_base_seconds",
     "token_lifetime_seconds"}
)  # fmt: skip

_REQUIRED: dict[GrantType, tuple[str, ...]] = {
    GrantType.REFRESH_TOKEN: ("client_id", "client_secret", "refresh_token"),
    GrantType.PASSWORD: ("client_id", "client_secret", "username", "password"),
    GrantType.CLIENT_CREDENTIALS: ("client_id", "client_secret"),
    GrantType.JWT_BEARER: ("client_id", "username", "private_key"),
    GrantType.LEGACY_API_KEY: ("username", "password", "user_key"),
}


def _number(name: str, value: Any, *, integer: bool) -> int | float:
    """A number setting as given in JSON, as Decimal (singer-sdk's reader) or as text (the
    environment); a whole number where an integer is wanted."""
    try:
        number = float(str(value).strip()) if not isinstance(value, (int, float)) else value
    except ValueError:
        number = None
    if number is None or isinstance(value, bool) or number != number:  # noqa: PLR0124 - NaN
        kind = "a whole number" if integer else "a number"
        raise PardotConfigError(f"{name} must be {kind}, not {value!r}") from None
    if integer:
        if float(number) != int(number):
            raise PardotConfigError(f"{name} must be a whole number, not {value!r}")
        return int(number)
    return float(number)


def _grant_type(value: Any) -> GrantType:
    try:
        return GrantType(str(value))
    except ValueError:
        options = ", ".join(g.value for g in GrantType)
        raise PardotConfigError(f"grant_type {value!r} is unknown; use one of {options}") from None


def is_loopback(host: str | None) -> bool:
    """True for localhost and the loopback ranges 127.0.0.0/8 and ::1."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_url(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and is_loopback(parts.hostname):
        return
    if parts.scheme == "http":
        raise PardotConfigError(
            f"{name} {url!r} uses plain http, which would send credentials unencrypted; use "
            "https (plain http is allowed only for a loopback address such as the simulator)"
        )
    raise PardotConfigError(f"{name} {url!r} is not an http(s) URL")
