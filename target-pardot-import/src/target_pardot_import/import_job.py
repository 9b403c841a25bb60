"""One Pardot import, first byte to last error row: create, batches, Ready, poll, errors.

The job is built from the run's settings and the column options of one header variant; it
takes the parts the sink hands it and owns them from then on: it sends them (or, in a dry run,
only logs what it would send), waits for Pardot to complete the import, writes the rows Pardot
skipped to the rejects file, counts the import in the run's figures and deletes the parts.

Calls per import: one for a one-part import (create with `importFile` and `state: Ready`);
otherwise create with the first part, one per further part and one to set Ready (parts + 1);
then the polls, and one errors download when rows failed (docs/pardot-api/imports.md).

Failures whose outcome is unknown (a POST that broke after it was sent, pardot_client's
PardotOutcomeUnknownError) are resolved without importing a row twice or losing one:

* creating an Open import is safe to repeat (a stray Open import expires and imports nothing);
* an unknown batch upload abandons the import (left Open, it expires with nothing imported)
  and the whole import is sent again from the spooled parts;
* an unknown Ready is settled by reading the import: still Open means Ready did not happen;
* an unknown one-request import (file + Ready) is sent again as a new import. If the first
  did go through, its rows are matched again by their match key: the prospects are updated
  twice, never duplicated, and only the second import's skipped rows are reported.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pardot_client import (
    JobStatus,
    PardotApiError,
    PardotClient,
    PardotError,
    PardotOutcomeUnknownError,
    job_status,
)
from pardot_client.dates import format_duration
from pardot_client.downloads import csv_reader
from pardot_client.polling import Poller
from target_pardot_import.errors_file import SkippedRow, skipped_rows, with_lines
from target_pardot_import.fields import ColumnOption
from target_pardot_import.parts import Part
from target_pardot_import.run import ImportRun

LOG = logging.getLogger("target_pardot_import")
BASE = "/api/import/version/{version}/do"
MAX_SENDS = 3  # times one import is sent when uploads end with an unknown outcome
DAILY_BATCHES_CODE = 164


class ImportStoppedError(PardotError):
    """The run cannot go on (a daily limit, a refused import, a timeout); the text says why."""


class DailyLimitError(ImportStoppedError):
    """Pardot's daily limit of import batches is used up: run again after it resets."""


class _AbandonedError(Exception):
    """The import's state is unknown after a failed upload; send it again as a new import."""


@dataclass(frozen=True)
class ImportResult:
    """A completed import: its id, counts and the link to its failed rows."""

    id: int
    created: int
    updated: int
    error_count: int
    errors_ref: str | None
    calls: int
    submit_seconds: float  # creating, uploading and setting Ready (network and Pardot's checks)
    wait_seconds: float  # from submission to Complete: Pardot's processing, not our work


