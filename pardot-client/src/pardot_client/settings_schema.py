"""The JSON schema of the connection settings the tap and the target share.

Both connectors read the same `ClientSettings`, so their `--about` must document the same
names, types and defaults; this is the one place they are written. Plain JSON schema (the form
singer-sdk emits, `secret` + `writeOnly` on credentials), so this package stays free of Singer
code: a connector merges these properties into its own config schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pardot_client.settings import DEFAULT_BASE_URL, DEFAULT_LOGIN_URL, ClientSettings, GrantType

_DEFAULTS = ClientSettings()


def _secret(title: str, description: str) -> dict[str, Any]:
    return {
        "type": ["string", "null"], "secret": True, "writeOnly": True,
        "title": title, "description": description,
    }  # fmt: skip


def _plain(kind: str, title: str, description: str, default: Any = None) -> dict[str, Any]:
    prop: dict[str, Any] = {"type": [kind, "null"], "title": title, "description": description}
    if default is not None:
        prop["default"] = default
    return prop


CONNECTION_PROPERTIES: dict[str, dict[str, Any]] = {
    "client_id": _secret("Client ID", "Consumer key of the connected app (pardot_api scope)."),
    "client_secret": _secret("Client secret", "Consumer secret of the connected app."),
    "refresh_token": _secret(
        "Refresh token", "OAuth refresh token issued to the connected app (the usual login)."
    ),
    "username": _plain(
        "string", "Username", "Salesforce username, for the password or JWT bearer login."
    ),
    "password": _secret(
        "Password", "Salesforce password plus security token, for the password login."
    ),
    "private_key": _secret(
        "Private key", "PEM private key of the connected app's certificate, for the JWT bearer "
        "login (with client_id and username).",
    ),
    "user_key": _secret(
        "User key", "Legacy Pardot user key (api_key login, retired by Pardot in 2021; "
        "deprecated here too)."
    ),
    "grant_type": {
        **_plain("string", "Grant type", "How to log in; default: chosen from the credentials "
                 "given (refresh_token, then user_key, private_key, username + password, else "
                 "client_credentials)."),
        "enum": [g.value for g in GrantType] + [None],
    },
    "business_unit_id": _plain(
        "string", "Business unit ID", "The 18-character Pardot business unit id, starting with "
        "0Uv (Salesforce Setup > Account Engagement > Business Unit Setup).",
    ),
    "login_url": _plain(
        "string", "Login URL", "Salesforce login host (https://test.salesforce.com for "
        "sandboxes, or the org's My Domain).", DEFAULT_LOGIN_URL,
    ),
    "base_url": _plain(
        "string", "Pardot API URL", "Pardot API host (https://pi.demo.pardot.com for developer "
        "and demo orgs).", DEFAULT_BASE_URL,
    ),
    "api_version": {
        **_plain("integer", "API version", "4 for accounts that allow several prospects per "
                 "email, else 3; a mismatch is detected and switched once per run.", 4),
        "enum": [3, 4, None],
    },
    "timezone": _plain(
        "string", "API user's timezone", "IANA name of the Pardot API user's timezone (e.g. "
        "America/New_York): Pardot reads and writes dates in it.", "UTC",
    ),
    "connect_timeout": _plain(
        "number", "Connect timeout", "Seconds to wait for a connection to Pardot.",
        _DEFAULTS.connect_timeout,
    ),
    "read_timeout": _plain(
        "number", "Read timeout", "Seconds to wait for Pardot's answer (and between the bytes "
        "of a download).", _DEFAULTS.read_timeout,
    ),
    "max_tries": _plain(
        "integer", "Max tries", "Tries of one call on transient errors (66, 5xx, resets).",
        _DEFAULTS.max_tries,
    ),
    "max_retry_seconds": _plain(
        "number", "Max retry seconds", "Total seconds one call may spend retrying.",
        _DEFAULTS.max_retry_seconds,
    ),
    "backoff_base_seconds": _plain(
        "number", "Backoff base seconds", "First retry wait; doubles each try, with jitter, "
        "capped at 60 s.", _DEFAULTS.backoff_base_seconds,
    ),
    "token_lifetime_seconds": _plain(
        "number", "Token lifetime seconds", "Refresh the access token after this long "
        "(Salesforce does not say; a rejected token is refreshed at once anyway).",
        _DEFAULTS.token_lifetime_seconds,
    ),
    "max_api_calls": {
        **_plain("integer", "API call budget", "Most API calls one run may make (retries and "
                 "token calls included); when spent the run stops cleanly with its state saved, "
                 "and the next run resumes there. Splits the account's daily limit between "
                 "jobs; default: no budget."),
        "minimum": 1,
    },
}  # fmt: skip


def with_connection_settings(schema: dict[str, Any]) -> dict[str, Any]:
    """A connector's config schema with the shared connection settings first."""
    properties = {**CONNECTION_PROPERTIES, **schema.get("properties", {})}
    return {**schema, "properties": properties}


def with_defaults(config: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """`config` with each setting the schema gives a default for filled in where unset or null.

    Defaults are written once, in a connector's schema; settings objects read them through this,
    so `--about` and the code can never disagree.
    """
    values = dict(config)
    for name, prop in (schema.get("properties") or {}).items():
        if values.get(name) is None and prop.get("default") is not None:
            values[name] = prop["default"]
    return values
