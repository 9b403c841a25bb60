"""FastRecordsMixin keeps the SDK's behaviour, and fails here first if the SDK changes under it.

No simulator: records come from a replaced `get_records`, so each test controls exactly what the
stream yields (typed rows, extra keys, NaN) and compares the fast path with the SDK's own path.
"""

from __future__ import annotations

import inspect
import io
import json
import logging
import re
from collections.abc import Iterator
from contextlib import redirect_stdout
from decimal import Decimal
from typing import Any

import pytest
from singer_sdk import Stream

from pardot_client.catalog import FieldType
from tap_pardot_export.export.streams import ExportStream, ProspectsStream
from tap_pardot_export.output.fast_records import FastRecordsMixin, RecordPlan
from tap_pardot_export.output.writer import BufferedRecordWriter
from tap_pardot_export.tap import TapPardotExport

CONFIG = {"start_date": "2026-01-01T00:00:00Z"}  # no business unit: discovery makes no call
TIME_EXTRACTED = re.compile(r',"time_extracted":"[^"]*"')


def activity(row_id: int, **extra: Any) -> dict[str, Any]:
    return {"id": row_id, "type": 2, "type_name": "Landing Page", "details": "d",
            "prospect_id": None, "updated_at": "2026-11-01T10:00:00+00:00", **extra}  # fmt: skip


def make_tap(**config: Any) -> TapPardotExport:
    return TapPardotExport(config={**CONFIG, **config}, setup_mapper=True)


def sync(stream: Stream, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stream's messages for `records` (copies), time_extracted dropped."""

    def get_records(context: Any) -> Iterator[dict[str, Any]]:
        yield from (dict(r) for r in records)

    stream.get_records = get_records  # type: ignore[method-assign]
    out = io.StringIO()
    with redirect_stdout(out):
        stream.sync()
    return [json.loads(TIME_EXTRACTED.sub("", line)) for line in out.getvalue().splitlines()]


def records(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["type"] == "RECORD"]


def counting_writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    original = BufferedRecordWriter.write_record

    def spy(self: BufferedRecordWriter, *args: Any) -> None:
        calls.append(1)
        original(self, *args)

    monkeypatch.setattr(BufferedRecordWriter, "write_record", spy)
    return calls


def sdk_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RecordPlan, "for_stream", classmethod(lambda cls, stream, writer: None))


def test_the_sdk_members_the_mixin_relies_on_are_still_there() -> None:
    sync_records = inspect.signature(Stream._sync_records)
    assert list(sync_records.parameters) == ["self", "context", "write_messages"]
    assert sync_records.parameters["write_messages"].kind is inspect.Parameter.KEYWORD_ONLY
    assert list(inspect.signature(Stream._write_record_message).parameters) == ["self", "record"]
    loop = inspect.getsource(Stream._sync_records)
    for step in ("self._check_max_record_limit(", "self.post_process(", "self._process_record(",
                 "self._write_record_message(record)", "self._increment_stream_state(",
                 "record_counter.increment()"):  # fmt: skip
        assert step in loop, step
    for step in ("self.get_record_counter()", "self.get_sync_timer()",  # the lean loop's steps
                 "record_counter.with_context(", "timer.with_context(",
                 "self._write_starting_replication_value(", "self._finalize_state(state)",
                 "self._finalize_state(self.stream_state)", "self._write_state_message()",
                 "self.get_context_state(current_context)"):  # fmt: skip
        assert step in loop, step
    for member in ("partitions", "ABORT_AT_RECORD_COUNT", "post_process", "stream_state"):
        assert hasattr(Stream, member), member
    assert "self.child_streams" in inspect.getsource(Stream.__init__)
    generate = inspect.getsource(Stream._generate_record_messages)
    for step in ("pop_deselected_record_properties(", "conform_record_data_types(",
                 "stream_map.transform(", "time_extracted=utc_now()"):  # fmt: skip
        assert step in generate, step  # what RecordPlan reproduces once per sync
    stream = make_tap().streams["visitor_activities"]
    assert isinstance(stream._tap.message_writer, BufferedRecordWriter)
    assert hasattr(stream.state_manager, "is_flushed")
    assert hasattr(stream, "_stream_version")


