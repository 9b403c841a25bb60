"""The one HTTP client every Pardot call goes through.

It owns what every call needs: timeouts, the Authorization and business unit headers, token
refresh (HTTP 401 or error 184, under any status), in-body error detection, retries with
exponential backoff and jitter bounded in total time, the v3/v4 version switch (88/89), the
quota error (122), the count of calls made and the run's call budget.

Retries live in one layer, around a whole logical call: fetching the token is part of the
attempt, not a second retry loop inside it, so `max_tries` is the number of tries, and each
retry is one log line. Failures that cannot heal by waiting stop at once with the setting to fix:
a host that does not resolve or refuses connections before it has answered once in this run
(a wrong `login_url` or `base_url`), and every 4xx of the token endpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests import exceptions as rex

from pardot_client.auth import make_authenticator
from pardot_client.calls import CallCounter, endpoint_kind
from pardot_client.dates import get_zone, next_local_midnight, utc_now
from pardot_client.errors import (
    DAILY_LIMIT_CODE,
    LEGACY_KEY_INVALID_CODE,
    RETRYABLE_CODES,
    TOKEN_INVALID_CODE,
    VERSION_MISMATCH_CODES,
    ErrorBody,
    PardotApiError,
    PardotConfigError,
    PardotError,
    PardotOutcomeUnknownError,
    PardotQuotaExceededError,
    PardotRetryableError,
    PardotTokenInvalidError,
    PardotVersionMismatchError,
    parse_error_body,
)
from pardot_client.multipart import FormField, MultipartBody
from pardot_client.retries import Reachability, Retries, never_reached_server
from pardot_client.secrets import REGISTRY, RedactingFilter
from pardot_client.server_clock import ServerClock
from pardot_client.settings import ClientSettings, is_loopback

LOG = logging.getLogger("pardot_client")
LOG.addFilter(RedactingFilter())
BU_HEADER = "Pardot-Business-Unit-Id"
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass
class _CallState:
    """What one logical call has already tried, so refresh and version switch happen once."""

    refreshed: bool = False
    switched: bool = False
    at_most_once: bool = False


class PardotClient:
    """Sends Pardot API calls; paths may contain `{version}`, filled with the current version."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        session: requests.Session | None = None,
        calls: CallCounter | None = None,
    ) -> None:
        settings.validate()
        self.settings = settings
        self.api_version = settings.api_version
        self.session = session or requests.Session()
        self.calls = calls or CallCounter(budget=settings.max_api_calls)
        self.server_clock = ServerClock()  # Pardot's time, from the responses' Date headers
        self._base = settings.base_url.rstrip("/")
        self._auth = make_authenticator(settings, self._post_token_form)
        self._retries = Retries(settings)
        self._reachability = Reachability(settings)

    def __repr__(self) -> str:
        return f"PardotClient(base_url={self._base!r}, api_version={self.api_version})"

    # -- public calls -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        idempotent: bool | None = None,
        at_most_once: bool = False,
    ) -> requests.Response:
        """Send one API call and return its successful response.

        Pardot errors become exceptions whatever the HTTP status. Transient failures are retried;
        when `idempotent` is false (the default for POST/PATCH), a failure after the request was
        sent is raised as `PardotOutcomeUnknownError` instead, since retrying could apply it twice.
        Codes 66/183/202 and connection failures before sending are always retried.

        `at_most_once` (an email send) retries only what was refused before it was acted on
        (66, 202, 429, 503, no connection); 183 and a 502 or 504 become
        `PardotOutcomeUnknownError` too (docs/pardot-api/emails.md#sending-at-most-once).
        """
        method = method.upper()
        safe = idempotent if idempotent is not None else method in _IDEMPOTENT
        state = _CallState(at_most_once=at_most_once and not safe)

        def attempt() -> requests.Response:
            return self._attempt(
                method, path_or_url, params, json, data, files, headers, stream, safe, state
            )

        return self._retries.run(attempt)

    def get_json(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        """GET a JSON endpoint (adds `format=json` to v3/v4 paths)."""
        return self.request("GET", path, params=_with_json_format(path, params)).json()

    def post_json(
        self, path: str, body: Any, *, params: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Any:  # fmt: skip
        """POST a JSON body to a JSON endpoint."""
        response = self.request(
            "POST", path, params=_with_json_format(path, params), json=body, idempotent=idempotent
        )
        return response.json() if response.content else None

    def post_files(
        self, path: str, files: Mapping[str, FormField], *,
        params: Mapping[str, Any] | None = None, idempotent: bool | None = None,
    ) -> Any:  # fmt: skip
        """POST a multipart form (e.g. the Import API's `importInput` + `importFile`).

        A part's content is bytes, text, or the Path of a complete file, which is streamed in
        64 KiB reads rather than loaded (an import part is up to 10 MB). The body is re-read
        from its first byte for every attempt, so a retry sends the same bytes and the same
        Content-Length. Returns the JSON answer, or None for an empty one (a batch upload
        answers 204).
        """
        body = MultipartBody(files)
        response = self.request(
            "POST", path, params=_with_json_format(path, params), data=body,
            headers={"Content-Type": body.content_type}, idempotent=idempotent,
        )  # fmt: skip
        return response.json() if response.content else None

    def patch_json(
        self, path: str, body: Any, *, params: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Any:  # fmt: skip
        """PATCH a JSON body to a JSON endpoint (e.g. setting an import Ready)."""
        response = self.request(
            "PATCH", path, params=_with_json_format(path, params), json=body, idempotent=idempotent
        )
        return response.json() if response.content else None

    def download(self, url: str) -> requests.Response:
        """Start a streamed download of a result or errors file; the caller reads and closes it."""
        return self.request("GET", url, stream=True)

    def login(self) -> None:
        """Fetch the access token now (retried like any call), so bad credentials fail first.

        The token is kept for the calls that follow, so this costs no extra call in a run.
        """
        self._retries.run(self._auth.authorization)

    def url(self, path_or_url: str) -> str:
        """The absolute URL for a path, with `{version}` filled in; absolute URLs are checked."""
        if path_or_url.startswith(("http://", "https://")):
            self._check_foreign_url(path_or_url)
            return path_or_url
        return self._base + path_or_url.format(version=self.api_version)

    # -- one attempt ----------------------------------------------------------------------------

    def _attempt(
        self, method: str, path: str, params: Mapping[str, Any] | None, json: Any, data: Any,
        files: Any, extra_headers: Mapping[str, str] | None, stream: bool, safe: bool,
        state: _CallState,
    ) -> requests.Response:  # fmt: skip
        while True:
            url = self.url(path)
            authorization = self._auth.authorization()
            headers = {**(extra_headers or {}), "Authorization": authorization}
            if self.settings.business_unit_id:
                headers[BU_HEADER] = self.settings.business_unit_id
            response = self._send(method, url, headers, params, json, data, files, stream, safe)
            try:
                self._raise_for_error(response, stream, safe, at_most_once=state.at_most_once)
            except PardotTokenInvalidError:
                if state.refreshed:
                    raise
                state.refreshed = True
                LOG.info("Pardot rejected the access token; refreshing it and retrying once")
                self._auth.invalidate(authorization)
            except PardotVersionMismatchError as exc:
                if state.switched or "{version}" not in path:
                    raise
                state.switched = True
                self._switch_version(exc.required_version)
            else:
                return response

    def _send(
        self, method: str, url: str, headers: dict[str, str], params: Mapping[str, Any] | None,
        json: Any, data: Any, files: Any, stream: bool, safe: bool,
    ) -> requests.Response:  # fmt: skip
        kind = endpoint_kind(method, url)
        self.calls.add(kind)  # raises CallBudgetSpentError instead once the budget is spent
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        try:
            response = self.session.request(
                method, url, params=params, json=json, data=data, files=files, headers=headers,
                stream=stream, timeout=timeout,
            )  # fmt: skip
        except (rex.ConnectTimeout, rex.SSLError) as exc:
            if isinstance(exc, rex.SSLError):
                self._reachability.raise_if_unreachable(kind, url, exc)
            raise PardotRetryableError(
                f"{kind}: could not connect ({type(exc).__name__})"
            ) from None
        except rex.ConnectionError as exc:
            if never_reached_server(exc):
                self._reachability.raise_if_unreachable(kind, url, exc)
                raise PardotRetryableError(f"{kind}: could not connect to {_host(url)}") from None
            text = f"{kind}: the connection broke ({type(exc).__name__})"
            if safe:
                raise PardotRetryableError(text) from None
            raise PardotOutcomeUnknownError(text + "; the request may have taken effect") from None
        except (rex.Timeout, rex.ChunkedEncodingError) as exc:
            text = f"{kind}: no complete answer within {self.settings.read_timeout:g} s"
            if safe:
                raise PardotRetryableError(f"{text} ({type(exc).__name__})") from None
            raise PardotOutcomeUnknownError(text + "; the request may have taken effect") from None
        self._reachability.answered(url)
        if url.startswith(self._base):  # Pardot's clock, not the login host's
            self.server_clock.observe(response.headers.get("Date"))
        return response

    def _raise_for_error(
        self, response: requests.Response, stream: bool, safe: bool, *, at_most_once: bool = False
    ) -> None:
        status = response.status_code
        answer = _is_api_answer(response)  # JSON or XML where a file was asked for: an error
        if stream and status < 400 and not answer:
            return
        kind = endpoint_kind(response.request.method or "GET", response.url)
        error = parse_error_body(response.content)
        if status < 400 and error is None:
            if stream:  # its body is spent; handing it on as the file would lose the file
                raise PardotApiError(
                    f"HTTP {status} on {kind}: Pardot answered "
                    f"{response.headers.get('Content-Type')} where a file was expected",
                    status=status,
                )
            return
        if stream:
            response.close()
        raise self._exception_for(kind, status, error, response, safe, at_most_once)

    def _exception_for(
        self, kind: str, status: int, error: ErrorBody | None, response: requests.Response,
        safe: bool, at_most_once: bool = False,
    ) -> PardotError:  # fmt: skip
        code = error.code if error else None
        message = REGISTRY.redact(error.message) if error else _excerpt(response)
        where = f"Pardot error {code} on {kind}" if code is not None else f"HTTP {status} on {kind}"
        text = f"{where}: {message}"
        if status == 401 or code in (TOKEN_INVALID_CODE, LEGACY_KEY_INVALID_CODE):
            return PardotTokenInvalidError(text, code=code, status=status)
        if code == DAILY_LIMIT_CODE or (code is None and "daily api rate limit" in message.lower()):
            return self._quota_error(kind, message, code, status)
        if code in VERSION_MISMATCH_CODES:
            return PardotVersionMismatchError(text, code=code, status=status)
        if at_most_once and (code == 183 or (code is None and status in (502, 504))):
            return PardotOutcomeUnknownError(  # docs/pardot-api/emails.md#sending-at-most-once
                f"{text}; the request may have taken effect", code=code, status=status
            )
        if code in RETRYABLE_CODES or (code is None and status in (429, 502, 503, 504)):
            return PardotRetryableError(text, code=code, status=status)
        if status >= 500:
            if safe:
                return PardotRetryableError(text, code=code, status=status)
            return PardotOutcomeUnknownError(
                f"{text}; the request may have taken effect", code=code, status=status
            )
        return PardotApiError(text, code=code, status=status)

    def _quota_error(
        self, kind: str, message: str, code: int | None, status: int
    ) -> PardotQuotaExceededError:
        resets_at = next_local_midnight(utc_now(), self.settings.timezone)
        midnight = resets_at.astimezone(get_zone(self.settings.timezone))
        return PardotQuotaExceededError(
            f"Pardot's daily API limit is used up (error {code or DAILY_LIMIT_CODE} on {kind}: "
            f"{message}). It resets at the start of the account's day, about "
            f"{midnight:%Y-%m-%d %H:%M} {self.settings.timezone} ({resets_at:%Y-%m-%d %H:%M} UTC) "
            "if the account's timezone is the configured one. Run again after that; the state "
            "saved so far is kept.",
            resets_at=resets_at,
            code=code,
            status=status,
        )

    # -- helpers --------------------------------------------------------------------------------

    def _post_token_form(self, url: str, form: dict[str, str]) -> requests.Response:
        """POST credentials to a token or login endpoint, once.

        It runs inside the retries of the call that needs the token, never in a loop of its
        own: a 5xx or 429 is retried there with the rest of the attempt, and any other answer
        (4xx included) is the authenticator's to judge, which does not retry it.
        """
        response = self._send("POST", url, {}, None, None, form, None, False, True)
        if response.status_code >= 500 or response.status_code == 429:
            raise PardotRetryableError(
                f"HTTP {response.status_code} from the login endpoint {_host(url)}",
                status=response.status_code,
            )
        return response

    def _switch_version(self, version: int) -> None:
        LOG.warning(
            "Pardot says this account needs API version %s (api_version is %s); switching to "
            "version %s for this run. Set api_version to %s to skip this extra call.",
            version, self.api_version, version, version,
        )  # fmt: skip
        self.api_version = version

    def _check_foreign_url(self, url: str) -> None:
        """Send credentials only to Pardot hosts: the base host, *.pardot.com, or loopback."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        base_host = urlsplit(self._base).hostname
        trusted = host in (base_host, "pardot.com") or host.endswith(".pardot.com")
        if parts.scheme == "http" and not is_loopback(host):
            trusted = False
        if not trusted:
            raise PardotConfigError(
                f"Refusing to send Pardot credentials to {parts.scheme}://{host}: result URLs "
                "must be on the Pardot host (base_url) over https"
            )


def _with_json_format(path: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = dict(params or {})
    if "/version/" in path and "format" not in merged:
        merged["format"] = "json"
    return merged


def _is_api_answer(response: requests.Response) -> bool:
    """Whether a response is a JSON or XML API answer (errors may come with HTTP 200)."""
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return kind in ("application/json", "application/xml", "text/xml")


def _host(url: str) -> str:
    return urlsplit(url).netloc


def _excerpt(response: requests.Response) -> str:
    text = response.content[:300].decode("utf-8", errors="replace").strip()
    return REGISTRY.redact(text) or "(empty body)"
