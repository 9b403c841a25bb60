"""One line at the end of a run says what it did, per stream, without reading every line."""

from __future__ import annotations

import re
from pathlib import Path

from tap_sync_support import END, catalog_selecting, mode_settings, run_cli

from pardot_sim import Simulator
from pardot_sim.testing import SimAdmin


def test_a_run_ends_with_one_summary_line_per_run(
    sim: Simulator, admin: SimAdmin, tmp_path: Path
) -> None:
    config = sim.config(
        start_date="2026-11-09T00:00:00Z", end_date=END, export_window_days=7,
        poll_interval_seconds=0.02, extraction_mode=mode_settings("export"),
    )  # fmt: skip
    catalog = catalog_selecting(config, "visitor_activities", "prospects", "campaigns")
    sim.app.clock.set_speed(7200)
    creates_before = admin.calls()["by_kind"].get("export.create", 0)
    run = run_cli(tmp_path, config, catalog=catalog)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = [line for line in run.stderr.splitlines() if "Run summary:" in line]
    assert len(lines) == 1
    line = lines[0]
    for stream in ("visitor_activities", "prospects", "campaigns"):
        rows = len(run.records(stream))
        assert re.search(rf"{stream} {rows:,} rows,", line), (stream, rows, line)
    # 14 days and a half in 7-day windows: 3 windows; prospects export each in two parts
    assert re.search(r"visitor_activities [\d,]+ rows, 3 windows, 3 exports, \d+ calls", line)
    assert re.search(r"prospects [\d,]+ rows, 3 windows, 6 exports, \d+ calls", line)
    assert re.search(r"campaigns [\d,]+ rows, \d+ calls, [\d.]+ s waiting / [\d.]+ s reading", line)
    creates = admin.calls()["by_kind"]["export.create"] - creates_before
    assert creates == 9
