"""One Pardot import, first byte to last error row: create, batches, Ready, poll, errors.

Calls per import: one for a one-part import (create with `importFile` and `state: Ready`);
otherwise create with the first part, one per further part and one to set Ready (parts + 1);
then the polls, and one errors download when rows failed.

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

import csv
import io
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
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
from target_pardot_import.parts import Part

LOG = logging.getLogger("target_pardot_import")
BASE = "/api/import/version/{version}/do"
ERROR_COLUMNS = ("error_type", "error_description")
CHUNK_BYTES = 64 * 1024
MAX_SENDS = 3  # times one import is sent when uploads end with an unknown outcome
DAILY_BATCHES_CODE = 164


class ImportStoppedError(PardotError):
    """The run cannot go on (a daily limit, a refused import, a timeout); the text says why."""


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
    """Sends one import of 1 to 10 parts through the shared client and waits for Complete."""

    def __init__(
        self,
        client: PardotClient,
        *,
        columns: Sequence[dict[str, Any]],
        restore_deleted: bool,
        poll_interval_seconds: float,
        timeout_seconds: float,
        label: str,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.columns = list(columns)
        self.restore_deleted = restore_deleted
        self.poll_interval = poll_interval_seconds
        self.timeout = timeout_seconds
        self.label = label
        self._sleep = sleep

    def run(self, parts: Sequence[Part]) -> ImportResult:
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

    def failed_rows(self, result: ImportResult) -> Iterator[tuple[dict[str, str], str]]:
        """Pardot's skipped rows (cells by column) with the reason, streamed from the errors CSV.

        The error columns may come after the row (documented UI layout) or before it; both are
        read by their names.
        """
        if not result.error_count:
            return
        url = result.errors_ref or f"{BASE}/downloadErrors/id/{result.id}"
        with self.client.download(url) as response:
            response.raw.decode_content = True
            response.raw.auto_close = False  # let the text wrapper see a clean EOF
            buffered = io.BufferedReader(response.raw, CHUNK_BYTES)
            reader = csv.reader(io.TextIOWrapper(buffered, encoding="utf-8-sig", newline=""))
            header = next(reader, None)
            if header is None:
                return
            kind_at, text_at = header.index(ERROR_COLUMNS[0]), header.index(ERROR_COLUMNS[1])
            names = [(i, n) for i, n in enumerate(header) if i not in (kind_at, text_at)]
            for cells in reader:
                if not cells:
                    continue
                row = {name: cells[i] if i < len(cells) else "" for i, name in names}
                yield row, f"{cells[kind_at]}: {cells[text_at]}"

    # -- submitting -----------------------------------------------------------------------------

    def _input(self, *, ready: bool) -> str:
        body: dict[str, Any] = {
            "operation": "Upsert", "object": "Prospect", "restoreDeleted": self.restore_deleted,
            "columns": self.columns,
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
                raise ImportStoppedError(
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
        """Poll every `poll_interval` until Complete, bounded by `timeout`."""
        began = time.monotonic()
        polls = 0
        while True:
            elapsed = time.monotonic() - began
            if elapsed + self.poll_interval > self.timeout:
                raise ImportStoppedError(
                    f"{self.label}: import {import_id} is still not Complete after "
                    f"{elapsed:.0f} s (import_timeout_minutes). It may still complete; no STATE "
                    "was emitted for its rows, so a re-run sends them again and Pardot matches "
                    "them to the same prospects."
                )
            self._sleep(self.poll_interval)
            status = self._read(import_id)
            polls += 1
            if status.state == "Complete":
                LOG.info(
                    "%s: import %s Complete after %d polls (%s)",
                    self.label, import_id, polls, format_duration(time.monotonic() - began),
                )  # fmt: skip
                return status
            if status.is_expired:
                raise ImportStoppedError(f"{self.label}: import {import_id} expired unprocessed")
            LOG.info(
                "%s: import %s is %s after %s; next poll in %s",
                self.label, import_id, status.state, format_duration(time.monotonic() - began),
                format_duration(self.poll_interval),
            )  # fmt: skip
