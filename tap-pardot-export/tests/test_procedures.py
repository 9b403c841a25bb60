"""Every stream under every export procedure it can be bound to, against the simulator.

Each case syncs one stream over the whole generated history and checks what a user would: the
rows are exactly the stored rows whose filter field falls in [start_date, end_date) (deleted rows
as the stream asks for them), each once, with typed values, and the run ends with the bookmark at
end_date under the procedure's field.
"""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from tap_sync_support import BOTH_MODES

from pardot_client.catalog import ExportProcedure, get_object
from pardot_client.dates import parse_utc, to_utc_iso
from pardot_sim.testing import SimAdmin
from tap_pardot_export.export.streams import EXPORT_STREAMS
from tap_pardot_export.tap import TapPardotExport

START = "2026-01-15T00:00:00Z"  # before the generated history (it starts 2026-01-27)
END = "2026-11-23T00:00:00Z"  # UTC midnight, so date-valued filters split cleanly
# With the clock frozen no export completes: a run that wrongly gets as far as exporting ends at
# once with an export timeout instead of the configuration error the test expects.
NO_WAIT = {"export_timeout_minutes": 0.0005}
UTC_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")

OBJECTS = {cls.name: cls.object_name for cls in EXPORT_STREAMS}
CASES = [
    (stream, procedure.name)
    for stream, obj in OBJECTS.items()
    for procedure in get_object(obj).export_procedures
]
# Procedures with a `deleted` argument: the stream exports live rows and deleted ones, marked;
# everything else exports live rows only (Pardot's default when no deleted argument is sent).
WITH_DELETED = {
    ("prospects", "filter_by_created_at"),
    ("prospects", "filter_by_updated_at"),
    ("list_memberships", "filter_by_created_at"),
    ("list_memberships", "filter_by_updated_at"),
    ("visitors", "filter_by_updated_at"),
    ("prospect_accounts", "filter_by_updated_at"),
}
DELETE_MARKS = ("is_deleted", "_sdc_deleted_at")


