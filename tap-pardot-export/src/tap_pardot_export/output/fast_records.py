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
- Everything else in `Stream._sync_records` still runs per record: post_process, the max record
  limit (the SDK's test runner), partition context keys, state increments, record counts in the
  metrics log, and STATE messages.

SDK surface used, checked by tests/test_fast_path_sdk_surface.py: `Stream._sync_records` (a
generator; wrapped to open the writer's buffering scope, which flushes however the sync ends),
`Stream._write_record_message(record)` (replaced), `Stream._tap.message_writer`,
`Stream._stream_version` (the RECORD's version, as the SDK sets it), and
`state_manager.is_flushed` (set as the SDK's method does, so the closing STATE is written).
`time_extracted` is read to the millisecond (`RecordSuffix`), not per record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from singer_sdk import Stream
from singer_sdk.mapper import SameRecordTransform

from tap_pardot_export.output.writer import BufferedRecordWriter, record_prefix, record_suffix

LOG = logging.getLogger("tap_pardot_export")
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

    _record_plan: RecordPlan | None = None

    def _sync_records(
        self, context: Mapping[str, Any] | None = None, *, write_messages: bool = True
    ) -> Generator[dict[str, Any], Any, Any]:
        """The SDK's loop, inside the writer's buffering scope, with a plan for this sync."""
        writer = self._tap.message_writer
        if not write_messages or not isinstance(writer, BufferedRecordWriter):
            self._record_plan = None
            yield from super()._sync_records(context, write_messages=write_messages)
            return
        self._record_plan = RecordPlan.for_stream(self, writer)
        try:
            with writer.buffering():
                yield from super()._sync_records(context, write_messages=write_messages)
        finally:
            self._record_plan = None

    def _write_record_message(self, record: dict[str, Any]) -> None:
        """One RECORD line, encoded into the buffer; the SDK's path when there is no plan."""
        plan = self._record_plan
        if plan is None:
            super()._write_record_message(record)
            return
        if plan.numbers or not plan.allowed.issuperset(record):
            plan.conform(record, self.name)
        plan.writer.write_record(plan.prefix, record, plan.suffix())
        self.state_manager.is_flushed = False

    def generate_child_contexts(
        self, record: dict[str, Any], context: Mapping[str, Any] | None
    ) -> Iterable[Mapping[str, Any] | None]:
        """No child context per record when the stream has no child streams (nothing to sync)."""
        if not self.child_streams:
            return ()
        return super().generate_child_contexts(record, context)
