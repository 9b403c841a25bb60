"""One Pardot export from creation to its last downloaded row: create, poll, download.

Polling follows the documented schedule, `ceil(n*n/5 + 1)` units before poll n, with one log
line a person can read per poll; a deadline ends a stuck export. Result files are streamed and
parsed as bytes arrive, never held whole; a broken download is fetched again from the start.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
import urllib3

from pardot_client import JobStatus, PardotClient, PardotError, PardotRetryableError, job_status
from pardot_client.dates import format_duration
from pardot_client.downloads import csv_reader
from pardot_client.polling import Poller, export_wait
from tap_pardot_export.export.rows import RowParser
from tap_pardot_export.export.tz_guard import server_time
from tap_pardot_export.export.windows import Window

LOG = logging.getLogger("tap_pardot_export")
MAX_DOWNLOAD_TRIES = 5
PENDING_STATES = ("Waiting", "Processing")


class ExportFailedError(PardotError):
    """Pardot reported the export Failed, Canceled or expired."""


class ForeignExportError(PardotError):
    """A result file whose columns are not the fields its request asked for (another export)."""


@dataclass(frozen=True)
class ExportRequest:
    """What to export: object, fields and the procedure with its arguments."""

    stream: str
    object_name: str
    fields: list[str]
    procedure: str
    arguments: dict[str, Any]
    api_version: int  # 4 (v3/v4 paths, the client picks 3 or 4) or 5
    label: str  # the window, for log lines

    def body(self) -> dict[str, Any]:
        """The create request's JSON body."""
        return {
            "object": self.object_name,
            "fields": self.fields,
            "procedure": {"name": self.procedure, "arguments": self.arguments},
        }


class ExportJob:
    """Runs one export request against Pardot through the shared client."""

    def __init__(
        self,
        client: PardotClient,
        request: ExportRequest,
        *,
        poll_unit_seconds: float,
        timeout_seconds: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.request = request
        self.poll_unit_seconds = poll_unit_seconds
        self.timeout_seconds = timeout_seconds
        self._sleep = sleep

    def create(self) -> tuple[JobStatus, datetime]:
        """Create the export; returns it with the server's clock at creation (its Date header).

        Marked idempotent so a broken connection is retried: a duplicate export only costs
        quota and queue time, a lost window would cost rows.
        """
        if self.request.api_version == 5:
            path, params = "/api/v5/exports", None
        else:
            path, params = "/api/export/version/{version}/do/create", {"format": "json"}
        response = self.client.request(
            "POST", path, params=params, json=self.request.body(), idempotent=True
        )
        status = job_status(response.json())
        LOG.info("%s %s: created export %s", self.request.stream, self.request.label, status.id)
        return status, server_time(response.headers.get("Date"))

    def cancel(self, export_id: int) -> None:
        """Ask Pardot to drop an export nobody will read, so it stops holding up the queue."""
        if self.request.api_version == 5:
            return  # no documented v5 cancel
        try:
            self.client.request(
                "POST", f"/api/export/version/{{version}}/do/cancel/id/{export_id}",
                params={"format": "json"}, idempotent=True,
            )  # fmt: skip
        except PardotError as exc:
            LOG.info("Export %s could not be canceled (%s); it will expire", export_id, exc)

    def read(self, export_id: int) -> JobStatus:
        """The export's current state."""
        if self.request.api_version == 5:
            return job_status(self.client.get_json(f"/api/v5/exports/{export_id}"))
        return job_status(
            self.client.get_json(f"/api/export/version/{{version}}/do/read/id/{export_id}")
        )

    def wait(self, export_id: int, *, resumed: bool = False) -> JobStatus:
        """Poll on the documented schedule until the export is no longer Waiting/Processing.

        A resumed export (from a run that stopped) is read at once: it may be done already.
        """
        unit = self.poll_unit_seconds

        def wait_before(poll: int) -> float:
            return 0.0 if resumed and poll == 0 else export_wait(poll, unit)

        name = f"{self.request.stream} {self.request.label}"
        polled = Poller(wait_before, self.timeout_seconds, LOG, self._sleep).until_done(
            lambda: self.read(export_id),
            pending=lambda status: status.state in PENDING_STATES,
            label=f"{name}: export {export_id}",
            timed_out=lambda elapsed: ExportFailedError(
                f"{name}: export {export_id} is still not complete after "
                f"{format_duration(elapsed)}; export_timeout_minutes ends the wait. Pardot runs "
                "an account's exports one at a time, so other exports may be ahead of it: raise "
                "export_timeout_minutes or run again later (the export id is kept in state and "
                "resumed)."
            ),
        )
        LOG.info(
            "%s: export %s is %s after %s",
            name, export_id, polled.status.state, format_duration(polled.elapsed),
        )  # fmt: skip
        return polled.status

    def records(
        self, url: str, parser: RowParser, window: Window, *, check_header: bool = False
    ) -> Generator[dict[str, Any], None, int]:
        """Typed records of one result file, parsed as the bytes arrive.

        A download that breaks part way is fetched again and the rows already yielded are
        skipped (a result file's content does not change), so nothing is lost or repeated.
        With `check_header` (an export id taken from state), a file whose header is not the
        requested fields raises `ForeignExportError` before any row: the id named another
        export, whose rows must not pass for this stream's.
        """
        progress = [0]  # rows of the file delivered, kept by the parser as it yields
        for attempt in range(1, MAX_DOWNLOAD_TRIES + 1):
            done = progress[0]
            try:
                with self.client.download(url) as response:
                    reader = csv_reader(response)
                    header = next(reader, None)
                    if header is None:
                        return done
                    if check_header and set(header) != set(self.request.fields):
                        raise ForeignExportError(
                            f"{self.request.stream} {self.request.label}: the saved export's "
                            f"columns are not the {self.request.object_name} fields this "
                            "stream asked for (the state named another export)"
                        )
                    yield from parser.records(  # skipped rows are not typed
                        header, reader, skip=done, span=window, progress=progress
                    )
                return progress[0]
            except _BROKEN_DOWNLOAD as exc:
                if attempt == MAX_DOWNLOAD_TRIES:
                    raise PardotRetryableError(
                        f"{self.request.stream} {self.request.label}: a result file broke off "
                        f"{MAX_DOWNLOAD_TRIES} times ({type(exc).__name__}); run again to resume"
                    ) from None
                LOG.warning(
                    "%s %s: download broke after %d rows (%s); fetching the file again "
                    "(try %d of %d)",
                    self.request.stream, self.request.label, progress[0], type(exc).__name__,
                    attempt + 1, MAX_DOWNLOAD_TRIES,
                )  # fmt: skip
        return progress[0]  # not reached: the last try returns or raises


_BROKEN_DOWNLOAD = (requests.RequestException, urllib3.exceptions.HTTPError, OSError)
