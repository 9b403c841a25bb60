"""The v5 streams against the simulator over real HTTP: every stored row once, whatever the
pages, ties, caps and tokens do; deleted rows marked; the state exact across stops and runs.

Each test has its own tiny simulator (its data is generated in milliseconds); what the tap
should emit is read from the simulator's tables, never from the tap's own code.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from contextlib import redirect_stdout
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from tap_sync_support import catalog_selecting, run_cli
from test_query_streams import last_state, records, run

from pardot_client import PardotClient
from pardot_client.catalog import V5_OBJECTS, FieldType, V5Object, to_snake
from pardot_client.dates import parse_utc, to_utc_iso
from pardot_client.v5_objects import V5Objects
from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START, client_settings
from tap_pardot_export.registry import STREAM_TYPES
from tap_pardot_export.tap import TapPardotExport
from tap_pardot_export.v5.streams import V5_STREAMS

END = to_utc_iso(datetime.fromtimestamp(FIXED_START, timezone.utc))
START = "2026-01-01T00:00:00+00:00"  # before the generated history: every row is in range
QUICK = {"backoff_base_seconds": 0.005, "max_retry_seconds": 10, "read_timeout": 5,
         "connect_timeout": 2}  # fmt: skip
STREAMS = [s.name for s in V5_STREAMS]
UPDATED = [n for n, o in V5_OBJECTS.items() if o.query.mark == "updated_at"]
PAGED = [n for n, o in V5_OBJECTS.items() if not o.query.single]
Messages = list[dict[str, Any]]


def v5_config(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    """Tap settings reaching `sim`: small v5 pages, every row in range."""
    settings = {"start_date": START, "end_date": END, "v5_page_size": 7, **QUICK}
    return sim.config(**{**settings, **overrides})


def utc(epoch: int) -> str:
    return to_utc_iso(datetime.fromtimestamp(epoch, timezone.utc))


def expected(sim: Simulator, stream: str, start: str = START, end: str = END) -> dict[int, Any]:
    """Stored rows the stream should emit, by id: deleted ones too where it asks for them."""
    obj = V5_OBJECTS[stream]
    table = sim.account().store.table(obj.spec.name)
    key = {"updated_at": "updated_at", "scan": "updated_at", "id": "created_at"}.get(obj.query.mark)
    out = {}
    for row_id, row in table.rows.items():
        values = table.as_dict(row)
        if row_id in table.deleted and not obj.query.deletes:
            continue
        if key is not None and not start <= utc(values[key]) < end:
            continue
        out[row_id] = {**values, "_deleted": row_id in table.deleted}
    return out


def check_values(obj: V5Object, got: dict[str, Any], want: dict[str, Any]) -> None:
    """A record holds the stored values: stamps in UTC, flags, text, nested keys snake_case."""
    for f in obj.spec.fields:
        if f.name == "is_deleted":  # the recycle bin, and when the row was last changed there
            assert got["is_deleted"] is want["_deleted"], (obj.stream, got["id"])
            if not want["_deleted"]:
                assert got["_sdc_deleted_at"] is None
            elif "updated_at" in want:
                assert got["_sdc_deleted_at"] == utc(want["updated_at"])
            else:  # no updated_at field: when the run saw it deleted
                assert got["_sdc_deleted_at"] == END
            continue
        stored = want[f.name]
        if f.type is FieldType.DATETIME:
            assert got[f.name] == (utc(stored) if stored is not None else None), f.name
        elif f.type in (FieldType.OBJECT, FieldType.ARRAY):
            text = repr(got[f.name])
            assert not any(c.isupper() for k in _keys(got[f.name]) for c in k), text
            assert (got[f.name] is None) == (stored is None), f.name
        elif stored is not None and f.name not in ("api_calls_used", "maximum_daily_api_calls"):
            assert got[f.name] == stored, (obj.stream, got["id"], f.name)


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in _keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


@pytest.mark.parametrize("stream", STREAMS)
def test_every_v5_stream_emits_each_stored_row_once_with_its_values(
    own_sim: Simulator, stream: str
) -> None:
    messages = run(v5_config(own_sim), stream)
    got, want = records(messages, stream), expected(own_sim, stream)
    assert want
    assert set(got) == set(want)
    obj = V5_OBJECTS[stream]
    for row_id, record in got.items():
        check_values(obj, record, want[row_id])
        assert all(name == to_snake(name) for name in record)
    if obj.query.deletes:
        assert any(r["is_deleted"] for r in got.values()), "the data holds deleted rows"
    state = last_state(messages).get(stream, {})
    if obj.query.mark == "updated_at":
        assert state["replication_key_value"] == max(utc(w["updated_at"]) for w in want.values())
        assert state["tie_after_id"] is None
    elif obj.query.mark == "id":
        assert state["replication_key_value"] == max(want)
    elif obj.query.mark == "scan":
        assert state == {"replication_key": "updated_at", "replication_key_value": END}
    else:
        assert "replication_key_value" not in state


def plant_tie(sim: Simulator, stream: str, count: int) -> tuple[int, set[int]]:
    """`count` new rows changed in one second, amid the generated ones; that second, their ids."""
    obj = V5_OBJECTS[stream]
    table = sim.account().store.table(obj.spec.name)
    second = FIXED_START - 3 * 86_400
    ids = {table.insert({"created_at": second - 3_600, "updated_at": second})
           for _ in range(count)}  # fmt: skip
    for row_id in list(table.rows)[:3]:  # older rows moved into the same second
        table.update(row_id, {"updated_at": second})
        ids.add(row_id)
    return second, ids


@pytest.mark.parametrize("order", ["id", "id_desc"])
@pytest.mark.parametrize("stream", UPDATED)
def test_a_tie_over_pages_cut_by_the_cap_loses_and_repeats_nothing(
    own_sim: Simulator, stream: str, order: str, caplog: pytest.LogCaptureFixture
) -> None:
    own_sim.app.switches.update({"v5_tie_order": order})
    own_sim.v5.settings.sequence_cap = 9  # three pages of 4, ending inside the tie
    second, tied = plant_tie(own_sim, stream, 25)
    with caplog.at_level(logging.INFO):
        messages = run(v5_config(own_sim, v5_page_size=4), stream)
    got = records(messages, stream)
    assert set(got) == set(expected(own_sim, stream))
    assert tied <= set(got)
    assert {r["updated_at"] for i, r in got.items() if i in tied} == {utc(second)}
    assert "ended the page sequence" in caplog.text


@pytest.mark.parametrize("stream", PAGED)
def test_reads_past_the_sequence_cap_lose_nothing(own_sim: Simulator, stream: str) -> None:
    own_sim.v5.settings.sequence_cap = 5
    messages = run(v5_config(own_sim, v5_page_size=2), stream)
    assert set(records(messages, stream)) == set(expected(own_sim, stream))


def test_an_expired_page_token_restarts_from_the_mark(
    own_sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    own_sim.v5.settings.token_ttl_seconds = -1.0  # every token is dead on arrival
    with caplog.at_level(logging.WARNING):
        messages = run(v5_config(own_sim, v5_page_size=3), "list_emails", "visitor_page_views")
    for stream in ("list_emails", "visitor_page_views"):
        assert set(records(messages, stream)) == set(expected(own_sim, stream))
    assert "refused the page token" in caplog.text


def test_the_next_run_emits_only_what_changed_since(own_sim: Simulator) -> None:
    streams = ("landing_pages", "folders", "visitor_page_views", "form_handlers")
    first = run(v5_config(own_sim, end_date="2026-11-20T00:00:00Z"), *streams)
    assert all(records(first, s) for s in streams)
    store = own_sim.account().store
    changed = {}
    for name in ("landingPage", "folder"):
        table = store.table(name)
        picked = sorted(table.rows)[:2]
        for row_id in picked:
            table.update(row_id, {"updated_at": FIXED_START - 7_200})
        changed[name] = set(picked)
    views = store.table("visitorPageView")
    new_view = views.insert({"created_at": FIXED_START - 7_200, "url": "https://example.com/new"})
    second = run(v5_config(own_sim), *streams, state=last_state_message(first))
    late = {i for i, r in expected(own_sim, "landing_pages").items()
            if utc(r["updated_at"]) >= "2026-11-20T00:00:00+00:00"}  # fmt: skip
    assert set(records(second, "landing_pages")) == late | changed["landingPage"]
    late_folders = {i for i, r in expected(own_sim, "folders").items()
                    if utc(r["updated_at"]) >= "2026-11-20T00:00:00+00:00"}  # fmt: skip
    assert set(records(second, "folders")) == late_folders | changed["folder"]
    assert set(records(second, "visitor_page_views")) == {
        i
        for i, r in expected(own_sim, "visitor_page_views").items()
        if utc(r["created_at"]) >= "2026-11-20T00:00:00+00:00"
    } | {new_view}
    assert set(records(second, "form_handlers")) == set(expected(own_sim, "form_handlers"))


def last_state_message(messages: Messages) -> dict[str, Any]:
    """The last STATE of a run, as the next run takes it."""
    value: dict[str, Any] = [m["value"] for m in messages if m["type"] == "STATE"][-1]
    return value


def test_full_table_in_the_catalog_reads_every_row_again(own_sim: Simulator) -> None:
    cfg = v5_config(own_sim)
    state = {"bookmarks": {"landing_pages": {"replication_key": "updated_at",
                                             "replication_key_value": "2026-11-22T00:00:00+00:00",
                                             "tie_after_id": None}}}  # fmt: skip
    incremental = run(cfg, "landing_pages", state=state)
    assert len(records(incremental, "landing_pages")) < len(expected(own_sim, "landing_pages"))
    catalog = TapPardotExport(config=cfg, setup_mapper=False).catalog_dict
    for entry in catalog["streams"]:
        entry["replication_method"] = "FULL_TABLE"
    full = run_with_catalog(cfg, catalog, "landing_pages", state)
    assert set(records(full, "landing_pages")) == set(expected(own_sim, "landing_pages"))


def run_with_catalog(
    cfg: dict[str, Any], catalog: dict[str, Any], stream: str, state: dict[str, Any]
) -> Messages:
    """`run` with a catalog of the test's own (its replication methods kept)."""
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] == stream
    tap = TapPardotExport(config=cfg, state=state, catalog=catalog, setup_mapper=True)
    out = io.StringIO()
    with redirect_stdout(out):
        tap.sync_all()
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_stamps_with_any_offset_become_utc(own_sim: Simulator) -> None:
    own_sim.app.org.users["api-user@example.com"].timezone = "Asia/Kolkata"
    messages = run(v5_config(own_sim, timezone="Asia/Kolkata"), "list_emails")
    got = records(messages, "list_emails")
    for row_id, want in expected(own_sim, "list_emails").items():
        assert parse_utc(got[row_id]["updated_at"]).timestamp() == want["updated_at"]
        assert got[row_id]["updated_at"].endswith("+00:00")


