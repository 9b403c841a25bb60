"""Counting API calls by endpoint kind, and the run's call budget.

Benchmarks and logs report the quota a run used from these counts. The budget (`max_api_calls`)
lets several jobs share one account's daily limit: a run that has made that many calls stops
before the next one, the way a used-up daily limit stops it, so the state saved so far is kept
and the next run resumes there (docs/pardot-api/errors.md#codes-the-client-treats-specially).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from urllib.parse import urlsplit

from pardot_client.errors import PardotQuotaExceededError

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


class CallBudgetSpentError(PardotQuotaExceededError):
    """This run made `max_api_calls` calls; the next one was not sent.

    A kind of the daily-limit stop (the same handling keeps the state), but planned: the CLI
    ends such a run successfully, so an orchestrator does not retry it into a fresh budget.
    """

    def __init__(self, budget: int, kind: str) -> None:
        super().__init__(
            f"This run's API call budget is spent: it made max_api_calls = {budget} calls, so "
            f"the next one ({kind}) was not sent. The state saved so far is kept; the next run "
            "resumes there. Raise max_api_calls (or leave it unset) to let a run do more.",
            resets_at=None,
            code=None,
            status=None,
        )
        self.budget = budget


class CallCounter:
    """Thread-safe counts of HTTP requests sent, retries and token refreshes included.

    With a `budget`, `add` refuses the call past it (`CallBudgetSpentError`) instead of
    counting it, so the caller never sends it.
    """

    def __init__(self, budget: int | None = None) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.budget = budget if budget and budget > 0 else None

    def add(self, kind: str) -> None:
        """Count one request of `kind`, or raise `CallBudgetSpentError` when none is left."""
        with self._lock:
            if self.budget is not None and sum(self._counts.values()) >= self.budget:
                raise CallBudgetSpentError(self.budget, kind)
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
