"""The run's figures per stream, logged as one line when the run ends.

A person should see what a run did without reading every line: per stream, rows emitted,
windows delivered, exports created, API calls, and seconds spent waiting for Pardot (export
queue and processing) against the rest (downloading, reading, typing, writing).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pardot_client import PardotClient


@dataclass
class StreamFigures:
    """What one stream did in this run."""

    rows: int = 0
    windows: int = 0
    exports: int = 0
    calls: int = 0
    waiting: float = 0.0  # seconds polling exports Pardot had not finished
    seconds: float = 0.0  # the stream's whole time

    def text(self, name: str) -> str:
        """`prospects 120 rows, 3 windows, 6 exports, 21 calls, 40.0 s waiting / 1.2 s reading`."""
        parts = [f"{self.rows:,} rows"]
        if self.windows or self.exports:
            parts += [f"{self.windows} windows", f"{self.exports} exports"]
        parts.append(f"{self.calls} calls")
        reading = max(0.0, self.seconds - self.waiting)
        parts.append(f"{self.waiting:.1f} s waiting / {reading:.1f} s reading")
        return f"{name} " + ", ".join(parts)


@dataclass
class RunSummary:
    """The figures of every stream synced in this run, in the order they ran."""

    streams: dict[str, StreamFigures] = field(default_factory=dict)
    expected: int = 0  # streams of the tap: the run ends when each has reported its costs
    reported: int = 0

    def of(self, stream: str) -> StreamFigures:
        """The figures of one stream (made on first use)."""
        return self.streams.setdefault(stream, StreamFigures())

    def count(
        self,
        stream: str,
        rows: Iterable[dict[str, Any]],
        client: PardotClient,
        *,
        count_rows: bool = True,
    ) -> Iterator[dict[str, Any]]:
        """The rows, with the stream's time and calls added when they end; counted unless the
        caller counts them itself (the export pipeline does, per file, off the hot path)."""
        figures = self.of(stream)
        began, calls = time.monotonic(), client.calls.total
        try:
            if count_rows:
                for row in rows:
                    figures.rows += 1
                    yield row
            else:
                yield from rows
        finally:
            figures.seconds += time.monotonic() - began
            figures.calls += client.calls.total - calls

    def stream_done(self, logger: logging.Logger) -> None:
        """One stream's end-of-run report (`Stream.log_sync_costs`); the last one logs the line."""
        self.reported += 1
        if self.reported == self.expected:
            logger.info("%s", self.line())

    def line(self) -> str:
        """One line for the log: the streams that ran, and the totals."""
        if not self.streams:
            return "Run summary: no stream was synced"
        total_rows = sum(f.rows for f in self.streams.values())
        total_calls = sum(f.calls for f in self.streams.values())
        details = "; ".join(f.text(name) for name, f in self.streams.items())
        return f"Run summary: {total_rows:,} rows, {total_calls} API calls. {details}"