def bulk(sim: Simulator, name: str, count: int, stamps: list[int], first_id: int) -> set[int]:
    """`count` rows of a v5 table stamped `stamps` (created and updated), ids from `first_id`."""
    table = sim.account().store.table(name)
    position = table.position
    rows = []
    for k in range(count):
        values: list[Any] = [None] * len(table.columns)
        values[0] = first_id + k
        for column in ("created_at", "updated_at"):
            if column in position:
                values[position[column]] = stamps[k]
        if "name" in position:
            values[position["name"]] = f"Row {first_id + k}"
        rows.append(tuple(values))
    table.insert_many(rows)
    return set(range(first_id, first_id + count))


@pytest.mark.slow
def test_past_100000_rows_nothing_is_lost_where_next_page_url_alone_stops(
    own_sim: Simulator,
) -> None:
    """Pardot's real cap (100,000 rows a sequence), 100,500 rows more in a stream of each mark.

    Following nextPageUrl alone, as a connector that stops when it is missing does
    (airbytehq/airbyte #54172), reads 100,000 rows and loses the rest; the streams start a
    new query from their mark and read them all: page views past their last id, landing pages
    past their last second (1,500 rows share the second the cap falls in), folders scanned by
    id, form handler fields read whole.
    """
    base = FIXED_START - 90 * 86_400
    minutes = [base + k * 60 for k in range(100_500)]
    seconds = [base + (k // 3) * 7 for k in range(100_500)]  # three rows to a second...
    seconds[99_000:] = [seconds[99_000]] * 1_500  # ...and 1,500 in the second of the cap
    planted = {
        "visitor_page_views": bulk(own_sim, "visitorPageView", 100_500, minutes, 300_000_001),
        "landing_pages": bulk(own_sim, "landingPage", 100_500, seconds, 400_001),
        "folders": bulk(own_sim, "folder", 100_500, minutes, 600_001),
        "form_handler_fields": bulk(own_sim, "formHandlerField", 100_500, minutes, 800_001),
    }
    messages = run(v5_config(own_sim, v5_page_size=1000), *planted)
    for stream, ids in planted.items():
        got = set(records(messages, stream))
        assert ids <= got, stream
        assert got == set(expected(own_sim, stream)), stream
    naive = V5Objects(PardotClient(client_settings(own_sim)))
    read = [r for page in naive.pages("visitor-page-views", ("id",),
                                      {"limit": 1000, "orderBy": "id ASC"})
            for r in page.values]  # fmt: skip
    total = len(own_sim.account().store.table("visitorPageView"))
    assert (len(read), total - len(read)) == (100_000, 900)  # 900 rows lost that way


def test_runs_stopped_by_the_call_budget_resume_without_loss_or_repeat(
    own_sim: Simulator, tmp_path: Path
) -> None:
    """The real CLI, stopped every few calls by `max_api_calls`, run again from its state."""
    streams = ("list_emails", "folders", "landing_pages", "tracker_domains")
    plant_tie(own_sim, "list_emails", 8)
    cfg = v5_config(own_sim, v5_page_size=3, max_api_calls=10, query_state_every_pages=1)
    catalog = catalog_selecting(cfg, *streams)
    seen: dict[str, list[int]] = {s: [] for s in streams}
    state: dict[str, Any] | None = None
    for _attempt in range(40):  # bounded: each run makes at most 10 calls
        result = run_cli(tmp_path, cfg, state=state, catalog=catalog)
        assert result.returncode == 0, result.stderr[-2000:]
        for stream in streams:
            seen[stream] += [r["id"] for r in result.records(stream)]
        if result.states():
            state = result.states()[-1]
        if "call budget is spent" not in result.stderr:
            break
    else:
        pytest.fail("the runs never finished")
    assert _attempt >= 2, "the budget should have stopped several runs"
    for stream in streams:
        assert len(seen[stream]) == len(set(seen[stream])), f"{stream}: a row came twice"
        assert set(seen[stream]) == set(expected(own_sim, stream)), stream


def test_about_and_discovery_list_every_stream_without_credentials(tmp_path: Path) -> None:
    """`--about` names each stream's replication key and delete marks; `--discover` needs no
    credential and lists the v5 streams with those keys."""
    about = subprocess.run(
        [sys.executable, "-m", "tap_pardot_export.tap", "--about", "--format", "json"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    rows = {r["name"]: r for r in json.loads(about.stdout)["streams"]}
    assert set(rows) == {s.name for s in STREAM_TYPES}
    keys = {"updated_at": "updated_at", "scan": "updated_at", "id": "id", "full": None}
    for name, obj in V5_OBJECTS.items():
        assert rows[name]["api"] == "v5 objects"
        assert rows[name]["replication_key"] == keys[obj.query.mark], name
        assert rows[name]["deletes"] is obj.query.deletes, name
    assert rows["prospects"]["deletes"] is True
    discovered = run_cli(tmp_path, {"start_date": START}, "--discover")
    assert discovered.returncode == 0, discovered.stderr[-2000:]
    catalog = {e["tap_stream_id"]: e for e in json.loads(discovered.stdout)["streams"]}
    for name, obj in V5_OBJECTS.items():
        top = next(m["metadata"] for m in catalog[name]["metadata"] if m["breadcrumb"] == [])
        key = keys[obj.query.mark]
        assert top.get("valid-replication-keys") == ([key] if key else None), name
        properties = catalog[name]["schema"]["properties"]
        assert ("_sdc_deleted_at" in properties) is obj.query.deletes
