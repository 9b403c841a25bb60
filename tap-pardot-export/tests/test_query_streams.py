"""Query streams against the simulator over real HTTP: every row once, whatever the pages hold.

Each test gets its own tiny simulator (it generates in milliseconds), so tests that change
stored rows or the clock touch nobody else's data. Expected rows come from the simulator's admin
view of what it stores, never from the tap's own code.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import redirect_stdout
from datetime import datetime, timezone
from typing import Any

import pytest
import requests

from pardot_client import PardotClient, PardotQuotaExceededError
from pardot_client.catalog import get_object
from pardot_client.dates import format_pardot_datetime, parse_pardot_datetime, to_utc_iso
from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START, SimAdmin, client_settings
from tap_pardot_export.bounds import BoundForm
from tap_pardot_export.query.paging import Mark, QueryEndpoint, UpdatedAtPager
from tap_pardot_export.query.special import SPECIAL_QUERY_STREAMS
from tap_pardot_export.query.streams import QUERY_STREAMS
from tap_pardot_export.tap import TapPardotExport

END = to_utc_iso(datetime.fromtimestamp(FIXED_START, timezone.utc))
START = "2026-10-25T00:00:00+00:00"
QUICK = {"backoff_base_seconds": 0.005, "max_retry_seconds": 10, "read_timeout": 5,
         "connect_timeout": 2}  # fmt: skip
UPDATED = {"campaigns": "campaign", "custom_redirects": "customRedirect",
           "dynamic_content": "dynamicContent", "forms": "form", "lists": "list",
           "tags": "tag"}  # fmt: skip
BY_ID = {
    "email_clicks": "emailClick",
    "lifecycle_histories": "lifecycleHistory",
    "tag_objects": "tagObject",
}  # fmt: skip  (append-only objects)
FULL = {"custom_fields": "customField", "lifecycle_stages": "lifecycleStage", "users": "user"}
ALL = tuple(s.name for s in (*QUERY_STREAMS, *SPECIAL_QUERY_STREAMS))
Messages = list[dict[str, Any]]


@pytest.fixture
def qsim(own_sim: Simulator) -> Simulator:
    """A simulator of this test's own: tiny data, frozen clock at FIXED_START."""
    return own_sim


@pytest.fixture
def qadmin(qsim: Simulator) -> Iterator[SimAdmin]:
    """Its admin API."""
    admin = SimAdmin(qsim)
    yield admin
    admin.close()


