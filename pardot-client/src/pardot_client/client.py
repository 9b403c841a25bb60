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
import random
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import backoff
import requests
from requests import exceptions as rex
from urllib3.exceptions import NewConnectionError

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
from pardot_client.secrets import REGISTRY, RedactingFilter
from pardot_client.settings import ClientSettings, is_loopback

LOG = logging.getLogger("pardot_client")
LOG.addFilter(RedactingFilter())
BU_HEADER = "Pardot-Business-Unit-Id"
_IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
_MAX_WAIT_SECONDS = 60.0
_T = TypeVar("_T")


@dataclass
class _CallState:
    """What one logical call has already tried, so refresh and version switch happen once."""

    refreshed: bool = False
    switched: bool = False


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
        self._base = settings.base_url.rstrip("/")
        self._auth = make_authenticator(settings, self._post_token_form)
        self._answered: set[str] = set()  # hosts that sent an HTTP answer in this run

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
    ) -> requests.Response:
        """Send one API call and return its successful response.

        Pardot errors become exceptions whatever the HTTP status. Transient failures are retried;
        when `idempotent` is false (the default for POST/PATCH), a failure after the request was
        sent is raised as `PardotOutcomeUnknownError` instead, since retrying could apply it twice.
        Codes 66/183/202 and connection failures before sending are always retried.
        """
        method = method.upper()
        safe = idempotent if idempotent is not None else method in _IDEMPOTENT
        state = _CallState()

        def attempt() -> requests.Response:
            return self._attempt(
                method, path_or_url, params, json, data, files, headers, stream, safe, state
            )

        return self._with_retries(attempt)

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
        self._with_retries(self._auth.authorization)

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
                self._raise_for_error(response, stream, safe)
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
            raise PardotRetryableError(
                f"{kind}: could not connect ({type(exc).__name__})"
            ) from None
        except rex.ConnectionError as exc:
            if _never_reached_server(exc):
                self._raise_if_unreachable(kind, url, exc)
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
        self._answered.add(_host(url))
        return response

    def _raise_if_unreachable(self, kind: str, url: str, exc: rex.ConnectionError) -> None:
        """Fail at once when a host never answered this run and cannot be reached at all.

        A name that does not resolve, or a port where nothing listens, is a wrong setting far
        more often than an outage, and retrying it only hides the message for minutes. A host
        that answered earlier in the run is retried instead (a blip, not a typo).
        """
        host = _host(url)
        if host in self._answered:
            return
        cause = _unreachable_cause(exc)
        if cause is None:
            return
        setting = self._setting_for(url)
        what = (
            f"the host {urlsplit(url).hostname} does not resolve (DNS)"
            if cause == "dns"
            else f"nothing accepts connections at {host} (connection refused)"
        )
        raise PardotConfigError(f"{kind}: {what}. {_HOST_ADVICE[setting]}")

    def _setting_for(self, url: str) -> str:
        """Which setting a URL's host comes from: login_url, base_url, or neither."""
        host = urlsplit(url).netloc
        if host == urlsplit(self.settings.login_url).netloc and TOKEN_SUFFIX in url:
            return "login_url"
        if host == urlsplit(self._base).netloc:
            return "base_url"
        return "other"

    def _raise_for_error(self, response: requests.Response, stream: bool, safe: bool) -> None:
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
        raise self._exception_for(kind, status, error, response, safe)

    def _exception_for(
        self, kind: str, status: int, error: ErrorBody | None, response: requests.Response,
        safe: bool,
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

    def _with_retries(self, call: Callable[[], _T]) -> _T:
        """Run `call`, retrying `PardotRetryableError` with backoff bounded in tries and time.

        One line per retry, from this client only (backoff's own logger is off); when the
        tries run out the last error is raised with how many were made, for the caller to
        report once.
        """
        gave_up: dict[str, Any] = {}
        retrying = backoff.on_exception(
            self._wait_generator,
            PardotRetryableError,
            max_time=self.settings.max_retry_seconds,
            max_tries=self.settings.max_tries,
            jitter=None,
            logger=None,
            on_backoff=self._log_backoff,
            on_giveup=gave_up.update,
        )(call)
        try:
            return retrying()
        except PardotRetryableError as exc:
            if not gave_up:
                raise
            tries, elapsed = gave_up["tries"], gave_up.get("elapsed", 0.0)
            raise PardotRetryableError(
                f"{exc} (gave up after {tries} tries in {elapsed:.0f} s; max_tries and "
                "max_retry_seconds bound the retries)",
                code=exc.code,
                status=exc.status,
            ) from None

    def _wait_generator(self) -> Any:
        """Exponential waits with full jitter, each capped, from `backoff_base_seconds`."""
        base = self.settings.backoff_base_seconds
        exponent = 0
        while True:
            yield random.uniform(0, min(_MAX_WAIT_SECONDS, base * 2**exponent))
            exponent += 1

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

    def _log_backoff(self, details: Any) -> None:
        exc = details.get("exception")
        LOG.warning(
            "Retrying in %.1f s (try %d of %d, %.0f s so far): %s",
            details.get("wait", 0.0), details["tries"], self.settings.max_tries,
            details.get("elapsed", 0.0), exc,
        )  # fmt: skip


def _with_json_format(path: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    merged = dict(params or {})
    if "/version/" in path and "format" not in merged:
        merged["format"] = "json"
    return merged


TOKEN_SUFFIX = "/services/oauth2/token"  # noqa: S105 - a URL path, not a secret
_HOST_ADVICE = {
    "login_url": "Check login_url: https://login.salesforce.com for production, "
    "https://test.salesforce.com for sandboxes, or the org's My Domain host.",
    "base_url": "Check base_url: https://pi.pardot.com, or https://pi.demo.pardot.com for "
    "developer and demo orgs.",
    "other": "Check the network and the host Pardot named.",
}


def _unreachable_cause(exc: rex.ConnectionError) -> str | None:
    """`dns` for a name that does not resolve, `refused` for a closed port, else None."""
    reason: BaseException | None = exc
    seen = 0
    while reason is not None and seen < 20:
        if isinstance(reason, socket.gaierror):
            return "dns"
        if isinstance(reason, ConnectionRefusedError):
            return "refused"
        if type(reason).__name__ == "NameResolutionError":  # urllib3 >= 2 wraps the gaierror
            return "dns"
        reason = getattr(reason, "reason", None) or reason.__cause__ or reason.__context__
        seen += 1
    return None


def _never_reached_server(exc: rex.ConnectionError) -> bool:
    reason: BaseException | None = exc
    while reason is not None:
        if isinstance(reason, NewConnectionError | ConnectionRefusedError):
            return True
        reason = getattr(reason, "reason", None) or reason.__context__
    return False


def _is_api_answer(response: requests.Response) -> bool:
    """Whether a response is a JSON or XML API answer (errors may come with HTTP 200)."""
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return kind in ("application/json", "application/xml", "text/xml")


def _host(url: str) -> str:
    return urlsplit(url).netloc


def _excerpt(response: requests.Response) -> str:
    text = response.content[:300].decode("utf-8", errors="replace").strip()
    return REGISTRY.redact(text) or "(empty body)"