class ImportJob:
    """Sends one import of 1 to 10 parts through the run's client and accounts for every row."""

    def __init__(
        self,
        run: ImportRun,
        *,
        stream: str,
        header: Sequence[str],
        options: Mapping[str, ColumnOption],
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        settings = run.settings
        self.run = run
        self.stream = stream
        self.header = tuple(header)
        self.columns = [options[name].as_input(name) for name in self.header]
        self.label = f"{stream} import {run.stats.imports + 1}"
        self._poller = Poller(
            wait=lambda _poll: settings.poll_interval_seconds,
            timeout_seconds=settings.import_timeout_seconds,
            logger=LOG,
            sleep=sleep,
        )

    @property
    def client(self) -> PardotClient:
        """The run's one client."""
        return self.run.client

    def send(self, parts: Sequence[Part]) -> None:
        """Import the parts, wait for Complete, record the skipped rows and figures; delete them.

        Returns only once Pardot has applied the import and its failed rows are in the rejects
        file; a dry run logs what would be sent and makes no call.
        """
        rows = sum(p.rows for p in parts)
        sizes = [p.size for p in parts]
        try:
            if self.run.settings.dry_run:
                LOG.info(
                    "%s (dry run, not sent): %d rows in %d parts of %s bytes, columns %s",
                    self.label, rows, len(parts), sizes, ", ".join(self.header),
                )  # fmt: skip
                self.run.stats.add(rows=rows, sizes=sizes, calls=0, wait=0.0, submit=0.0)
                return
            result = self.complete(parts)
            failed = 0
            for skipped in self.failed_rows(result, parts):
                failed += 1
                self.run.rejects.write(
                    stream=self.stream, line=skipped.line, row=None, stage="pardot",
                    import_id=result.id, reason=skipped.reason, record=skipped.record,
                )  # fmt: skip
            if failed != result.error_count:
                LOG.warning(
                    "%s: Pardot reported %d skipped rows for import %s; its errors file lists %d",
                    self.label, result.error_count, result.id, failed,
                )  # fmt: skip
            LOG.info(
                "%s: import %s of %d rows in %d parts: %d created, %d updated, %d skipped by "
                "Pardot; %d API calls",
                self.label, result.id, rows, len(parts), result.created, result.updated, failed,
                result.calls + (1 if failed else 0),
            )  # fmt: skip
            self.run.stats.add(
                rows=rows,
                sizes=sizes,
                calls=result.calls,
                wait=result.wait_seconds,
                submit=result.submit_seconds,
            )
        finally:
            for part in parts:
                part.discard()

    def complete(self, parts: Sequence[Part]) -> ImportResult:
        """Submit the parts as one import and wait until Pardot has applied it."""
        before = self.client.calls.total
        began = time.monotonic()
        for send in range(1, MAX_SENDS + 1):
            try:
                import_id = self._submit(parts)
                break
            except _AbandonedError as exc:
                if send == MAX_SENDS:
                    raise ImportStoppedError(
                        f"{self.label}: {exc}; gave up after {MAX_SENDS} tries. No STATE was "
                        "emitted for these rows: run again to send them."
                    ) from None
                LOG.warning("%s: %s; sending the import again (try %d)", self.label, exc, send + 1)
        submitted = time.monotonic()
        status = self._wait(import_id)
        waited = time.monotonic() - submitted
        raw = status.raw
        return ImportResult(
            id=import_id,
            created=int(raw.get("createdCount") or 0),
            updated=int(raw.get("updatedCount") or 0),
            error_count=int(raw.get("errorCount") or 0),
            errors_ref=raw.get("errorsRef"),
            calls=self.client.calls.total - before,
            submit_seconds=submitted - began,
            wait_seconds=waited,
        )

    def failed_rows(self, result: ImportResult, parts: Sequence[Part]) -> Iterator[SkippedRow]:
        """Pardot's skipped rows with their reasons and input lines, streamed from the errors
        CSV, whatever its columns (`errors_file`)."""
        if not result.error_count:
            return
        url = result.errors_ref or f"{BASE}/downloadErrors/id/{result.id}"
        with self.client.download(url) as response:
            rows = skipped_rows(csv_reader(response), self.header)
            yield from with_lines(rows, parts)

    # -- submitting -----------------------------------------------------------------------------

    def _input(self, *, ready: bool) -> str:
        body: dict[str, Any] = {
            "operation": "Upsert", "object": "Prospect",
            "restoreDeleted": self.run.settings.restore_deleted, "columns": self.columns,
        }  # fmt: skip
        if ready:
            body["state"] = "Ready"
        return json.dumps(body)

    def _submit(self, parts: Sequence[Part]) -> int:
        if len(parts) == 1:
            return self._one_request(parts[0])
        first = self._call(
            "create",
            lambda: self.client.post_files(
                f"{BASE}/create",
                {"importInput": (None, self._input(ready=False), "application/json"),
                 "importFile": ("part-1.csv", parts[0].upload_file(), "text/csv")},
                idempotent=True,  # a duplicate is an Open import that expires unused
            ),
        )  # fmt: skip
        import_id = job_status(first, "import").id
        for number, part in enumerate(parts[1:], start=2):
            try:
                self._call(
                    "batch",
                    lambda part=part, number=number: self.client.post_files(  # type: ignore[misc]
                        f"{BASE}/batch/id/{import_id}",
                        {"importFile": (f"part-{number}.csv", part.upload_file(), "text/csv")},
                    ),
                )
            except PardotOutcomeUnknownError:
                raise _AbandonedError(
                    f"part {number} of import {import_id} may or may not have been added; "
                    "import left Open (it expires without importing anything)"
                ) from None
        self._ready(import_id)
        LOG.info("%s: import %s submitted with %d parts", self.label, import_id, len(parts))
        return import_id

    def _one_request(self, part: Part) -> int:
        try:
            data = self._call(
                "create",
                lambda: self.client.post_files(
                    f"{BASE}/create",
                    {"importInput": (None, self._input(ready=True), "application/json"),
                     "importFile": ("part-1.csv", part.upload_file(), "text/csv")},
                ),
            )  # fmt: skip
        except PardotOutcomeUnknownError:
            raise _AbandonedError(
                "the one-request import may or may not have been created"
            ) from None
        import_id = job_status(data, "import").id
        LOG.info("%s: import %s submitted with 1 part", self.label, import_id)
        return import_id

    def _ready(self, import_id: int) -> None:
        path = f"{BASE}/update/id/{import_id}"
        for _ in range(MAX_SENDS):
            try:
                self._call("ready", lambda: self.client.patch_json(path, {"state": "Ready"}))
                return
            except PardotOutcomeUnknownError:
                if self._read(import_id).state != "Open":
                    return  # Ready went through before the connection broke
        raise _AbandonedError(f"import {import_id} could not be set Ready")

    def _call(self, what: str, call: Callable[[], Any]) -> Any:
        """Run one submitting call; limits that end the run become ImportStoppedError."""
        try:
            return call()
        except PardotApiError as exc:
            if exc.code == DAILY_BATCHES_CODE:
                raise DailyLimitError(
                    f"{self.label}: Pardot's daily limit of import batches is reached ({exc}). "
                    "Nothing of this import was applied and no STATE was emitted for its rows; "
                    "run again after midnight in the account's timezone to send them."
                ) from None
            raise ImportStoppedError(
                f"{self.label}: Pardot refused the import {what}: {exc}"
            ) from None

    # -- waiting --------------------------------------------------------------------------------

    def _read(self, import_id: int) -> JobStatus:
        return job_status(self.client.get_json(f"{BASE}/read/id/{import_id}"), "import")

    def _wait(self, import_id: int) -> JobStatus:
        """Poll at `poll_interval_seconds` until Complete, bounded by `import_timeout_minutes`."""
        polled = self._poller.until_done(
            lambda: self._read(import_id),
            pending=lambda status: status.state != "Complete" and not status.is_expired,
            label=f"{self.label}: import {import_id}",
            timed_out=lambda elapsed: ImportStoppedError(
                f"{self.label}: import {import_id} is still not Complete after {elapsed:.0f} s "
                "(import_timeout_minutes). It may still complete; no STATE was emitted for its "
                "rows, so a re-run sends them again and Pardot matches them to the same prospects."
            ),
        )
        if polled.status.state != "Complete":
            raise ImportStoppedError(f"{self.label}: import {import_id} expired unprocessed")
        LOG.info(
            "%s: import %s Complete after %d polls (%s)",
            self.label, import_id, polled.polls, format_duration(polled.elapsed),
        )  # fmt: skip
        return polled.status
