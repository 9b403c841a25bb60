"""Obtaining and refreshing credentials: Salesforce OAuth grants and the legacy api_key login.

Salesforce token responses carry no `expires_in`, so a token is kept until it is rejected
(HTTP 401 or error 184, handled by the client) or until `token_lifetime_seconds` passes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import jwt
import requests

from pardot_client.errors import ErrorBody, PardotAuthError, parse_error_body
from pardot_client.secrets import REGISTRY, SecretStr
from pardot_client.settings import ClientSettings, GrantType

LOG = logging.getLogger("pardot_client")
TOKEN_PATH = "/services/oauth2/token"  # noqa: S105 - a URL path, not a secret
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"

# Sends a form POST without Pardot auth; the client supplies it with its retries and counters.
FormPoster = Callable[[str, dict[str, str]], requests.Response]


class Authenticator(Protocol):
    """Supplies the Authorization header and drops a credential once Pardot rejects it."""

    def authorization(self) -> str:
        """The current Authorization header value, fetching a credential if needed."""
        ...

    def invalidate(self, rejected: str) -> None:
        """Forget `rejected` (an Authorization value) so the next call fetches a new one."""
        ...


class _CachedCredential:
    """A credential shared by threads, refreshed once when it is rejected or too old."""

    def __init__(self, settings: ClientSettings, fetch: Callable[[], str]) -> None:
        self._settings = settings
        self._fetch = fetch
        self._value: str | None = None
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def authorization(self) -> str:
        with self._lock:
            age = time.monotonic() - self._fetched_at
            if self._value is None or age >= self._settings.token_lifetime_seconds:
                self._value = self._fetch()
                self._fetched_at = time.monotonic()
            return self._value

    def invalidate(self, rejected: str) -> None:
        with self._lock:
            if self._value == rejected:  # another thread may already have refreshed it
                self._value = None


class OAuthAuthenticator(_CachedCredential):
    """Salesforce OAuth 2.0: refresh_token, password, client_credentials or JWT bearer grants."""

    def __init__(self, settings: ClientSettings, post_form: FormPoster) -> None:
        super().__init__(settings, self._fetch_token)
        self._post_form = post_form

    def _fetch_token(self) -> str:
        grant = self._settings.effective_grant
        url = self._settings.login_url.rstrip("/") + TOKEN_PATH
        response = self._post_form(url, self._grant_body(grant))
        data = _json_or_none(response)
        error = parse_error_body(data if data is not None else response.content)
        token = data.get("access_token") if isinstance(data, dict) else None
        if response.status_code >= 400 or error is not None or not isinstance(token, str):
            raise PardotAuthError(_token_error_text(grant, response.status_code, error))
        REGISTRY.add(token)
        LOG.info("Obtained a Salesforce access token with the %s grant", grant.value)
        return f"Bearer {token}"

    def _grant_body(self, grant: GrantType) -> dict[str, str]:
        s = self._settings
        client = {"client_id": _reveal(s.client_id), "client_secret": _reveal(s.client_secret)}
        if grant is GrantType.REFRESH_TOKEN:
            return {
                "grant_type": "refresh_token",
                "refresh_token": _reveal(s.refresh_token),
                **client,
            }
        if grant is GrantType.PASSWORD:
            user = {"username": s.username or "", "password": _reveal(s.password)}
            return {"grant_type": "password", **client, **user}
        if grant is GrantType.CLIENT_CREDENTIALS:
            return {"grant_type": "client_credentials", **client}
        return {"grant_type": JWT_GRANT, "assertion": self._jwt_assertion()}

    def _jwt_assertion(self) -> str:
        s = self._settings
        claims = {
            "iss": _reveal(s.client_id),
            "sub": s.username,
            "aud": s.login_url.rstrip("/"),
            "exp": int(time.time()) + 180,
        }
        try:
            return jwt.encode(claims, _reveal(s.private_key), algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise PardotAuthError(
                "private_key could not sign the JWT bearer assertion: give the connected app's "
                f"RSA private key in PEM form ({type(exc).__name__})"
            ) from None


class LegacyApiKeyAuthenticator(_CachedCredential):
    """The retired Pardot-only login (`user_key` + email + password), for old accounts."""

    def __init__(self, settings: ClientSettings, post_form: FormPoster, version: int) -> None:
        super().__init__(settings, self._login)
        self._post_form = post_form
        self._version = version
        LOG.warning(
            "Using the legacy Pardot api_key login: Pardot retired it in 2021 and answers error "
            "199 on current accounts. Switch to Salesforce OAuth (client_id, client_secret, "
            "refresh_token and business_unit_id)."
        )

    def _login(self) -> str:
        s = self._settings
        url = f"{s.base_url.rstrip('/')}/api/login/version/{self._version}?format=json"
        body = {"email": s.username or "", "password": _reveal(s.password)}
        body["user_key"] = _reveal(s.user_key)
        response = self._post_form(url, body)
        data = _json_or_none(response)
        error = parse_error_body(data if data is not None else response.content)
        api_key = data.get("api_key") if isinstance(data, dict) else None
        if error is not None or not isinstance(api_key, str):
            detail = f"error {error.code}: {error.message}" if error else "no api_key in the answer"
            raise PardotAuthError(
                f"Legacy Pardot login failed ({detail}). Check username, password and user_key, "
                "or switch to Salesforce OAuth, which Pardot requires since 2021."
            )
        REGISTRY.add(api_key)
        return f"Pardot api_key={api_key}, user_key={_reveal(s.user_key)}"


def make_authenticator(settings: ClientSettings, post_form: FormPoster) -> Authenticator:
    """The authenticator for the grant the settings select."""
    if settings.effective_grant is GrantType.LEGACY_API_KEY:
        return LegacyApiKeyAuthenticator(settings, post_form, settings.api_version)
    return OAuthAuthenticator(settings, post_form)


def _reveal(secret: SecretStr | None) -> str:
    return secret.reveal() if secret is not None else ""


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


_GRANT_ADVICE = {
    GrantType.REFRESH_TOKEN: (
        "Get a new refresh token for this connected app and update the refresh_token setting: "
        "the old one was revoked, expired under the app's refresh token policy, or was issued "
        "to a different connected app (client_id)."
    ),
    GrantType.PASSWORD: (
        "Check username and password (append the user's security token to the password if the "
        "org requires it) and that the user may use this connected app."
    ),
    GrantType.CLIENT_CREDENTIALS: (
        "Check that the connected app enables the Client Credentials Flow with a run-as user, "
        "and that login_url is your My Domain host: this grant does not work on "
        "login.salesforce.com or test.salesforce.com."
    ),
    GrantType.JWT_BEARER: (
        "Check that the certificate uploaded to the connected app matches private_key, that "
        "username is pre-authorized for the app, and that login_url matches the org "
        "(https://test.salesforce.com for sandboxes)."
    ),
}


def _token_error_text(grant: GrantType, status: int, error: ErrorBody | None) -> str:
    kind = error.oauth_error if error and error.oauth_error else f"HTTP {status}"
    message = error.message if error else "no access_token in the answer"
    head = f"Salesforce refused the {grant.value} login ({kind}: {message})."
    if kind in ("invalid_client_id", "invalid_client"):
        advice = "Check client_id and client_secret (the connected app's consumer key and secret)."
        return f"{head} {advice}"
    return f"{head} {_GRANT_ADVICE.get(grant, '')}".strip()
