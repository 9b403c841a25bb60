"""The fast record path writes, for every export stream, exactly what the SDK's own path writes.

Type conformance and pruning are skipped per record on the fast path, which is only right if the
tap's typed rows already are what the SDK's conformance would make of them. Both runs below use
the same simulator data; the reference run takes the SDK's path (`_generate_record_messages`:
pruning, RECURSIVE conformance, stream map, `RecordMessage`) for every record.
"""

from __future__ import annotations

import copy
import gc
import io
import logging
import re
from contextlib import redirect_stdout
from datetime import datetime, timezone
from typing import Any

import pytest
from singer_sdk.helpers._catalog import pop_deselected_record_properties
from singer_sdk.helpers._typing import conform_record_data_types
from singer_sdk.helpers.conform import TypeConformanceLevel
from tap_sync_support import EXPORT_STREAM_NAMES, catalog_selecting

from pardot_client.catalog import get_object
from pardot_client.dates import LocalTimeParser
from tap_pardot_export.export.rows import RowParser
from tap_pardot_export.export.streams import ExportStream
from tap_pardot_export.export.windows import Window
from tap_pardot_export.output.fast_records import FastRecordsMixin, RecordPlan
from tap_pardot_export.tap import TapPardotExport

TIME_EXTRACTED = re.compile(rb',"time_extracted":"[^"]*"')


def sync_lines(
    config: dict[str, Any], catalog: dict[str, Any]
) -> tuple[list[bytes], TapPardotExport]:
    """RECORD lines (time_extracted removed) of one in-process sync, in output order."""
    tap = TapPardotExport(config=config, catalog=catalog, setup_mapper=True)
    out = io.StringIO()
    with redirect_stdout(out):
        tap.sync_all()
    lines = [line.encode() for line in out.getvalue().splitlines()]
    records = [
        TIME_EXTRACTED.sub(b"", line) for line in lines if line.startswith(b'{"type":"RECORD"')
    ]
    return records, tap


def by_stream_and_id(lines: list[bytes]) -> dict[tuple[str, int], bytes]:
    out = {}
    for line in lines:
        stream = re.search(rb'"stream":"([^"]+)"', line)
        row_id = re.search(rb'"record":\{"id":(\d+)', line)
        assert stream and row_id, line
        out[(stream.group(1).decode(), int(row_id.group(1)))] = line
    return out


