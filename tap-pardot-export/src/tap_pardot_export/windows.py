"""Cutting a date range into export windows with strict bounds that lose no boundary row.

Pardot's export bounds are strict on both sides (`> after`, `< before`). A window is sent as
`(after = start - 1 s, before = end)`, so it holds the rows stamped in `[start, end)`; the next
window starts at `end`, so a row stamped exactly on an edge lands in exactly one window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from pardot_client.dates import format_pardot_datetime, is_ambiguous, parse_utc

ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Window:
    """Rows stamped in `[start, end)`, both aware UTC datetimes on whole seconds."""

    start: datetime
    end: datetime

    @property
    def after(self) -> datetime:
        """The strict lower bound to send: one second before `start`."""
        return self.start - ONE_SECOND

    @property
    def before(self) -> datetime:
        """The strict upper bound to send."""
        return self.end

    def label(self) -> str:
        """`2026-01-01T00:00:00Z..2026-02-01T00:00:00Z`, for log lines."""
        return f"{self.start:%Y-%m-%dT%H:%M:%SZ}..{self.end:%Y-%m-%dT%H:%M:%SZ}"


def windows(
    start: datetime, end: datetime, days: int, snap: Callable[[datetime], datetime] = lambda e: e
) -> Iterator[Window]:
    """Consecutive windows from `start` to `end`, each at most `days` long.

    `snap` moves an edge (never later) to one whose bounds Pardot reads unambiguously; it is
    called as each window is cut, so a run can change how it sends dates part way.
    """
    if not 1 <= days <= 365:
        raise ValueError("export_window_days must be between 1 and 365")
    start = snap(start.replace(microsecond=0))
    end = end.replace(microsecond=0)
    step = timedelta(days=days)
    while start < end:
        stop = snap(min(start + step, end))
        if stop <= start:
            return  # the range ends inside a repeated hour: the rest waits for the next run
        yield Window(start, stop)
        start = stop


def run_end(config: Mapping[str, Any]) -> datetime:
    """Where a run stops: `end_date` or now, on a whole second (later rows wait a run)."""
    end_date = config.get("end_date")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return min(parse_utc(str(end_date)), now) if end_date else now


def unambiguous_edge(edge: datetime, timezone: str) -> datetime:
    """The latest instant at or before `edge` whose bounds read the same in any DST reading.

    A window edge is sent as two wall times without offset, `before = edge` and the next
    window's `after = edge - 1 s`. In the repeated hour of a fall-back change either may name
    two instants, and Pardot picks one; an edge where neither is repeated means one instant.
    Moving an edge earlier only moves rows into the next window; moving a run's first start
    earlier may export a few rows again, never lose one.
    """
    while _repeated(edge, timezone) or _repeated(edge - ONE_SECOND, timezone):
        edge -= ONE_SECOND  # bounded: a repeated stretch lasts an hour or two at most
    return edge


def _repeated(instant: datetime, timezone: str) -> bool:
    return is_ambiguous(format_pardot_datetime(instant, timezone), timezone)
