"""The tap's Singer message writer: msgspec encoding, RECORD lines buffered during a stream's sync.

The SDK's writers write and flush every message; with PYTHONUNBUFFERED=1 (set on our machines,
common in containers) that is one write system call per record, and the target is woken a million
times for a million rows (docs/sdk.md). This writer keeps RECORD lines in one buffer while a
stream syncs records (`buffering()`, opened by `FastRecordsMixin`) and writes it out in 64 KiB
pieces, before every other message (SCHEMA, STATE, ACTIVATE_VERSION, BATCH) so the order of the
output is the order of the calls, and when the scope ends, whether the sync finished, was aborted
at a record limit or raised. Outside a scope every message is written at once, as the SDK does.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any

from singer_sdk.contrib.msgspec import MsgSpecWriter, encoder
from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.encoding.simple import Message

FLUSH_BYTES = 64 * 1024  # a pipe's default capacity on Linux: one wake-up of the reader per fill


def record_prefix(stream: str) -> bytes:
    """A RECORD line up to its record: `RecordMessage.to_dict()` puts type, stream, record first."""
    return b'{"type":"RECORD","stream":' + encoder.encode(stream) + b',"record":'


def record_suffix(version: int | None, time_extracted: datetime) -> bytes:
    """A RECORD line after its record: version if any, time_extracted, end of line."""
    version_part = b"" if version is None else b',"version":' + encoder.encode(version)
    return version_part + b',"time_extracted":' + encoder.encode(time_extracted) + b"}\n"


class BufferedRecordWriter(MsgSpecWriter):
    """`MsgSpecWriter` (same encoder, same bytes per message) that buffers RECORD lines."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()
        self._scopes = 0

    @contextmanager
    def buffering(self) -> Iterator[None]:
        """Buffer RECORD lines until the scope ends; then everything buffered is written."""
        self._scopes += 1
        try:
            yield
        finally:
            self._scopes -= 1
            self.flush()

    def write_message(self, message: Message) -> None:
        """Buffer a RECORD inside a scope; write anything else after what is buffered."""
        self._buffer += self.format_message(message)
        in_scope_record = self._scopes and isinstance(message, RecordMessage)
        if not in_scope_record or len(self._buffer) >= FLUSH_BYTES:
            self.flush()

    def write_record(self, prefix: bytes, record: dict[str, Any], suffix: bytes) -> None:
        """Encode a RECORD line straight into the buffer: `prefix`, the record, `suffix`.

        `prefix` and `suffix` come from `record_prefix` and `record_suffix`, so the line is the
        one `MsgSpecWriter` writes for the same `RecordMessage`; the caller guarantees `record`
        is already pruned and conformed (`FastRecordsMixin`).
        """
        buffer = self._buffer
        buffer += prefix
        encoder.encode_into(record, buffer, -1)
        buffer += suffix
        if not self._scopes or len(buffer) >= FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write out what is buffered, to the current `sys.stdout` (tests redirect it)."""
        if not self._buffer:
            return
        stdout = sys.stdout
        binary: IO[bytes] | None = getattr(stdout, "buffer", None)
        if binary is None:  # a text stream such as io.StringIO
            stdout.write(self._buffer.decode())
        else:
            stdout.flush()  # text written to sys.stdout before stays before
            _write_all(binary, self._buffer)
            binary.flush()
        self._buffer.clear()


def _write_all(binary: IO[bytes], data: bytearray) -> None:
    """Write every byte: with PYTHONUNBUFFERED, `sys.stdout.buffer` is a raw FileIO whose write
    may take only part of a large chunk."""
    with memoryview(data) as view:
        written = 0
        while written < len(view):
            with view[written:] as rest:
                written += binary.write(rest) or 0  # None: nothing taken (non-blocking)
