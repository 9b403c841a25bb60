"""CSV parts spooled to disk, cut by encoded size, grouped into imports of at most 10 parts.

A part is one Import API batch: a header row plus data rows, at most `max_batch_bytes` (counted
in encoded bytes, header included; Pardot wants a batch under 10 MB). Rows go to a temporary
file as they come, so memory holds one small write buffer per open part (one per header
variant), not the data; the upload streams the file back in chunks (pardot_client.multipart).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

WRITE_BUFFER = 64 * 1024  # per open part, i.e. per header variant; bigger buys nothing


class Part:
    """One spooled CSV file: its header, rows and size so far."""

    def __init__(self, header: bytes, directory: str | None) -> None:
        handle, name = tempfile.mkstemp(prefix="pardot-part-", suffix=".csv", dir=directory)
        self.path = Path(name)
        self._file: BinaryIO | None = os.fdopen(handle, "wb", buffering=WRITE_BUFFER)
        self._file.write(header)
        self.size = len(header)
        self.rows = 0

    def write(self, row: bytes) -> None:
        """Append one encoded row."""
        assert self._file is not None, "a closed part takes no rows"
        self._file.write(row)
        self.size += len(row)
        self.rows += 1

    def close(self) -> None:
        """Flush the rows to disk; the part is complete."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def upload_file(self) -> Path:
        """The complete file, for a streamed upload (closed first, so every row is on disk)."""
        self.close()
        return self.path

    def discard(self) -> None:
        """Delete the file (after its import, or when the run ends)."""
        self.close()
        self.path.unlink(missing_ok=True)


@dataclass
class PartGroup:
    """The parts of one header: complete parts waiting for an import, and the part being filled.

    `add` refuses a row that could not fit even an empty part; otherwise a row that does not fit
    the open part closes it and starts the next one, so every part but the last of an import is
    filled to within one row of `max_bytes`.
    """

    header: tuple[str, ...]
    max_bytes: int
    directory: str | None
    complete: list[Part] = field(default_factory=list)
    open_part: Part | None = None

    def __post_init__(self) -> None:
        self.header_line = (",".join(self.header) + "\r\n").encode()

    def fits(self, row: bytes) -> bool:
        """Whether a row fits an empty part (a part holds at most `max_bytes`)."""
        return len(self.header_line) + len(row) <= self.max_bytes

    def add(self, row: bytes) -> None:
        """Write a row that `fits`, starting a new part when the open one is full."""
        part = self.open_part
        if part is not None and part.size + len(row) > self.max_bytes:
            part.close()
            self.complete.append(part)
            part = None
        if part is None:
            part = self.open_part = Part(self.header_line, self.directory)
        part.write(row)

    @property
    def rows(self) -> int:
        """Rows not yet imported."""
        pending = sum(p.rows for p in self.complete)
        return pending + (self.open_part.rows if self.open_part is not None else 0)

    def take(self, limit: int, *, include_open: bool) -> list[Part]:
        """Remove and return up to `limit` parts for one import (the open one too if asked)."""
        if include_open and self.open_part is not None and len(self.complete) < limit:
            self.open_part.close()
            self.complete.append(self.open_part)
            self.open_part = None
        taken, self.complete = self.complete[:limit], self.complete[limit:]
        return taken

    def discard(self) -> None:
        """Delete every spooled file."""
        for part in [*self.complete, *([self.open_part] if self.open_part else [])]:
            part.discard()
        self.complete = []
        self.open_part = None
