"""target-pardot-import: upsert prospects into Pardot through the asynchronous Import API.

Settings for auth and hosts have the tap's names. Every stream is imported as prospects; its
schema (after stream maps) fixes the CSV header. The target reads the settings, makes the run's
shared state (`run.ImportRun`) and hands it to each sink; at the end it logs the run's figures.
"""

from __future__ import annotations

import time
from typing import Any

from singer_sdk import Target
from singer_sdk.contrib.msgspec import MsgSpecReader
from singer_sdk.helpers.capabilities import PluginCapabilities
from singer_sdk.sinks import Sink
from typing_extensions import override

from pardot_client import ClientSettings, PardotClient
from target_pardot_import.run import ImportRun
from target_pardot_import.settings import CONFIG_SCHEMA, TargetSettings
from target_pardot_import.sinks import sink_class_for


class TargetPardotImport(Target):
    """Singer target for Salesforce Pardot (Account Engagement) prospect imports."""

    name = "target-pardot-import"
    config_jsonschema = CONFIG_SCHEMA
    message_reader_class = MsgSpecReader
    capabilities = [  # noqa: RUF012 - the SDK declares it a plain class attribute
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.FLATTENING,
        PluginCapabilities.STRUCTURED_LOGGING,
    ]  # no validate-records: values are checked against Pardot's types instead

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        began = time.monotonic()
        super().__init__(*args, **kwargs)
        self.max_parallelism = 1  # an account runs its imports one at a time anyway
        config = self.config
        self.import_run = ImportRun(
            TargetSettings.from_config(config),
            lambda: PardotClient(ClientSettings.from_config(config)),
            began=began,
        )
        self._sink_class = sink_class_for(self.import_run)

    @override
    def get_sink_class(self, stream_name: str) -> type[Sink]:
        """Every stream is imported as prospects, by a sink bound to this run."""
        return self._sink_class

    @override
    def process_endofpipe(self) -> None:
        """Drain every sink, then log the run's figures (counts only, never values)."""
        try:
            super().process_endofpipe()
        finally:
            self.import_run.close()
        self.import_run.log_summary()


if __name__ == "__main__":
    TargetPardotImport.cli()
