"""The tap against the simulator over real HTTP: windows, edges, ties, DST, typing, state."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from tap_sync_support import BOTH_MODES, EXPORTS_PER_WINDOW, QUERY_READABLE

from pardot_client.dates import to_utc_iso
from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START, SimAdmin
from tap_pardot_export.tap import TapPardotExport

END = datetime.fromtimestamp(FIXED_START, timezone.utc)


def stored_between(admin: SimAdmin, obj: str, key: str, start: str, end: str) -> dict[int, Any]:
    rows = admin.records(obj, deleted="all")
    return {r["id"]: r for r in rows if r[key] is not None and start <= r[key] < end}


def test_discovery_without_credentials_lists_every_stream() -> None:
    tap = TapPardotExport(config={"start_date": "2026-01-01T00:00:00Z"}, setup_mapper=False)
    streams = {s.tap_stream_id: s for s in tap.catalog.streams}
    export_streams = {
        "visitor_activities", "prospects", "list_memberships", "visitors", "prospect_accounts",
        "external_activities",
    }  # fmt: skip
    query_streams = {
        "campaigns", "custom_fields", "custom_redirects", "dynamic_content", "email_clicks",
        "forms", "lifecycle_histories", "lifecycle_stages", "lists", "opportunities", "tags",
        "tag_objects", "users", "visits", "email_templates", "emails",
    }  # fmt: skip
    v5_streams = {
        "account", "dynamic_content_variations", "engagement_studio_programs", "files",
        "folders", "folder_contents", "form_fields", "form_handlers", "form_handler_fields",
        "landing_pages", "layout_templates", "list_emails", "tracker_domains",
        "visitor_page_views",
    }  # fmt: skip
    assert set(streams) == export_streams | query_streams | v5_streams
    prospect = streams["prospects"].schema.to_dict()["properties"]
    assert prospect["updated_at"]["format"] == "date-time"
    assert "grade" not in prospect  # Pardot refuses to export it
    assert streams["external_activities"].replication_key == "created_at"


@pytest.mark.parametrize("extraction_mode", BOTH_MODES)
@pytest.mark.usefixtures("fast_clock")
def test_visitor_activities_arrive_once_each_with_window_edges_and_ties(
    sim: Simulator, admin: SimAdmin, run_tap: Any, tap_config: Any
) -> None:
    messages = run_tap(tap_config())
    records = [
        m["record"]
        for m in messages
        if m["type"] == "RECORD" and m["stream"] == "visitor_activities"
    ]
    start = "2026-10-01T00:00:00+00:00"
    expected = stored_between(admin, "visitorActivity", "updated_at", start, to_utc_iso(END))
    got = [r["id"] for r in records]
    assert len(got) == len(set(got)), "a row was emitted twice"
    assert set(got) == set(expected), "rows were lost or invented"
    facts = admin.get(f"/_sim/accounts/{sim.config()['business_unit_id']}/facts")
    tied = [
        r
        for r in records
        if r["updated_at"] == to_utc_iso(datetime.fromtimestamp(facts["tie_second"], timezone.utc))
    ]
    assert len(tied) >= 450
    by_id = {r["id"]: r for r in records}
    second_pass = {
        to_utc_iso(datetime.fromtimestamp(t["utc"] + k, timezone.utc))[:13]
        for t in facts["dst"]["transitions"] for k in (0, 3599)
    }  # fmt: skip
    checked = 0
    for row_id, row in expected.items():  # typed, and wall times converted back to UTC
        if row["updated_at"][:13] in second_pass:
            continue  # the repeated hour: see the DST test
        assert by_id[row_id]["updated_at"] == row["updated_at"]
        assert by_id[row_id]["type"] == row["type"]
        checked += 1
    assert checked > len(expected) * 0.9
    states = [m["value"] for m in messages if m["type"] == "STATE"]
    bookmarks = [
        s["bookmarks"].get("visitor_activities", {}).get("replication_key_value") for s in states
    ]
    window_ends = [b for b in dict.fromkeys(bookmarks) if b]
    assert window_ends[-1] == to_utc_iso(END)
    assert len(window_ends) >= 8  # one STATE per 7-day window, not per record


def repeated_hour_rows(
    sim: Simulator, admin: SimAdmin, messages: list[dict[str, Any]]
) -> tuple[int, list[tuple[str, str]]]:
    """(rows in the first pass, (emitted, stored) updated_at of rows in the second pass)."""
    facts = admin.get(f"/_sim/accounts/{sim.config()['business_unit_id']}/facts")
    change = next(  # 2026-11-01 06:00 UTC, when New York falls back
        t["utc"] for t in facts["dst"]["transitions"] if t["offset_before"] > t["offset_after"]
    )
    emitted = {
        m["record"]["id"]: m["record"]["updated_at"]
        for m in messages
        if m["type"] == "RECORD" and m["stream"] == "visitor_activities"
    }
    first_pass, second_pass = 0, []
    for row in admin.records("visitorActivity", deleted="all"):
        instant = datetime.fromisoformat(row["updated_at"]).timestamp()
        if change - 3600 <= instant < change:
            assert emitted[row["id"]] == row["updated_at"]
            first_pass += 1
        elif change <= instant < change + 3600:
            second_pass.append((emitted[row["id"]], row["updated_at"]))
    return first_pass, second_pass


@pytest.mark.parametrize("extraction_mode", BOTH_MODES)
@pytest.mark.usefixtures("fast_clock")
def test_rows_in_the_repeated_hour_carry_their_true_instant(
    sim: Simulator, admin: SimAdmin, run_tap: Any, tap_config: Any
) -> None:
    """CSV wall times carry no offset; windows cut at the change read each one exactly."""
    config = tap_config(start_date="2026-10-30T00:00:00Z", end_date="2026-11-03T00:00:00Z")
    first_pass, second_pass = repeated_hour_rows(sim, admin, run_tap(config))
    assert first_pass > 0
    assert second_pass, "the generated data holds rows in the second pass"
    wrong = [(got, want) for got, want in second_pass if got != want]
    assert wrong == [], f"{len(wrong)} of {len(second_pass)} rows came out an hour early"


@pytest.mark.usefixtures("fast_clock")
def test_with_wall_time_bounds_the_repeated_hour_follows_the_stated_rule(
    sim: Simulator, admin: SimAdmin, run_tap: Any, tap_config: Any
) -> None:
    """Where Pardot refuses offsets, no window edge can fall in the repeated hour: the second
    pass reads as the first (the documented rule), an hour early."""
    admin.post("/_sim/switches", {"input_offsets": "rejected"})
    config = tap_config(start_date="2026-10-30T00:00:00Z", end_date="2026-11-03T00:00:00Z")
    first_pass, second_pass = repeated_hour_rows(sim, admin, run_tap(config))
    assert first_pass > 0 and second_pass
    for got, want in second_pass:
        shifted = datetime.fromtimestamp(
            datetime.fromisoformat(want).timestamp() - 3600, timezone.utc
        )
        assert got == to_utc_iso(shifted)


@pytest.mark.parametrize("extraction_mode", BOTH_MODES)
@pytest.mark.usefixtures("fast_clock")
def test_a_second_run_starts_at_the_bookmark(
    sim: Simulator, admin: SimAdmin, run_tap: Any, tap_config: Any, extraction_mode: str
) -> None:
    config = tap_config(start_date="2026-11-10T00:00:00Z", end_date="2026-11-20T00:00:00Z")
    first = run_tap(config)
    state = [m["value"] for m in first if m["type"] == "STATE"][-1]
    assert state["bookmarks"]["prospects"]["replication_key_value"] == "2026-11-20T00:00:00+00:00"
    before = admin.calls()["by_kind"]
    calls_before = before.get("export.create", 0) + before.get("v5.exports.create", 0)
    second = run_tap({**config, "end_date": "2026-11-21T00:00:00Z"}, state=state)
    records = [m["record"] for m in second if m["type"] == "RECORD" and m["stream"] == "prospects"]
    assert all(
        "2026-11-20T00:00:00+00:00" <= r["updated_at"] < "2026-11-21T00:00:00+00:00"
        for r in records
    )
    calls = admin.calls()["by_kind"]
    creates = calls.get("export.create", 0) + calls.get("v5.exports.create", 0)
    # one window per exported stream, in two parts where deleted rows are marked; auto reads
    # the day's few rows of the query-readable streams by query
    exported = [
        s for s in EXPORTS_PER_WINDOW if extraction_mode == "export" or s not in QUERY_READABLE
    ]
    assert creates - calls_before == sum(EXPORTS_PER_WINDOW[s] for s in exported)


@pytest.mark.usefixtures("fast_clock")
def test_prospects_carry_typed_custom_fields(run_tap: Any, tap_config: Any) -> None:
    messages = run_tap(tap_config(start_date="2026-11-01T00:00:00Z"))
    schema = next(m for m in messages if m["type"] == "SCHEMA" and m["stream"] == "prospects")
    props = schema["schema"]["properties"]
    assert "seat_count__c" in props and "favorite_color__c" in props
    prospects = [
        m["record"] for m in messages if m["type"] == "RECORD" and m["stream"] == "prospects"
    ]
    assert prospects
    # Checkbox: the labels of the boxes ticked, text (several joined), never a true/false flag
    ticked = {p["newsletter_opt_in__c"] for p in prospects if p.get("newsletter_opt_in__c")}
    assert ticked and ticked <= {"Weekly", "Monthly", "Weekly;Monthly"}
    assert props["renewal_date__c"]["format"] == "date"
    assert any(p.get("renewal_date__c") for p in prospects)


def test_more_than_150_selected_fields_is_a_clear_error(tap_config: Any) -> None:
    from tap_pardot_export.export.streams import ProspectsStream

    tap = TapPardotExport(config=tap_config(), setup_mapper=False)
    stream = tap.streams["prospects"]
    assert isinstance(stream, ProspectsStream)
    stream.schema["properties"].update(
        {f"extra_{i}__c": {"type": ["string", "null"]} for i in range(120)}
    )
    with pytest.raises(ValueError, match="at most 150") as info:
        stream.export_fields()
    assert "prospects" in str(info.value)
