"""`extraction_mode`: export streams read by bulk queries give the rows the Export API gives."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from test_query_streams import END, Messages, config, last_state, records, run

from pardot_client import PardotQuotaExceededError
from pardot_sim import Simulator
from pardot_sim.testing import SimAdmin

START = "2026-11-10T00:00:00+00:00"
STREAMS = ("visitor_activities", "prospects", "list_memberships")
QUERY = dict.fromkeys(STREAMS, "query")


@pytest.fixture
def qsim(own_sim: Simulator) -> Simulator:
    """A simulator of this test's own: tiny data, frozen clock at FIXED_START."""
    return own_sim


def cfg(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    """Settings for a run over [START, END) in 7-day windows."""
    return config(sim, start_date=START, export_window_days=7, poll_interval_seconds=0.02,
                  **overrides)  # fmt: skip


def test_query_mode_gives_the_rows_and_bookmarks_of_export_mode(qsim: Simulator) -> None:
    by_query = run(cfg(qsim, extraction_mode=QUERY, query_page_size=50), *STREAMS)
    calls = SimAdmin(qsim).calls()["by_kind"]
    assert not any(kind.startswith("export.") for kind in calls), "query mode created exports"
    qsim.app.clock.set_speed(7200)
    by_export = run(cfg(qsim, extraction_mode=dict.fromkeys(STREAMS, "export")), *STREAMS)
    for stream in STREAMS:
        want = records(by_export, stream)
        assert want, stream
        assert records(by_query, stream) == want, stream
        assert last_state(by_query)[stream]["replication_key_value"] == END


def test_auto_counts_once_and_says_why(qsim: Simulator, caplog: pytest.LogCaptureFixture) -> None:
    qsim.app.clock.set_speed(7200)
    with caplog.at_level(logging.INFO):
        run(cfg(qsim, extraction_mode={"prospects": "auto"}, auto_query_max_rows=0), "prospects")
    assert "more than auto_query_max_rows=0: reading by export" in caplog.text
    caplog.clear()
    creates = SimAdmin(qsim).calls()["by_kind"]["export.create"]
    with caplog.at_level(logging.INFO):
        small = run(cfg(qsim, extraction_mode={"prospects": "auto"}), "prospects")
    assert "at most auto_query_max_rows=2000: reading by query" in caplog.text
    assert SimAdmin(qsim).calls()["by_kind"]["export.create"] == creates
    assert records(small, "prospects")


def test_a_stop_inside_a_window_resumes_at_the_id_reached(qsim: Simulator) -> None:
    settings = cfg(qsim, extraction_mode=QUERY, query_page_size=20, query_state_every_pages=1)
    clean = records(run(settings, "visitor_activities"), "visitor_activities")
    admin = SimAdmin(qsim)
    bu = qsim.config()["business_unit_id"]
    used = sum(admin.calls()["daily"].values())
    # each of run's two tap instances lists custom fields and describes prospect accounts first
    admin.post(f"/_sim/accounts/{bu}", {"daily_call_limit": used + 6})
    first: Messages = []
    with pytest.raises(PardotQuotaExceededError):
        run(settings, "visitor_activities", messages=first)
    state = [m["value"] for m in first if m["type"] == "STATE"][-1]
    assert state["bookmarks"]["visitor_activities"]["query_window"]["after_id"] > 0
    admin.post(f"/_sim/accounts/{bu}", {"reset_daily_calls": True, "daily_call_limit": 100_000})
    rest = records(run(settings, "visitor_activities", state=state), "visitor_activities")
    got = records(first, "visitor_activities")
    assert not set(got) & set(rest)
    assert {**got, **rest} == clean


def test_query_mode_where_there_is_no_query_endpoint_is_a_clear_error(qsim: Simulator) -> None:
    with pytest.raises(ValueError, match=r"external_activities.*no v3/v4 query endpoint"):
        run(cfg(qsim, extraction_mode={"external_activities": "query"}), "external_activities")
