"""The prospect import sink: records -> checked CSV rows -> spooled parts -> Pardot imports.

One SDK batch is one Pardot import of up to 10 parts (per header variant). The sink is full
when a variant has its 10 parts complete (the row that did not fit has started the 11th, which
carries over to the next import) or when `batch_size_rows` is reached. `process_batch` returns
only once Pardot has completed the import and its failed rows are in the rejects file: the SDK
writes STATE only after draining every sink (docs/sdk.md), so a STATE that reaches the output
means its rows are in Pardot or in the rejects file.

Everything target-wide (client, custom fields, settings, rejects, figures, reject rate) comes
from the `ImportRun` the sink is built with, never from the target object.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from singer_sdk import Target
from singer_sdk.sinks import BatchSink
from typing_extensions import override

from target_pardot_import.fields import column_options, import_columns
from target_pardot_import.import_job import ImportJob
from target_pardot_import.parts import PartGroup
from target_pardot_import.run import ImportRun
from target_pardot_import.values import RowEncoder, RowRejectedError

LOG = logging.getLogger("target_pardot_import")


class ProspectImportSink(BatchSink):
    """Upserts a stream's records as Pardot prospects through the Import API."""

    def __init__(
        self,
        target: Target,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: Sequence[str] | None,
        *,
        run: ImportRun,
    ) -> None:
        self.run = run
        super().__init__(target, stream_name, schema, key_properties)
        settings = run.settings
        custom_fields = run.custom_fields  # first: its query settles the API version (88/89)
        self.version = run.client.api_version
        resolved = import_columns(
            schema.get("properties", {}), self.version, custom_fields, stream_name
        )
        self.columns = resolved
        self.options = column_options(settings.column_options, resolved.names)
        unknown_options = sorted(set(settings.column_options) - set(resolved.names))
        if unknown_options:
            LOG.warning(
                "%s: column_options name fields that are not columns of the stream: %s",
                stream_name, ", ".join(unknown_options),
            )  # fmt: skip
        self.encoder = RowEncoder(
            resolved.columns,
            version=self.version,
            tz=run.timezone,
            null_overwrite=[n for n, o in self.options.items() if o.null_overwrite],
        )
        self.max_bytes = settings.max_batch_bytes
        self.max_parts = settings.max_parts_per_import
        self.groups: dict[tuple[str, ...], PartGroup] = {}
        self.rows_read = 0
        self._rejected_since_drain = 0
        self._part_limit_reached = False  # is_full runs per record: a flag, not a scan
        LOG.info(
            "%s: importing columns %s (match by %s)%s",
            stream_name, ", ".join(resolved.names), " or ".join(resolved.match_columns),
            f"; not importable: {', '.join(resolved.left_out)}" if resolved.left_out else "",
        )  # fmt: skip

    # -- SDK hooks --------------------------------------------------------------------------------

    @override
    def get_validator(self) -> None:
        """No JSON-Schema validation: `values` checks each value against its Pardot type."""
        return

    @override
    def _validate_and_parse(self, record: dict[str, Any]) -> dict[str, Any]:
        """Skip the SDK's per-record validation and timestamp parsing (docs/sdk.md).

        `values` formats and checks every value once, and needs date-times as the strings the
        tap sent, so the SDK's work here would be paid for twice per record.
        """
        return record

    @property
    @override
    def is_full(self) -> bool:
        """Full when a header variant has all its parts complete, or at `batch_size_rows`."""
        if self._part_limit_reached:
            return True
        limit = self.batch_size_rows
        return limit is not None and limit > 0 and self.current_size >= limit

    @property
    @override
    def current_size(self) -> int:
        """Rows waiting for an import plus rejects not yet checked against `max_reject_rate`."""
        return sum(g.rows for g in self.groups.values()) + self._rejected_since_drain

    @override
    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Encode the record into the open part of its variant, or reject it with its reason."""
        self.rows_read += 1
        self.run.rows_seen += 1
        try:
            variant, row = self.encoder.encode(record)
        except RowRejectedError as exc:
            self._reject(str(exc), record)
            return
        group = self.groups.get(variant)
        if group is None:
            header = self.encoder.header(variant)
            group = self.groups[variant] = PartGroup(
                header, self.max_bytes, self.run.settings.spool_dir
            )
        if not group.fits(row):
            self._reject(
                f"row too large: {len(row) + len(group.header_line)} bytes with the header; a "
                f"part holds at most {self.max_bytes} (max_batch_bytes)",
                record,
            )
            return
        group.add(row)
        if len(group.complete) >= self.max_parts:
            self._part_limit_reached = True

    @override
    def process_batch(self, context: dict[str, Any]) -> None:
        """Import what is pending, wait for Pardot to complete it, record its skipped rows."""
        full = [g for g in self.groups.values() if len(g.complete) >= self.max_parts]
        for group in full or list(self.groups.values()):
            while parts := group.take(self.max_parts, include_open=not full):
                ImportJob(
                    self.run, stream=self.stream_name, header=group.header, options=self.options
                ).send(parts)
                if full:
                    break
        self._rejected_since_drain = 0
        self._part_limit_reached = any(
            len(g.complete) >= self.max_parts for g in self.groups.values()
        )
        self.run.after_batch()

    @override
    def clean_up(self) -> None:
        """Delete spooled parts left by a failed run."""
        for group in self.groups.values():
            group.discard()
        super().clean_up()

    # -- helpers ----------------------------------------------------------------------------------

    def _reject(self, reason: str, record: dict[str, Any]) -> None:
        self._rejected_since_drain += 1
        self.run.rejects.write(
            stream=self.stream_name, row=self.rows_read, stage="target", import_id=None,
            reason=reason, record=record,
        )  # fmt: skip


def sink_class_for(run: ImportRun) -> type[ProspectImportSink]:
    """The sink class the SDK instantiates for the streams of `run`.

    The SDK builds every sink itself, in `Target.add_sink` (final), as
    `sink_class(target=, stream_name=, schema=, key_properties=)`: there is no slot for
    anything else. A subclass made once per run closes over the run and passes it on, so each
    sink receives the run as a constructor argument instead of reaching into the target, and
    the SDK's own bookkeeping (active sinks, sinks retired by a new SCHEMA) stays untouched,
    which overriding `get_sink` would have to copy.
    """

    class RunProspectImportSink(ProspectImportSink):
        def __init__(
            self,
            target: Target,
            stream_name: str,
            schema: dict[str, Any],
            key_properties: Sequence[str] | None,
        ) -> None:
            super().__init__(target, stream_name, schema, key_properties, run=run)

    return RunProspectImportSink
