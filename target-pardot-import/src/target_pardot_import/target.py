"""target-pardot-import: upsert prospects into Pardot through the asynchronous Import API.

Settings for auth and hosts have the tap's names. Every stream is imported as prospects; its
schema (after stream maps) fixes the CSV header. The target reads the settings, makes the run's
shared state (`run.ImportRun`) and hands it to each sink; it reads its input through
`reader.SingerLineReader` (numbered lines, bad lines rejected instead of ending the run); at
the end it logs the run's figures. A dry run emits no STATE, and a run whose rejects exceed
`max_reject_rate` emits none either.

Its command line behaves like the tap's: a config error is one line naming the setting (never a
secret's value; the traceback at DEBUG, `pardot_client.cli_errors`), numbers may come from the
environment, and under `meltano config test` it runs the connection test (one cheap call), reads
Meltano's test messages without importing them, and creates no import.
"""

from __future__ import annotations

import copy
import sys
import time
from typing import Any

from singer_sdk import Target
from singer_sdk.configuration._dict_config import parse_environment_config
from singer_sdk.helpers._classproperty import classproperty
from singer_sdk.helpers.capabilities import PluginCapabilities
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.plugin_base import JSONSchemaValidator
from singer_sdk.sinks import Sink
from typing_extensions import override

from pardot_client import ClientSettings, PardotClient, install_redaction
from pardot_client.cli_errors import QUOTA_EXIT_CODE, reported_errors
from pardot_client.config_check import numbers_as_text, validated_config
from pardot_client.connection_check import check_connection, started_by_meltano_config_test
from pardot_client.secrets import REGISTRY
from target_pardot_import.import_job import DailyLimitError
from target_pardot_import.reader import SingerLineReader
from target_pardot_import.run import ImportRun
from target_pardot_import.run_sink import bound_to
from target_pardot_import.send_sink import EmailSendSink
from target_pardot_import.settings import CONFIG_SCHEMA, TargetSettings
from target_pardot_import.sinks import ProspectImportSink


class TargetPardotImport(Target):
    """Singer target for Salesforce Pardot (Account Engagement) prospect imports."""

    name = "target-pardot-import"
    config_jsonschema = CONFIG_SCHEMA
    capabilities = [  # noqa: RUF012 - the SDK declares it a plain class attribute
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.FLATTENING,
        PluginCapabilities.STRUCTURED_LOGGING,
    ]  # no validate-records: values are checked against Pardot's types instead

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        began = time.monotonic()
        install_redaction()  # every log record of the process, urllib3's and the SDK's too
        super().__init__(*args, **kwargs)
        self.max_parallelism = 1  # an account runs its imports one at a time anyway
        config = self.config
        _register_secrets(config)
        self.import_run = ImportRun(
            TargetSettings.from_config(config),
            lambda: PardotClient(ClientSettings.from_config(config)),
            began=began,
        )
        self.import_run.start()  # a rejects file or spool_dir it cannot write fails here, clearly
        self.message_reader = SingerLineReader(self.import_run)
        self._sink_class = bound_to(self.import_run, ProspectImportSink)
        self._send_sink_class = bound_to(self.import_run, EmailSendSink)

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
        self._config, problems = validated_config(
            self._config, schema, JSONSchemaValidator(schema).iter_errors, self.logger,
            raise_errors=raise_errors,
        )  # fmt: skip
        return problems

    @classmethod
    @override
    def invoke(cls, *args: Any, **kwargs: Any) -> None:
        """The CLI: Pardot errors end in one line and an exit code, never a traceback.

        A used-up daily limit (API calls or import batches) exits 3, as in the tap; no STATE
        went out for the rows not yet imported, so the next run sends them again.
        """
        with reported_errors(cls.logger):
            config = kwargs.get("config")
            if config is not None and not kwargs.get("about") and started_by_meltano_config_test():
                cls._meltano_config_test(config.config, parse_env=config.parse_env)
                return
            try:
                super().invoke(*args, **kwargs)
            except DailyLimitError as exc:  # import batches, as the API calls: exit 3
                cls.logger.error("%s", REGISTRY.redact(str(exc)))
                sys.exit(QUOTA_EXIT_CODE)

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
        """Streams bound in `email_sends` are email sends; every other is imported as prospects,
        by a sink bound to this run."""
        sends = self.import_run.settings.email_sends
        if stream_name in sends:
            return self._send_sink_class
        if sends:
            self.logger.warning(
                "Stream %s is not in email_sends (%s): its records are imported as prospects",
                stream_name, ", ".join(sorted(sends)),
            )  # fmt: skip
        return self._sink_class

    @override
    def _process_record_message(self, message_dict: dict[str, Any]) -> None:
        """One RECORD: the SDK's steps, less the ones this target's sink makes no-ops.

        The reader has checked the message's shape. The SDK's copy of the record, its metadata,
        validation, preprocessing, key check and context hooks do nothing here (the sink checks
        values and keys itself, `test_sdk_surface` pins that), and together they cost as much as
        the sink's own work. A stream map that fails on a record's values (say `int()` of a
        text) rejects that record with its line instead of ending the run.
        """
        stream = message_dict["stream"]
        maps = self.mapper.stream_maps.get(stream)
        if maps is None:
            self._assert_sink_exists(stream)  # RecordsWithoutSchemaException: a tap's bug
            maps = self.mapper.stream_maps[stream]
        record = message_dict["record"]
        for stream_map in maps:
            if type(stream_map) is SameRecordTransform:
                transformed = stream_map.transform(record)  # the sink never changes a record
            else:
                try:
                    transformed = stream_map.transform(copy.copy(record))
                except Exception as exc:  # noqa: BLE001 - any error of a map expression
                    self.import_run.reject_line(
                        stream=stream_map.stream_alias, line=self.import_run.line,
                        reason=f"stream_maps: {type(exc).__name__}: {exc}", record=record,
                    )  # fmt: skip
                    continue
            if transformed is None:
                continue  # filtered out by a map
            self._assert_sink_exists(stream_map.stream_alias)
            sink = self.get_sink(stream_map.stream_alias, record=transformed)
            sink.tally_record_read()
            sink.process_record(transformed, {})
            sink.record_counter_metric.increment()
            if sink.is_full:
                self.logger.info("Target sink for '%s' is full; draining", sink.stream_name)
                self.drain_one(sink)
        self._handle_max_record_age()

    @override
    def _write_state_message(self, state: dict[str, Any]) -> None:
        """Let a STATE out only when its rows are accounted for and the run is not a dry run.

        The SDK writes STATE after every sink drained; a reject rate over `max_reject_rate`
        (input lines that are no message count too) or `dry_run` keep it back, so Meltano's
        bookmark never passes rows that were not imported.
        """
        self.import_run.check_reject_rate()
        if self.import_run.settings.dry_run or self.import_run.sends.cap_reached:
            return  # a capped run's later rows were not sent: the next run reads them again
        super()._write_state_message(state)

    @override
    def process_endofpipe(self) -> None:
        """Drain every sink, judge the reject rate, then log the run's figures (no values)."""
        try:
            super().process_endofpipe()
            self.import_run.check_reject_rate()
        finally:
            self.import_run.close()
        self.import_run.log_summary()


def _register_secrets(config: Any) -> None:
    """Mask every secret setting's value in logs, whatever its type (a numeric secret too)."""
    for name, spec in CONFIG_SCHEMA["properties"].items():
        value = config.get(name)
        if spec.get("secret") and value is not None and not isinstance(value, (dict, list)):
            REGISTRY.add(str(value))


if __name__ == "__main__":
    TargetPardotImport.cli()
