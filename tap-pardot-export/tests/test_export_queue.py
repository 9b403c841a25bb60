"""The run's export queue: the next stream's first export is created while the current stream
finishes, never more than `max_pending_exports` in flight, and a kill resumes it."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from tap_sync_support import rows_of
from test_resume import TapProcess, creates, pending_of

from pardot_sim import Simulator
from pardot_sim.testing import SimAdmin

START, END = "2026-10-01T00:00:00Z", "2026-10-08T00:00:00Z"  # one window, no offset change
FIRST, SECOND = "visitor_activities", "visitors"  # the SDK syncs streams by name


def in_flight(message: dict[str, Any]) -> dict[str, int]:
    """Exports in flight per stream, as a STATE message keeps them."""
    bookmarks = message["value"].get("bookmarks", {})
    return {name: len(pending_of(message, name)) for name in bookmarks if pending_of(message, name)}


@pytest.mark.parametrize("limit", [1, 2, 3])
@pytest.mark.usefixtures("fast_clock")
def test_the_next_streams_export_is_created_ahead_and_the_limit_holds(
    run_tap: Any, tap_config: Any, select: Any, limit: int
) -> None:
    config = tap_config(start_date=START, end_date=END, max_pending_exports=limit)
    streams = ("list_memberships", "prospect_accounts", "prospects", FIRST, SECOND)
    messages = run_tap(config, catalog=select(config, *streams))
    states = [m for m in messages if m["type"] == "STATE"]
    most = max(sum(in_flight(m).values()) for m in states)
    assert most == limit, f"at most {limit} exports in flight across the run, and that many used"
    for earlier, later in itertools.pairwise(streams):
        schema = next(
            i for i, m in enumerate(messages) if m["type"] == "SCHEMA" and m["stream"] == later
        )
        ahead = [m for m in messages[:schema] if m["type"] == "STATE" and in_flight(m).get(later)]
        assert ahead, f"{later}'s first export was created before its sync began"
        overlap = [m for m in states if in_flight(m).get(earlier) and in_flight(m).get(later)]
        assert bool(overlap) == (limit > 1), f"{later}'s export queued while {earlier} finishes"
    rows = rows_of(messages)
    assert set(rows) == set(streams)


def test_a_kill_resumes_the_export_created_ahead_for_the_next_stream(
    sim: Simulator, admin: SimAdmin, tap_config: Any, select: Any, run_tap: Any, tmp_path: Path
) -> None:
    config = tap_config(start_date=START, end_date=END, max_pending_exports=2)
    catalog = select(config, FIRST, SECOND)
    sim.app.clock.set_speed(7200)
    clean = rows_of(run_tap(config, catalog=catalog))
    sim.app.clock.set_speed(0)  # frozen: no export completes, the first stream keeps polling
    tap = TapProcess(config, catalog, tmp_path)
    tap.read_until(lambda m: m["type"] == "STATE" and bool(in_flight(m).get(SECOND)))
    tap.kill()
    state = tap.last_state()
    saved = pending_of({"type": "STATE", "value": state}, SECOND)
    assert len(saved) == 1, "the next stream's first export, kept in its own state"
    assert not rows_of(tap.messages), "killed before any row"
    before = creates(admin)
    sim.app.clock.set_speed(7200)
    resumed = run_tap(config, state=state, catalog=catalog)
    # the first stream resumes its one export; the second its saved part, and creates the other
    assert creates(admin) - before == 1
    assert rows_of(resumed) == clean
    final = [m["value"] for m in resumed if m["type"] == "STATE"][-1]
    for stream in (FIRST, SECOND):
        bookmark = final["bookmarks"][stream]
        assert bookmark["replication_key_value"] == "2026-10-08T00:00:00+00:00"
        assert not bookmark.get("pending_exports")


@pytest.mark.parametrize("extraction_mode", ["auto"])
@pytest.mark.usefixtures("fast_clock")
def test_while_a_stream_reads_by_query_the_next_streams_export_is_queued(
    run_tap: Any, tap_config: Any, select: Any
) -> None:
    config = tap_config(start_date=START, end_date=END)
    first, later = "list_memberships", "prospect_accounts"  # by query (auto), then by export
    messages = run_tap(config, catalog=select(config, first, later))
    rows = [i for i, m in enumerate(messages) if m["type"] == "RECORD" and m["stream"] == first]
    assert rows, "the first stream read rows"
    queued = [i for i, m in enumerate(messages) if m["type"] == "STATE" and in_flight(m).get(later)]
    assert queued and queued[0] < rows[-1], f"{later}'s export was queued while {first} was read"
    assert not any(in_flight(m).get(first) for m in messages if m["type"] == "STATE")
    assert set(rows_of(messages)) == {first, later}
