"""Streamed multipart uploads: the bytes sent, re-read for each attempt, in chunked reads."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from urllib3.fields import RequestField
from urllib3.filepost import encode_multipart_formdata

from pardot_client import PardotClient, PardotOutcomeUnknownError
from pardot_client.multipart import CHUNK_BYTES, MultipartBody, UploadFileError
from pardot_sim import Simulator
from pardot_sim.testing import client_settings

IMPORT = "/api/import/version/{version}/do"
INPUT = json.dumps({"operation": "Upsert", "object": "Prospect"})


def csv_file(folder: Path, rows: int, name: str = "part.csv") -> Path:
    """A CSV of a known size whose rows differ, so a misplaced chunk would show."""
    path = folder / name
    lines = [f"upload.{i}@example.com,Zoë {i}\r\n" for i in range(rows)]
    path.write_bytes(("email,first_name\r\n" + "".join(lines)).encode())
    return path


class SpyPath(type(Path())):  # type: ignore[misc]
    """A Path whose opened files record the size of every read."""

    reads: list[int]

    def open(self, *args: Any, **kwargs: Any) -> Any:
        handle = super().open(*args, **kwargs)
        reads = self.reads

        class Spy:
            def __enter__(self) -> Spy:
                return self

            def __exit__(self, *exc: object) -> None:
                handle.close()

            def read(self, size: int = -1) -> bytes:
                reads.append(size)
                data: bytes = handle.read(size)
                return data

        return Spy()


def test_the_body_is_urllib3s_encoding_streamed(tmp_path: Path) -> None:
    path = csv_file(tmp_path, 5000)  # ~150 KB: several chunks
    fields = {
        "importInput": (None, INPUT, "application/json"),
        "importFile": ("part-1.csv", path, "text/csv"),
        "note": ("n.txt", b"raw bytes", "text/plain"),
    }
    body = MultipartBody(fields)
    expected, content_type = encode_multipart_formdata(
        [_field(name, *value) for name, value in fields.items()], boundary=body.boundary
    )
    assert b"".join(body) == expected
    assert len(body) == len(expected)
    assert body.content_type == content_type


def test_a_file_is_read_a_chunk_at_a_time_and_again_for_each_pass(tmp_path: Path) -> None:
    path = SpyPath(csv_file(tmp_path, 40_000))  # ~1.2 MB, not a multiple of the chunk
    path.reads = []
    body = MultipartBody({"importFile": ("part.csv", path, "text/csv")})
    first = list(body)
    assert path.reads and max(path.reads) <= CHUNK_BYTES
    assert max(len(chunk) for chunk in first) <= CHUNK_BYTES
    assert len(path.reads) >= path.stat().st_size // CHUNK_BYTES
    reads_per_pass = len(path.reads)
    partial = iter(body)
    next(partial), next(partial)  # an attempt that broke off early
    assert b"".join(body) == b"".join(first)  # the next one starts from the first byte
    assert len(path.reads) == 2 * reads_per_pass + 1  # 1 by the broken pass; none of whole file
    assert b"".join(first).count(path.read_bytes()) == 1


def test_a_file_that_changes_or_vanishes_is_an_upload_error(tmp_path: Path) -> None:
    path = csv_file(tmp_path, 100)
    body = MultipartBody({"importFile": ("part.csv", path, "text/csv")})
    with path.open("ab") as grown:
        grown.write(b"late@example.com,Late\r\n")
    with pytest.raises(UploadFileError, match="grew"):
        b"".join(body)
    path.write_bytes(b"email\r\n")
    with pytest.raises(UploadFileError, match="shrank"):
        b"".join(body)
    path.unlink()
    with pytest.raises(UploadFileError, match="cannot be read"):
        b"".join(body)
    with pytest.raises(UploadFileError, match="cannot be read"):
        MultipartBody({"importFile": ("part.csv", path, "text/csv")})
    assert not issubclass(UploadFileError, OSError)  # urllib3 would take it for a network error


# -- over HTTP --------------------------------------------------------------------------------


class Recorder(ThreadingHTTPServer):
    """A server that records each request's headers and body, answering from a script."""

    def __init__(self, answers: list[str]) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.answers = answers  # per request: "503", "drop" (close unanswered) or "ok"
        self.requests: list[tuple[dict[str, str], bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _RecordingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Recorder

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
        answer = self.server.answers.pop(0)
        if answer == "drop":
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        status, payload = (503, b"") if answer == "503" else (200, b'{"id": 7, "state": "Open"}')
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet."""


@pytest.fixture
def recorder() -> Iterator[Any]:
    """Start a recorder with a script of answers; stopped after the test."""
    servers: list[Recorder] = []

    def start(*answers: str) -> Recorder:
        server = Recorder(list(answers))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_retried_upload_sends_identical_bytes(
    sim: Simulator, recorder: Any, tmp_path: Path
) -> None:
    server = recorder("503", "ok")
    client = PardotClient(client_settings(sim, base_url=server.url))
    path = csv_file(tmp_path, 20_000)
    answer = client.post_files(
        f"{IMPORT}/create",
        {"importInput": (None, INPUT, "application/json"),
         "importFile": ("part-1.csv", path, "text/csv")},
    )  # fmt: skip
    assert answer == {"id": 7, "state": "Open"}
    (first_headers, first), (second_headers, second) = server.requests
    assert first == second
    assert path.read_bytes() in second
    assert first_headers["content-length"] == str(len(second))
    assert "transfer-encoding" not in first_headers
    assert first_headers["content-type"] == second_headers["content-type"]
    assert first_headers["content-type"].startswith("multipart/form-data; boundary=")


def test_a_broken_upload_is_unknown_unless_idempotent(
    sim: Simulator, recorder: Any, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, 2000)
    files: dict[str, Any] = {"importFile": ("part-2.csv", path, "text/csv")}
    server = recorder("drop", "drop")
    client = PardotClient(client_settings(sim, base_url=server.url))
    with pytest.raises(PardotOutcomeUnknownError):
        client.post_files(f"{IMPORT}/batch/id/7", files)
    assert len(server.requests) == 1  # not repeated blindly
    server = recorder("drop", "ok")
    client = PardotClient(client_settings(sim, base_url=server.url))
    assert client.post_files(f"{IMPORT}/batch/id/7", files, idempotent=True) is not None
    assert [body for _, body in server.requests] == [server.requests[0][1]] * 2


def test_the_simulator_receives_the_exact_csv_after_a_retry(
    sim: Simulator, client: PardotClient, tmp_path: Path
) -> None:
    first, second = csv_file(tmp_path, 3000, "p1.csv"), csv_file(tmp_path, 1234, "p2.csv")
    created = client.post_files(
        f"{IMPORT}/create",
        {"importInput": (None, INPUT, "application/json"),
         "importFile": ("part-1.csv", first, "text/csv")},
        idempotent=True,
    )  # fmt: skip
    sim.app.faults.configure({"script": [{"kind": "503", "path": "/do/batch/"}]})
    assert client.post_files(
        f"{IMPORT}/batch/id/{created['id']}", {"importFile": ("part-2.csv", second, "text/csv")}
    ) is None  # fmt: skip
    job = sim.imports.jobs[created["id"]]
    assert [b.data for b in job.batches] == [first.read_bytes(), second.read_bytes()]
    assert client.calls.snapshot()["import.batch"] == 2  # the 503, then the batch


def _field(name: str, filename: str | None, content: Any, content_type: str) -> RequestField:
    data = content.read_bytes() if isinstance(content, Path) else content
    field = RequestField(name=name, data=data, filename=filename)
    field.make_multipart(content_type=content_type)
    return field
