"""Reading the files Pardot serves (export results, import errors) as CSV rows, as bytes arrive.

Both are CSV files of any size, so they are never held whole: the body is read in 64 KiB chunks
(requests' `iter_lines` reads 512 bytes at a time and halves the read rate, docs/sdk.md) and
decoded as UTF-8, a leading byte-order mark dropped. The same chunk size serves uploads
(`multipart`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import requests

CHUNK_BYTES = 64 * 1024


class _Body(io.RawIOBase):
    """A response body as a raw stream whose `closed` is io's own: the text wrapper asks for it
    on every line, and urllib3's is a Python property (about 0.2 us a CSV row)."""

    def __init__(self, raw: Any) -> None:
        super().__init__()
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return int(self._raw.readinto(buffer))


def text_stream(response: requests.Response) -> io.TextIOWrapper:
    """A streamed response's body as text, read in `CHUNK_BYTES` chunks, BOM dropped."""
    response.raw.decode_content = True
    response.raw.auto_close = False  # let the text wrapper see a clean EOF
    buffered = io.BufferedReader(_Body(response.raw), CHUNK_BYTES)
    return io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")


def csv_reader(response: requests.Response) -> Iterator[list[str]]:
    """The rows of a streamed CSV download (header first), parsed as the bytes arrive."""
    return csv.reader(text_stream(response))
