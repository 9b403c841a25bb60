"""The v5 objects API: a collection's query, its pages by `nextPageUrl`, one-record reads.

`GET /api/v5/objects/{collection}` answers `values` (the records, each with the fields asked
for in `fields`, by their v5 names) and, while more rows match, `nextPageUrl` (with
`nextPageToken`); the last page has neither. A page token carries the query, so the next page
is asked with the token and `fields` only. A token sequence ends after 100,000 rows whatever is
left, with the header `Pardot-Warning: 203`; a token lives 4 hours (210 expired, 211 invalid).
Callers keep their own mark and start a new query from it when a sequence ends short
(docs/pardot-api/v5-objects.md#paging).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pardot_client.client import PardotClient
from pardot_client.dates import format_iso_offset
from pardot_client.errors import PardotApiError

MAX_LIMIT = 1000  # rows per page at most (the default is 200)
SEQUENCE_CAP = 100_000  # rows one page-token sequence serves at most
WARNING_HEADER = "Pardot-Warning"
CAP_WARNING = "203"  # "Record count for nextPageToken sequence has been exceeded"
TOKEN_CODES = frozenset({210, 211})  # page token expired, page token invalid


def objects_path(collection: str) -> str:
    """The path of a v5 collection, e.g. `/api/v5/objects/landing-pages`."""
    return f"/api/v5/objects/{collection}"


def v5_instant(instant: datetime, timezone: str) -> str:
    """A filter value: ISO 8601 with the user's offset (`2026-11-01T01:30:00-04:00`)."""
    return format_iso_offset(instant, timezone)


@dataclass(frozen=True)
class V5Page:
    """One answer of a query: its records, the next page's URL, Pardot's warning if any."""

    values: list[dict[str, Any]]
    next_url: str | None
    next_token: str | None
    warning: str | None

    @property
    def capped(self) -> bool:
        """Pardot ended the token sequence at its row cap (warning 203)."""
        return (self.warning or "").strip().startswith(CAP_WARNING)

    @property
    def has_next(self) -> bool:
        """Whether the answer points to a next page."""
        return bool(self.next_url or self.next_token)


def page_of(data: Any, warning: str | None = None) -> V5Page:
    """An answer as a page: `values` null or absent is no records; no next URL ends it."""
    if not isinstance(data, dict):
        raise PardotApiError(f"v5 query answered {type(data).__name__}, not an object")
    values = data.get("values") or []
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise PardotApiError("v5 query answered `values` that is not a list of records")
    next_url = data.get("nextPageUrl") or None
    next_token = data.get("nextPageToken") or None
    return V5Page(values, str(next_url) if next_url else None,
                  str(next_token) if next_token else None, warning)  # fmt: skip


def one_record(data: Any) -> dict[str, Any] | None:
    """A read's record: the object itself, or the first of `values` (both shapes are seen)."""
    if isinstance(data, dict) and isinstance(data.get("values"), list):
        values = data["values"]
        return dict(values[0]) if values and isinstance(values[0], dict) else None
    if isinstance(data, dict) and data:
        return data
    return None


class V5Objects:
    """Queries and reads of the v5 objects API through the shared client."""

    def __init__(self, client: PardotClient) -> None:
        self.client = client

    def query(self, collection: str, fields: Iterable[str], params: Mapping[str, Any]) -> V5Page:
        """The first page of a query (`fields` and the filters, `orderBy`, `limit`, `deleted`)."""
        return self._get(objects_path(collection), {"fields": ",".join(fields), **params})

    def next_page(self, collection: str, page: V5Page, fields: Iterable[str]) -> V5Page:
        """The page after `page`: its `nextPageUrl` on our host, or its token, with `fields`.

        Only the URL's path and query are used: credentials go to `base_url` and nowhere else.
        """
        wanted = ",".join(fields)
        if page.next_url:
            parts = urlsplit(page.next_url)
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            params.setdefault("fields", wanted)
            return self._get(parts.path or objects_path(collection), params)
        return self._get(objects_path(collection),
                         {"nextPageToken": page.next_token, "fields": wanted})  # fmt: skip

    def pages(
        self, collection: str, fields: tuple[str, ...], params: Mapping[str, Any]
    ) -> Iterator[V5Page]:
        """Every page of one token sequence: the query's, then each next page's."""
        page = self.query(collection, fields, params)
        yield page
        while page.has_next:
            page = self.next_page(collection, page, fields)
            yield page

    def read_one(self, collection: str, fields: Iterable[str]) -> dict[str, Any] | None:
        """A collection that is one record (the account): that record, or None."""
        response = self.client.request(
            "GET", objects_path(collection), params={"fields": ",".join(fields)}
        )
        return one_record(response.json())

    def _get(self, path: str, params: Mapping[str, Any]) -> V5Page:
        response = self.client.request("GET", path, params=params)
        return page_of(response.json(), response.headers.get(WARNING_HEADER))
