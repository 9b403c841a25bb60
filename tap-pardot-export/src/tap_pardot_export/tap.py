"""tap-pardot-export: Pardot's high-volume objects through the asynchronous Export API.

The tap parses its settings once into a run context (client, timezone, date bounds, settings)
and hands it to every stream; the streams never import this module (docs/architecture.md).
"""

from __future__ import annotations

import sys
from functools import cached_property
from typing import Any

from singer_sdk import Stream, Tap
from typing_extensions import override

from pardot_client import PardotClient, PardotQuotaExceededError, install_redaction
from tap_pardot_export.context import RunContext
from tap_pardot_export.output.writer import BufferedRecordWriter
from tap_pardot_export.registry import make_streams
from tap_pardot_export.settings import CONFIG_SCHEMA

QUOTA_EXIT_CODE = 3  # the daily API limit is used up: run again after it resets
install_redaction()  # known secrets are masked in every log record: urllib3's, the SDK's, ours


class TapPardotExport(Tap):
    """Singer tap for Salesforce Pardot (Account Engagement) exports."""

    name = "tap-pardot-export"
    config_jsonschema = CONFIG_SCHEMA
    message_writer_class = BufferedRecordWriter  # msgspec, RECORD lines buffered

    @cached_property
    def run_context(self) -> RunContext:
        """What this run's streams share; STATE checkpoints go through the SDK's writer."""

        def write_state(state: Any) -> None:
            self.state_writer.write_state(state)  # the writer the SDK has at that moment

        return RunContext(self.config, write_state)

    @property
    def client(self) -> PardotClient:
        """The one client of this run (its call counter covers every stream)."""
        return self.run_context.client

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

    @override
    def discover_streams(self) -> list[Stream]:
        """Export streams (prospects with custom fields when credentials allow), query streams."""
        return make_streams(self, self.run_context)


if __name__ == "__main__":
    TapPardotExport.cli()