def config(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    """Tap settings reaching `sim`, retries in milliseconds."""
    settings = {"start_date": START, "end_date": END, "include_email_stats": True, **QUICK}
    return sim.config(**{**settings, **overrides})


def run(
    cfg: dict[str, Any], *streams: str, state: dict[str, Any] | None = None,
    on_response: Callable[[requests.Response], None] | None = None,
    messages: Messages | None = None,
) -> Messages:  # fmt: skip
    """Sync `streams` in-process; the messages written (also into `messages` if a stop raises)."""
    catalog = TapPardotExport(config=cfg, setup_mapper=False).catalog_dict
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
    tap = TapPardotExport(config=cfg, state=state, catalog=catalog, setup_mapper=True)
    if on_response is not None:
        tap.client.session.hooks["response"].append(lambda r, *_, **__: on_response(r))
    out = io.StringIO()
    try:
        with redirect_stdout(out):
            tap.sync_all()
    finally:
        found = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
        if messages is not None:
            messages.extend(found)
    return found


def records(messages: Messages, stream: str) -> dict[int, dict[str, Any]]:
    """A stream's records by id; a record emitted twice fails the test."""
    out: dict[int, dict[str, Any]] = {}
    for m in messages:
        if m["type"] == "RECORD" and m["stream"] == stream:
            assert m["record"]["id"] not in out, f"{stream} {m['record']['id']} emitted twice"
            out[m["record"]["id"]] = m["record"]
    return out


def last_state(messages: Messages) -> dict[str, Any]:
    """The last STATE's bookmarks."""
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    bookmarks: dict[str, Any] = states[-1]["bookmarks"]
    return bookmarks


def stored(
    admin: SimAdmin, obj: str, key: str | None, start: str = START, end: str = END
) -> dict[int, Any]:
    """Live stored rows of `obj` stamped `key` in [start, end) (all of them when key is None)."""
    rows = admin.records(obj, deleted="false")
    return {r["id"]: r for r in rows if key is None or (r[key] and start <= r[key] < end)}


def test_every_query_stream_emits_each_stored_row_once(qsim: Simulator, qadmin: SimAdmin) -> None:
    messages = run(config(qsim), *ALL)
    for stream, obj in UPDATED.items():
        want = stored(qadmin, obj, "updated_at")
        got = records(messages, stream)
        assert set(got) == set(want), stream
        assert want, f"{stream}: the test data should hold rows in range"
        newest = max(r["updated_at"] for r in want.values())
        assert last_state(messages)[stream]["replication_key_value"] == newest
    for stream, obj in BY_ID.items():
        want = stored(qadmin, obj, "created_at", end="9999")
        assert set(records(messages, stream)) == set(want), stream
        assert last_state(messages)[stream]["replication_key_value"] == max(want)
    for stream, obj in FULL.items():  # every row, whatever start_date, and no bookmark
        assert set(records(messages, stream)) == set(stored(qadmin, obj, None)), stream
        assert "replication_key_value" not in last_state(messages).get(stream, {}), stream
    changed = stored(qadmin, "opportunity", "updated_at", end="9999")  # scanned by id
    assert set(records(messages, "opportunities")) == set(changed) and changed
    newest = max(r["updated_at"] for r in changed.values())
    assert last_state(messages)["opportunities"]["replication_key_value"] == newest
    # typed values: integers, booleans, decimals, datetimes in UTC
    lists = records(messages, "lists")
    for row_id, row in stored(qadmin, "list", "updated_at").items():
        assert lists[row_id]["is_public"] is row["is_public"]
        assert lists[row_id]["created_at"] == _by_rule(row["created_at"], qsim.timezone)
    visitors = stored(qadmin, "visitor", "updated_at")
    visits = {i: v for i, v in stored(qadmin, "visit", None).items() if v["visitor_id"] in visitors}
    assert set(records(messages, "visits")) == set(visits) and visits
    templates = stored(qadmin, "emailTemplate", None)
    one_to_one = {i for i, t in templates.items() if t["is_one_to_one_email"]}
    assert set(records(messages, "email_templates")) == one_to_one
    clicks = stored(qadmin, "emailClick", "created_at", end="9999")
    emails = records(messages, "emails")
    assert set(emails) == {c["list_email_id"] for c in clicks.values() if c["list_email_id"]}
    assert all(isinstance(e["stats"]["sent"], int) for e in emails.values())


def test_state_goes_out_every_n_pages_not_per_record(qsim: Simulator) -> None:
    messages = run(config(qsim, query_page_size=2, query_state_every_pages=2), "tag_objects")
    pages = len(records(messages, "tag_objects")) // 2 + 1
    states = [m for m in messages if m["type"] == "STATE"]
    assert pages // 2 <= len(states) <= pages // 2 + 2


def _set_stamp(sim: Simulator, obj: str, ids: list[int], epoch: int) -> None:
    table = sim.account().store.table(obj)
    for row_id in ids:
        created = table.as_dict(table.rows[row_id])["created_at"]
        table.update(row_id, {"updated_at": epoch, "created_at": min(epoch, created)})


@pytest.mark.parametrize("page_size", [1, 3, 7])
def test_a_tie_over_several_pages_loses_and_repeats_nothing(
    qsim: Simulator, qadmin: SimAdmin, page_size: int
) -> None:
    """Seven campaigns updated in one second: a strict updated_after would skip the page tail."""
    tie = FIXED_START - 3 * 86_400
    tied = sorted(qsim.account().store.table("campaign").rows)[:7]
    _set_stamp(qsim, "campaign", tied, tie)
    messages = run(config(qsim, query_page_size=page_size), "campaigns")
    want = stored(qadmin, "campaign", "updated_at")
    got = records(messages, "campaigns")
    assert set(got) == set(want)
    assert {i for i, r in got.items() if r["updated_at"] == to_utc_iso(_utc(tie))} == set(tied)


def test_a_run_resumes_inside_a_tie_from_its_state(qsim: Simulator, qadmin: SimAdmin) -> None:
    tie = FIXED_START - 3 * 86_400
    tied = sorted(qsim.account().store.table("campaign").rows)[:7]
    _set_stamp(qsim, "campaign", tied, tie)
    state = {"bookmarks": {"campaigns": {"replication_key": "updated_at",
             "replication_key_value": to_utc_iso(_utc(tie)), "tie_after_id": tied[2]}}}  # fmt: skip
    got = records(run(config(qsim, query_page_size=2), "campaigns", state=state), "campaigns")
    later = stored(qadmin, "campaign", "updated_at", start=to_utc_iso(_utc(tie + 1)))
    assert set(got) == set(tied[3:]) | set(later)


def test_the_pager_reads_the_generated_450_row_tie_second(
    qsim: Simulator, qadmin: SimAdmin
) -> None:
    """The generator's tie second holds 450 visitor activities, over two 200-row pages."""
    facts = qadmin.get(f"/_sim/accounts/{qsim.config()['business_unit_id']}/facts")
    client = PardotClient(client_settings(qsim))
    endpoint = QueryEndpoint(client, get_object("visitorActivity"))
    dates = BoundForm(qsim.timezone)
    start = _utc(facts["tie_second"] - 5)
    pager = UpdatedAtPager(endpoint, "updated_at", dates, 200, params={})
    seen: list[int] = []
    for page, _mark in pager.pages(Mark(start)):
        seen += [int(r["id"]) for r in page]
    after = to_utc_iso(_utc(facts["tie_second"] - 4))
    want = stored(qadmin, "visitorActivity", "updated_at", start=after, end="9999")
    assert len(seen) == len(set(seen)), "a row came twice"
    assert set(seen) == set(want)
    assert (
        sum(r["updated_at"] == to_utc_iso(_utc(facts["tie_second"])) for r in want.values()) >= 450
    )


def test_a_record_updated_while_the_sync_pages_is_emitted(
    qsim: Simulator, qadmin: SimAdmin
) -> None:
    """Rows move past the mark mid-sync: each is emitted in its final version, none is lost."""
    want_before = stored(qadmin, "campaign", "updated_at")
    ordered = sorted(want_before, key=lambda i: (want_before[i]["updated_at"], i))
    behind, ahead = ordered[0], ordered[-2]
    calls = 0

    def move_rows(response: requests.Response) -> None:
        nonlocal calls
        if "/api/campaign/" in response.url:
            calls += 1
            if calls == 2:  # the first page is out: update one row read, one not yet read
                table = qsim.account().store.table("campaign")
                for row_id in (behind, ahead):
                    moved = {"updated_at": FIXED_START - 30, "name": f"moved {row_id}"}
                    table.update(row_id, moved)

    messages = run(config(qsim, query_page_size=2), "campaigns", on_response=move_rows)
    emitted = [m["record"] for m in messages if m["type"] == "RECORD"]
    want = stored(qadmin, "campaign", "updated_at")
    assert {r["id"] for r in emitted} == set(want)
    last = {r["id"]: r for r in emitted}
    assert last[behind]["name"] == f"moved {behind}" and last[ahead]["name"] == f"moved {ahead}"
    assert sum(r["id"] == ahead for r in emitted) == 1  # read once, after it moved


@pytest.mark.parametrize("empty", ["null", "empty", "absent"])
def test_pages_of_a_full_size_of_one_and_of_none(
    qsim: Simulator, qadmin: SimAdmin, empty: str
) -> None:
    """Exactly a page, then an empty bulk page; a single row as an object; nothing at all."""
    qadmin.post("/_sim/switches", {"bulk_empty_result": empty, "query_result_key": "snake"})
    tagged = sorted(stored(qadmin, "tagObject", None))
    state = {"bookmarks": {"tag_objects": {"replication_key": "id",
                                           "replication_key_value": tagged[-2]}}}  # fmt: skip
    assert set(records(run(config(qsim), "tag_objects", state=state), "tag_objects")) == {
        tagged[-1]
    }
    full = run(
        config(qsim, start_date="2020-01-01T00:00:00Z", query_page_size=len(tagged)), "tag_objects"
    )
    assert set(records(full, "tag_objects")) == set(tagged)
    state["bookmarks"]["tag_objects"]["replication_key_value"] = tagged[-1]
    nothing = run(config(qsim), "tag_objects", state=state)
    assert records(nothing, "tag_objects") == {}
    assert last_state(nothing)["tag_objects"]["replication_key_value"] == tagged[-1]
    fields = run(config(qsim, query_page_size=1), "custom_fields")  # unconfirmed key, snake_case
    assert set(records(fields, "custom_fields")) == set(stored(qadmin, "customField", None))


def test_errors_in_200_answers_66_and_5xx_are_retried(qsim: Simulator, qadmin: SimAdmin) -> None:
    clean = run(config(qsim, query_page_size=3), "campaigns", "users", "visits")
    qadmin.post("/_sim/switches", {"v34_error_status": "200"})
    qadmin.post("/_sim/faults", {"script": [
        {"kind": "error", "code": 66, "path": "/api/campaign/", "count": 2},
        {"kind": "503", "path": "/api/user/", "count": 1},
        {"kind": "500", "path": "/api/visit/", "count": 1},
        {"kind": "error", "code": 183, "path": "/api/visitor/", "count": 1},
    ]})  # fmt: skip
    faulty = run(config(qsim, query_page_size=3), "campaigns", "users", "visits")
    for stream in ("campaigns", "users", "visits"):
        assert records(faulty, stream) == records(clean, stream)
    assert qadmin.get("/_sim/state")["faults"]["injected"] == {"error": 3, "503": 1, "500": 1}


def test_a_used_up_daily_limit_stops_with_state_to_resume_from(
    qsim: Simulator, qadmin: SimAdmin
) -> None:
    clean = records(run(config(qsim, query_page_size=2), "campaigns"), "campaigns")
    bu = qsim.config()["business_unit_id"]
    used = qadmin.calls()["daily"]
    today = sum(used.values())
    # each of run's two tap instances lists custom fields and describes prospect accounts first
    qadmin.post(f"/_sim/accounts/{bu}", {"daily_call_limit": today + 7})
    first: Messages = []
    with pytest.raises(PardotQuotaExceededError, match="daily API limit"):
        run(config(qsim, query_page_size=2), "campaigns", messages=first)
    state = [m["value"] for m in first if m["type"] == "STATE"][-1]
    assert state["bookmarks"]["campaigns"]["replication_key_value"] > START
    qadmin.post(f"/_sim/accounts/{bu}", {"reset_daily_calls": True, "daily_call_limit": 100_000})
    second = run(config(qsim, query_page_size=2), "campaigns", state=state)
    got = records(first, "campaigns")
    rest = records(second, "campaigns")
    assert not set(got) & set(rest), "a row emitted before the stop came again"
    assert {**got, **rest} == clean


def test_dates_go_with_the_users_offset_and_the_repeated_hour_is_exact(
    qsim: Simulator, qadmin: SimAdmin
) -> None:
    """Planted campaigns on both passes of the fall-back hour, read one per page."""
    facts = qadmin.get(f"/_sim/accounts/{qsim.config()['business_unit_id']}/facts")
    change = next(t["utc"] for t in facts["dst"]["transitions"]
                  if t["offset_before"] > t["offset_after"])  # fmt: skip
    start, end = to_utc_iso(_utc(change - 7200)), to_utc_iso(_utc(change + 7200))
    sent: list[str] = []
    messages = run(
        config(qsim, start_date=start, end_date=end, query_page_size=1), "campaigns",
        on_response=lambda r: sent.append(r.url),
    )  # fmt: skip
    want = stored(qadmin, "campaign", "updated_at", start, end)
    got = records(messages, "campaigns")
    assert set(got) == set(want)
    second_pass = [i for i, r in want.items() if change <= _epoch(r["updated_at"]) < change + 3600]
    assert second_pass, "the generator plants rows in the repeated hour"
    for row_id in second_pass:  # emitted by the stated rule: a wall time reads as its first pass
        first_pass = _epoch(want[row_id]["updated_at"]) - 3600
        assert got[row_id]["updated_at"] == to_utc_iso(_utc(first_pass))
    newest = max(r["updated_at"] for r in want.values())
    assert last_state(messages)["campaigns"]["replication_key_value"] == newest  # exact
    assert any("updated_after=2026-11-01T01%3A" in u and "-05%3A00" in u for u in sent)


def test_refused_offsets_fall_back_to_wall_times(
    qsim: Simulator, qadmin: SimAdmin, caplog: pytest.LogCaptureFixture
) -> None:
    qadmin.post("/_sim/switches", {"input_offsets": "rejected"})
    with caplog.at_level(logging.WARNING):
        messages = run(config(qsim), "campaigns", "users")
    assert set(records(messages, "campaigns")) == set(stored(qadmin, "campaign", "updated_at"))
    assert set(records(messages, "users")) == set(stored(qadmin, "user", None))
    assert "refused query dates with a UTC offset" in caplog.text
    wall = format_pardot_datetime(_utc(FIXED_START), qsim.timezone)
    assert wall  # the wall form the run switched to is the user's timezone


def _by_rule(iso: str, tz: str) -> str:
    """What a wall time of this instant reads back as (the repeated hour as its first pass)."""
    wall = format_pardot_datetime(datetime.fromisoformat(iso), tz)
    return to_utc_iso(parse_pardot_datetime(wall, tz))


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()
