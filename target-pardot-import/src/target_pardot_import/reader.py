"""Reading the Singer input: one line at a time, numbered, and never stopped by a bad line.

The SDK's readers stop the run on the first line they cannot use (and log it whole, values
included): a line that is not JSON, bytes that are not UTF-8 (the text reader fails on them), a
JSON string holding a lone surrogate escape such as `\\ud800` (valid JSON that no UTF-8 text can
hold; msgspec refuses it). This reader takes the raw bytes, decodes them with msgspec as the
SDK's msgspec reader does (floats as Decimal), numbers every line, and hands each line it cannot
use to the run's rejects with its line number, its stream when it has one, and a reason that
quotes no value. Such a RECORD never reaches a sink; a SCHEMA or STATE that only the lenient
parser reads is used as read (its text is no record value).
"""

from __future__ import annotations

import decimal
import json
import logging
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, Protocol

import msgspec
from singer_sdk.singerlib.encoding.base import GenericSingerReader
from singer_sdk.singerlib.exceptions import InvalidInputLine

LOG = logging.getLogger("target_pardot_import")
_DECODER = msgspec.json.Decoder(float_hook=decimal.Decimal)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF][0-9a-fA-F]{2}")


class InputSink(Protocol):
    """Where the reader reports: the current line, and the lines it cannot use."""

    line: int

    def reject_line(self, *, stream: str | None, line: int, reason: str, record: Any) -> None:
        """Record one input line (or the record on it) that cannot be imported."""


class SingerLineReader(GenericSingerReader[Any]):
    """Reads Singer messages from bytes, numbering lines and rejecting the ones it cannot use."""

    def __init__(self, run: InputSink) -> None:
        super().__init__()
        self.run = run

    @property
    def default_input(self) -> IO[Any]:
        """Standard input as bytes: text decoding must not stop the run on a bad byte."""
        return sys.stdin.buffer

    @staticmethod
    def assert_line_requires(line_dict: dict[Any, Any], requires: set[str]) -> None:
        """The SDK's check of a message's keys, naming the missing keys but no value."""
        if not requires <= line_dict.keys():
            missing = ", ".join(sorted(requires - line_dict.keys()))
            raise InvalidInputLine(f"A {line_dict.get('type')} message lacks {missing}")

    def deserialize_json(self, line: Any) -> dict[Any, Any]:
        """One line as a message (the SDK's interface; `process_lines` does not use it)."""
        message = _DECODER.decode(line)
        if not isinstance(message, dict):
            raise msgspec.DecodeError("not a JSON object")
        return message

    def process_lines(
        self, file_input: IO[Any] | None, callbacks: dict[str, Callable[[dict[Any, Any]], None]]
    ) -> Counter[str]:
        """Dispatch every usable message to its callback; reject the lines that are not."""
        stats: dict[str, int] = defaultdict(int)
        run = self.run
        decode = _DECODER.decode
        number = 0
        for raw in _byte_lines(file_input or self.default_input):
            number += 1
            run.line = number
            try:
                message = decode(raw)
            except msgspec.DecodeError:
                message = self._lenient(raw, number)
                if message is None:
                    continue
            kind = message.get("type") if type(message) is dict else None
            callback = callbacks.get(kind) if isinstance(kind, str) else None
            if callback is None or not isinstance(kind, str):
                self._not_a_message(message, number)
                continue
            if kind == "RECORD" and (
                type(message.get("stream")) is not str or type(message.get("record")) is not dict
            ):
                run.reject_line(
                    stream=_stream_of(message), line=number, record=message.get("record"),
                    reason="not a RECORD message: it needs a stream name and a record object",
                )  # fmt: skip
                continue
            callback(message)
            stats[kind] += 1
        return Counter(stats)

    def _lenient(self, raw: bytes, number: int) -> dict[Any, Any] | None:
        """A line msgspec refused: rejected with why, or a non-RECORD message read leniently."""
        text = raw.decode("utf-8", "surrogateescape")
        if not text.strip():
            return None  # a blank line holds no message
        try:
            message = json.loads(text, parse_float=decimal.Decimal)
        except ValueError as exc:
            where = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
            reason = f"not JSON: {getattr(exc, 'msg', 'unreadable')}{where}"
            if not _utf8(raw):
                reason += f"; {_not_utf8(raw)}"
            self.run.reject_line(
                stream=None, line=number, reason=reason, record=text.rstrip("\r\n")
            )
            return None
        if not isinstance(message, dict):
            return message  # type: ignore[no-any-return]  # rejected by the caller
        why = _not_utf8(raw) if not _utf8(raw) else _not_unicode(text)
        if message.get("type") == "RECORD":
            self.run.reject_line(
                stream=_stream_of(message), line=number, record=message.get("record", message),
                reason=f"{why}; the tap must send UTF-8 text",
            )  # fmt: skip
            return None
        LOG.warning("Input line %d (a %s message) is %s; read leniently", number,
                    str(message.get("type"))[:40], why)  # fmt: skip
        return message

    def _not_a_message(self, message: Any, number: int) -> None:
        if not isinstance(message, dict):
            names: dict[type, str] = {list: "an array", str: "a string"}
            what = names.get(type(message), "a scalar")
            reason = f"not a Singer message: a JSON {what}, not an object"
        elif "type" not in message:
            reason = "not a Singer message: it has no type"
        else:
            reason = f"not a Singer message: unknown type {str(message['type'])[:40]!r}"
        self.run.reject_line(stream=_stream_of(message), line=number, reason=reason, record=message)


def _byte_lines(source: IO[Any] | Iterable[Any]) -> Iterator[bytes]:
    """Lines as bytes: binary input as it is, a text stream's buffer, or text encoded back."""
    binary = getattr(source, "buffer", None)
    if binary is not None:
        yield from binary
        return
    for line in source:
        yield line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")


def _stream_of(message: Any) -> str | None:
    stream = message.get("stream") if isinstance(message, dict) else None
    return stream if isinstance(stream, str) else None


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _not_utf8(raw: bytes) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8: byte 0x{raw[exc.start]:02X} at position {exc.start + 1} of the line"
    return "not UTF-8"


def _not_unicode(text: str) -> str:
    if _SURROGATE_ESCAPE.search(text):
        return "not valid Unicode: a lone surrogate escape (\\ud800-\\udfff) in a string"
    return "not readable as strict JSON"
