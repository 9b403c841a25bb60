"""The prospect import sink: records -> checked CSV rows -> spooled parts -> Pardot imports.

Rows are spooled per (generation, header variant): a row whose match key already has a row
waiting goes to the next generation (`order.MatchKeyOrder`), and generations are imported one
after the other, so Pardot applies the rows of each prospect in input order whatever variant
each row has. The sink is full when a group has all `max_parts_per_import` parts and the next row
does not fit (that row waits, in memory, for the next import) or at `batch_size_rows`. A drain
imports every group: one import per (generation, variant), each Complete before the next.

`process_batch` returns only once Pardot has completed the imports and their failed rows are in
the rejects file: the SDK writes STATE only after draining every sink (docs/sdk.md), so a STATE
that reaches the output means its rows are in Pardot or in the rejects file.

Everything target-wide (client, custom fields, settings, rejects, figures, reject rate, the
input line being read) comes from the `ImportRun` the sink is built with, never from the target.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from singer_sdk import Target
from typing_extensions import override

from pardot_client import PardotError
from target_pardot_import.fields import column_options, import_columns
from target_pardot_import.import_job import ImportJob
from target_pardot_import.order import MatchKeyOrder
from target_pardot_import.parts import Part, PartGroup
from target_pardot_import.run import ImportRun
from target_pardot_import.run_sink import RunSink
from target_pardot_import.values import RowEncoder, RowRejectedError

LOG = logging.getLogger("target_pardot_import")

Variant = tuple[str, ...]  # the columns a header variant leaves out


class VariantGroups:
    """One header variant: its header and its part group of each generation."""

    __slots__ = ("groups", "header", "header_size")

    def __init__(self, header: tuple[str, ...]) -> None:
        self.header = header
        self.header_size = len((",".join(header) + "\r\n").encode())
        self.groups: list[PartGroup | None] = []  # by generation


class SpoolWriteError(PardotError):
    """A CSV part could not be written (a full disk, say); the text names spool_dir."""


class ProspectImportSink(RunSink):
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
        super().__init__(target, stream_name, schema, key_properties, run=run)
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
        self.order = MatchKeyOrder()
        self.variants: dict[Variant, VariantGroups] = {}
        self._held: tuple[Variant, bytes, int, int] | None = None  # variant, row, line, key
        self.rows_read = 0
        self._rejected_since_drain = 0
        self._part_limit_reached = False  # is_full runs per record: a flag, not a scan
        LOG.info(
            "%s: importing columns %s (match by %s)%s",
            stream_name, ", ".join(resolved.names), " or ".join(resolved.match_columns),
            f"; not importable: {', '.join(resolved.left_out)}" if resolved.left_out else "",
        )  # fmt: skip

    # -- SDK hooks --------------------------------------------------------------------------------

    @property
    @override
    def is_full(self) -> bool:
        """Full when a group's next row must wait for the next import, when the match keys
        fill their table (`order.MAX_SLOTS`), or at `batch_size_rows`."""
        if self._part_limit_reached or self.order.full:
            return True
        limit = self.batch_size_rows
        return limit is not None and limit > 0 and self.current_size >= limit

    @property
    @override
    def current_size(self) -> int:
        """Rows waiting for an import plus rejects not yet checked against `max_reject_rate`."""
        waiting = sum(g.rows for g in self._groups()) + (self._held is not None)
        return waiting + self._rejected_since_drain

    @override
    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Encode the record into the open part of its group, or reject it with its reason."""
        self.rows_read += 1
        self.run.rows_seen += 1
        line = self.run.line
        for name in self._key_properties:
            if name not in record:
                self._reject(f"missing key property: {name} (a key_properties of the stream)",
                             record, line)  # fmt: skip
                return
        try:
            variant, row, key = self.encoder.encode_keyed(record)
        except RowRejectedError as exc:
            self._reject(str(exc), record, line)
            return
        slot = self.variants.get(variant)
        if slot is None:
            slot = self.variants[variant] = VariantGroups(self.encoder.header(variant))
        if slot.header_size + len(row) > self.max_bytes:
            self._reject(
                f"row too large: {len(row) + slot.header_size} bytes with the header; a part "
                f"holds at most {self.max_bytes} (max_batch_bytes)",
                record, line,
            )  # fmt: skip
            return
        group = self._group(slot, self.order.place(key))
        try:
            if not group.add(row, line):  # the import is full: the row opens the next one
                self._held = (variant, row, line, key)
                self._part_limit_reached = True
        except OSError as exc:
            raise self._spool_error(exc) from None

    @override
    def process_batch(self, context: dict[str, Any]) -> None:
        """Import every group, generation after generation; record the skipped rows."""
        generations = max((len(slot.groups) for slot in self.variants.values()), default=0)
        pending = [
            group for generation in range(generations) for slot in self.variants.values()
            if generation < len(slot.groups) and (group := slot.groups[generation]) is not None
        ]  # fmt: skip
        for slot in self.variants.values():
            slot.groups = []
        if generations > 1:
            LOG.info(
                "%s: some rows repeat the match key of an earlier row; they follow in %d later "
                "imports so that each prospect's last row wins", self.stream_name, generations - 1,
            )  # fmt: skip
        try:
            for group in pending:
                parts = group.take()
                if parts:
                    ImportJob(
                        self.run, stream=self.stream_name, header=group.header,
                        options=self.options,
                    ).send(parts)  # fmt: skip
        finally:
            for group in pending:
                group.discard()
        self.order.clear()
        self._rejected_since_drain = 0
        self._part_limit_reached = False
        held, self._held = self._held, None
        if held is not None:
            variant, row, line, key = held
            try:
                self._group(self.variants[variant], self.order.place(key)).add(row, line)
            except OSError as exc:
                raise self._spool_error(exc) from None
        self.run.after_batch()

    @override
    def clean_up(self) -> None:
        """Delete spooled parts left by a failed run."""
        for group in self._groups():
            group.discard()
        super().clean_up()

    # -- helpers ----------------------------------------------------------------------------------

    def _groups(self) -> list[PartGroup]:
        return [g for slot in self.variants.values() for g in slot.groups if g is not None]

    def _group(self, slot: VariantGroups, generation: int) -> PartGroup:
        groups = slot.groups
        if generation < len(groups):
            group = groups[generation]
            if group is not None:
                return group
        else:
            groups.extend([None] * (generation + 1 - len(groups)))
        group = groups[generation] = PartGroup(
            slot.header, self.max_bytes, self.max_parts, self.run.spool_path,
            on_complete=self._part_complete,
        )  # fmt: skip
        return group

    def _part_complete(self, part: Part) -> None:
        """A full part tells how many rows this drain may hold: size the key table once."""
        self.order.reserve(part.rows * self.max_parts)

    def _spool_error(self, exc: OSError) -> SpoolWriteError:
        return SpoolWriteError(
            f"Writing a CSV part in {self.run.spool_path} failed ({exc.strerror or exc}). Free "
            "space there or set spool_dir to a disk with room for max_batch_bytes x "
            "max_parts_per_import bytes; no STATE was emitted for the rows read so far."
        )

    def _reject(self, reason: str, record: dict[str, Any], line: int) -> None:
        self._rejected_since_drain += 1
        self.run.rejects.write(
            stream=self.stream_name, line=line, row=self.rows_read, stage="target",
            import_id=None, reason=reason, record=record,
        )  # fmt: skip
