"""Window edges and how they are sent: exact instants, also inside a repeated DST hour."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from typing import Any

import pytest
from tap_sync_support import BOTH_MODES

from pardot_client.dates import to_utc_iso
from pardot_sim.testing import SimAdmin
from tap_pardot_export.bounds import unambiguous_edge
from tap_pardot_export.export.windows import Window, windows

NY = "America/New_York"
FALL_BACK = datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc)  # 02:00 EDT -> 01:00 EST


def utc(hour: int, minute: int = 0, second: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=timezone.utc)


def test_edges_in_or_next_to_the_repeated_hour_move_before_it() -> None:
    # 05:00:00-06:59:59 UTC are the wall times 01:00:00-01:59:59 that New York lives twice.
    for inside in (utc(5), utc(5, 30), utc(6), utc(6, 59, 59), utc(7)):
        assert unambiguous_edge(inside, NY) == utc(4, 59, 59)
    assert unambiguous_edge(utc(7, 0, 1), NY) == utc(7, 0, 1)  # its after bound is 02:00:00 EST
    assert unambiguous_edge(utc(4, 59, 59), NY) == utc(4, 59, 59)
    assert unambiguous_edge(utc(12), "UTC") == utc(12)


def test_windows_cut_with_snapped_edges_still_tile_the_range() -> None:
    def snap(edge: datetime) -> datetime:
        return unambiguous_edge(edge, NY)

    october_31 = datetime(2026, 10, 31, 6, 0, tzinfo=timezone.utc)
    cut = list(windows(october_31, utc(6, day=3), 1, snap))
    assert cut[0] == Window(october_31, utc(4, 59, 59))
    assert cut[1] == Window(utc(4, 59, 59), utc(4, 59, 59, day=2))
    assert all(a.end == b.start for a, b in itertools.pairwise(cut))
    assert cut[-1].end == utc(6, day=3)
    # A range that ends inside the repeated hour stops before it; the next run goes on.
    assert list(windows(utc(5, 20), utc(6, 40), 1, snap)) == []


@pytest.mark.parametrize("extraction_mode", BOTH_MODES)
@pytest.mark.parametrize("ambiguous", ["earlier", "later"])
@pytest.mark.parametrize("offsets", ["accepted", "rejected"])
@pytest.mark.usefixtures("fast_clock")
def test_an_edge_on_the_repeated_hour_loses_and_repeats_nothing(
    admin: SimAdmin, tap_config: Any, run_tap: Any, select: Any, ambiguous: str, offsets: str
) -> None:
    """With offsets, each bound is one instant; without, the edge moves out of the hour."""
    admin.post("/_sim/switches", {"ambiguous_input": ambiguous, "input_offsets": offsets})
    start, end = "2026-10-31T06:00:00Z", "2026-11-02T06:00:00Z"  # an edge at 06:00 UTC Nov 1
    config = tap_config(start_date=start, end_date=end, export_window_days=1)
    messages = run_tap(config, catalog=select(config, "visitor_activities"))
    got = [m["record"]["id"] for m in messages if m["type"] == "RECORD"]
    lo, hi = "2026-10-31T06:00:00+00:00", "2026-11-02T06:00:00+00:00"
    stored = admin.records("visitorActivity", deleted="all")
    expected = {r["id"] for r in stored if lo <= r["updated_at"] < hi}
    in_the_hour = {r["id"] for r in stored if "2026-11-01T05" <= r["updated_at"] < "2026-11-01T07"}
    assert in_the_hour & expected, "the simulator plants rows in both passes of the hour"
    assert len(got) == len(set(got)), "a row was emitted twice"
    assert set(got) == expected
    bookmarks = [m["value"]["bookmarks"]["visitor_activities"].get("replication_key_value")
                 for m in messages if m["type"] == "STATE"]  # fmt: skip
    edges = {b for b in bookmarks if b}
    if offsets == "rejected":
        assert to_utc_iso(utc(4, 59, 59)) in edges  # the edge moved out of the repeated hour
    else:
        assert to_utc_iso(FALL_BACK) in edges
