"""A small threaded HTTP/1.1 server: requests in, responses (or faults) out.

Built on the standard library so the simulator controls the socket itself: it can reset a
connection, stall, or cut a download short, which is what fault injection needs.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CHUNK = 256 * 1024


@dataclass
class Request:
    """One parsed HTTP request."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    base_url: str  # scheme://host:port this server is reached at

    def arg(self, name: str) -> str | None:
        """A query-string or form parameter (the last value wins), or None."""
        values = self.query.get(name) or self.form().get(name)
        return values[-1] if values else None

    def args(self) -> dict[str, str]:
        """All query-string and form parameters, last value winning."""
        merged = {k: v[-1] for k, v in self.form().items() if v}
        merged.update({k: v[-1] for k, v in self.query.items() if v})
        return merged

    def form(self) -> dict[str, list[str]]:
        """Form-encoded body parameters (empty for other content types)."""
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return parse_qs(self.body.decode("utf-8", errors="replace"), keep_blank_values=True)
        return {}

    def json(self) -> Any:
        """The JSON body; raises ValueError when it is not valid JSON."""
        return json.loads(self.body)

    def multipart(self) -> dict[str, list[tuple[bytes, str | None]]]:
        """Multipart parts by name: (content, filename) each; ValueError when not multipart."""
        ctype = self.headers.get("content-type", "")
        if not ctype.startswith("multipart/form-data"):
            raise ValueError("not multipart/form-data")
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + self.body
        )
        parts: dict[str, list[tuple[bytes, str | None]]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                parts.setdefault(name, []).append((payload, part.get_filename()))
        return parts


@dataclass
class Response:
    """An HTTP response; `body` may be an iterable of chunks for streamed downloads."""

    status: int = 200
    body: bytes | Iterable[bytes] = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None  # Content-Length of a streamed body, when known
    fault: str | None = None  # "reset" (close at once) or "truncate" (stop half way)

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        """A JSON response."""
        return cls(status, json.dumps(data, separators=(",", ":")).encode())


Handler = Callable[[Request], Response]


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small answers would otherwise wait ~40 ms for delayed ACKs
    server: SimHTTPServer

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET  # noqa: N815 - the standard library's naming

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header on the simulated clock, as a real server's Date follows its clock."""
        now = self.server.clock() if timestamp is None else timestamp
        return formatdate(now, usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence per-request stderr lines; the simulator logs what matters itself."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=f"http://{host}",
        )
        response = self.server.app(request)
        if response.fault == "reset":
            self._reset()
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        body = response.body
        chunks: Iterator[bytes]
        if isinstance(body, bytes):
            length: int | None = len(body)
            chunks = iter((body,))
        else:
            length, chunks = response.length, iter(body)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        sent = 0
        limit = length // 2 if response.fault == "truncate" and length else None
        for chunk in chunks:
            if limit is not None and sent + len(chunk) > limit:
                self.wfile.write(chunk[: max(0, limit - sent)])
                self.wfile.flush()
                self._reset()
                return
            if length is None:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                self.wfile.write(chunk)
            sent += len(chunk)
        if length is None:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _reset(self) -> None:
        """Close with RST rather than FIN, as a broken network or proxy would."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


class SimHTTPServer(ThreadingHTTPServer):
    """A threaded server on one address that hands every request to `app`."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(
        self, address: tuple[str, int], app: Handler, clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__(address, _RequestHandler)
        self.app = app
        self.clock = clock
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL clients use."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (or faults that cut them off) are normal here, not errors."""

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self.serve_forever, name="pardot-sim", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
