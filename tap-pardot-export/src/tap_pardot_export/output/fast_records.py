"""A faster way for RECORD messages out of a stream, the one place this tap overrides SDK internals.

Why: at 100,000+ rows/s most of the tap's time went to per-record work in the SDK
(`Stream._generate_record_messages`: pruning deselected properties, type conformance, a
`RecordMessage` object, `to_dict`, one write and flush per record; docs/sdk.md). Conformance
and pruning only depend on the schema and the selection, so they are decided here once per sync
(`RecordPlan`), and each record is encoded straight into `BufferedRecordWriter`'s buffer.

What is kept, and how:
- Stream maps and flattening: with any map other than the SDK's plain `SameRecordTransform`
  without flattening, or a schema with nested or open properties, no plan is made and every
  record takes the SDK's own path (`super()._write_record_message`), conformance included.
- Field selection: keys the SDK would drop (deselected, or not in the catalog schema) are
  dropped in place, with one warning for keys outside the schema, as the SDK warns.
- Conformance: the SDK would change nothing in the export rows but NaN/infinite numbers, which
  are nulled here too; tests/test_fast_path_conformance.py proves each export stream's records
  come out byte for byte as the SDK's path writes them.
- The SDK's per-record loop (`Stream._sync_records`) runs its steps per record: post_process,
  the max record limit (the SDK's test runner), partition context keys, child contexts, state
  increments, the record counter, STATE every N records. For a stream where each of those does
  nothing (`lean_loop`: the stream keeps its own state and emits STATE from `get_records`; no
  partitions, children, record limit or `post_process`), `_lean_sync` runs the same sync without
  them: the starting replication value, the metrics (record count and sync timer, counted in
  steps of 4096), the records written straight into the buffer, the state finalized and the
  closing STATE, as the SDK's method does them. Anything else takes the SDK's loop.

SDK surface used, checked by tests/test_fast_path_sdk_surface.py: `Stream._sync_records` (a
generator; wrapped to open the writer's buffering scope, which flushes however the sync ends),
`Stream._write_record_message(record)` (replaced), `Stream._tap.message_writer`,
`Stream._stream_version` (the RECORD's version, as the SDK sets it), and
`state_manager.is_flushed` (set as the SDK's method does, so the closing STATE is written); for
the lean loop also `get_record_counter`, `get_sync_timer`, `_write_starting_replication_value`,
`get_context_state`, `_finalize_state`, `stream_state`, `_write_state_message`, `partitions`,
`child_streams`, `ABORT_AT_RECORD_COUNT` and `post_process`.
`time_extracted` is read to the millisecond (`RecordSuffix`), not per record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, ClassVar, cast

from singer_sdk import Stream
from singer_sdk.mapper import SameRecordTransform

from tap_pardot_export.output.writer import (
    BufferedRecordWriter,
    record_prefix,
    record_suffix,
)

LOG = logging.getLogger("tap_pardot_export")
COUNT_STEP = 4096  # records between two record-counter increments of the lean loop
_PRIMITIVE = frozenset({"string", "integer", "number", "boolean", "null"})


class RecordSuffix:
    """The end of a RECORD line, with `time_extracted` read from the clock to the millisecond.

    Reading and encoding an aware datetime per record cost about as much as encoding the record;
    the encoded suffix is kept for a millisecond, so a stamp is at most 1 ms older than its record.
    """

    def __init__(self, version: int | None) -> None:
        self.version = version
        self._until = 0.0
        self._suffix = b""

    def __call__(self) -> bytes:
        now = time.time()
        if now >= self._until:
            self._until = now + 0.001
            self._suffix = record_suffix(self.version, datetime.fromtimestamp(now, timezone.utc))
        return self._suffix


@dataclass
class RecordPlan:
    """What the SDK's pruning and conformance would do to this stream's records, decided once."""

    writer: BufferedRecordWriter
    prefix: bytes  # the RECORD line up to the record, for the map's stream alias
    suffix: RecordSuffix
    allowed: frozenset[str]  # selected and in the catalog schema: what the SDK keeps
    schema_keys: frozenset[str]
    numbers: tuple[str, ...]  # number-typed keys, whose NaN/infinity conformance nulls
    flag_each: bool = True  # mark the state unflushed per record (the lean loop does it once)
    _warned: set[frozenset[str]] = field(default_factory=set)

    @classmethod
    def for_stream(cls, stream: Stream, writer: BufferedRecordWriter) -> RecordPlan | None:
        """The plan, or None when the SDK's own path must run (maps, flattening, nesting)."""
        maps = stream.stream_maps
        if len(maps) != 1 or type(maps[0]) is not SameRecordTransform:
            return None
        if maps[0].flattening_enabled:
            return None
        schema = stream.effective_schema
        properties: dict[str, Any] = schema.get("properties") or {}
        if schema.get("additionalProperties") or not all(
            set(_types(p)) <= _PRIMITIVE for p in properties.values()
        ):
            return None
        mask = stream.mask
        allowed = frozenset(k for k in properties if mask[("properties", k)])
        numbers = tuple(k for k in allowed if "number" in _types(properties[k]))
        prefix = record_prefix(maps[0].stream_alias)
        suffix = RecordSuffix(stream._stream_version)
        return cls(writer, prefix, suffix, allowed, frozenset(properties), numbers)

    def conform(self, record: dict[str, Any], stream_name: str) -> None:
        """Drop what the SDK would drop and null non-finite numbers, in place."""
        extra = record.keys() - self.allowed
        if extra:
            unknown = frozenset(extra - self.schema_keys)
            if unknown and unknown not in self._warned:
                self._warned.add(unknown)
                LOG.warning(
                    "Properties %s were present in the '%s' stream but not found in catalog "
                    "schema. Ignoring.", tuple(sorted(unknown)), stream_name,
                )  # fmt: skip
            for key in extra:
                del record[key]
        for key in self.numbers:
            value = record.get(key)
            if isinstance(value, (Decimal, float)) and not _finite(value):
                record[key] = None


