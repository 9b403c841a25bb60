"""BufferedRecordWriter: the SDK MsgSpecWriter's bytes, RECORD lines held only in a scope."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import RecordMessage, SchemaMessage, StateMessage

from tap_pardot_export.output.writer import (
    FLUSH_BYTES,
    BufferedRecordWriter,
    record_prefix,
    record_suffix,
)

WHEN = datetime(2026, 11, 23, 12, 0, 1, 250_000, tzinfo=timezone.utc)
RECORD: dict[str, Any] = {
    "id": 7, "name": 'Ann "Q" \\ Lee\n', "ok": True, "score": Decimal("12.50"), "none": None,
    "at": "2026-11-23T12:00:00+00:00", "emoji": "caf\u00e9 \u2028 \U0001f600",
}  # fmt: skip


class ChunkyRaw(io.RawIOBase):
    """A raw stream taking at most 1000 bytes per write, like a FileIO on a busy pipe."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.writes = 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        taken = bytes(b[:1000])
        self.data += taken
        self.writes += 1
        return len(taken)


class BinaryStdout(io.TextIOWrapper):
    """A text stdout over `ChunkyRaw`, so the writer goes through `.buffer`."""

    def __init__(self) -> None:
        self.raw_sink = ChunkyRaw()
        super().__init__(self.raw_sink, encoding="utf-8", write_through=True)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", [None, 1795435200])
def test_a_fast_record_line_is_the_line_the_sdk_msgspec_writer_writes(version: int | None) -> None:
    sdk_line = MsgSpecWriter().format_message(
        RecordMessage(
            stream="visitor_activities", record=RECORD, version=version, time_extracted=WHEN
        )
    )
    writer = BufferedRecordWriter()
    out = io.StringIO()
    with redirect_stdout(out):
        writer.write_record(
            record_prefix("visitor_activities"), RECORD, record_suffix(version, WHEN)
        )
    assert out.getvalue().encode() == bytes(sdk_line)
    assert json.loads(out.getvalue())["record"]["score"] == 12.5


def test_records_wait_in_a_scope_and_go_out_before_the_next_state_in_order() -> None:
    writer = BufferedRecordWriter()
    out = io.StringIO()
    with redirect_stdout(out), writer.buffering():
        writer.write_message(SchemaMessage("s", {"properties": {}}, ["id"]))
        writer.write_message(RecordMessage(stream="s", record={"id": 1}))
        writer.write_record(record_prefix("s"), {"id": 2}, record_suffix(None, WHEN))
        assert [json.loads(x)["type"] for x in out.getvalue().splitlines()] == ["SCHEMA"]
        writer.write_message(StateMessage({"bookmarks": {"s": {}}}))
        kinds = [json.loads(x)["type"] for x in out.getvalue().splitlines()]
        assert kinds == ["SCHEMA", "RECORD", "RECORD", "STATE"]
        writer.write_message(RecordMessage(stream="s", record={"id": 3}))
        assert len(out.getvalue().splitlines()) == 4
    assert [json.loads(x).get("record") for x in out.getvalue().splitlines()][-1] == {"id": 3}


def test_the_scope_writes_what_it_holds_when_the_sync_raises() -> None:
    writer = BufferedRecordWriter()
    out = io.StringIO()

    def sync_that_breaks() -> None:
        with writer.buffering():
            writer.write_message(RecordMessage(stream="s", record={"id": 1}))
            raise RuntimeError("the export broke")

    with redirect_stdout(out), pytest.raises(RuntimeError):
        sync_that_breaks()
    assert json.loads(out.getvalue())["record"] == {"id": 1}


def test_outside_a_scope_every_record_is_written_at_once() -> None:
    writer = BufferedRecordWriter()
    out = io.StringIO()
    with redirect_stdout(out):
        writer.write_message(RecordMessage(stream="s", record={"id": 1}))
        assert out.getvalue().count("\n") == 1
        writer.write_record(record_prefix("s"), {"id": 2}, record_suffix(None, WHEN))
        assert out.getvalue().count("\n") == 2


def test_a_binary_stdout_gets_every_byte_in_few_large_writes() -> None:
    stdout = BinaryStdout()
    writer = BufferedRecordWriter()
    prefix, suffix = record_prefix("s"), record_suffix(None, WHEN)
    lines = 5000
    with redirect_stdout(stdout), writer.buffering():
        for i in range(lines):
            writer.write_record(prefix, {"id": i, "text": "x" * 40}, suffix)
    sink = stdout.raw_sink
    ids = [json.loads(line)["record"]["id"] for line in sink.data.splitlines()]
    assert ids == list(range(lines))
    flushes = len(sink.data) // FLUSH_BYTES + 1
    assert sink.writes <= flushes * (FLUSH_BYTES // 1000 + 2)  # partial writes retried, no more
