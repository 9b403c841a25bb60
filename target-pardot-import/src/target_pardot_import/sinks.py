"""The prospect import sink: records -> checked CSV rows -> spooled parts -> Pardot imports.

One SDK batch is one Pardot import of up to 10 parts (per header variant). The sink is full
when a variant has its 10 parts complete (the row that did not fit has started the 11th, which
carries over to the next import) or when `batch_size_rows` is reached. `process_batch` returns
only once Pardot has completed the import and its failed rows are in the rejects file: the SDK
writes STATE only after draining every sink (sdk-notes §1.9), so a STATE that reaches the output
means its rows are in Pardot or in the rejects file.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from singer_sdk.sinks import BatchSink

from target_pardot_import.fields import column_options, import_columns
from target_pardot_import.import_job import ImportJob
from target_pardot_import.parts import Part, PartGroup
from target_pardot_import.values import RowEncoder, RowRejectedError

if TYPE_CHECKING:
    from target_pardot_import.target import TargetPardotImport

LOG = logging.getLogger("target_pardot_import")


class ProspectImportSink(BatchSink):
    """Upserts a stream's records as Pardot prospects through the Import API."""

    def __init__(
        self,
        target: TargetPardotImport,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: list[str] | None,
    ) -> None:
        self.run = target
        super().__init__(target, stream_name, schema, key_properties)
        config = target.config
        custom_fields = target.custom_fields  # first: its query settles the API version (88/89)
        self.version = target.client.api_version
        resolved = import_columns(
            schema.get("properties", {}), self.version, custom_fields, stream_name
        )
        self.columns = resolved
        self.options = column_options(config.get("column_options"), resolved.names)
        unknown_options = sorted(set(config.get("column_options") or {}) - set(resolved.names))
        if unknown_options:
            LOG.warning(
                "%s: column_options name fields that are not columns of the stream: %s",
                stream_name, ", ".join(unknown_options),
            )  # fmt: skip
        self.encoder = RowEncoder(
            resolved.columns,
            version=self.version,
            tz=target.timezone,
            null_overwrite=[n for n, o in self.options.items() if o.null_overwrite],
        )
        self.max_bytes = int(config.get("max_batch_bytes") or target.DEFAULT_BATCH_BYTES)
        self.max_parts = int(config.get("max_parts_per_import") or 10)
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

    def get_validator(self) -> None:
        """No JSON-Schema validation: `values` checks each value against its Pardot type."""
        return

    def _validate_and_parse(self, record: dict[str, Any]) -> dict[str, Any]:
        """Skip the SDK's per-record validation and timestamp parsing (sdk-notes §3).

        `values` formats and checks every value once, and needs date-times as the strings the
        tap sent, so the SDK's work here would be paid for twice per record.
        """
        return record

    @property
    def is_full(self) -> bool:
        """Full when a header variant has all its parts complete, or at `batch_size_rows`."""
        if self._part_limit_reached:
            return True
        limit = self.batch_size_rows
        return limit is not None and limit > 0 and self.current_size >= limit

    @property
    def current_size(self) -> int:
        """Rows waiting for an import plus rejects not yet checked against `max_reject_rate`."""
        return sum(g.rows for g in self.groups.values()) + self._rejected_since_drain

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
            group = self.groups[variant] = PartGroup(header, self.max_bytes, self.run.spool_dir)
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

    def process_batch(self, context: dict[str, Any]) -> None:
        """Import what is pending, wait for Pardot to complete it, record its skipped rows."""
        full = [g for g in self.groups.values() if len(g.complete) >= self.max_parts]
        for group in full or list(self.groups.values()):
            while parts := group.take(self.max_parts, include_open=not full):
                self._import(group, parts)
                if full:
                    break
        self._rejected_since_drain = 0
        self._part_limit_reached = any(
            len(g.complete) >= self.max_parts for g in self.groups.values()
        )
        self.run.after_batch()

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

    def _import(self, group: PartGroup, parts: list[Part]) -> None:
        rows = sum(p.rows for p in parts)
        sizes = [p.size for p in parts]
        label = f"{self.stream_name} import {self.run.stats.imports + 1}"
        try:
            if self.run.dry_run:
                LOG.info(
                    "%s (dry run, not sent): %d rows in %d parts of %s bytes, columns %s",
                    label, rows, len(parts), sizes, ", ".join(group.header),
                )  # fmt: skip
                self.run.stats.add(rows=rows, sizes=sizes, calls=0, wait=0.0, submit=0.0)
                return
            job = ImportJob(
                self.run.client,
                columns=[self.options[n].as_input(n) for n in group.header],
                restore_deleted=bool(self.config.get("restore_deleted", False)),
                poll_interval_seconds=float(self.config.get("poll_interval_seconds", 60)),
                timeout_seconds=float(self.config.get("import_timeout_minutes", 240)) * 60,
                label=label,
            )
            result = job.run(parts)
            failed = 0
            for cells, reason in job.failed_rows(result):
                failed += 1
                self.run.rejects.write(
                    stream=self.stream_name, row=None, stage="pardot", import_id=result.id,
                    reason=reason, record=cells,
                )  # fmt: skip
            LOG.info(
                "%s: import %s of %d rows in %d parts: %d created, %d updated, %d skipped by "
                "Pardot; %d API calls",
                label, result.id, rows, len(parts), result.created, result.updated, failed,
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
