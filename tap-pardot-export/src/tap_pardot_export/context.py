"""The run context: what every stream of one run shares, handed to each stream by the tap.

One client (its call counter covers the whole run), the API user's timezone, the run-wide form
of date bounds, the typed settings, the account's custom prospect fields, the run's one end, its
count of exports in flight (export/queue.py), and the one way to write STATE before a record (a
checkpoint). Streams get all of it from here, so no stream module
imports the tap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any

from pardot_client import ClientSettings, PardotClient, PardotError
from pardot_client.account_fields import prospect_account_fields
from pardot_client.catalog import FieldType
from pardot_client.custom_fields import custom_prospect_fields
from pardot_client.dates import to_utc_iso
from tap_pardot_export.bounds import BoundForm
from tap_pardot_export.export.queue import RunExportQueue
from tap_pardot_export.settings import TapSettings
from tap_pardot_export.summary import RunSummary

LOG = logging.getLogger("tap_pardot_export")


class BookmarkAheadError(PardotError):
    """A saved bookmark lies after Pardot's clock."""


class CustomFieldsUnavailableError(PardotError):
    """Credentials are set but the account's custom fields could not be listed."""


class RunContext:
    """One run's shared pieces; the client is made on first use (discovery may need none)."""

    def __init__(self, config: Mapping[str, Any], write_state: Callable[[Any], None]) -> None:
        self.config = config
        self.settings = TapSettings.from_config(config)
        self.write_state = write_state  # the tap's state writer: STATE out before any record
        self.summary = RunSummary()
        self.exports = RunExportQueue(self.settings.max_pending_exports)
        self._end: datetime | None = None

    @cached_property
    def client(self) -> PardotClient:
        """The one client of this run."""
        return PardotClient(ClientSettings.from_config(self.config))

    @property
    def timezone(self) -> str:
        """The API user's timezone (the client's settings check it is a real IANA name)."""
        return self.client.settings.timezone

    @cached_property
    def bounds(self) -> BoundForm:
        """How v3/v4 date bounds are written, for every stream of the run."""
        return BoundForm(self.timezone)

    def pardot_now(self) -> datetime:
        """Pardot's clock now (its responses' Date headers), to the second below."""
        now = self.client.server_clock.now()
        if now is None:
            _ = self.custom_fields  # the run's first call: its answer shows the clock
            now = self.client.server_clock.now()
        if now is None:
            LOG.warning("No Pardot answer showed its clock (Date header); using this machine's")
            now = datetime.now(timezone.utc).replace(microsecond=0)
        return now

    def end(self) -> datetime:
        """Where this run's dates stop: `end_date`, or Pardot's clock less `settle_seconds`.

        Pardot's clock, not this machine's: a local clock ahead of Pardot's would put the end,
        and so the bookmark, in Pardot's future, and rows stamped in between would be skipped.
        Read once per run: every stream stops at the same instant, so the exports a stream
        creates ahead of its turn (export/queue.py) ask for the windows it then reads.
        """
        if self._end is None:
            now = self.pardot_now()
            end_date = self.settings.end_date
            if end_date is not None and end_date <= now:
                self._end = end_date
            else:
                self._end = now - timedelta(seconds=self.settings.settle_seconds)
        return self._end

    def check_bookmark(self, stream: str, bookmark: datetime) -> datetime:
        """A saved bookmark, refused when it lies in Pardot's future (a clock ahead wrote it)."""
        now = self.pardot_now()
        if bookmark > now:
            raise BookmarkAheadError(
                f"{stream}: the bookmark {to_utc_iso(bookmark)} is later than Pardot's clock "
                f"({to_utc_iso(now)}). A run whose clock was ahead of Pardot's wrote it, and rows "
                "Pardot stamps before it would never be read. Set the bookmark back to at most "
                f"{to_utc_iso(now)} (meltano state set) and run again."
            )
        return bookmark

    def start(self) -> datetime:
        """`start_date`, where streams start on their first run."""
        if self.settings.start_date is None:
            raise ValueError("start_date is required: streams start there on their first run")
        return self.settings.start_date

    @cached_property
    def custom_fields(self) -> dict[str, FieldType]:
        """The account's custom prospect fields; none only when no credential is set.

        Discovery without credentials lists standard fields (a catalog to edit offline). With
        credentials, a listing that fails (after the client's retries) stops the run: going on
        would emit prospects without their custom fields and move the bookmark past them, and a
        standard-only catalog would be cached by Meltano and used from then on.
        """
        if not self.settings.has_credentials:
            return {}
        try:
            return custom_prospect_fields(self.client)
        except PardotError as exc:
            raise CustomFieldsUnavailableError(
                f"The account's custom prospect fields could not be listed ({exc}). Nothing was "
                "synced and the state is unchanged: without them prospects would lose their "
                "custom fields for good. Fix the cause (credentials, business_unit_id, "
                "network) and run again; discovery without any credential lists the standard "
                "fields only."
            ) from None

    @cached_property
    def account_fields(self) -> dict[str, FieldType]:
        """The account's prospect account fields (its describe call); none without credentials.

        As with custom fields, a describe that fails with credentials set stops the run rather
        than dropping the account's own fields from every row for good.
        """
        if not self.settings.has_credentials:
            return {}
        try:
            return prospect_account_fields(self.client)
        except PardotError as exc:
            raise CustomFieldsUnavailableError(
                f"The account's prospect account fields could not be described ({exc}). Nothing "
                "was synced and the state is unchanged. Fix the cause (credentials, "
                "business_unit_id, network) and run again."
            ) from None
