"""Cutting a date range into export windows with strict bounds that lose no boundary row.

Pardot's export bounds are strict on both sides (`> after`, `< before`). A window is sent as
`(after = start - 1 s, before = end)`, so it holds the rows stamped in `[start, end)`; the next
window starts at `end`, so a row stamped exactly on an edge lands in exactly one window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tap_pardot_export.bounds import ONE_SECOND


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
    start: datetime,
    end: datetime,
    days: int,
    snap: Callable[[datetime], datetime] = lambda e: e,
    cuts: Sequence[datetime] = (),
) -> Iterator[Window]:
    """Consecutive windows from `start` to `end`, each at most `days` long, cut at `cuts` too.

    `snap` moves an edge (never later) to one whose bounds Pardot reads unambiguously; it is
    called as each window is cut, so a run can change how it sends dates part way. `cuts` are
    extra edges (a timezone's offset changes: no window then spans one, so each wall time of a
    window's filter field has one reading inside it).
    """
    if not 1 <= days <= 365:
        raise ValueError("export_window_days must be between 1 and 365")
    start = snap(start.replace(microsecond=0))
    end = end.replace(microsecond=0)
    step = timedelta(days=days)
    while start < end:
        limit = min([start + step, end, *(c for c in cuts if c > start)])
        stop = snap(limit)
        if stop <= start:
            return  # the range ends inside a repeated hour: the rest waits for the next run
        yield Window(start, stop)
        start = stop
