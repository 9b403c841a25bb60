"""A multipart/form-data body streamed from memory and files, re-readable for every attempt.

requests encodes `files=` in memory: the caller's bytes, urllib3's growing BytesIO and its
result, about three copies of a 10 MB import part at once (measured with memray). This body
instead yields each part's headers, then a file's content in `CHUNK_BYTES` reads, then the
closing boundary. Its length is known up front (so the request has a Content-Length, not
chunked encoding), and each iteration starts again from the first byte, so a retried attempt
sends exactly the same bytes. The wire format is urllib3's own (its headers are rendered by
urllib3), only never held whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from urllib3.fields import RequestField
from urllib3.filepost import choose_boundary

from pardot_client.downloads import CHUNK_BYTES
from pardot_client.errors import PardotError

# One form field: (filename or None, content, content type). A Path content is streamed from
# that file, which must be complete and stay unchanged while the body is in use.
FormField = tuple[str | None, bytes | str | Path, str]


class UploadFileError(PardotError):
    """A file to upload could not be read, or changed size after the body was built.

    Not an OSError on purpose: urllib3 treats an OSError raised while sending as a broken
    connection, which would make a local file problem look like a network one and be retried.
    """


class MultipartBody:
    """The body of one multipart POST: `len()` gives its size, iterating yields its bytes."""

    def __init__(
        self,
        fields: Mapping[str, FormField],
        *,
        boundary: str | None = None,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        self.boundary = boundary or choose_boundary()
        self.content_type = f"multipart/form-data; boundary={self.boundary}"
        self.chunk_bytes = chunk_bytes
        self._segments: list[bytes | tuple[Path, int]] = []
        for name, (filename, content, content_type) in fields.items():
            head = RequestField(name=name, data=b"", filename=filename)
            head.make_multipart(content_type=content_type)
            self._add(f"--{self.boundary}\r\n{head.render_headers()}".encode())
            if isinstance(content, Path):
                self._segments.append((content, _size(content)))
            else:
                self._add(content.encode() if isinstance(content, str) else content)
            self._add(b"\r\n")
        self._add(f"--{self.boundary}--\r\n".encode())
        self._length = sum(len(s) if isinstance(s, bytes) else s[1] for s in self._segments)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[bytes]:
        """The body from its first byte: each call (each attempt) reads the files again."""
        for segment in self._segments:
            if isinstance(segment, bytes):
                yield segment
            else:
                yield from self._file_chunks(*segment)

    def _add(self, piece: bytes) -> None:
        """Append in-memory bytes, joining small neighbours so headers don't go out alone."""
        last = self._segments[-1] if self._segments else None
        if isinstance(last, bytes) and len(last) + len(piece) <= self.chunk_bytes:
            self._segments[-1] = last + piece
        else:
            self._segments.append(piece)

    def _file_chunks(self, path: Path, size: int) -> Iterator[bytes]:
        try:
            with path.open("rb", buffering=0) as handle:
                left = size
                while left:
                    chunk = handle.read(min(self.chunk_bytes, left))
                    if not chunk:
                        raise UploadFileError(
                            f"{path.name} shrank to {size - left} bytes while being uploaded "
                            f"(it had {size})"
                        )
                    left -= len(chunk)
                    yield chunk
                if handle.read(1):
                    raise UploadFileError(f"{path.name} grew past {size} bytes while uploading")
        except OSError as exc:
            raise UploadFileError(f"{path.name} cannot be read for upload: {exc}") from None


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError as exc:
        raise UploadFileError(f"{path.name} cannot be read for upload: {exc}") from None