def _types(property_schema: dict[str, Any]) -> list[str]:
    kind = property_schema.get("type", [])
    types = [kind] if isinstance(kind, str) else list(kind)
    for option in property_schema.get("anyOf", []):  # the SDK's date-time helpers use anyOf
        types += _types(option)
    return types or ["object"]  # no type: anything may come, let the SDK handle it


def _finite(value: Decimal | float) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else value - value == 0


class FastRecordsMixin(Stream):
    """Stream mixin: RECORD lines encoded once into a buffered writer (see the module doc)."""

    lean_loop: ClassVar[bool] = False  # True: `_increment_stream_state` does nothing and STATE
    # comes from `get_records` (a stream keeping its own bookmark, tap_pardot_export/base.py)
    _record_plan: RecordPlan | None = None

    def _sync_records(
        self, context: Mapping[str, Any] | None = None, *, write_messages: bool = True
    ) -> Generator[dict[str, Any], Any, Any]:
        """The SDK's loop (or the lean one) inside the writer's buffering scope, with a plan."""
        writer = self._tap.message_writer
        if not write_messages or not isinstance(writer, BufferedRecordWriter):
            self._record_plan = None
            yield from super()._sync_records(context, write_messages=write_messages)
            return
        self._record_plan = plan = RecordPlan.for_stream(self, writer)
        try:
            with writer.buffering():
                if plan is not None and self._lean(context):
                    plan.flag_each = False
                    self._lean_sync()
                else:
                    yield from super()._sync_records(context, write_messages=write_messages)
        finally:
            self._record_plan = None

    def _lean(self, context: Mapping[str, Any] | None) -> bool:
        """Whether every per-record step of the SDK's loop would do nothing for this sync."""
        return (
            self.lean_loop
            and context is None
            and self.partitions is None
            and not self.child_streams
            and self.ABORT_AT_RECORD_COUNT is None
            and self.selected
            and type(self).post_process is Stream.post_process
        )

    def _lean_sync(self) -> None:
        """`Stream._sync_records` for one context and no per-record step: each record written
        through the plan (`_write_record_message`), counted in steps, the state finalized and
        the closing STATE written as the SDK's loop does."""
        counter, timer = self.get_record_counter(), self.get_sync_timer()
        with counter, timer:
            counter.with_context({})
            timer.with_context({})
            self._write_starting_replication_value(None)
            write, count = self._write_record_message, 0
            for record in cast("Iterable[dict[str, Any]]", self.get_records(None)):
                write(record)
                count += 1
                if not count % COUNT_STEP:
                    counter.increment(COUNT_STEP)
            if count % COUNT_STEP:
                counter.increment(count % COUNT_STEP)
            if count:
                self.state_manager.is_flushed = False  # as the SDK's record writes leave it
            self._finalize_state(self.get_context_state(None))
        self._finalize_state(self.stream_state)
        self._write_state_message()

    def _write_record_message(self, record: dict[str, Any]) -> None:
        """One RECORD line, encoded into the buffer; the SDK's path when there is no plan."""
        plan = self._record_plan
        if plan is None:
            super()._write_record_message(record)
            return
        if plan.numbers or not plan.allowed.issuperset(record):
            plan.conform(record, self.name)
        plan.writer.write_record(plan.prefix, record, plan.suffix())
        if plan.flag_each:
            self.state_manager.is_flushed = False

    def generate_child_contexts(
        self, record: dict[str, Any], context: Mapping[str, Any] | None
    ) -> Iterable[Mapping[str, Any] | None]:
        """No child context per record when the stream has no child streams (nothing to sync)."""
        if not self.child_streams:
            return ()
        return super().generate_child_contexts(record, context)