def test_fast_and_sdk_paths_emit_the_same_messages_and_prune_alike(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Typed rows pass as they are; an unknown key is dropped with a warning, as the SDK does."""
    rows = [activity(1), activity(2, surprise="x"), activity(3)]
    writes = counting_writes(monkeypatch)
    with caplog.at_level(logging.WARNING):
        fast = sync(make_tap().streams["visitor_activities"], rows)
    assert len(writes) == 3
    assert "surprise" in caplog.text
    sdk_path(monkeypatch)
    reference = sync(make_tap().streams["visitor_activities"], rows)
    assert len(writes) == 3, "the SDK path does not use write_record"
    assert fast == reference
    assert [r["record"] for r in records(fast)][1] == activity(2)


def test_the_lean_loop_writes_and_counts_what_the_sdk_loop_does(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Past one counter step: the same messages (STATE included) and the same record count."""
    rows = [activity(i) for i in range(1, 5001)]
    lean: list[str] = []
    original = FastRecordsMixin._lean_sync

    def spy(self: FastRecordsMixin) -> None:
        lean.append(self.name)
        original(self)

    monkeypatch.setattr(FastRecordsMixin, "_lean_sync", spy)

    def synced() -> tuple[list[dict[str, Any]], int]:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="singer_sdk.metrics"):
            messages = sync(make_tap().streams["visitor_activities"], rows)
        counts = [json.loads(r.getMessage().split("METRIC: ", 1)[1]) for r in caplog.records
                  if "record_count" in r.getMessage()]  # fmt: skip
        return messages, counts[-1]["value"]

    fast, fast_count = synced()
    assert lean == ["visitor_activities"]
    monkeypatch.setattr(FastRecordsMixin, "_lean", lambda self, context: False)
    reference, reference_count = synced()
    assert lean == ["visitor_activities"], "the SDK's loop the second time"
    assert fast == reference
    assert fast_count == reference_count == 5000


def test_deselected_fields_are_dropped_from_records_that_carry_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def deselected_tap() -> TapPardotExport:
        catalog = make_tap().catalog_dict
        for entry in catalog["streams"]:
            for item in entry["metadata"]:
                if item["breadcrumb"] == ["properties", "details"]:
                    item["metadata"]["selected"] = False
        return TapPardotExport(config=CONFIG, catalog=catalog, setup_mapper=True)

    rows = [activity(1), activity(2)]
    fast = sync(deselected_tap().streams["visitor_activities"], rows)
    assert all("details" not in r["record"] for r in records(fast))
    sdk_path(monkeypatch)
    assert sync(deselected_tap().streams["visitor_activities"], rows) == fast


def test_non_finite_numbers_become_null_as_sdk_conformance_makes_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def prospects() -> ProspectsStream:
        tap = make_tap()
        tap.run_context.custom_fields = {"seats__c": FieldType.NUMBER}
        return ProspectsStream(tap, tap.run_context)

    rows = [{"id": 1, "seats__c": Decimal("NaN")}, {"id": 2, "seats__c": Decimal("2.50")},
            {"id": 3, "seats__c": float("inf")}]  # fmt: skip
    fast = sync(prospects(), rows)
    assert [r["record"]["seats__c"] for r in records(fast)] == [None, 2.5, None]
    sdk_path(monkeypatch)
    assert sync(prospects(), rows) == fast


@pytest.mark.parametrize(
    "config",
    [
        {"stream_maps": {"visitor_activities": {"details": None, "twice": "id * 2"}}},
        {"stream_maps": {"visitor_activities": {"__alias__": "activities"}}},
        {"flattening_enabled": True, "flattening_max_depth": 1},
    ],
    ids=["property-map", "alias", "flattening"],
)
def test_stream_maps_and_flattening_take_the_sdk_path(
    config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = counting_writes(monkeypatch)
    messages = sync(make_tap(**config).streams["visitor_activities"], [activity(1), activity(2)])
    assert writes == []
    got = records(messages)
    assert [r["record"]["id"] for r in got] == [1, 2]
    if "stream_maps" in config and "details" in config["stream_maps"]["visitor_activities"]:
        assert all("details" not in r["record"] and r["record"]["twice"] == 2 * r["record"]["id"]
                   for r in got)  # fmt: skip
    if "alias" in str(config):
        assert {r["stream"] for r in got} == {"activities"}


def test_the_sdk_test_runners_record_limit_and_the_metrics_count_still_hold(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tap = make_tap()
    stream = tap.streams["visitor_activities"]
    assert isinstance(stream, ExportStream)
    stream.get_records = lambda context: (activity(i) for i in range(1, 50))  # type: ignore[method-assign]
    out = io.StringIO()
    with redirect_stdout(out), caplog.at_level(logging.INFO, logger="singer_sdk.metrics"):
        tap.run_sync_dry_run(dry_run_record_limit=5, streams=[stream])
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [m["record"]["id"] for m in lines if m["type"] == "RECORD"] == [1, 2, 3, 4, 5]
    counts = [
        json.loads(r.getMessage().split("METRIC: ", 1)[1])
        for r in caplog.records
        if "record_count" in r.getMessage()
    ]
    assert counts and counts[-1]["value"] == 5
