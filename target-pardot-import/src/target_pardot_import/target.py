"""target-pardot-import: upsert prospects into Pardot through the asynchronous Import API.

Settings for auth and hosts have the tap's names. Every stream is imported as prospects; its
schema (after stream maps) fixes the CSV header. The target owns the run-wide pieces: the one
client, the account's custom fields, the rejects file and its rate limit, the run's figures.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from singer_sdk import Target
from singer_sdk import typing as th
from singer_sdk.contrib.msgspec import MsgSpecReader
from singer_sdk.helpers.capabilities import PluginCapabilities

from pardot_client import ClientSettings, PardotClient, PardotError
from pardot_client.catalog import FieldType
from pardot_client.custom_fields import custom_prospect_fields
from pardot_client.settings_schema import with_connection_settings
from target_pardot_import.rejects import RejectsWriter
from target_pardot_import.sinks import ProspectImportSink

LOG = logging.getLogger("target_pardot_import")


class RejectRateExceededError(PardotError):
    """More rows were rejected than `max_reject_rate` allows; the rejects file says which."""


_OPTION = th.ObjectType(
    th.Property("overwrite", th.BooleanType, description="False keeps Pardot's non-blank value."),
    th.Property("nullOverwrite", th.BooleanType,
                description="True lets an explicit null (an empty cell) clear Pardot's value."),
)  # fmt: skip

CONFIG_SCHEMA = with_connection_settings(th.PropertiesList(
    th.Property("api_version", th.IntegerType, default=4, allowed_values=[3, 4],
                description="3: rows match prospects by email (accounts without multiple "
                "prospects per email). 4: by prospect_id or salesforce_fid."),
    th.Property("max_batch_bytes", th.IntegerType, default=9_990_000,
                description="Largest CSV part (one import batch) in encoded bytes, header "
                "included; Pardot wants batches under 10 MB."),
    th.Property("max_parts_per_import", th.IntegerType, default=10,
                description="Parts per import, 1 to 10 (Pardot's limit is 10 batches)."),
    th.Property("column_options", th.ObjectType(additional_properties=_OPTION),
                description='Per field: {"city": {"overwrite": false, "nullOverwrite": true}}. '
                "Defaults: overwrite true, nullOverwrite false (a blank never clears a value)."),
    th.Property("restore_deleted", th.BooleanType, default=False,
                description="Un-delete and update prospects found in Pardot's recycle bin; "
                "otherwise their rows are skipped and rejected."),
    th.Property("poll_interval_seconds", th.NumberType, default=60,
                description="Seconds between reads of a submitted import until it is Complete."),
    th.Property("import_timeout_minutes", th.NumberType, default=240,
                description="Fail the run when an import is not Complete after this long."),
    th.Property("rejects_path", th.StringType, default="pardot-rejects.csv",
                description="File the rejected rows are appended to, with their reasons."),
    th.Property("rejects_format", th.StringType, allowed_values=["csv", "jsonl"],
                description="csv or jsonl; default: jsonl for a .jsonl path, else csv."),
    th.Property("max_reject_rate", th.NumberType, default=0,
                description="Fail the run (after writing the rejects) once rejected rows "
                "exceed this share of the rows read, 0 to 1; 0 fails on the first reject."),
    th.Property("dry_run", th.BooleanType, default=False,
                description="Check, encode and spool everything, log what would be imported, "
                "and make no import calls."),
    th.Property("spool_dir", th.StringType,
                description="Directory for the CSV parts waiting for upload; default: the "
                "system temporary directory."),
).to_dict())  # fmt: skip


@dataclass
class RunStats:
    """The run's figures, logged at the end (the benchmark reads them)."""

    imports: int = 0
    rows: int = 0
    part_sizes: list[list[int]] = field(default_factory=list)
    calls: int = 0
    wait_seconds: float = 0.0
    submit_seconds: float = 0.0

    def add(self, *, rows: int, sizes: list[int], calls: int, wait: float, submit: float) -> None:
        """Count one import."""
        self.submit_seconds += submit
        self.imports += 1
        self.rows += rows
        self.part_sizes.append(sizes)
        self.calls += calls
        self.wait_seconds += wait


class TargetPardotImport(Target):
    """Singer target for Salesforce Pardot (Account Engagement) prospect imports."""

    name = "target-pardot-import"
    config_jsonschema = CONFIG_SCHEMA
    default_sink_class = ProspectImportSink
    message_reader_class = MsgSpecReader
    capabilities = [  # noqa: RUF012 - the SDK declares it a plain class attribute
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.FLATTENING,
        PluginCapabilities.STRUCTURED_LOGGING,
    ]  # no validate-records: values are checked against Pardot's types instead
    DEFAULT_BATCH_BYTES = 9_990_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.rows_seen = 0
        self.stats = RunStats()
        self._began = time.monotonic()
        super().__init__(*args, **kwargs)
        self.max_parallelism = 1  # an account runs its imports one at a time anyway

    @cached_property
    def client(self) -> PardotClient:
        """The one client of this run."""
        return PardotClient(ClientSettings.from_config(self.config))

    @property
    def timezone(self) -> str:
        """The API user's timezone (the client's settings check it is a real IANA name)."""
        return self.client.settings.timezone

    @property
    def dry_run(self) -> bool:
        """Whether import calls are skipped."""
        return bool(self.config.get("dry_run", False))

    @property
    def spool_dir(self) -> str | None:
        """Where parts are spooled (None: the system temporary directory)."""
        value = self.config.get("spool_dir")
        return str(value) if value else None

    @cached_property
    def rejects(self) -> RejectsWriter:
        """The rejects file of this run."""
        return RejectsWriter(
            self.config.get("rejects_path") or "pardot-rejects.csv",
            self.config.get("rejects_format"),
        )

    @cached_property
    def custom_fields(self) -> dict[str, FieldType]:
        """The account's custom prospect fields (their API names)."""
        return custom_prospect_fields(self.client)

    def after_batch(self) -> None:
        """Make the rejects durable, then fail the run if they exceed `max_reject_rate`."""
        self.rejects.flush()
        limit = float(self.config.get("max_reject_rate") or 0)
        if self.rows_seen and self.rejects.count / self.rows_seen > limit:
            raise RejectRateExceededError(
                f"{self.rejects.count} of {self.rows_seen} rows were rejected, more than "
                f"max_reject_rate {limit:g} allows; see {self.rejects.summary()}"
            )

    def process_endofpipe(self) -> None:
        """Drain every sink, then log the run's figures (counts only, never values)."""
        try:
            super().process_endofpipe()
        finally:
            self.rejects.close()
        summary = {
            "rows_read": self.rows_seen,
            "rows_sent": self.stats.rows,
            "rejected": self.rejects.count,
            "imports": self.stats.imports,
            "part_sizes": self.stats.part_sizes,
            "import_calls": self.stats.calls,
            "api_calls": self.client.calls.total if "client" in self.__dict__ else 0,
            "wait_seconds": round(self.stats.wait_seconds, 3),
            "submit_seconds": round(self.stats.submit_seconds, 3),
            "seconds": round(time.monotonic() - self._began, 3),
            "dry_run": self.dry_run,
        }
        LOG.info("Run summary: %s", json.dumps(summary))
        if self.rejects.count:
            LOG.warning("%s", self.rejects.summary())


if __name__ == "__main__":
    TargetPardotImport.cli()
