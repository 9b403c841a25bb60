"""target-pardot-import: upsert prospects into Pardot through the asynchronous Import API.

Settings for auth and hosts have the tap's names. Every stream is imported as prospects; its
schema (after stream maps) fixes the CSV header. The target reads the settings, makes the run's
shared state (`run.ImportRun`) and hands it to each sink; at the end it logs the run's figures.

Its command line behaves like the tap's: a config error is one line naming the setting (never a
secret's value; the traceback at DEBUG, `pardot_client.cli_errors`), numbers may come from the
environment, and under `meltano config test` it runs the connection test (one cheap call), reads
Meltano's test messages without importing them, and creates no import.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from singer_sdk import Target
from singer_sdk.configuration._dict_config import parse_environment_config
from singer_sdk.contrib.msgspec import MsgSpecReader
from singer_sdk.helpers._classproperty import classproperty
from singer_sdk.helpers.capabilities import PluginCapabilities
from singer_sdk.plugin_base import JSONSchemaValidator
from singer_sdk.sinks import Sink
from typing_extensions import override

from pardot_client import ClientSettings, PardotClient, PardotConfigError
from pardot_client.cli_errors import reported_errors
from pardot_client.config_check import check_config, config_error_line, numbers_as_text
from pardot_client.connection_check import check_connection, started_by_meltano_config_test
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

    @classproperty
    def _env_var_config(cls) -> dict[str, Any]:  # noqa: N805 - the SDK's classproperty
        """`TARGET_PARDOT_IMPORT_*` variables, numbers kept as text for the check to read."""
        schema = dict(cls.config_jsonschema)
        cls.append_builtin_config(schema)
        return parse_environment_config(numbers_as_text(schema), cls._env_var_prefix)

    @override
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """The config checked in words that never quote a secret (docs/sdk.md)."""
        schema = self.config_jsonschema
        self.append_builtin_config(schema)
        self._config, problems = check_config(
            self._config, schema, JSONSchemaValidator(schema).iter_errors
        )
        if problems and raise_errors:
            raise PardotConfigError(config_error_line(problems))
        if problems:
            self.logger.warning("Config: %s", config_error_line(problems))
        return problems

    @classmethod
    @override
    def invoke(cls, *args: Any, **kwargs: Any) -> None:
        """The CLI: Pardot errors end in one line and an exit code, never a traceback."""
        with reported_errors(cls.logger):
            config = kwargs.get("config")
            if config is not None and not kwargs.get("about") and started_by_meltano_config_test():
                cls._meltano_config_test(config.config, parse_env=config.parse_env)
                return
            super().invoke(*args, **kwargs)

    @classmethod
    def _meltano_config_test(cls, config: dict[str, Any], *, parse_env: bool) -> None:
        """The connection test; Meltano's test messages are read and dropped, not imported."""
        target = cls(config=config, parse_env_config=parse_env, setup_mapper=False)
        client = PardotClient(ClientSettings.from_config(target.config))
        report = check_connection(client, nothing_made="no import created")
        for _ in sys.stdin:
            pass
        cls.logger.info("%s", report.summary())

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
