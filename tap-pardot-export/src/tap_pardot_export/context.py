"""The run context: what every stream of one run shares, handed to each stream by the tap.

One client (its call counter covers the whole run), the API user's timezone, the run-wide form
of date bounds, the typed settings, the account's custom prospect fields, and the one way to
write STATE before a record (a checkpoint). Streams get all of it from here, so no stream module
imports the tap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cached_property
from typing import Any

from pardot_client import ClientSettings, PardotClient, PardotError
from pardot_client.account_fields import prospect_account_fields
from pardot_client.catalog import FieldType
from pardot_client.custom_fields import custom_prospect_fields
from tap_pardot_export.bounds import BoundForm, run_end
from tap_pardot_export.settings import TapSettings

LOG = logging.getLogger("tap_pardot_export")


class RunContext:
    """One run's shared pieces; the client is made on first use (discovery may need none)."""

    def __init__(self, config: Mapping[str, Any], write_state: Callable[[Any], None]) -> None:
        self.config = config
        self.settings = TapSettings.from_config(config)
        self.write_state = write_state  # the tap's state writer: STATE out before any record

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

    def end(self) -> datetime:
        """Where this run's dates stop: `end_date` or now."""
        return run_end(self.settings.end_date)

    def start(self) -> datetime:
        """`start_date`, where streams start on their first run."""
        if self.settings.start_date is None:
            raise ValueError("start_date is required: streams start there on their first run")
        return self.settings.start_date

    @cached_property
    def custom_fields(self) -> dict[str, FieldType]:
        """The account's custom prospect fields; none without credentials (discovery)."""
        if not self.settings.business_unit_id:
            return {}
        try:
            return custom_prospect_fields(self.client)
        except PardotError as exc:
            LOG.warning(
                "Custom prospect fields could not be listed (%s); standard fields only", exc
            )
            return {}

    @cached_property
    def account_fields(self) -> dict[str, FieldType]:
        """The account's prospect account fields (describe); none without credentials."""
        if not self.settings.business_unit_id:
            return {}
        try:
            return prospect_account_fields(self.client)
        except PardotError as exc:
            LOG.warning("Prospect account fields could not be described (%s); catalog fields", exc)
            return {}
