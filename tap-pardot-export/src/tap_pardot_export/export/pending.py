"""Exports in flight, as kept in a stream's state so a killed run resumes them.

An export costs Pardot minutes to hours of queue time; creating it again after a crash would
pay that twice and push every other export of the account back. Each export is written to state
(`bookmarks.<stream>.pending_exports`) the moment it is created, with its window and a digest of
its request, and a later run resumes it only if it would ask Pardot for exactly the same thing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pardot_client.dates import parse_utc, to_utc_iso
from tap_pardot_export.export.job import ExportRequest
from tap_pardot_export.export.windows import Window

STATE_KEY = "pending_exports"


def request_digest(request: ExportRequest) -> str:
    """A short fingerprint of what an export asks for (object, fields, procedure, arguments)."""
    body = json.dumps([request.api_version, request.body()], sort_keys=True).encode()
    return hashlib.sha256(body).hexdigest()[:16]


@dataclass(frozen=True)
class PendingExport:
    """One created export whose rows have not all been delivered yet."""

    export_id: int
    window: Window
    digest: str
    variant: str | None = None  # the `deleted` argument of a part of the window, if any

    def to_state(self) -> dict[str, Any]:
        """The JSON-ready form kept in state (no secrets, no URLs)."""
        entry: dict[str, Any] = {
            "id": self.export_id,
            "start": to_utc_iso(self.window.start),
            "end": to_utc_iso(self.window.end),
            "request": self.digest,
        }
        if self.variant is not None:
            entry["deleted"] = self.variant
        return entry

    @classmethod
    def from_state(cls, entry: Any) -> PendingExport | None:
        """Read a state entry; None when it is not one this tap wrote."""
        try:
            return cls(
                export_id=int(entry["id"]),
                window=Window(parse_utc(str(entry["start"])), parse_utc(str(entry["end"]))),
                digest=str(entry["request"]),
                variant=str(entry["deleted"]) if entry.get("deleted") is not None else None,
            )
        except (KeyError, TypeError, ValueError):
            return None
