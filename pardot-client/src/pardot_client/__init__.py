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
from pardot_client.shapes import JobStatus, job_status, query_records

__all__ = [
    "BU_HEADER",
    "CallCounter",
    "ClientSettings",
    "GrantType",
    "JobStatus",
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
    "job_status",
    "parse_error_body",
    "query_records",
]
