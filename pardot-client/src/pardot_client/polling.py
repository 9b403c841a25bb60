"""Waiting for an asynchronous Pardot job (an export or an import) until it leaves its queue.

Pardot gives no callback: a job is read again and again until its state moves on. Every wait is
bounded by a deadline, and each read that finds the job still pending logs one line a person can
follow (how long it has waited, when the next read comes). Exports wait on the schedule the
Export API documents (`export_wait`, docs/pardot-api/exports.md#queue-and-polling); imports on a
fixed interval (docs/pardot-api/imports.md#ready-reading-and-states).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from pardot_client.dates import format_duration
from pardot_client.errors import PardotError
from pardot_client.shapes import JobStatus


def export_wait(poll: int, unit_seconds: float) -> float:
    """Seconds before poll `poll` (from 0) of an export: `ceil(n*n/5 + 1)` units."""
    return math.ceil(poll * poll / 5 + 1) * unit_seconds


@dataclass(frozen=True)
class Polled:
    """A job no longer pending, with the reads it took and the seconds waited for it."""

    status: JobStatus
    polls: int
    elapsed: float


@dataclass(frozen=True)
class Poller:
    """Reads a job until `pending` is false, waiting `wait(n)` seconds before read n (from 0)."""

    wait: Callable[[int], float]
    timeout_seconds: float
    logger: logging.Logger
    sleep: Callable[[float], None] = time.sleep

    def until_done(
        self,
        read: Callable[[], JobStatus],
        *,
        pending: Callable[[JobStatus], bool],
        label: str,
        timed_out: Callable[[float], PardotError],
    ) -> Polled:
        """Poll until the job is done; `timed_out(elapsed)` is raised when the deadline comes.

        `label` names the job in progress lines, e.g. `prospects 2026-01..: export 12`.
        """
        began = time.monotonic()
        polls = 0
        while True:
            wait = self.wait(polls)
            elapsed = time.monotonic() - began
            if elapsed + wait > self.timeout_seconds:
                raise timed_out(elapsed)
            self.sleep(wait)
            status = read()
            polls += 1
            elapsed = time.monotonic() - began
            if not pending(status):
                return Polled(status, polls, elapsed)
            self.logger.info(
                "%s is %s after %s; next poll in %s",
                label, status.state, format_duration(elapsed), format_duration(self.wait(polls)),
            )  # fmt: skip
