"""`RunSink`: what the target's sinks share: the run handed in, Pardot's checks for the SDK's.

Both sinks (prospect imports, email sends) check every value against what Pardot takes, reject
a record without its key with its input line, and never send `_sdc_*` metadata, so the SDK's
per-record validation, key check and metadata steps would only cost time or end the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, cast

from singer_sdk import Target
from singer_sdk.sinks import BatchSink
from typing_extensions import override

from target_pardot_import.run import ImportRun

SinkType = TypeVar("SinkType", bound="RunSink")


class RunSink(BatchSink):
    """A sink built with the run's shared state (`ImportRun`), never reaching into the target."""

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

    @override
    def get_validator(self) -> None:
        """No JSON-Schema validation: each value is checked against what Pardot takes."""
        return

    @override
    def _validate_and_parse(self, record: dict[str, Any]) -> dict[str, Any]:
        """Skip the SDK's per-record validation and timestamp parsing (docs/sdk.md).

        The sink formats and checks every value once, and needs date-times as the strings the
        tap sent, so the SDK's work here would be paid for twice per record.
        """
        return record

    @override
    def _singer_validate_message(self, record: dict[str, Any]) -> None:
        """Keys are checked in `process_record`: a record without one is rejected there with its
        line, where the SDK's check would end the run."""

    @property
    @override
    def include_sdc_metadata_properties(self) -> bool:
        """Never: `_sdc_*` metadata is never sent to Pardot, so the SDK need not compute it."""
        return False

    @override
    def _remove_sdc_metadata_from_record(self, record: dict[str, Any]) -> None:
        """Nothing to remove: `_sdc_*` properties are left out of what is sent anyway."""


def bound_to(run: ImportRun, sink_class: type[SinkType]) -> type[SinkType]:
    """`sink_class` with `run` bound, as the class the SDK instantiates for the run's streams.

    The SDK builds every sink itself, in `Target.add_sink` (final), as
    `sink_class(target=, stream_name=, schema=, key_properties=)`: there is no slot for
    anything else. A subclass made once per run closes over the run and passes it on, so each
    sink receives the run as a constructor argument instead of reaching into the target, and
    the SDK's own bookkeeping (active sinks, sinks retired by a new SCHEMA) stays untouched,
    which overriding `get_sink` would have to copy.
    """

    def init(
        self: RunSink,
        target: Target,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: Sequence[str] | None,
    ) -> None:
        sink_class.__init__(self, target, stream_name, schema, key_properties, run=run)

    bound = type(f"Run{sink_class.__name__}", (sink_class,), {"__init__": init})
    return cast("type[SinkType]", bound)
