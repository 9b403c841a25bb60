"""Windows through exports, a few in flight at once, with state that survives a killed run.

Pardot runs an account's exports one after another, so keeping the next window's export queued
while the current one downloads hides most of Pardot's per-export latency; more than a couple in
flight only holds up the account's other users. The limit is the run's (export/queue.py): once a
stream has created all its exports, the next stream's first ones are created ahead, through its
own pipeline (`fill`), while this one finishes. The order of work for each window:

1. create its export (while the run has fewer than `max_pending` in flight) and write its id to
   state at once;
2. poll the oldest until it ends; Complete: stream its files; Failed: create it again (bounded);
   expired: create it again; Canceled: drop it from state and stop with a clear error;
3. move the bookmark to the window's end, drop the export from state, emit STATE.

Streams that mark deleted rows export each window twice, `deleted=false` then `deleted=true`
(the CSV has no deleted column, docs/pardot-api/exports.md): each export is one *part* of the
window, the rows of the second are marked deleted (`is_deleted`, `_sdc_deleted_at`), and the
bookmark moves once the window's last part is delivered. Disjoint exports keep every row
version right: a row deleted between the two is emitted alive with its old stamp and deleted
with its new one, in this window or a later one.

A run that stops anywhere restarts from the bookmark and resumes the exports kept in state
(polling or downloading them again) as long as they ask for exactly the same rows.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pardot_client import PardotApiError
from pardot_client.dates import to_utc_iso
from tap_pardot_export.export.job import ExportFailedError, ExportJob, ForeignExportError
from tap_pardot_export.export.pending import STATE_KEY, PendingExport, request_digest
from tap_pardot_export.export.queue import RunExportQueue
from tap_pardot_export.export.rows import RowParser
from tap_pardot_export.export.tz_guard import TimezoneMismatchError, check_timezone
from tap_pardot_export.export.windows import Window, windows
from tap_pardot_export.summary import StreamFigures

LOG = logging.getLogger("tap_pardot_export")


Variant = str | None  # the `deleted` argument of a part ("false", "true"), or None: no parts


@dataclass(eq=False)
class _Slot:
    """A part of a window (its `deleted` variant) and the export currently serving it."""

    window: Window
    variant: Variant
    job: ExportJob
    export_id: int
    resumed: bool

    def pending(self) -> PendingExport:
        return PendingExport(
            self.export_id, self.window, request_digest(self.job.request), self.variant
        )


class ExportPipeline:
    """Runs one stream's windows through the Export API, keeping its state current."""

    def __init__(
        self,
        *,
        stream: str,
        replication_key: str,
        make_job: Callable[[Window, Variant], ExportJob],
        parser: RowParser,
        state: MutableMapping[str, Any],
        checkpoint: Callable[[], None],
        timezone: str,
        max_pending: int,
        max_tries: int,
        snap_edge: Callable[[datetime], datetime] = lambda edge: edge,
        refused: Callable[[PardotApiError], bool] = lambda error: False,
        variants: Callable[[], tuple[Variant, ...]] = lambda: (None,),
        cuts: Callable[[datetime, datetime], Sequence[datetime]] = lambda start, end: (),
        figures: StreamFigures | None = None,
        exports: RunExportQueue | None = None,
    ) -> None:
        self.exports = exports or RunExportQueue(max_pending)  # the run's count of exports
        self.stream = stream
        self.replication_key = replication_key
        self.make_job = make_job
        self.parser = parser
        self.state = state
        self.checkpoint = checkpoint
        self.timezone = timezone
        self.max_tries = max(1, max_tries)
        self.snap_edge = snap_edge
        self.refused = refused  # True: the stream now writes requests another way (dates, args)
        self.variants = variants  # asked anew as parts are cut: a refusal may change them
        self.cuts = cuts  # extra window edges (offset changes), asked anew as windows are cut
        self.figures = figures or StreamFigures()  # for the run summary
        self._queue: deque[_Slot] | None = None  # set by `prime`
        self._upcoming: Iterator[tuple[Window, Variant]] = iter(())
        self._end: datetime | None = None
        self._days = 1

    def prime(self, start: datetime, end: datetime, days: int) -> None:
        """Take over the exports a stopped run left in flight and plan the parts still to create
        (once; a stream whose first exports are created ahead is primed before it runs)."""
        if self._queue is not None:
            return
        self._queue = queue = deque(self._restore(start, end))
        self._end, self._days = end, days
        self._upcoming = self._parts(queue[-1] if queue else None, start, end, days)
        self.exports.hold(self.stream, len(queue))

    def fill(self, capacity: int) -> bool:
        """Create the next parts' exports while fewer than `capacity` are in flight; True once
        there is no part left to create."""
        queue = self._queue
        assert queue is not None, "prime() first"
        while len(queue) < capacity:
            part = next(self._upcoming, None)
            if part is None:
                return True
            window, variant = part
            slot = _Slot(window, variant, self.make_job(window, variant), 0, resumed=False)
            queue.append(slot)
            try:
                created = self._create_export(slot, queue, new_window=True)
            except BaseException:
                queue.remove(slot)  # nothing was created for it, or it was canceled
                self.exports.hold(self.stream, len(queue))
                raise
            if not created:
                queue.pop()  # Pardot wants the request written another way: cut again here
                last = queue[-1] if queue else None
                assert self._end is not None
                self._upcoming = self._parts(last, window.start, self._end, self._days)
        return False

    def run(self, start: datetime, end: datetime, days: int) -> Iterator[dict[str, Any]]:
        """Every row stamped in `[start, end)`, window by window, checkpointing as it goes."""
        self.prime(start, end, days)
        queue = self._queue
        assert queue is not None
        while True:
            if self.fill(self.exports.capacity(self.stream, running=True)):
                self.exports.fill_after(self.stream)  # the next streams' first exports
            if not queue:
                break
            head = queue[0]
            yield from self._deliver(head, queue)
            queue.popleft()
            whole = head.variant is None or head.variant == self.variants()[-1]
            self.figures.windows += whole
            self._save(queue, bookmark=head.window.end if whole else None)
        self.state.pop(STATE_KEY, None)
        self.exports.hold(self.stream, 0)

    def _parts(
        self, last: _Slot | None, start: datetime, end: datetime, days: int
    ) -> Iterator[tuple[Window, Variant]]:
        """The parts still to export: the rest of `last`'s window, then new windows."""
        variants = self.variants()
        if last is not None:
            if last.variant in variants:
                for variant in variants[variants.index(last.variant) + 1 :]:
                    yield last.window, variant
            start = last.window.end
        for window in windows(start, end, days, self.snap_edge, self.cuts(start, end)):
            for variant in variants:
                yield window, variant

    # -- state ----------------------------------------------------------------------------------

    def _restore(self, start: datetime, end: datetime) -> list[_Slot]:
        """The exports a stopped run left in flight, if they still fit this run exactly.

        Those that do not (other settings, another end_date) are canceled, so they stop
        holding up the account's export queue.
        """
        entries = [PendingExport.from_state(e) for e in self.state.get(STATE_KEY) or []]
        variants = self.variants()
        slots: list[_Slot] = []
        expected: tuple[datetime, Variant] = (start, variants[0])  # the next part's start
        for pending in entries:
            if pending is None:
                break
            job = self.make_job(pending.window, pending.variant)
            sibling = slots[-1].window if slots and expected[1] != variants[0] else None
            fits = (
                pending.window == sibling
                if sibling is not None
                else pending.window.start == expected[0] and pending.window.end <= end
            )
            if not fits or pending.variant != expected[1]:
                reason = "does not follow the bookmark or ends after this run's end"
            elif request_digest(job.request) != pending.digest:
                reason = "asked for other fields or arguments than this run would"
            else:
                LOG.info("%s %s: resuming export %s from the saved state", self.stream,
                         pending.window.label(), pending.export_id)  # fmt: skip
                slot = _Slot(pending.window, pending.variant, job, pending.export_id, True)
                slots.append(slot)
                index = variants.index(pending.variant) + 1
                expected = (
                    (pending.window.start, variants[index])
                    if index < len(variants)
                    else (pending.window.end, variants[0])
                )
                continue
            LOG.warning("%s %s: saved export %s %s; canceling it and creating new ones",
                        self.stream, pending.window.label(), pending.export_id, reason)  # fmt: skip
            job.cancel(pending.export_id)
        if len(slots) != len(entries):
            self._save(deque(slots))
        return slots

    def _save(self, queue: deque[_Slot], bookmark: datetime | None = None) -> None:
        if bookmark is not None:
            self.state["replication_key"] = self.replication_key
            self.state["replication_key_value"] = to_utc_iso(bookmark)
        self.state[STATE_KEY] = [slot.pending().to_state() for slot in queue]
        self.exports.hold(self.stream, len(queue))
        self.checkpoint()

    # -- exports --------------------------------------------------------------------------------

    def _create_export(self, slot: _Slot, queue: deque[_Slot], *, new_window: bool = False) -> bool:
        """Create the export of a slot in `queue`, check the timezone on it, save its id at once.

        False, with nothing created, when Pardot refused how the request was written (the dates'
        form, the deleted argument) and the stream switched to another: parts are then cut
        again, since edges and parts depend on it.
        """
        try:
            status, server_now = slot.job.create()
        except PardotApiError as error:
            if not self.refused(error):
                raise
            if new_window:
                return False
            slot.job = self.make_job(slot.window, slot.variant)  # the same part, written anew
            status, server_now = slot.job.create()
        try:
            check_timezone(self.timezone, status.created_at, server_now)
        except TimezoneMismatchError:
            slot.job.cancel(status.id)
            raise
        slot.export_id, slot.resumed = status.id, False
        self.figures.exports += 1
        self._save(queue)
        return True

    def _marked(
        self, rows: Generator[dict[str, Any], None, int], variant: Variant
    ) -> Generator[dict[str, Any], None, int]:
        """Rows of a part, marked deleted or not (as they are when the window has no parts);
        returns how many there were."""
        if variant is None:
            return (yield from rows)
        deleted, count = variant == "true", 0
        for row in rows:  # deleted at its last change: updated_at, else the filter field
            row["is_deleted"] = deleted
            row["_sdc_deleted_at"] = (
                row.get("updated_at", row.get(self.replication_key)) if deleted else None
            )
            count += 1
            yield row
        return count

    def _deliver(self, slot: _Slot, queue: deque[_Slot]) -> Iterator[dict[str, Any]]:
        """The rows of the slot's window, creating its export again when Pardot requires it."""
        label = f"{self.stream} {slot.window.label()}"
        failures = 0
        while True:
            began = time.monotonic()
            try:
                status = slot.job.wait(slot.export_id, resumed=slot.resumed)
            except PardotApiError as exc:
                if not slot.resumed:
                    raise
                LOG.warning("%s: saved export %s cannot be read (%s); creating a new one",
                            label, slot.export_id, exc)  # fmt: skip
                self._create_export(slot, queue)
                continue
            finally:
                self.figures.waiting += time.monotonic() - began
            if status.state == "Complete" and not status.is_expired:
                try:
                    for url in status.result_refs:
                        rows = slot.job.records(
                            url, self.parser, slot.window, check_header=slot.resumed
                        )
                        if slot.variant is not None:  # one generator less per row otherwise
                            rows = self._marked(rows, slot.variant)
                        self.figures.rows += yield from rows
                except ForeignExportError as exc:  # raised before any row of the export
                    LOG.warning("%s; dropping export %s and creating a new one", exc, status.id)
                    self._create_export(slot, queue)
                    continue
                return
            if status.is_expired or (slot.resumed and status.state == "Canceled"):
                why = (
                    "has expired (Pardot keeps results for 7 days)"
                    if status.is_expired
                    else "was canceled while no run was waiting for it (Pardot cancels exports "
                    "unfinished after 7 days)"
                )
                LOG.warning("%s: export %s %s; creating a new one", label, status.id, why)
                self._create_export(slot, queue)
                continue
            if status.state == "Canceled":
                self._save(deque(s for s in queue if s is not slot))
                raise ExportFailedError(
                    f"{label}: export {status.id} was canceled in Pardot (by an admin, or by "
                    "Pardot after 7 days). Nothing of this window was emitted and the bookmark "
                    "stays at its start; run again to export it anew."
                )
            failures += 1
            if failures >= self.max_tries:
                self._save(deque(s for s in queue if s is not slot))
                raise ExportFailedError(
                    f"{label}: {failures} exports in a row ended {status.state}; Pardot asks to "
                    "try again later. Run again: the bookmark is where the last full window "
                    "ended, or raise export_max_tries."
                )
            LOG.warning("%s: export %s ended %s (try %d of %d); creating it again", label,
                        status.id, status.state, failures, self.max_tries)  # fmt: skip
            self._create_export(slot, queue)
