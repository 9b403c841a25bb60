"""Normalising the response shapes Pardot varies on, so callers see one shape.

Exports come wrapped (`{"export": {...}}`) or flat, with or without `@attributes`, from v3/v4 or
v5; `resultRefs` is a string, an array or absent. Imports may or may not be wrapped. Query results
hold a list, a single object, nothing, or a null `result`. Every variant maps to one form here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pardot_client.errors import PardotApiError


@dataclass(frozen=True)
class JobStatus:
    """The state of an export or import job, whatever the API version or envelope."""

    id: int
    state: str
    is_expired: bool
    result_refs: tuple[str, ...]  # export result files; empty when none (or not complete)
    created_at: str | None
    updated_at: str | None
    raw: dict[str, Any]  # the job's own fields, e.g. createdCount / errorsRef of an import


def job_status(data: Any, kind: str = "export") -> JobStatus:
    """Read an export or import answer of any envelope (`kind` names the wrapper key)."""
    record = _unwrap(data, kind)
    refs = record.get("resultRefs")
    if refs is None:
        result_refs: tuple[str, ...] = ()
    elif isinstance(refs, str):
        result_refs = (refs,)
    elif isinstance(refs, list):
        result_refs = tuple(str(r) for r in refs)
    else:
        raise PardotApiError(f"Unexpected resultRefs in a Pardot {kind}: {type(refs).__name__}")
    expired = record.get("isExpired", False)
    return JobStatus(
        id=int(record["id"]),
        state=str(record.get("state", "")),
        is_expired=expired in (True, "true", 1, "1"),
        result_refs=result_refs,
        created_at=record.get("createdAt"),
        updated_at=record.get("updatedAt"),
        raw=record,
    )


def query_records(data: Any, key: str) -> list[dict[str, Any]]:
    """The records of a v3/v4 query answer: a list, one object, none, or a null result.

    `key` is the documented result key (`customField`); its snake_case form is accepted too.
    """
    if not isinstance(data, dict):
        return []
    result = data.get("result")
    if not isinstance(result, dict):
        return []
    found = result.get(key)
    if found is None:  # unconfirmed keys may come in snake_case (docs/pardot-api/queries.md)
        found = result.get(re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower())
    if found is None:
        return []
    if isinstance(found, dict):
        return [found]
    return [r for r in found if isinstance(r, dict)]


def _unwrap(data: Any, kind: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PardotApiError(f"Pardot answered a {kind} request with no JSON object")
    inner = data.get(kind)
    record = inner if isinstance(inner, dict) else data
    if "id" not in record:
        raise PardotApiError(f"Pardot's {kind} answer has no id: keys {sorted(record)}")
    return {k: v for k, v in record.items() if k != "@attributes"}
