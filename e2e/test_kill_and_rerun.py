"""A `meltano run` whose tap is killed (SIGKILL) mid-sync, then run again, loses no row."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from pipeline_support import (
    START_DATE,
    MeltanoProject,
    SimAdmin,
    child_pids,
    command_line,
    expected_rows,
    iso,
    wait_for,
)
from warehouse_checks import duckdb_tables

from pardot_sim.testing import FIXED_START

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

STATE_ID = "sim:tap-pardot-export-to-target-duckdb"


def bookmark(project: MeltanoProject) -> Any:
    """The visitor_activities bookmark Meltano has stored so far, if any."""
    state = project.state(STATE_ID)
    for part in ("partial", "complete"):
        stream = (state.get(part) or {}).get("singer_state", {}).get("bookmarks", {})
        value = stream.get("visitor_activities", {}).get("replication_key_value")
        if value and value > START_DATE:
            return value
    return None


def test_killed_tap_then_rerun_loses_no_row(
    project: MeltanoProject, sim_admin: SimAdmin, tmp_path: Path
) -> None:
    database = tmp_path / "warehouse.duckdb"
    extra = {
        "TARGET_DUCKDB_FILEPATH": str(database),
        "TARGET_DUCKDB_BATCH_SIZE_ROWS": "40",  # flush (and pass STATE on) every 40 rows
        "TAP_PARDOT_EXPORT__SELECT": json.dumps(["visitor_activities.*"]),
        "TAP_PARDOT_EXPORT_EXPORT_WINDOW_DAYS": "20",  # 16 windows, one export each
        # killed mid-export: auto (the default) would read these few rows by query
        "TAP_PARDOT_EXPORT_EXTRACTION_MODE": json.dumps({"visitor_activities": "export"}),
    }
    sim_admin.post("/_sim/clock", {"speed": 300})  # an export takes about 0.2 s
    run = project.start("run", "tap-pardot-export", "target-duckdb", extra=extra)
    first_mark = wait_for(lambda: bookmark(project), 120, "Meltano to store a first bookmark")
    taps = wait_for(
        lambda: [p for p in child_pids(run.pid) if "tap-pardot-export" in command_line(p)],
        30, "the tap process",
    )  # fmt: skip
    os.kill(taps[0], signal.SIGKILL)
    assert run.wait(timeout=120) != 0, "the killed run must fail"
    assert bookmark(project) < iso(FIXED_START), "the tap was killed after its last window"
    before = duckdb_tables(database, streams=["visitor_activities"]) if database.exists() else {}

    project.run("run", "tap-pardot-export", "target-duckdb", extra=extra)

    expected = expected_rows(sim_admin, "visitor_activities", START_DATE, iso(FIXED_START))
    loaded = duckdb_tables(database, streams=["visitor_activities"])["visitor_activities"]
    assert set(loaded) == set(expected), "rows were lost (or invented) across the kill"
    assert len(before.get("visitor_activities", {})) < len(expected), "nothing was cut short"
    assert first_mark > START_DATE
    assert bookmark(project) == "2026-11-23T12:00:00+00:00"
