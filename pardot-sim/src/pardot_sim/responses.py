"""Pardot's response envelopes and error shapes, per API family.

v3/v4 answer in XML unless `format=json`; v5 and the export/import JSON have their own shapes;
the Salesforce token endpoint speaks OAuth. Handlers raise `SimError` and the app renders it in the
family of the route, with the HTTP status the switches choose.
"""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from pardot_sim.http import Request, Response
from pardot_sim.switches import Switches

MESSAGES: dict[int, str] = {
    1: "Invalid API key or user key",
    2: "Invalid action",
    5: "Invalid query parameters",
    7: "Invalid timestamp",
    8: "Invalid time range",
    10: "Invalid user ID",
    11: "Invalid user email address",
    16: "Invalid ID",
    15: "Login failed",
    19: "Invalid value specified for sort_by",
    20: "Invalid value specified for sort_order",
    21: "Invalid value specified for offset",
    23: "Invalid value specified for limit",
    49: "Access Denied",
    66: "You have exceeded your concurrent request limit.  Please wait, before trying again",
    88: "Your account must use version 4 of the API.",
    89: "Your account is unable to use version 4 of the API.",
    122: "Daily API rate limit met",
    126: "Invalid authentication mechanism",
    130: "One or more of the specified fields are invalid",
    150: "Input needs to be valid JSON",
    151: "Unsupported content-type",
    152: "Request body can't be empty",
    153: "Missing required property in request",
    154: "Invalid property in request",
    155: "Import is not in the Open state",
    156: "Import has no data",
    159: "Invalid CSV",
    160: "Maximum number of batches reached",
    161: "The current state of the import does not allow the operation",
    162: "No file was given",
    163: "Only one file may be given per request",
    164: "Daily import batch limit reached",
    165: "Invalid column options",
    174: "Unknown procedure name.",
    175: "Unknown procedure argument.",
    176: "Missing required argument.",
    177: "Invalid procedure argument.",
    178: "The current state of the export does not allow the operation",
    181: "A required header is missing",
    182: "Invalid header value",
    183: "An internal error occurred, please try your request again",
    184: "access_token is invalid, unknown, or malformed",
    197: "Import missing required field",
    201: "Business Unit specified in Pardot-Business-Unit-Id header not found or inactive",
    202: "Minute rate limit met",
    226: "The number of columns in the CSV does not match the number of column options",
    227: "Invalid field in column options",
}


class SimError(Exception):
    """A Pardot error to answer with; `status` None lets the app pick it from the switches."""

    def __init__(self, code: int, message: str | None = None, status: int | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, "Error")
        self.status = status
        super().__init__(f"{code}: {self.message}")


def status_for(code: int, switches: Switches, default: int = 400) -> int:
    """The HTTP status an error code is sent with under the current switches."""
    special = {
        184: switches.token_invalid_status,
        122: switches.daily_limit_status,
        66: switches.concurrency_status,
        183: 500,
    }
    return special.get(code, default)


def wants_json(request: Request) -> bool:
    """v3/v4 answer JSON only when asked with `format=json`."""
    return (request.arg("format") or "xml").lower() == "json"


def v34(request: Request, payload: dict[str, Any], status: int = 200) -> Response:
    """A successful v3/v4 answer in the format the request asked for."""
    if wants_json(request):
        return Response.json(payload, status)
    return Response(status, _xml_document(payload), "application/xml")


def v34_ok(request: Request, payload: dict[str, Any]) -> Response:
    """A v3/v4 object-endpoint answer, with the `@attributes` stat=ok header."""
    return v34(request, {"@attributes": {"stat": "ok", "version": 1}, **payload})


def v34_error(request: Request, error: SimError, switches: Switches) -> Response:
    """A v3/v4 error in JSON or XML; HTTP 200 when the switch says errors hide in 200s."""
    status = error.status or status_for(error.code, switches)
    if switches.v34_error_status == "200" and error.code != 184:
        status = 200
    if wants_json(request):
        body = {
            "@attributes": {"stat": "fail", "version": 1, "err_code": error.code},
            "err": error.message,
        }
        return Response.json(body, status)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<rsp stat="fail" version="1.0">\n'
        f'   <err code="{error.code}">{escape(error.message)}</err>\n</rsp>\n'
    )
    return Response(status, xml.encode(), "application/xml")


def v5_error(error: SimError, switches: Switches) -> Response:
    """A v5 error: `{"code": N, "message": "..."}`."""
    status = error.status or status_for(error.code, switches)
    return Response.json({"code": error.code, "message": error.message}, status)


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    """A Salesforce token endpoint error."""
    return Response.json({"error": error, "error_description": description}, status)


def _xml_document(payload: dict[str, Any]) -> bytes:
    attrs = payload.get("@attributes", {"stat": "ok", "version": "1.0"})
    inner = "".join(_xml_node(k, v) for k, v in payload.items() if k != "@attributes")
    attr_text = " ".join(f"{k}={quoteattr(str(v))}" for k, v in attrs.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<rsp {attr_text}>{inner}</rsp>\n'.encode()


def _xml_node(name: str, value: Any) -> str:
    if isinstance(value, list):
        return "".join(_xml_node(name, v) for v in value)
    if isinstance(value, dict):
        inner = "".join(_xml_node(k, v) for k, v in value.items() if k != "@attributes")
        return f"<{name}>{inner}</{name}>"
    if value is None:
        return f"<{name}/>"
    text = json.dumps(value) if isinstance(value, bool) else str(value)
    return f"<{name}>{escape(text)}</{name}>"
