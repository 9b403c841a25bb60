"""Pardot's clock, as its responses' `Date` headers show it.

A run must end at Pardot's "now", not this machine's: with a local clock ahead of Pardot's, a run
would end (and set its bookmark) in Pardot's future, and rows Pardot stamps in between would
never be read. Every API response carries the server's clock in its `Date` header (whole
seconds); the client notes the latest one and the local monotonic time it arrived at, and
`now()` adds the time elapsed since, which no change of the local wall clock can disturb.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP `Date` header as aware UTC; None when missing or unreadable."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment.astimezone(timezone.utc)


class ServerClock:
    """The server's time, from the latest `Date` header seen, moved on by local elapsed time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: datetime | None = None
        self._seen_at = 0.0  # time.monotonic() when `_seen` arrived

    def observe(self, date_header: str | None) -> None:
        """Note a response's `Date` header."""
        moment = parse_http_date(date_header)
        if moment is None:
            return
        with self._lock:
            self._seen, self._seen_at = moment, time.monotonic()

    def now(self) -> datetime | None:
        """The server's time now, to the second below; None before any response was seen."""
        with self._lock:
            if self._seen is None:
                return None
            elapsed = time.monotonic() - self._seen_at
            return (self._seen + timedelta(seconds=elapsed)).replace(microsecond=0)