def sync_stream(
    config: dict[str, Any], stream: str, state: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The Singer messages of a sync with only `stream` selected in the catalog."""
    catalog = TapPardotExport(config=config, setup_mapper=False).catalog_dict
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] == stream
    tap = TapPardotExport(config=config, catalog=catalog, state=state, setup_mapper=True)
    out = io.StringIO()
    with redirect_stdout(out):
        tap.sync_all()
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def fall_back_hours(admin: SimAdmin) -> list[tuple[float, float]]:
    """(first UTC instant of the repeated hour's second pass, its length) per fall-back."""
    facts = admin.get(f"/_sim/accounts/{admin.sim.config()['business_unit_id']}/facts")
    return [
        (t["utc"], t["offset_before"] - t["offset_after"])
        for t in facts["dst"]["transitions"]
        if t["offset_before"] > t["offset_after"]
    ]


def as_emitted(value: str, repeated: list[tuple[float, float]]) -> str:
    """The UTC value the tap emits for a stored instant: CSV wall times in the repeated hour of a
    fall-back read as its first pass (the client's stated rule), everything else exactly."""
    instant = datetime.fromisoformat(value).timestamp()
    for start, length in repeated:
        if start <= instant < start + length:
            return to_utc_iso(datetime.fromtimestamp(instant - length, timezone.utc))
    return value


def in_range(value: Any, start: str, end: str, kind: str) -> bool:
    """Whether a stored filter value lies in [start, end); dates compare by their UTC day."""
    if value is None:
        return False
    if kind == "date":
        return parse_utc(start).date().isoformat() <= value < parse_utc(end).date().isoformat()
    return parse_utc(start) <= parse_utc(value) < parse_utc(end)


def expected_rows(
    admin: SimAdmin, stream: str, procedure: ExportProcedure, start: str, end: str
) -> dict[int, dict[str, Any]]:
    """The stored rows the export of [start, end) must return, by id."""
    obj = OBJECTS[stream]
    rows = admin.records(obj, deleted="all")
    if (stream, procedure.name) not in WITH_DELETED:
        rows = [r for r in rows if not r["_deleted"]]
    if procedure.name == "filter_by_prospect_updated_at":
        # Rows are picked by their prospects' updated_at, not by a column of their own.
        changed = [
            p for p in admin.records("prospect", deleted="all")
            if in_range(p["updated_at"], start, end, "date-time")
        ]  # fmt: skip
        if obj == "visitor":
            ids = {p["id"] for p in changed}
            return {r["id"]: r for r in rows if r["prospect_id"] in ids}
        accounts = {p["prospect_account_id"] for p in changed}
        return {r["id"]: r for r in rows if r["id"] in accounts}
    kind = "date" if procedure.filter_field == "activity_date" else "date-time"
    return {r["id"]: r for r in rows if in_range(r[procedure.filter_field], start, end, kind)}


def assert_typed_like_stored(
    record: dict[str, Any],
    stored: dict[str, Any],
    schema: dict[str, Any],
    repeated: list[tuple[float, float]],
    exact: str | None = None,
) -> None:
    """Every emitted value has its schema's JSON type and equals the stored value.

    Datetimes follow the stated DST rule, but for `exact`, the field the export's windows
    bound: windows are cut at offset changes, so it carries the true instant.
    """
    assert set(record) == set(schema["properties"]), "emitted keys differ from the schema"
    if "is_deleted" in record:  # marks of a stream that exports deleted rows
        assert record["is_deleted"] is bool(stored["_deleted"]), f"id {record['id']}: is_deleted"
        deleted_at = record["_sdc_deleted_at"]
        assert deleted_at == (record["updated_at"] if stored["_deleted"] else None)
    for key, value in record.items():
        if key in DELETE_MARKS:
            continue
        want = stored[key]
        if value is None:
            assert want in (None, ""), f"{key}: null emitted for {want!r}"
            continue
        spec = schema["properties"][key]
        types = [t for t in spec.get("type", []) if t != "null"]
        where = f"id {record['id']} {key}: {value!r} vs stored {want!r}"
        if spec.get("format") == "date-time":
            assert isinstance(value, str) and UTC_ISO.match(value), where
            assert value == (want if key == exact else as_emitted(want, repeated)), where
        elif "integer" in types:
            assert type(value) is int and value == want, where
        elif "boolean" in types:
            assert type(value) is bool, where
            assert value == (want in (True, 1, "1", "true")), where
        elif "number" in types:
            assert isinstance(value, int | float) and not isinstance(value, bool), where
            assert Decimal(str(value)) == Decimal(str(want)), where
        else:
            assert isinstance(value, str) and value == str(want), where


@pytest.mark.parametrize(("stream", "procedure_name"), CASES)
@pytest.mark.usefixtures("fast_clock")
def test_each_procedure_delivers_exactly_the_rows_of_its_range(
    admin: SimAdmin, tap_config: Any, stream: str, procedure_name: str
) -> None:
    procedure = get_object(OBJECTS[stream]).procedure(procedure_name)
    assert procedure is not None
    config = tap_config(
        start_date=START, end_date=END, export_window_days=60,
        procedures={stream: procedure_name},
    )  # fmt: skip
    messages = sync_stream(config, stream)

    records = [m["record"] for m in messages if m["type"] == "RECORD"]
    assert {m["stream"] for m in messages if m["type"] == "RECORD"} == {stream}
    expected = expected_rows(admin, stream, procedure, START, END)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), f"rows emitted more than once: {len(ids) - len(set(ids))}"
    assert set(ids) - set(expected) == set(), "rows outside the range (or invented)"
    assert set(expected) - set(ids) == set(), "rows of the range were lost"
    assert len(expected) >= 20, "too few rows for the case to mean anything"
    if (stream, procedure_name) in WITH_DELETED:
        assert any(expected[i]["_deleted"] for i in ids), "no deleted row in the range"

    schema = next(m["schema"] for m in messages if m["type"] == "SCHEMA")
    repeated = fall_back_hours(admin)
    exact = None if procedure_name.startswith("filter_by_prospect_") else procedure.filter_field
    for record in records:
        assert_typed_like_stored(record, expected[record["id"]], schema, repeated, exact)

    bookmark = [m["value"] for m in messages if m["type"] == "STATE"][-1]["bookmarks"][stream]
    assert bookmark["replication_key"] == procedure.filter_field
    assert bookmark["replication_key_value"] == to_utc_iso(parse_utc(END))
    schema_message = next(m for m in messages if m["type"] == "SCHEMA")
    assert schema_message["bookmark_properties"] == [procedure.filter_field]


@pytest.mark.parametrize("extraction_mode", BOTH_MODES)
@pytest.mark.usefixtures("fast_clock")
def test_deleted_prospects_are_exported_and_marked(admin: SimAdmin, tap_config: Any) -> None:
    """A prospect in the recycle bin arrives marked, so a loader can soft-delete it."""
    config = tap_config(start_date=START, end_date=END, export_window_days=60)
    records = {
        m["record"]["id"]: m["record"]
        for m in sync_stream(config, "prospects")
        if m["type"] == "RECORD"
    }
    deleted = {
        r["id"]: r for r in admin.records("prospect", deleted="true")
        if in_range(r["updated_at"], START, END, "date-time")
    }  # fmt: skip
    assert deleted, "the generated history holds deleted prospects"
    assert set(deleted) <= set(records)
    for row_id in deleted:
        assert records[row_id]["is_deleted"] is True
        assert records[row_id]["_sdc_deleted_at"] == records[row_id]["updated_at"]
    assert all(r["is_deleted"] is False for i, r in records.items() if i not in deleted)


@pytest.mark.parametrize("deleted", ["accepted", "refused"])
@pytest.mark.usefixtures("fast_clock")
def test_deleted_prospects_are_exported_or_a_refusal_warns_once(
    admin: SimAdmin, tap_config: Any, caplog: pytest.LogCaptureFixture, deleted: str
) -> None:
    """Prospects are exported with deleted=all (export-api-overview-a.txt); where Pardot refuses
    the argument (overview b lists none), one warning, and the live prospects all the same."""
    admin.post("/_sim/switches", {"prospect_updated_deleted": deleted})
    config = tap_config(start_date=START, end_date=END, export_window_days=60)
    with caplog.at_level("WARNING"):
        records = [m["record"] for m in sync_stream(config, "prospects") if m["type"] == "RECORD"]
    stored = {
        r["id"]: r for r in admin.records("prospect", deleted="all")
        if in_range(r["updated_at"], START, END, "date-time")
    }  # fmt: skip
    gone = {i for i, r in stored.items() if r["_deleted"]}
    assert gone, "the generated history holds deleted prospects"
    got = [r["id"] for r in records]
    assert len(got) == len(set(got))
    warnings = [r.getMessage() for r in caplog.records if "refused the prospect argument" in
                r.getMessage()]  # fmt: skip
    if deleted == "accepted":
        assert set(got) == set(stored)
        assert warnings == []
    else:
        assert set(got) == set(stored) - gone
        assert len(warnings) == 1 and "deleted" in warnings[0]


@pytest.mark.usefixtures("fast_clock")
def test_a_date_keyed_stream_split_mid_day_loses_no_row(admin: SimAdmin, tap_config: Any) -> None:
    """Two runs split at a non-midnight instant deliver every activity_date of the range once."""
    split = "2026-10-20T15:30:00Z"
    config = tap_config(
        start_date="2026-09-01T00:00:00Z", end_date=split, export_window_days=10,
        procedures={"external_activities": "filter_by_activity_date"},
    )  # fmt: skip
    first = sync_stream(config, "external_activities")
    state = [m["value"] for m in first if m["type"] == "STATE"][-1]
    second = sync_stream({**config, "end_date": END}, "external_activities", state=state)
    ids = [m["record"]["id"] for m in first + second if m["type"] == "RECORD"]
    procedure = get_object("externalActivity").procedure("filter_by_activity_date")
    assert procedure is not None
    expected = expected_rows(admin, "external_activities", procedure, "2026-09-01T00:00:00Z", END)
    assert len(ids) == len(set(ids)), "a row came in both runs"
    assert set(expected) - set(ids) == set(), "rows dated on the split day were lost"
    assert set(ids) <= set(expected)


def test_an_unknown_procedure_names_the_stream_and_the_valid_procedures(
    run_tap: Any, tap_config: Any
) -> None:
    config = tap_config(procedures={"prospects": "filter_by_last_activity_at"}, **NO_WAIT)
    with pytest.raises(ValueError, match="filter_by_last_activity_at") as info:
        run_tap(config)
    text = str(info.value)
    assert "prospects" in text
    assert "filter_by_updated_at" in text and "filter_by_created_at" in text


def test_a_procedure_of_another_object_is_refused(run_tap: Any, tap_config: Any) -> None:
    """filter_by_activity_date exists, but not for visitor activities: still a clear error."""
    config = tap_config(procedures={"visitor_activities": "filter_by_activity_date"}, **NO_WAIT)
    with pytest.raises(ValueError, match="visitor_activities") as info:
        run_tap(config)
    assert "filter_by_created_at" in str(info.value)


def test_procedures_for_an_unknown_stream_are_refused(run_tap: Any, tap_config: Any) -> None:
    """A misspelt stream name would silently keep the default procedure and its bookmark."""
    config = tap_config(procedures={"prospect": "filter_by_created_at"}, **NO_WAIT)
    with pytest.raises(ValueError, match="prospect") as info:
        run_tap(config)
    assert "prospects" in str(info.value)
