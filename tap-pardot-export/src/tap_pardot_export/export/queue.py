"""The run's exports in flight, across stream boundaries, never more than `max_pending_exports`.

Pardot runs an account's exports one after another (docs/pardot-api/exports.md#queue-and-polling)
and the SDK syncs streams one after another. Were each stream to keep only its own exports in
flight, Pardot's queue would sit empty while a stream's last window downloads, and the next
stream would then wait a whole export (and the polling schedule) before its first row: at every
stream boundary. So the run keeps one count of the exports in flight: when a stream has created
every export it needs and still has room, the next selected export streams create their first
exports ahead (each kept in its own state as any export in flight, so a killed run resumes it).
The limit holds for the run as a whole, so the account's other users wait no longer than before.
"""

from __future__ import annotations

from typing import Protocol


class QueuedStream(Protocol):
    """What the queue asks of an export stream (export/streams.py)."""

    @property
    def name(self) -> str: ...

    def queue_ahead(self, capacity: int) -> bool:
        """Create this stream's first exports while fewer than `capacity` of its own are in
        flight; True when it has none left to create (the next stream may then go ahead)."""
        ...


class RunExportQueue:
    """How many exports each stream of the run has in flight, in the order streams sync."""

    def __init__(self, max_pending: int) -> None:
        if not 1 <= max_pending <= 10:
            raise ValueError("max_pending_exports must be between 1 and 10")
        self.max_pending = max_pending
        self._streams: list[QueuedStream] = []
        self._held: dict[str, int] = {}

    def register(self, stream: QueuedStream) -> None:
        """Add an export stream; the SDK syncs streams by name (docs/sdk.md#stream-order)."""
        self._streams.append(stream)
        self._streams.sort(key=lambda registered: registered.name)

    def hold(self, stream: str, count: int) -> None:
        """A stream now has `count` exports in flight (created, rows not all delivered)."""
        self._held[stream] = count

    def in_flight(self) -> int:
        """Exports in flight across the run."""
        return sum(self._held.values())

    def capacity(self, stream: str, *, running: bool = False) -> int:
        """How many exports `stream` may have in flight: the limit less the other streams'.

        The running stream may always have one: exports created ahead belong to the streams
        after it, so they cannot be waiting for it, but a run must never stall on a count.
        """
        free = self.max_pending - (self.in_flight() - self._held.get(stream, 0))
        return max(1, free) if running else free

    def fill_after(self, stream: str) -> None:
        """`stream` has created all its exports: let the streams after it create theirs ahead,
        in sync order, while there is room and each earlier one has created all of its own."""
        names = [s.name for s in self._streams]
        later = self._streams[names.index(stream) + 1 :] if stream in names else []
        for following in later:
            if self.in_flight() >= self.max_pending:
                return
            if not following.queue_ahead(self.capacity(following.name)):
                return
