"""Every error shape Pardot and Salesforce send is read, whatever its status."""

from __future__ import annotations

import pytest

from pardot_client.calls import endpoint_kind
from pardot_client.errors import parse_error_body


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            b'{"@attributes":{"stat":"fail","version":1,"err_code":184},'
            b'"err":"access_token is invalid, unknown, or malformed"}',
            184,
            "access_token is invalid, unknown, or malformed",
        ),
        (
            b'<?xml version="1.0" encoding="UTF-8"?>\n<rsp stat="fail" version="1.0">\n'
            b'   <err code="66">You have exceeded your concurrent request limit.</err>\n</rsp>',
            66,
            "You have exceeded your concurrent request limit.",
        ),
        (b'{"code":122,"message":"Daily API rate limit met"}', 122, "Daily API rate limit met"),
        (
            b'<rsp stat="fail" version="1.0"><err code="10000" param="x">A &amp; B</err></rsp>',
            10000,
            "A & B",
        ),
        (
            b'{"@attributes":{"stat":"fail","version":1,"err_code":15},"err":["Login failed","x"]}',
            15,
            "Login failed; x",
        ),
    ],
)
def test_error_bodies_of_every_version_are_parsed(body: bytes, code: int, message: str) -> None:
    error = parse_error_body(body)
    assert error is not None
    assert (error.code, error.message) == (code, message)


def test_oauth_errors_keep_their_error_name() -> None:
    error = parse_error_body(
        b'{"error":"invalid_grant","error_description":"expired access/refresh token"}'
    )
    assert error is not None
    assert error.oauth_error == "invalid_grant"
    assert error.message == "expired access/refresh token"


@pytest.mark.parametrize(
    "body",
    [
        b'{"@attributes":{"stat":"ok","version":1},"result":{"total_results":0}}',
        b'{"id":1,"state":"Waiting","isExpired":false}',
        b"id,created_at\n1,2024-01-01 00:00:00\n",
        b"",
        b'<rsp stat="ok" version="1.0"><api_key>abc</api_key></rsp>',
    ],
)
def test_successful_bodies_are_not_errors(body: bytes) -> None:
    assert parse_error_body(body) is None


@pytest.mark.parametrize(
    ("method", "url", "kind"),
    [
        ("POST", "https://x/api/export/version/4/do/create?format=json", "export.create"),
        ("GET", "https://x/api/export/version/3/do/read/id/12", "export.read"),
        (
            "GET",
            "https://x/api/export/version/4/do/downloadResults/id/1/file/2",
            "export.downloadResults",
        ),
        ("GET", "https://x/api/prospect/version/4/do/query", "prospect.query"),
        ("POST", "https://login.salesforce.com/services/oauth2/token", "oauth.token"),
        ("POST", "https://x/api/v5/exports", "v5.exports.create"),
        ("GET", "https://x/api/v5/exports/55", "v5.exports.read"),
        ("POST", "https://x/api/login/version/3", "login"),
    ],
)
def test_endpoint_kinds_group_calls_by_operation(method: str, url: str, kind: str) -> None:
    assert endpoint_kind(method, url) == kind
