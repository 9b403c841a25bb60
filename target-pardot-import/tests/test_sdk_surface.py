"""The lean record path (`TargetPardotImport._process_record_message`) keeps the SDK's behaviour:
this fails first if singer-sdk changes the steps it reproduces or the hooks it skips."""

from __future__ import annotations

import inspect
import io
from contextlib import redirect_stdout
from typing import Any

import pytest
from singer_sdk import Target
from singer_sdk.sinks import BatchSink

from target_pardot_import.target import TargetPardotImport

# Every step of the SDK's RECORD handling: those the lean path takes, and those it skips
# because this target's sink makes them no-ops.
TAKEN = ("stream_map.transform(", "self._assert_sink_exists(", "self.get_sink(",
         "sink.tally_record_read()", "sink.process_record(", "record_counter_metric.increment()",
         "sink.is_full", "self.drain_one(sink)", "self._handle_max_record_age()")  # fmt: skip
SKIPPED = ("copy.copy(", "sink._get_context(", "sink.include_sdc_metadata_properties",
           "sink._remove_sdc_metadata_from_record(", "sink._validate_and_parse(",
           "sink.preprocess_record(", "sink._singer_validate_message(",
           "sink._after_process_record(")  # fmt: skip


def test_the_sdk_record_steps_are_the_ones_the_lean_path_knows() -> None:
    source = inspect.getsource(Target._process_record_message)
    calls = [step for step in (*TAKEN, *SKIPPED) if step in source]
    assert calls == [*TAKEN, *SKIPPED]
    assert source.count("sink.") == 14, "the SDK added a step to its record handling"


def test_the_hooks_the_lean_path_skips_change_nothing_for_this_sink(
    pardot: Any, config: dict[str, Any], singer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    pardot.set_version(3)
    target = TargetPardotImport(config={**config, "api_version": 3, "add_record_metadata": True})
    schema = singer.schema({"email": {"type": "string"}}, keys=["email"])
    with redirect_stdout(io.StringIO()):
        target._process_schema_message(schema)
    sink = target._sinks_active["prospects"]
    record: dict[str, Any] = {"first_name": "no key", "_sdc_batched_at": "2026-01-01"}
    before = dict(record)
    # BatchSink's context is a batch id and start time that the sink never reads.
    assert set(sink._get_context(record)) == {"batch_id", "batch_start_time"}
    for hook in (type(sink).process_record, type(sink).process_batch):
        assert "context" not in inspect.getsource(hook).split('"""', 2)[2], hook
    assert type(sink).start_batch is BatchSink.start_batch
    assert sink.include_sdc_metadata_properties is False
    sink._remove_sdc_metadata_from_record(record)
    assert sink._validate_and_parse(record) is record
    assert sink.preprocess_record(record, {}) is record
    sink._singer_validate_message(record)  # no raise: process_record rejects it, with its line
    with caplog.at_level("DEBUG"):
        sink._after_process_record({})
    assert record == before
    target.import_run.close()
