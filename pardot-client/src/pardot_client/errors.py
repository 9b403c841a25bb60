"""Pardot's error bodies and the exceptions they map to.

Pardot reports errors in several shapes and not always with an error status: v3/v4 JSON
(`{"@attributes": {"err_code": N}, "err": "..."}`), v3/v4 XML (`<err code="N">`), v5
(`{"code": N, "message": "..."}`) and Salesforce OAuth (`{"error": ..., "error_description": ...}`).
`parse_error_body` reads all of them; `classify` turns a code into the exception a caller handles.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Codes that mean "try again later": concurrency (66), internal error (183), minute limit (202).
RETRYABLE_CODES = frozenset({66, 183, 202})
TOKEN_INVALID_CODE = 184
DAILY_LIMIT_CODE = 122
LEGACY_KEY_INVALID_CODE = 1
VERSION_MISMATCH_CODES = {88: 4, 89: 3}  # code -> the version the account needs


@dataclass(frozen=True)
class ErrorBody:
    """The code and message Pardot put in a response body."""

    code: int | None
    message: str
    oauth_error: str | None = (
        None  # Salesforce token endpoint: "invalid_grant", "invalid_client", ...
    )


class PardotError(Exception):
    """Base of every error the client raises; the text says what happened and what to do."""

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class PardotConfigError(PardotError):
    """The settings cannot work (missing credentials, insecure host, malformed id)."""


class PardotAuthError(PardotError):
    """Credentials were rejected; retrying will not help until the user fixes them."""


class PardotRetryableError(PardotError):
    """A transient failure (66, 183, 202, 5xx, resets, timeouts); the client retries these."""


class PardotOutcomeUnknownError(PardotError):
    """A non-idempotent request failed after it was sent; it may or may not have taken effect."""


class PardotQuotaExceededError(PardotError):
    """Error 122: the daily API call limit is used up."""

    def __init__(
        self, message: str, *, resets_at: datetime | None, code: int | None, status: int | None
    ) -> None:
        super().__init__(message, code=code, status=status)
        self.resets_at = resets_at


class PardotTokenInvalidError(PardotError):
    """Error 184 or HTTP 401: the access token must be refreshed."""


class PardotVersionMismatchError(PardotError):
    """Errors 88/89: the account needs the other v3/v4 API version."""

    @property
    def required_version(self) -> int:
        """The version the account asks for."""
        return VERSION_MISMATCH_CODES[self.code or 88]


class PardotApiError(PardotError):
    """Any other Pardot error: fatal, with Pardot's code and message in the text."""


_XML_ERR = re.compile(rb"<err(?:\s+[^>]*?)?\s+code=\"(\d+)\"[^>]*>(.*?)</err>", re.DOTALL)
_XML_FAIL = re.compile(rb"<rsp[^>]*stat=\"fail\"")


def parse_error_body(body: bytes | str | Any) -> ErrorBody | None:
    """Find an error in a response body of any Pardot or Salesforce shape; None when it has none.

    Accepts raw bytes/text or an already decoded JSON value.
    """
    if isinstance(body, (bytes, str)):
        raw = body.encode() if isinstance(body, str) else body
        stripped = raw.lstrip()
        if stripped.startswith(b"<"):
            return _parse_xml_error(stripped)
        if not stripped.startswith((b"{", b"[")):
            return None
        try:
            body = json.loads(raw)
        except ValueError:
            return None
    return _parse_json_error(body)


def _parse_xml_error(raw: bytes) -> ErrorBody | None:
    match = _XML_ERR.search(raw)
    if match:
        return ErrorBody(int(match.group(1)), _unescape(match.group(2).decode(errors="replace")))
    if _XML_FAIL.search(raw):
        return ErrorBody(None, "Pardot answered stat=fail without an error code")
    return None


def _unescape(text: str) -> str:
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'")):
        text = text.replace(entity, char)
    return text.replace("&amp;", "&").strip()


def _parse_json_error(data: Any) -> ErrorBody | None:
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("error"), str):  # Salesforce OAuth
        desc = data.get("error_description")
        return ErrorBody(None, str(desc or data["error"]), oauth_error=data["error"])
    attributes = data.get("@attributes")
    if isinstance(attributes, dict) and (attributes.get("stat") == "fail" or "err" in data):
        return ErrorBody(_as_int(attributes.get("err_code")), _join_messages(data.get("err")))
    if "err" in data and "@attributes" not in data:
        return ErrorBody(_as_int(data.get("err_code")), _join_messages(data["err"]))
    if "code" in data and "message" in data and _as_int(data["code"]) is not None:  # v5
        return ErrorBody(_as_int(data["code"]), str(data["message"]))
    return None


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _join_messages(err: Any) -> str:
    if isinstance(err, list):
        return "; ".join(_join_messages(e) for e in err)
    if isinstance(err, dict):  # {"@attributes": {"code": ..}, "#text"/"value": ..}
        return str(err.get("#text") or err.get("value") or err.get("message") or err)
    return str(err) if err is not None else "unknown error"
