"""tap-pardot-export: Pardot's high-volume objects through the asynchronous Export API."""

from __future__ import annotations

import logging
import sys
from functools import cached_property
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th
from typing_extensions import override

from pardot_client import (
    ClientSettings,
    PardotClient,
    PardotError,
    PardotQuotaExceededError,
)
from pardot_client.catalog import FieldType
from pardot_client.custom_fields import custom_prospect_fields
from pardot_client.settings_schema import with_connection_settings
from tap_pardot_export.query_special import SPECIAL_QUERY_STREAMS
from tap_pardot_export.query_streams import QUERY_STREAMS
from tap_pardot_export.streams import EXPORT_STREAMS
from tap_pardot_export.writer import BufferedRecordWriter

LOG = logging.getLogger("tap_pardot_export")
QUOTA_EXIT_CODE = 3  # the daily API limit is used up: run again after it resets


CONFIG_SCHEMA = with_connection_settings(th.PropertiesList(
    th.Property("start_date", th.DateTimeType, required=True,
                description="Export rows changed from this instant on (UTC if no offset)."),
    th.Property("end_date", th.DateTimeType,
                description="Stop at this instant (exclusive); default: now."),
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
                description="Exports in flight per stream (1 to 10): the next window's export "
                "is queued while the current one downloads. Pardot runs an account's exports "
                "one after another, so more than 2 only holds up the account's other users."),
    th.Property("procedures", th.ObjectType(additional_properties=th.StringType),
                description="Bind a stream to its other export procedure, e.g. "
                '{"prospects": "filter_by_created_at"} for a backfill; the bookmark field '
                "follows, and a bookmark kept for another field is not used (start_date is)."),
    th.Property("extraction_mode", th.ObjectType(additional_properties=th.StringType),
                description="Per export stream, how rows are read: export (the Export API, the "
                "default), query (bulk queries paged by id inside each window: no export latency, "
                'one call per 200 rows) or auto (query when a cheap count finds at most '
                'auto_query_max_rows rows to read, else export), e.g. {"prospects": "auto"}.'),
    th.Property("auto_query_max_rows", th.IntegerType(minimum=0), default=2000,
                description="With extraction_mode auto: read by query when at most this many "
                "rows changed since the bookmark (one call per 200 rows), else export."),
    th.Property("query_page_size", th.IntegerType(minimum=1, maximum=200), default=200,
                description="Rows per bulk query page (1 to 200); a shorter page ends a read."),
    th.Property("query_state_every_pages", th.IntegerType(minimum=1), default=10,
                description="Query streams emit STATE after this many pages (and at the end)."),
    th.Property("include_email_stats", th.BooleanType, default=False,
                description="Fill the emails stream: each list email seen in email clicks, read "
                "with its statistics (two calls per email, so off by default: the stream then "
                "emits nothing)."),
).to_dict())  # fmt: skip


class TapPardotExport(Tap):
    """Singer tap for Salesforce Pardot (Account Engagement) exports."""

    name = "tap-pardot-export"
    config_jsonschema = CONFIG_SCHEMA
    message_writer_class = BufferedRecordWriter  # msgspec, RECORD lines buffered
    wall_time_dates = False  # set for the run once Pardot refuses dates with an offset

    @cached_property
    def client(self) -> PardotClient:
        """The one client of this run (its call counter covers every stream)."""
        return PardotClient(ClientSettings.from_config(self.config))

    @property
    def timezone(self) -> str:
        """The API user's timezone (the client's settings check it is a real IANA name)."""
        return self.client.settings.timezone

    @classmethod
    @override
    def invoke(cls, *args: Any, **kwargs: Any) -> None:
        """The CLI: a used-up daily limit is a clear message and exit code 3, not a traceback.

        Its state is already out: each stream writes STATE when an export is created and when a
        window is delivered, so the next run resumes exactly there.
        """
        try:
            super().invoke(*args, **kwargs)
        except PardotQuotaExceededError as exc:
            cls.logger.error("%s", exc)
            sys.exit(QUOTA_EXIT_CODE)

    def discover_streams(self) -> list[Stream]:
        """Export streams (prospects with custom fields when credentials allow), query streams."""
        custom = self._custom_fields()
        streams: list[Stream] = [stream(self, custom) for stream in EXPORT_STREAMS]
        streams += [stream(self) for stream in (*QUERY_STREAMS, *SPECIAL_QUERY_STREAMS)]
        return streams

    def _custom_fields(self) -> dict[str, FieldType]:
        if not self.config.get("business_unit_id"):
            return {}
        try:
            return custom_prospect_fields(self.client)
        except PardotError as exc:
            LOG.warning(
                "Custom prospect fields could not be listed (%s); standard fields only", exc
            )
            return {}


if __name__ == "__main__":
    TapPardotExport.cli()
