"""The client reads every answer of the corpus, served over real HTTP on 127.0.0.1.

A small replay server answers every request with the sample's status, content type and body
(and a token to the token endpoint), and the client makes the call the connectors make; the
test checks what the client made of the answer against the sample's `client.expect`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from corpus import Sample, fill, load_samples

from pardot_client import ClientSettings, PardotClient, PardotError, job_status, query_records
from pardot_client.account_fields import described_fields
from pardot_client.custom_fields import custom_prospect_fields
from pardot_client.downloads import csv_reader
from pardot_client.emails import email_stats, one_to_one_templates, read_node
from pardot_client.v5_objects import one_record, page_of

SAMPLES = load_samples()
CONTENT_TYPES = {"json": "application/json", "xml": "application/xml", "csv": "text/csv"}
TOKEN = {"access_token": "replay-token", "instance_url": "http://127.0.0.1", "token_type": "Bearer"}
QUERY = "/api/campaign/version/{version}/do/query"
PLACEHOLDERS = {"export_id": 1, "import_id": 1, "email_id": 1, "template_id": 1,
                "visitor_ids": "1,2", "campaign_before": 0, "campaign_after": 2,
                "prospect_id": 1, "dynamic_content_id": 1,
                "version": "{version}"}  # fmt: skip


class Replay(BaseHTTPRequestHandler):
    """Answers the sample to every request; the token endpoint gets a token unless sampled."""

    server: ReplayServer

    def do_GET(self) -> None:
        self._answer()

    do_POST = do_PATCH = do_GET  # noqa: N815 - the standard library's naming

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append((self.command, self.path, dict(self.headers)))
        sample = self.server.sample
        status, kind, body = sample.response["status"], sample.response["format"], b""
        token_path = self.path.split("?")[0].endswith("/services/oauth2/token")
        if token_path and sample.kind != "oauth.token":
            status, kind, body = 200, "json", json.dumps(TOKEN).encode()
        elif not token_path and sample.kind == "oauth.token":
            status, kind, body = 200, "json", b'{"@attributes": {"stat": "ok"}}'
        elif kind == "json":
            body = json.dumps(sample.response["body"]).encode()
        elif kind in ("xml", "csv"):
            body = str(sample.response["body"]).encode()
        self.send_response(status)
        if kind != "empty":
            self.send_header("Content-Type", CONTENT_TYPES[kind])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class ReplayServer(ThreadingHTTPServer):
    """A replay of one sample on 127.0.0.1."""

    daemon_threads = True

    def __init__(self, sample: Sample) -> None:
        super().__init__(("127.0.0.1", 0), Replay)
        self.sample = sample
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


@pytest.fixture
def replay(request: pytest.FixtureRequest) -> Iterator[ReplayServer]:
    server = ReplayServer(request.param)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def settings(url: str, **overrides: Any) -> ClientSettings:
    config: dict[str, Any] = {
        "client_id": "replay-client", "client_secret": "replay-secret",
        "refresh_token": "replay-refresh", "business_unit_id": "0Uv000000000001AAA",
        "login_url": url, "base_url": url, "timezone": "America/New_York",
        "backoff_base_seconds": 0.001, "max_tries": 2, "max_retry_seconds": 2,
        "read_timeout": 5, "connect_timeout": 2, **overrides,
    }  # fmt: skip
    return ClientSettings.from_config(config)


def legacy(url: str) -> PardotClient:
    return PardotClient(settings(url, refresh_token=None, username="api-user@example.com",
                                 password="replay-password", user_key="0" * 32))  # fmt: skip


def call(client: PardotClient, sample: Sample, base: str) -> Any:
    """Send the sample's request the way the connectors do; the decoded answer."""
    request = fill(sample.request, PLACEHOLDERS)
    path, method = str(request["path"]), request["method"]
    if path.startswith("{"):  # a file URL taken from an earlier answer
        path = f"{base}/file/1"
    params = request.get("params")
    if sample.response["format"] == "csv":
        with client.download(path) as response:
            return list(csv_reader(response))
    if "multipart" in request:
        files = {
            name: (part.get("filename"), json.dumps(part["content"])
                   if isinstance(part["content"], dict) else part["content"], part["type"])
            for name, part in request["multipart"].items()
        }  # fmt: skip
        return client.post_files(path, files, params=params)
    if method == "PATCH":
        return client.patch_json(path, request["json"], params=params)
    if method == "POST":
        return client.post_json(path, request.get("json"), params=params)
    return client.request("GET", path, params=params).json()


def read(sample: Sample, server: ReplayServer) -> dict[str, Any]:
    """What the client makes of the sample's answer, in the terms of `client.expect`."""
    how = sample.data["client"]
    reads, key = how["reads"], how.get("key", "")
    client = (
        legacy(server.url) if reads.startswith("legacy") else PardotClient(settings(server.url))
    )
    if reads in ("token", "legacy_login"):
        client.get_json(QUERY)
        header = server.seen[-1][2].get("Authorization", "")
        if reads == "token":
            return {"authorization": header}
        return {"authorization_starts": header[: len(how["expect"]["authorization_starts"])]}
    if reads in ("token_error", "legacy_login_error", "error"):

        def attempt() -> Any:
            return call(client, sample, server.url) if reads == "error" else client.get_json(QUERY)

        with pytest.raises(PardotError) as info:
            attempt()
        error, expect = info.value, how["expect"]
        out: dict[str, Any] = {"exception": type(error).__name__}
        if "code" in expect:
            out["code"] = error.code
        if "message" in expect:  # the client's text must carry these words
            out["message"] = expect["message"] if expect["message"] in str(error) else str(error)
        return out
    if reads == "custom_fields":
        types = custom_prospect_fields(client)
        return {"fields": {name: kind.value for name, kind in types.items()}}
    data = call(client, sample, server.url)
    if reads == "job":
        status = job_status(data, how["job"])
        return {"id": status.id, "state": status.state, "result_refs": len(status.result_refs),
                "is_expired": status.is_expired}  # fmt: skip
    if reads == "records":
        return {"ids": [r["id"] for r in query_records(data, key)]}
    if reads == "total":
        return {"total_results": int(data["result"]["total_results"])}
    if reads == "templates":
        return {"ids": [t["id"] for t in one_to_one_templates(data)]}
    if reads == "read":
        return {"id": read_node(data, key)["id"]}
    if reads == "stats":
        stats = email_stats(data)
        return {name: stats[name] if name == "sent" else str(stats[name])
                for name in how["expect"]}  # fmt: skip
    if reads == "describe":
        return {"fields": {name: kind.value for name, kind in described_fields(data).items()}}
    if reads == "csv":
        return {"header": data[0], "rows": len(data) - 1}
    if reads == "empty":
        return {"result": data}
    if reads == "v5_page":
        page = page_of(data)
        return {"ids": [r["id"] for r in page.values], "next": page.has_next}
    if reads == "v5_record":
        record = one_record(data)
        return {"id": record["id"] if record else None}
    raise AssertionError(f"{sample}: no reader {reads!r}")


@pytest.mark.parametrize("replay", SAMPLES, ids=str, indirect=True)
def test_the_client_reads_the_sample(replay: ReplayServer) -> None:
    sample = replay.sample
    assert read(sample, replay) == sample.data["client"]["expect"]
