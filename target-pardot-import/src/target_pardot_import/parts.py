"""CSV parts spooled to disk, cut by encoded size, grouped into imports of at most 10 parts.

A part is one Import API batch: a header row plus data rows, at most `max_batch_bytes` (counted
in encoded bytes, header included; Pardot wants a batch under 10 MB). Rows go to a file in the
run's spool directory as they come, so memory holds one small write buffer per open part (one
per header variant and generation), not the data; the upload streams the file back in chunks
(pardot_client.multipart). Beside each row the part keeps its input line number (4 bytes a
row), so the rows Pardot skips can be traced back to the line they came on.
"""

from __future__ import annotations

import os
import re
import tempfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

WRITE_BUFFER = 64 * 1024  # per open part, i.e. per header variant; bigger buys nothing
# One row as the target writes it: cells with a quote, comma, CR or LF are quoted, so a row ends
# at the first CRLF outside quotes.
_ROW = re.compile(rb'(?:[^"\r\n]|"(?:[^"]|"")*")*\r\n')


class Part:
    """One spooled CSV file: its header, rows and size so far, and each row's input line."""

    def __init__(self, header: bytes, directory: str | Path | None) -> None:
        handle, name = tempfile.mkstemp(prefix="pardot-part-", suffix=".csv", dir=directory)
        self.path = Path(name)
        self._file: BinaryIO | None = os.fdopen(handle, "wb", buffering=WRITE_BUFFER)
        self._file.write(header)
        self.header_size = len(header)
        self.size = len(header)
        self.rows = 0
        self.lines = array("I")  # the input line of each row

    def write(self, row: bytes, line: int) -> None:
        """Append one encoded row that came on input line `line`."""
        assert self._file is not None, "a closed part takes no rows"
        self._file.write(row)
        self.size += len(row)
        self.rows += 1
        self.lines.append(line)

    def close(self) -> None:
        """Flush the rows to disk; the part is complete."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def upload_file(self) -> Path:
        """The complete file, for a streamed upload (closed first, so every row is on disk)."""
        self.close()
        return self.path

    def rows_with_lines(self) -> Iterator[tuple[int, bytes]]:
        """Each row as written (bytes, line end included) with its input line."""
        self.close()
        data = self.path.read_bytes()
        rows = (match.group() for match in _ROW.finditer(data, self.header_size))
        yield from zip(self.lines, rows, strict=True)

    def discard(self) -> None:
        """Delete the file (after its import, or when the run ends)."""
        self.close()
        self.path.unlink(missing_ok=True)


@dataclass
class PartGroup:
    """The parts of one header for one import: complete parts and the part being filled.

    A row that does not fit the open part closes it and starts the next one, so every part but
    the last is filled to within one row of `max_bytes`; once the group has `max_parts` parts,
    `add` refuses the row that would need another, and it waits for the next import.
    """

    header: tuple[str, ...]
    max_bytes: int
    max_parts: int
    directory: str | Path | None
    complete: list[Part] = field(default_factory=list)
    open_part: Part | None = None
    on_complete: Callable[[Part], None] | None = None  # told of each part that fills up

    def __post_init__(self) -> None:
        self.header_line = (",".join(self.header) + "\r\n").encode()

    def fits(self, row: bytes) -> bool:
        """Whether a row fits an empty part (a part holds at most `max_bytes`)."""
        return len(self.header_line) + len(row) <= self.max_bytes

    def add(self, row: bytes, line: int) -> bool:
        """Write a row that `fits`, starting a new part when the open one is full; False (and
        nothing written) when the group already has `max_parts` parts and the row needs one more."""
        part = self.open_part
        if part is not None and part.size + len(row) > self.max_bytes:
            if len(self.complete) + 1 >= self.max_parts:
                return False
            part.close()
            self.complete.append(part)
            if self.on_complete is not None:
                self.on_complete(part)
            part = None
        if part is None:
            part = self.open_part = Part(self.header_line, self.directory)
        part.write(row, line)
        return True

    @property
    def rows(self) -> int:
        """Rows not yet imported."""
        pending = sum(p.rows for p in self.complete)
        return pending + (self.open_part.rows if self.open_part is not None else 0)

    def take(self) -> list[Part]:
        """Remove and return every part (the open one closed), for one import."""
        if self.open_part is not None:
            self.open_part.close()
            self.complete.append(self.open_part)
            self.open_part = None
        taken, self.complete = self.complete, []
        return taken

    def discard(self) -> None:
        """Delete every spooled file."""
        for part in [*self.complete, *([self.open_part] if self.open_part else [])]:
            part.discard()
        self.complete = []
        self.open_part = None
