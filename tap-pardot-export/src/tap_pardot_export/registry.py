"""Every stream of the tap, in catalog order, and how they are made for a run."""

from __future__ import annotations

from singer_sdk import Stream, Tap

from tap_pardot_export.base import PardotStream
from tap_pardot_export.context import RunContext
from tap_pardot_export.export.streams import EXPORT_STREAMS
from tap_pardot_export.query.special import SPECIAL_QUERY_STREAMS
from tap_pardot_export.query.streams import QUERY_STREAMS
from tap_pardot_export.v5.streams import V5_STREAMS

STREAM_TYPES: tuple[type[PardotStream], ...] = (
    *EXPORT_STREAMS,
    *QUERY_STREAMS,
    *SPECIAL_QUERY_STREAMS,
    *V5_STREAMS,
)
EXPORT_STREAM_NAMES: tuple[str, ...] = tuple(s.name for s in EXPORT_STREAMS)  # type: ignore[misc]


def make_streams(tap: Tap, run: RunContext) -> list[Stream]:
    """Every stream, bound to this run; settings naming no export stream are refused first."""
    unknown = sorted(set(run.settings.procedures) - set(EXPORT_STREAM_NAMES))
    if unknown:
        raise ValueError(
            f"procedures names {', '.join(unknown)}, which is not an export stream; "
            f"use one of: {', '.join(sorted(EXPORT_STREAM_NAMES))}"
        )
    streams: list[Stream] = [stream_type(tap, run) for stream_type in STREAM_TYPES]
    for stream in streams:  # in sync order: each may create its first exports ahead
        if isinstance(stream, EXPORT_STREAMS):
            run.exports.register(stream)
    run.summary.expected = len(streams)
    return streams
