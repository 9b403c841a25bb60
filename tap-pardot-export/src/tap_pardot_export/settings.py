"""The tap's settings: their JSON schema (what `--about` documents) and the typed form code reads.

Defaults are written once, in the schema; `TapSettings.from_config` fills them in
(`pardot_client.settings_schema.with_defaults`), so no module restates one. The connection
settings (credentials, hosts, timezone, retries) are the client's own `ClientSettings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from singer_sdk import typing as th

from pardot_client.dates import parse_utc
from pardot_client.settings import CREDENTIAL_SETTINGS
from pardot_client.settings_schema import with_connection_settings, with_defaults

MAX_PAGE_SIZE = 200  # rows per v3/v4 query page (docs/pardot-api/queries.md)
MAX_V5_PAGE_SIZE = 1000  # rows per v5 objects page (docs/pardot-api/v5-objects.md#paging)
EXTRACTION_MODES = ("export", "query", "auto")

CONFIG_SCHEMA = with_connection_settings(th.PropertiesList(
    th.Property("start_date", th.DateTimeType, required=True,
                description="Export rows changed from this instant on (UTC if no offset)."),
    th.Property("end_date", th.DateTimeType,
                description="Stop at this instant (exclusive); default: Pardot's clock minus "
                "settle_seconds. An end_date later than Pardot's clock counts as unset."),
    th.Property("settle_seconds", th.NumberType(minimum=0), default=300,
                description="Without end_date, a run stops this long before Pardot's clock (read "
                "from its responses, not this machine's), so rows Pardot commits a little after "
                "their timestamp arrive with the next run instead of being skipped."),
    th.Property("export_window_days", th.IntegerType(minimum=1, maximum=365), default=31,
                description="Longest date range of one export (1 to 365); smaller windows "
                "arrive sooner and retry cheaper."),
    th.Property("poll_interval_seconds", th.NumberType, default=60,
                description="Unit of the polling schedule: poll n waits ceil(n*n/5+1) units."),
    th.Property("export_timeout_minutes", th.NumberType, default=120,
                description="Give up on an export still not complete after this long."),
    th.Property("export_max_tries", th.IntegerType, default=3,
                description="Times a window's export is created when Pardot ends it Failed."),
    th.Property("max_pending_exports", th.IntegerType(minimum=1, maximum=10), default=2,
                description="Exports in flight at once for the whole run (1 to 10): the next "
                "window's export, or the next stream's first, is queued while the current one "
                "downloads, so Pardot's export queue never sits idle between streams. Pardot "
                "runs an account's exports one after another, so more than 2 only holds up the "
                "account's other users."),
    th.Property("procedures", th.ObjectType(additional_properties=th.StringType),
                description="Bind a stream to its other export procedure, e.g. "
                '{"prospects": "filter_by_created_at"} for a backfill; the bookmark field '
                "follows, and a bookmark kept for another field is not used (start_date is)."),
    th.Property("extraction_mode", th.ObjectType(additional_properties=th.StringType),
                description="Per export stream, how rows are read: export (the Export API), "
                "query (bulk queries paged by id inside each window: no export latency, one "
                "call per 200 rows) or auto (query when a count finds at most "
                "auto_query_max_rows rows to read, else export), e.g. {\"prospects\": "
                "\"export\"}. Unset: auto where a query reads the stream's rows with their "
                "deletes marked (visitor_activities, prospects, list_memberships), export for the "
                "others."),
    th.Property("auto_query_max_rows", th.IntegerType(minimum=0), default=2000,
                description="With extraction_mode auto: read by query when at most this many "
                "rows changed since the bookmark (one call per 200 rows and no export wait), "
                "else export (a few calls per window, minutes of Pardot's export queue)."),
    th.Property("query_page_size", th.IntegerType(minimum=1, maximum=200), default=200,
                description="Rows per bulk query page (1 to 200); a shorter page ends a read."),
    th.Property("query_state_every_pages", th.IntegerType(minimum=1), default=10,
                description="Query streams emit STATE after this many pages (and at the end)."),
    th.Property("v5_page_size", th.IntegerType(minimum=1, maximum=1000), default=1000,
                description="Rows per page of the v5 objects API (1 to 1000), read by the "
                "streams of objects only v5 has (landing_pages, list_emails, ...)."),
    th.Property("include_email_stats", th.BooleanType, default=False,
                description="Fill the emails stream: each list email seen in email clicks, read "
                "with its statistics (two calls per email, so off by default: the stream then "
                "emits nothing)."),
).to_dict())  # fmt: skip


@dataclass(frozen=True)
class TapSettings:
    """The tap's own settings, typed and with their defaults, read once per run."""

    start_date: datetime | None
    end_date: datetime | None
    settle_seconds: float
    export_window_days: int
    poll_interval_seconds: float
    export_timeout_minutes: float
    export_max_tries: int
    max_pending_exports: int
    procedures: Mapping[str, str]
    extraction_mode: Mapping[str, str]
    auto_query_max_rows: int
    query_page_size: int
    query_state_every_pages: int
    v5_page_size: int
    include_email_stats: bool
    has_credentials: bool  # any credential set: the run is meant to reach an account

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TapSettings:
        """Read the config (a partial one too: discovery needs no start_date)."""
        values = with_defaults(config, CONFIG_SCHEMA)
        start, end = _instant(values.get("start_date")), _instant(values.get("end_date"))
        if start is not None and end is not None and end <= start:
            raise ValueError(
                f"end_date {values['end_date']} is not after start_date {values['start_date']}: "
                "a run reads the rows changed from start_date up to end_date; set end_date later "
                "or leave it unset (Pardot's clock)"
            )
        return cls(
            start_date=start,
            end_date=end,
            settle_seconds=float(values["settle_seconds"]),
            export_window_days=int(values["export_window_days"]),
            poll_interval_seconds=float(values["poll_interval_seconds"]),
            export_timeout_minutes=float(values["export_timeout_minutes"]),
            export_max_tries=int(values["export_max_tries"]),
            max_pending_exports=int(values["max_pending_exports"]),
            procedures={str(k): str(v) for k, v in (values.get("procedures") or {}).items()},
            extraction_mode={
                str(k): str(v) for k, v in (values.get("extraction_mode") or {}).items()
            },
            auto_query_max_rows=int(values["auto_query_max_rows"]),
            query_page_size=max(1, min(MAX_PAGE_SIZE, int(values["query_page_size"]))),
            query_state_every_pages=max(1, int(values["query_state_every_pages"])),
            v5_page_size=max(1, min(MAX_V5_PAGE_SIZE, int(values["v5_page_size"]))),
            include_email_stats=bool(values["include_email_stats"]),
            has_credentials=any(values.get(name) for name in CREDENTIAL_SETTINGS),
        )

    @property
    def export_timeout_seconds(self) -> float:
        """`export_timeout_minutes` in seconds."""
        return self.export_timeout_minutes * 60

    def mode_of(self, stream: str) -> str | None:
        """The `extraction_mode` set for an export stream, checked; None when it is unset."""
        mode = self.extraction_mode.get(stream)
        if mode is not None and mode not in EXTRACTION_MODES:
            raise ValueError(f"extraction_mode.{stream} is {mode!r}; use one of {EXTRACTION_MODES}")
        return mode


def _instant(value: Any) -> datetime | None:
    return parse_utc(str(value)) if value else None
