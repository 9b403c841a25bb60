"""Counting API calls by endpoint kind, so benchmarks and logs can report the quota a run used."""

from __future__ import annotations

import re
import threading
from collections import Counter
from urllib.parse import urlsplit

_V34 = re.compile(r"/api/(?P<object>[A-Za-z]+)/version/\d+/do/(?P<op>[A-Za-z]+)")
_V5 = re.compile(r"/api/v5/(?:objects/)?(?P<collection>[a-z-]+)(?P<rest>/.*)?")
_LOGIN = re.compile(r"/api/login/version/\d+")


def endpoint_kind(method: str, url: str) -> str:
    """A short, stable name for the endpoint a request hits, e.g. `export.create`, `prospect.query`.

    Ids and query strings are left out so counts group by operation.
    """
    path = urlsplit(url).path
    if path.endswith("/services/oauth2/token"):
        return "oauth.token"
    if _LOGIN.search(path):
        return "login"
    match = _V34.search(path)
    if match:
        return f"{match['object']}.{match['op']}"
    match = _V5.search(path)
    if match:
        rest = match["rest"] or ""
        suffix = {"GET": "read" if rest else "query", "POST": "create", "PATCH": "update"}
        tail = rest.strip("/").split("/")[-1] if rest.count("/") > 1 else ""
        op = tail if tail and not tail.isdigit() else suffix.get(method.upper(), method.lower())
        return f"v5.{match['collection']}.{op}"
    return f"other.{method.lower()}"


class CallCounter:
    """Thread-safe counts of HTTP requests sent, retries and token refreshes included."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, kind: str) -> None:
        """Count one request of `kind`."""
        with self._lock:
            self._counts[kind] += 1

    @property
    def total(self) -> int:
        """All requests sent."""
        with self._lock:
            return sum(self._counts.values())

    def snapshot(self) -> dict[str, int]:
        """A copy of the counts, sorted by kind."""
        with self._lock:
            return dict(sorted(self._counts.items()))

    def summary(self) -> str:
        """One line for logs: `12 API calls (export.create 2, export.read 8, ...)`."""
        counts = self.snapshot()
        detail = ", ".join(f"{kind} {n}" for kind, n in counts.items())
        return f"{sum(counts.values())} API calls" + (f" ({detail})" if detail else "")


def calls_between(before: dict[str, int], after: dict[str, int]) -> str:
    """What was called between two `CallCounter.snapshot()`s, as one log line."""
    used = {k: n - before.get(k, 0) for k, n in after.items() if n > before.get(k, 0)}
    detail = ", ".join(f"{kind} {n}" for kind, n in sorted(used.items()))
    return f"{sum(used.values())} API calls" + (f" ({detail})" if detail else "")
