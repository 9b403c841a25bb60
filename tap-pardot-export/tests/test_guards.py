"""Runs that must stop, and how: a wrong timezone setting, and Pardot's daily API limit (122)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from pardot_client import PardotQuotaExceededError
from pardot_client.dates import to_utc_iso
from pardot_sim import Simulator
from pardot_sim.accounts import DEMO_USERNAME
from pardot_sim.testing import SimAdmin
from tap_pardot_export.export.tz_guard import (
    TimezoneMismatchError,
    check_timezone,
    observed_offset,
    zones_at,
)
from tap_pardot_export.tap import QUOTA_EXIT_CODE, TapPardotExport

START, END = "2026-10-20T00:00:00Z", "2026-11-17T00:00:00Z"
VA = "visitor_activities"


def test_observed_offset_reads_v4_wall_times_and_v5_offsets() -> None:
    server = datetime(2026, 11, 23, 12, 0, 3, tzinfo=timezone.utc)
    assert observed_offset("2026-11-23 07:00:01", server) == timedelta(hours=-5)
    assert observed_offset("2026-11-23 17:45:00", server) == timedelta(hours=5, minutes=45)
    assert observed_offset("2026-11-23T13:00:00+01:00", server) == timedelta(hours=1)
    assert observed_offset("", server) is None
    assert "America/New_York" in zones_at(timedelta(hours=-5), server)


def test_a_slow_create_passes_and_zones_a_quarter_hour_apart_do_not() -> None:
    server = datetime(2026, 11, 23, 12, 0, 3, tzinfo=timezone.utc)
    # Stamped ten minutes before the answer (a large export's create on a busy server).
    check_timezone("America/New_York", "2026-11-23 06:50:03", server)
    check_timezone("Asia/Kolkata", "2026-11-23 17:30:02", server)
    with pytest.raises(TimezoneMismatchError, match=r"UTC\+05:45"):
        check_timezone("Asia/Kolkata", "2026-11-23 17:45:02", server)  # Kathmandu's wall time
    with pytest.raises(TimezoneMismatchError):
        check_timezone("Asia/Kathmandu", "2026-11-23 17:30:02", server)
    check_timezone("Europe/Paris", "2026-11-23T13:00:00+01:00", server)


@pytest.mark.usefixtures("fast_clock")
@pytest.mark.parametrize("setting", ["Europe/Paris", "UTC"])
def test_a_timezone_setting_pardot_contradicts_stops_before_any_row(
    sim: Simulator, admin: SimAdmin, tap_config: Any, run_tap: Any, select: Any, setting: str
) -> None:
    config = tap_config(start_date=START, end_date=END, timezone=setting)
    cancels_before = admin.calls()["by_kind"].get("export.cancel", 0)
    with pytest.raises(TimezoneMismatchError) as info:
        run_tap(config, catalog=select(config, VA))
    text = str(info.value)
    assert f"The timezone setting is {setting}" in text
    assert "UTC-05:00" in text  # the sim's API user is in New York, on EST in November
    assert "America/New_York" in text
    cancels = admin.calls()["by_kind"].get("export.cancel", 0) - cancels_before
    assert cancels == 1  # the export made with the wrong offsets does not hold up the queue


@pytest.mark.usefixtures("fast_clock")
def test_the_guard_follows_the_users_timezone_in_pardot(
    sim: Simulator, admin: SimAdmin, tap_config: Any, run_tap: Any, select: Any
) -> None:
    admin.post(f"/_sim/users/{DEMO_USERNAME}", {"timezone": "Asia/Kolkata"})
    config = tap_config(start_date=START, end_date=END)  # still says America/New_York
    with pytest.raises(TimezoneMismatchError, match=r"UTC\+05:30.*Asia/Kolkata"):
        run_tap(config, catalog=select(config, VA))
    messages = run_tap({**config, "timezone": "Asia/Kolkata"}, catalog=select(config, VA))
    assert any(m["type"] == "RECORD" for m in messages)


def test_daily_limit_mid_run_keeps_state_and_the_next_run_completes(
    sim: Simulator, admin: SimAdmin, tap_config: Any, run_tap: Any, select: Any
) -> None:
    admin.post("/_sim/clock", {"speed": 7200})
    config = tap_config(start_date=START, end_date=END, export_window_days=7)
    catalog = select(config, VA)
    full = run_tap(config, catalog=catalog)
    wanted = sorted(m["record"]["id"] for m in full if m["type"] == "RECORD")
    bu = config["business_unit_id"]
    used = admin.calls()["daily"]
    today = max(used)
    # Room for the token and the first window or two, not the whole run.
    admin.post(f"/_sim/accounts/{bu}", {"daily_call_limit": used[today] + 7})

    tap = TapPardotExport(config=config, catalog=catalog, setup_mapper=True)
    lines: list[str] = []
    with pytest.raises(PardotQuotaExceededError, match="Run again after that") as info:
        _capture(tap, lines)
    assert "resets at the start of the account's day" in str(info.value)
    first = [json.loads(line) for line in lines]
    state = [m["value"] for m in first if m["type"] == "STATE"][-1]
    bookmark = state["bookmarks"][VA].get("replication_key_value")
    assert bookmark is None or START.replace("Z", "") < bookmark < END.replace("Z", "+00:00")

    admin.post(f"/_sim/accounts/{bu}", {"daily_call_limit": 100_000, "reset_daily_calls": True})
    second = run_tap(config, state=state, catalog=catalog)
    got = [m["record"]["id"] for m in first + second if m["type"] == "RECORD"]
    assert set(got) == set(wanted), "a row was lost across the stop"
    final = [m["value"] for m in second if m["type"] == "STATE"][-1]
    assert final["bookmarks"][VA]["replication_key_value"] == to_utc_iso(
        datetime(2026, 11, 17, tzinfo=timezone.utc)
    )


def test_the_cli_ends_a_used_up_day_with_a_message_and_exit_code_3(
    sim: Simulator, admin: SimAdmin, tap_config: Any, tmp_path: Path
) -> None:
    config = tap_config(start_date=START, end_date=END)
    bu = config["business_unit_id"]
    admin.post(f"/_sim/accounts/{bu}", {"daily_call_limit": 2})
    (tmp_path / "config.json").write_text(json.dumps(config))
    done = subprocess.run(
        [sys.executable, "-m", "tap_pardot_export.tap", "--config", str(tmp_path / "config.json")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == QUOTA_EXIT_CODE
    assert "Pardot's daily API limit is used up" in done.stderr
    assert "Run again after that" in done.stderr
    assert "Traceback" not in done.stderr
    assert config["client_secret"] not in done.stderr + done.stdout


def _capture(tap: TapPardotExport, lines: list[str]) -> None:
    """Sync, keeping every line written even when the sync raises."""
    import io
    from contextlib import redirect_stdout

    out = io.StringIO()
    try:
        with redirect_stdout(out):
            tap.sync_all()
    finally:
        lines.extend(line for line in out.getvalue().splitlines() if line.strip())
