"""Retries: one layer around a whole call, and the failures that no wait can heal.

The client wraps each logical call (token fetch included) in one `Retries.run`: exponential
waits with full jitter, each capped at a minute, bounded by `max_tries` and `max_retry_seconds`,
one WARNING line per retry and none from the backoff library's own logger. When the tries run
out the last error says how many were made, for the command line to report once.

`Reachability` decides which connection failures fail at once instead: a host that has not
answered in this run and whose name does not resolve, where nothing listens, or whose TLS
handshake fails, is a wrong
`login_url` or `base_url` far more often than an outage, and waiting only hides the message
(docs/pardot-api/auth.md#hosts). A host that answered earlier is retried (a blip, not a typo).
"""

from __future__ import annotations

import logging
import random
import socket
from collections.abc import Callable, Generator
from typing import Any, TypeVar
from urllib.parse import urlsplit

import backoff
from requests import exceptions as rex
from urllib3.exceptions import NewConnectionError

from pardot_client.errors import PardotConfigError, PardotRetryableError
from pardot_client.settings import ClientSettings

LOG = logging.getLogger("pardot_client")  # the client adds the redacting filter to it
TOKEN_PATH_SUFFIX = "/services/oauth2/token"  # noqa: S105 - a URL path, not a secret
MAX_WAIT_SECONDS = 60.0
_T = TypeVar("_T")
_HOST_ADVICE = {
    "login_url": "Check login_url: https://login.salesforce.com for production, "
    "https://test.salesforce.com for sandboxes, or the org's My Domain host.",
    "base_url": "Check base_url: https://pi.pardot.com, or https://pi.demo.pardot.com for "
    "developer and demo orgs.",
    "other": "Check the network and the host Pardot named.",
}


class Retries:
    """The retry policy of one client's settings."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings

    def run(self, call: Callable[[], _T]) -> _T:
        """Run `call`, retrying `PardotRetryableError` with backoff bounded in tries and time."""
        gave_up: dict[str, Any] = {}
        retrying = backoff.on_exception(
            self._waits,
            PardotRetryableError,
            max_time=self.settings.max_retry_seconds,
            max_tries=self.settings.max_tries,
            jitter=None,
            logger=None,
            on_backoff=self._log_retry,
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

    def _waits(self) -> Generator[float, None, None]:
        """Exponential waits with full jitter, each capped, from `backoff_base_seconds`."""
        base = self.settings.backoff_base_seconds
        exponent = 0
        while True:
            yield random.uniform(0, min(MAX_WAIT_SECONDS, base * 2**exponent))
            exponent += 1

    def _log_retry(self, details: Any) -> None:
        LOG.warning(
            "Retrying in %.1f s (try %d of %d, %.0f s so far): %s",
            details.get("wait", 0.0), details["tries"], self.settings.max_tries,
            details.get("elapsed", 0.0), details.get("exception"),
        )  # fmt: skip


class Reachability:
    """Which hosts answered in this run, and the failures that stop a run at once."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self._answered: set[str] = set()

    def answered(self, url: str) -> None:
        """Note that the host of `url` sent an HTTP answer."""
        self._answered.add(urlsplit(url).netloc)

    def raise_if_unreachable(self, kind: str, url: str, exc: rex.ConnectionError) -> None:
        """A `PardotConfigError` naming the setting when a never-answering host cannot heal."""
        host = urlsplit(url).netloc
        if host in self._answered:
            return
        cause = unreachable_cause(exc)
        if cause is None:
            return
        what = {
            "dns": f"the host {urlsplit(url).hostname} does not resolve (DNS)",
            "refused": f"nothing accepts connections at {host} (connection refused)",
            "tls": f"the TLS handshake with {host} failed (not an https server, or its "
            "certificate does not match the host)",
        }[cause]
        raise PardotConfigError(f"{kind}: {what}. {_HOST_ADVICE[self._setting_for(url)]}")

    def _setting_for(self, url: str) -> str:
        host = urlsplit(url).netloc
        if host == urlsplit(self.settings.login_url).netloc and TOKEN_PATH_SUFFIX in url:
            return "login_url"
        if host == urlsplit(self.settings.base_url).netloc:
            return "base_url"
        return "other"


def unreachable_cause(exc: BaseException) -> str | None:
    """`dns` for a name that does not resolve, `refused` for a closed port, `tls` for a failed
    TLS handshake, else None."""
    if isinstance(exc, rex.SSLError):
        return "tls"
    reason: BaseException | None = exc
    for _ in range(20):  # the chain of causes is short; never loop on a cycle
        if reason is None:
            return None
        if isinstance(reason, socket.gaierror) or type(reason).__name__ == "NameResolutionError":
            return "dns"
        if isinstance(reason, ConnectionRefusedError):
            return "refused"
        reason = getattr(reason, "reason", None) or reason.__cause__ or reason.__context__
    return None


def never_reached_server(exc: rex.ConnectionError) -> bool:
    """Whether a connection error happened before anything was sent (safe to retry)."""
    reason: BaseException | None = exc
    while reason is not None:
        if isinstance(reason, NewConnectionError | ConnectionRefusedError):
            return True
        reason = getattr(reason, "reason", None) or reason.__context__
    return False
