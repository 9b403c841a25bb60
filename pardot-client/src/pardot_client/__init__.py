"""pardot_client: the one client for the Pardot API (auth, retries, errors, dates, fields)."""

from pardot_client.calls import CallCounter, endpoint_kind
from pardot_client.client import BU_HEADER, PardotClient
from pardot_client.errors import (
    PardotApiError,
    PardotAuthError,
    PardotConfigError,
    PardotError,
    PardotOutcomeUnknownError,
    PardotQuotaExceededError,
    PardotRetryableError,
    PardotTokenInvalidError,
    PardotVersionMismatchError,
    parse_error_body,
)
from pardot_client.secrets import SecretStr, install_redaction
from pardot_client.settings import ClientSettings, GrantType

__all__ = [
    "BU_HEADER",
    "CallCounter",
    "ClientSettings",
    "GrantType",
    "PardotApiError",
    "PardotAuthError",
    "PardotClient",
    "PardotConfigError",
    "PardotError",
    "PardotOutcomeUnknownError",
    "PardotQuotaExceededError",
    "PardotRetryableError",
    "PardotTokenInvalidError",
    "PardotVersionMismatchError",
    "SecretStr",
    "endpoint_kind",
    "install_redaction",
    "parse_error_body",
]
