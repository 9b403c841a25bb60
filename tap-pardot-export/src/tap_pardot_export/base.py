"""`PardotStream`: what every stream of this tap shares, export and query alike.

Every stream keeps its own bookmark and writes STATE itself: export rows come unsorted and a
window counts only once it is whole; query marks are exact instants the emitted (rule-read) wall
times cannot give back. So the SDK's per-record bookmark tracking and its every-N-records STATE
are turned off here, once, and streams checkpoint through the run context (docs/sdk.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

from singer_sdk import Stream, Tap
from singer_sdk.singerlib import Catalog
from singer_sdk.singerlib.catalog import REPLICATION_FULL_TABLE
from typing_extensions import override

from pardot_client.calls import calls_between
from pardot_client.catalog import ObjectSpec, get_object
from pardot_client.dates import parse_utc
from tap_pardot_export.context import RunContext
from tap_pardot_export.schemas import stream_schema
from tap_pardot_export.settings import TapSettings


class PardotStream(Stream):
    """A stream of one catalog object, fed by the run context."""

    object_name: ClassVar[str]
    primary_keys: ClassVar[list[str]] = ["id"]
    is_sorted = False  # streams keep their own bookmark (module docstring)
    STATE_MSG_FREQUENCY = 10**15  # STATE goes out from get_records, never per N records

    def __init__(self, tap: Tap, run: RunContext) -> None:
        self.run = run
        self.spec: ObjectSpec = get_object(self.object_name)
        super().__init__(tap, schema=self.build_schema())

    def build_schema(self) -> dict[str, Any]:
        """The stream's schema: the catalog object's exportable fields."""
        return stream_schema(self.spec)

    @override
    def apply_catalog(self, catalog: Catalog) -> None:
        """Take the catalog's selection and method, but keep this stream's own mark.

        Which field a stream can page by is the object's, not a choice: an older catalog naming
        another replication key (or none) must not turn an incremental stream into a full-table
        one (whose ACTIVATE_VERSION would make a loader drop the rows not read again).
        """
        own = self.replication_key
        super().apply_catalog(catalog)
        self.replication_key = own

    @property
    def full_table(self) -> bool:
        """Whether this run reads everything (the catalog asked FULL_TABLE, or no mark exists)."""
        return self.replication_method == REPLICATION_FULL_TABLE

    @property
    def settings(self) -> TapSettings:
        """The tap's typed settings."""
        return self.run.settings

    def _increment_stream_state(
        self, latest_record: dict[str, Any], *, context: Mapping[str, Any] | None = None
    ) -> None:
        """No per-record bookmark: `get_records` moves it once rows are wholly delivered."""

    def checkpoint(self) -> None:
        """Write the tap's state now (an export id before its long wait, pages read so far)."""
        self.run.write_state(self.tap_state)

    def start_instant(self) -> datetime:
        """Where a stream with no bookmark starts: `start_date`."""
        return self.run.start()

    def end_instant(self) -> datetime:
        """Where this run stops: `end_date`, or Pardot's clock less `settle_seconds`."""
        return self.run.end()

    def bookmark(self, value: object) -> datetime:
        """A saved bookmark as an instant, refused when it lies in Pardot's future."""
        return self.run.check_bookmark(self.name, parse_utc(str(value)))

    @override
    def log_sync_costs(self) -> None:
        """The SDK calls this for every stream once all have synced: the last logs the run."""
        super().log_sync_costs()
        self.run.summary.stream_done(self.logger)

    def accounted(
        self, rows: Iterable[dict[str, Any]], *, count_rows: bool = True
    ) -> Iterator[dict[str, Any]]:
        """The stream's rows, counted into the run summary; its API calls logged at the end."""
        before = self.run.client.calls.snapshot()
        try:
            summary = self.run.summary
            yield from summary.count(self.name, rows, self.run.client, count_rows=count_rows)
        finally:
            used = calls_between(before, self.run.client.calls.snapshot())
            self.logger.info("%s: Pardot API calls by this stream: %s", self.name, used)
