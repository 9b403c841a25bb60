"""tap-pardot-export: Pardot's high-volume objects through the asynchronous Export API.

The tap parses its settings once into a run context (client, timezone, date bounds, settings)
and hands it to every stream; the streams never import this module (docs/architecture.md).

The command line behaves: a config error is one line naming the setting (its value never shown
for a secret, the traceback at DEBUG only, `pardot_client.cli_errors`), numbers may come from
the environment, bad credentials fail before the first stream, and `--test` (and
`meltano config test`) is one cheap call that creates no export (`connection.py`).
"""

from __future__ import annotations

import logging
import sys
from functools import cached_property
from typing import Any

import click
from singer_sdk import Stream, Tap
from singer_sdk.about import AboutFormatter
from singer_sdk.configuration._dict_config import parse_environment_config
from singer_sdk.helpers._classproperty import classproperty
from singer_sdk.plugin_base import JSONSchemaValidator
from singer_sdk.tap_base import CliTestOptionValue
from typing_extensions import override

from pardot_client import (
    PardotClient,
    PardotConfigError,
    PardotQuotaExceededError,
    install_redaction,
)
from pardot_client.cli_errors import QUOTA_EXIT_CODE, reported_errors
from pardot_client.config_check import numbers_as_text, validated_config
from pardot_client.connection_check import ConnectionReport, started_by_meltano_config_test
from tap_pardot_export.about import stream_rows, with_streams
from tap_pardot_export.connection import report_messages, test_connection
from tap_pardot_export.context import RunContext
from tap_pardot_export.output.writer import BufferedRecordWriter
from tap_pardot_export.registry import make_streams
from tap_pardot_export.settings import CONFIG_SCHEMA
from tap_pardot_export.state_file import checked_state_file

__all__ = ["QUOTA_EXIT_CODE", "StreamSettingError", "TapPardotExport"]
install_redaction()  # known secrets are masked in every log record: urllib3's, the SDK's, ours


class StreamSettingError(PardotConfigError, ValueError):
    """A setting naming a stream or procedure the tap does not have (still a ValueError)."""


class PlannedStopFilter(logging.Filter):
    """The SDK's "An unhandled error occurred while syncing" as INFO on a planned stop.

    A used-up daily limit or call budget ends a stream by an exception, which the SDK logs at
    ERROR before the tap reports the stop itself (one line); the filter sees the exception
    being handled (`sys.exc_info`) and keeps ERROR for everything else.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Downgrade the SDK's stream error line while a quota stop is being handled."""
        stopping = isinstance(sys.exc_info()[1], PardotQuotaExceededError)
        if (
            stopping
            and record.levelno == logging.ERROR
            and "error occurred while syncing" in str(record.msg)
        ):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.args = "Stream %r stopped (see below)", record.args
        return True


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

    # -- config ---------------------------------------------------------------------------

    @classproperty
    def _env_var_config(cls) -> dict[str, Any]:  # noqa: N805 - the SDK's classproperty
        """`TAP_PARDOT_EXPORT_*` variables, numbers kept as text for the check to read."""
        schema = dict(cls.config_jsonschema)
        cls.append_builtin_config(schema)
        return parse_environment_config(numbers_as_text(schema), cls._env_var_prefix)

    @override
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """The config checked in words that never quote a secret (docs/sdk.md)."""
        schema = self.config_jsonschema
        self.append_builtin_config(schema)
        self._config, problems = validated_config(
            self._config, schema, JSONSchemaValidator(schema).iter_errors, self.logger,
            raise_errors=raise_errors,
        )  # fmt: skip
        return problems

    # -- the command line -----------------------------------------------------------------

    @classmethod
    @override
    def invoke(cls, *args: Any, **kwargs: Any) -> None:
        """The CLI: Pardot errors end in one line and an exit code, never a traceback.

        A used-up daily limit exits 3 with when it resets; its state is already out: each
        stream writes STATE when an export is created and when a window is delivered, so the
        next run resumes exactly there. Started by `meltano config test`, the tap runs the
        connection test instead of a sync.
        """
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, PlannedStopFilter) for f in handler.filters):
                handler.addFilter(PlannedStopFilter())
        with reported_errors(cls.logger):
            config = kwargs.get("config")
            if config is not None and not kwargs.get("about") and started_by_meltano_config_test():
                cls._meltano_config_test(config.config, parse_env=config.parse_env)
                return
            if kwargs.get("state") is not None:
                kwargs["state"] = checked_state_file(kwargs["state"])
            super().invoke(*args, **kwargs)

    @classmethod
    @override
    def print_about(cls, output_format: str | None = None) -> None:
        """`--about`, with every stream's API, replication key and deleted rows (about.py).

        The streams are listed as discovery without credentials builds them: no call is made.
        """
        formatter = AboutFormatter.get_formatter(output_format or "text")
        offline = cls(config={}, parse_env_config=False, validate_config=False, setup_mapper=False)
        rows = stream_rows(offline.streams.values())
        print(with_streams(formatter.format_about(cls._get_about_info()), output_format, rows))

    @classmethod
    def _meltano_config_test(cls, config: dict[str, Any], *, parse_env: bool) -> None:
        """The connection test, its result written as one RECORD (what Meltano waits for)."""
        tap = cls(config=config, parse_env_config=parse_env, setup_mapper=False)
        report = tap.test_connection()
        for message in report_messages(report):
            tap.message_writer.write_message(message)
        sys.stdout.flush()

    @classmethod
    @override
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        """`--test`: the connection test (one cheap call, no export); `--test=schema` as usual."""
        if value == CliTestOptionValue.Disabled.value:
            return
        with reported_errors(cls.logger):
            if value == CliTestOptionValue.Schema.value:
                super().cb_test(ctx, param, value)
                return
            config = ctx.params.get("config")
            tap = cls(
                config=config.config if config else {},
                parse_env_config=bool(config and config.parse_env),
                setup_mapper=False,
            )
            tap.test_connection()
        ctx.exit()

    @classmethod
    @override
    def cb_discover(cls, ctx: click.Context, param: click.Option, value: bool) -> None:
        """`--discover`, with Pardot errors reported in one line."""
        with reported_errors(cls.logger):
            super().cb_discover(ctx, param, value)

    def test_connection(self) -> ConnectionReport:
        """The connection test (`connection.py`), its result logged.

        In place of the SDK's `run_connection_test`, which syncs a record of every stream and so
        creates an export per export stream.
        """
        report = test_connection(self.client)
        self.logger.info("%s", report.summary())
        return report

    # -- streams ----------------------------------------------------------------------------

    @override
    def discover_streams(self) -> list[Stream]:
        """Export streams (prospects with custom fields when credentials allow), query streams.

        With credentials, the token is fetched first: wrong credentials stop the run here with
        what to fix, before any stream starts (the token is kept for the calls that follow).
        """
        if self.run_context.settings.has_credentials:
            self.client.login()
        try:
            return make_streams(self, self.run_context)
        except ValueError as exc:  # a setting naming no stream (procedures)
            raise StreamSettingError(str(exc)) from None


if __name__ == "__main__":
    TapPardotExport.cli()