@pytest.mark.usefixtures("fast_clock")
def test_every_export_stream_writes_the_bytes_the_sdk_path_writes(
    tap_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tap_config(start_date="2026-11-01T00:00:00Z", export_window_days=30)
    catalog = catalog_selecting(config, *EXPORT_STREAM_NAMES)
    seen: list[tuple[ExportStream, dict[str, Any]]] = []
    write = FastRecordsMixin._write_record_message

    def spy(self: FastRecordsMixin, record: dict[str, Any]) -> None:
        assert isinstance(self, ExportStream)
        seen.append((self, copy.deepcopy(record)))
        write(self, record)

    monkeypatch.setattr(FastRecordsMixin, "_write_record_message", spy)
    fast, _ = sync_lines(config, catalog)
    monkeypatch.setattr(FastRecordsMixin, "_write_record_message", write)
    monkeypatch.setattr(RecordPlan, "for_stream", classmethod(lambda cls, stream, writer: None))
    reference, _ = sync_lines(config, catalog)

    assert {s.name for s, _ in seen} == set(EXPORT_STREAM_NAMES), "every export stream has rows"
    assert by_stream_and_id(fast) == by_stream_and_id(reference)
    assert len(fast) == len(reference)

    # The same at the value level: the SDK's pruning and conformance change nothing, types included.
    for stream, record in seen:
        expected = copy.deepcopy(record)
        pop_deselected_record_properties(expected, stream.schema, stream.mask)
        conformed = conform_record_data_types(
            stream.name, expected, stream.effective_schema, TypeConformanceLevel.RECURSIVE,
            logging.getLogger("test"),
        )  # fmt: skip
        assert list(conformed) == list(record)
        for key, value in record.items():
            assert type(conformed[key]) is type(value) and conformed[key] == value, (key, value)


@pytest.mark.usefixtures("fast_clock")
def test_deselected_fields_are_neither_exported_nor_emitted_on_either_path(
    tap_config: Any, admin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tap_config(start_date="2026-11-10T00:00:00Z", export_window_days=30)
    catalog = catalog_selecting(config, "visitor_activities")
    entry = next(e for e in catalog["streams"] if e["tap_stream_id"] == "visitor_activities")
    for item in entry["metadata"]:
        if item["breadcrumb"] in (["properties", "details"], ["properties", "type_name"]):
            item["metadata"]["selected"] = False
    fast, tap = sync_lines(config, catalog)
    assert fast
    assert all(b'"details"' not in line and b'"type_name"' not in line for line in fast)
    stream = tap.streams["visitor_activities"]
    assert isinstance(stream, ExportStream)
    assert "details" not in stream.export_fields()
    monkeypatch.setattr(RecordPlan, "for_stream", classmethod(lambda cls, stream, writer: None))
    reference, _ = sync_lines(config, catalog)
    assert by_stream_and_id(fast) == by_stream_and_id(reference)


def test_row_parser_types_cells_as_the_sdk_would_keep_them() -> None:
    """Every converter, the repeated-datetime shortcut, NaN, and errors naming line and column."""
    from decimal import Decimal

    from pardot_client.catalog import FieldType, get_object
    from pardot_client.dates import parse_pardot_datetime, to_utc_iso
    from tap_pardot_export.export.rows import CellError, RowParser

    custom = {"seats__c": FieldType.NUMBER, "opt_in__c": FieldType.BOOLEAN}
    parser = RowParser(get_object("prospect"), "America/New_York", custom)
    header = ["id", "created_at", "updated_at", "email", "seats__c", "opt_in__c", "newColumn"]
    rows = [
        ["1", "2026-11-01 01:30:00", "2026-11-01 01:30:00", "a@example.com", "2.50", "1", "x"],
        ["2", "2026-11-01 01:30:00", "2026-11-02 09:00:00", "", "NaN", "false", ""],
        ["3", "", "2026-03-08 02:30:00", "b@example.com", "-Infinity", "", "y"],
    ]
    got = list(parser.records(header, rows))
    wall = [to_utc_iso(parse_pardot_datetime(t, "America/New_York")) for t in
            ("2026-11-01 01:30:00", "2026-11-02 09:00:00", "2026-03-08 02:30:00")]  # fmt: skip
    assert got == [
        {"id": 1, "created_at": wall[0], "updated_at": wall[0], "email": "a@example.com",
         "seats__c": Decimal("2.50"), "opt_in__c": True, "new_column": "x"},
        {"id": 2, "created_at": wall[0], "updated_at": wall[1], "email": None, "seats__c": None,
         "opt_in__c": False, "new_column": None},
        {"id": 3, "created_at": None, "updated_at": wall[2], "email": "b@example.com",
         "seats__c": None, "opt_in__c": None, "new_column": "y"},
    ]  # fmt: skip
    assert [type(r["id"]) for r in got] == [int, int, int]
    assert list(parser.records(header, rows, skip=2)) == got[2:]
    bad = [["4", "2026-11-01 01:30:00", "", "", "many", "1", ""]]
    with pytest.raises(CellError, match="CSV line 2, column seats__c: 'many' is not a number"):
        list(parser.records(header, bad))
    with pytest.raises(CellError, match="CSV line 3, column id"):
        list(parser.records(header, [rows[0], ["x1", *rows[0][1:]]]))
    with pytest.raises(CellError, match="CSV line 2 has 2 cells, the header 7"):
        list(parser.records(header, [["1", "2"]]))


def test_every_file_of_a_run_shares_one_hour_cache_and_frees_it_without_a_collection() -> None:
    """A file's datetime columns use the parser's one cache (created_at and updated_at alike,
    so a row's equal stamps are read once), and a parser is freed by reference counting alone:
    a cache (thousands of hours) per result file kept until a full collection grew the tap's
    RSS by 113 MB over the 100 files of 10,000,000 rows (bench/tap_export.py)."""
    parser = RowParser(get_object("visitorActivity"), "America/New_York", {}, "updated_at")
    header = ["id", "created_at", "updated_at"]
    for day in range(1, 4):  # three windows, three files
        span = Window(datetime(2026, 6, day, tzinfo=timezone.utc),
                      datetime(2026, 6, day + 1, tzinfo=timezone.utc))  # fmt: skip
        converters = dict(parser.columns(header, span))
        assert converters["created_at"] is converters["updated_at"] is parser.parse_time
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        before = sum(isinstance(o, dict) and len(o) > 100 for o in gc.get_objects())
        for _ in range(20):
            fresh = LocalTimeParser("America/New_York")
            for hour in range(200):
                fresh(f"2026-06-{1 + hour // 24:02d} {hour % 24:02d}:00:00")
            del fresh
        after = sum(isinstance(o, dict) and len(o) > 100 for o in gc.get_objects())
    finally:
        if enabled:
            gc.enable()
    assert after == before, "parsers (and their hour caches) kept alive by a reference cycle"
