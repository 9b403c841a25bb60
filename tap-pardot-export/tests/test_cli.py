"""The tap's command line as a data engineer meets it: the real executable, its exit code and text.

Each case's "before" is what the unchanged tap printed (kept in the docstring); the assertions
are on the text a user reads on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tap_sync_support import catalog_selecting

from pardot_sim import Simulator
from pardot_sim.testing import SimAdmin, serving

EXECUTABLE = [sys.executable, "-m", "tap_pardot_export.tap"]
CLOSED = "http://127.0.0.1:9"  # nothing listens on the discard port
START = "2026-11-09T00:00:00Z"
END = "2026-11-23T12:00:00Z"


def run_cli(
    *args: str, config: dict[str, Any] | None, tmp_path: Path, env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run `tap-pardot-export [--config file] args...` with no TAP_* variables but `env`."""
    command = [*EXECUTABLE]
    if config is not None:
        path = tmp_path / f"config-{time.monotonic_ns()}.json"
        path.write_text(json.dumps(config))
        command += ["--config", str(path)]
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "MELTANO_"))}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=timeout, check=False,
        env={**environ, **(env or {})},
    )  # fmt: skip


def log_lines(stderr: str, level: str) -> list[str]:
    """The log lines of one level (the SDK's console format: `time | LEVEL | logger | text`)."""
    return [line for line in stderr.splitlines() if f"| {level} " in line]


def assert_one_line_error(done: subprocess.CompletedProcess[str], *, debug: bool = False) -> str:
    """Exit 1, exactly one ERROR line, no traceback (but at DEBUG); the line's text."""
    assert done.returncode == 1, done.stderr
    errors = log_lines(done.stderr, "ERROR")
    assert len(errors) == 1, done.stderr
    assert ("Traceback" in done.stderr) is debug
    return errors[0].split(" | ", 3)[-1]


def test_a_wrong_login_url_fails_at_once_naming_it(
    sim: Simulator, tap_config: Any, tmp_path: Path
) -> None:
    """Before: 4 token attempts with max_tries 2, each retry logged twice, "Giving up" 6 times
    at ERROR, then a traceback; with the default max_tries, minutes of retries."""
    config = tap_config(login_url=CLOSED, max_tries=2)
    began = time.monotonic()
    done = run_cli(config=config, tmp_path=tmp_path)
    assert time.monotonic() - began < 30
    line = assert_one_line_error(done)
    assert line.startswith("Config error: oauth.token: nothing accepts connections at 127.0.0.1:9")
    assert "Check login_url" in line
    assert "Retrying" not in done.stderr
    assert "Giving up" not in done.stderr


def test_a_revoked_refresh_token_is_one_line_with_what_to_do(
    sim: Simulator, tap_config: Any, tmp_path: Path
) -> None:
    done = run_cli(config=tap_config(refresh_token="revoked-refresh-token"), tmp_path=tmp_path)
    line = assert_one_line_error(done)
    assert "invalid_grant" in line
    assert "Get a new refresh token" in line
    assert "Retrying" not in done.stderr


def test_a_start_date_in_words_is_a_config_error(
    sim: Simulator, tap_config: Any, tmp_path: Path
) -> None:
    """Before: `ValueError: Invalid date 'last tuesday'` at the end of a 68-line traceback."""
    done = run_cli(config=tap_config(start_date="last tuesday"), tmp_path=tmp_path)
    line = assert_one_line_error(done)
    assert line.startswith("Config error: start_date is 'last tuesday', which is not a date-time")
    assert "2025-01-01T00:00:00Z" in line
    assert "ValueError" not in done.stderr


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_a_numeric_secret_is_never_echoed(
    sim: Simulator, tap_config: Any, tmp_path: Path, level: str
) -> None:
    """Before: `98765432123 is not of type 'string', 'null' in config['client_secret']`."""
    config = tap_config(client_secret=98765432123)
    done = run_cli(config=config, tmp_path=tmp_path, env={"TAP_PARDOT_EXPORT_LOGLEVEL": level})
    line = assert_one_line_error(done, debug=level == "DEBUG")
    assert line.startswith("Config error: client_secret must be text, not a whole number")
    assert "write it in quotes" in line
    assert "98765432123" not in done.stderr + done.stdout


def test_numbers_from_the_environment_are_accepted(
    sim: Simulator, admin: SimAdmin, fast_clock: None, tap_config: Any, tmp_path: Path
) -> None:
    """Before: `'0.5' is not of type 'number', 'null' in config['poll_interval_seconds']`, and
    a bare `ValueError: invalid literal for int()` for `2.0` in an integer setting."""
    config = tap_config(start_date=START, end_date=END)
    for name in ("poll_interval_seconds", "export_window_days", "max_tries"):
        config.pop(name, None)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_selecting(config, "visitor_activities")))
    env = {
        "TAP_PARDOT_EXPORT_POLL_INTERVAL_SECONDS": "0.05",
        "TAP_PARDOT_EXPORT_EXPORT_WINDOW_DAYS": "7",
        "TAP_PARDOT_EXPORT_MAX_TRIES": "3.0",
    }
    done = run_cli(
        "--config", "ENV", "--catalog", str(catalog), config=config, tmp_path=tmp_path, env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    got = {
        json.loads(line)["record"]["id"] for line in done.stdout.splitlines() if '"RECORD"' in line
    }
    wanted = {
        r["id"]
        for r in admin.records("visitorActivity", deleted="all")
        if START.replace("Z", "") <= r["updated_at"].replace("Z", "")[:19] < END[:19]
    }
    assert got == wanted
    assert "export.create" in done.stderr  # it did poll exports, at the 0.05 s unit


def test_the_test_flag_makes_one_cheap_call_and_no_export(
    sim: Simulator, admin: SimAdmin, tap_config: Any, tmp_path: Path
) -> None:
    """Before: a record of every stream, 10 exports created and 43 calls against the
    simulator (12 exports and up to 65 s against Pardot)."""
    before = admin.calls()["by_kind"]
    began = time.monotonic()
    done = run_cli("--test", config=tap_config(), tmp_path=tmp_path)
    took = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    used = {k: n - before.get(k, 0) for k, n in admin.calls()["by_kind"].items()}
    assert {k: n for k, n in used.items() if n} == {"prospect.query": 1}
    assert took < 20
    info = [line.split(" | ", 3)[-1] for line in log_lines(done.stderr, "INFO")]
    passed = [line for line in info if line.startswith("Connection test passed")]
    assert len(passed) == 1, done.stderr
    assert "business unit 0Uv000000000001AAA answers on API version 4" in passed[0]
    assert "2 API calls, no export created" in passed[0]
    assert done.stdout == ""


def test_the_test_flag_names_a_wrong_business_unit(
    sim: Simulator, tap_config: Any, tmp_path: Path
) -> None:
    done = run_cli("--test", config=tap_config(business_unit_id="0Uv000000000009AAA"),
                   tmp_path=tmp_path)  # fmt: skip
    line = assert_one_line_error(done)
    assert "Pardot error 201" in line
    assert "Check business_unit_id (0Uv000000000009AAA)" in line


def test_the_test_flag_catches_a_timezone_set_too_far_west(
    own_sim: Simulator, tmp_path: Path
) -> None:
    """The API user is in New York; Honolulu puts the newest prospect's update in the future.

    A simulator of the test's own: its clock is where the data ends, and one prospect was just
    updated (the shared simulator's clock may have been moved on by other tests).
    """
    unit = own_sim.config()["business_unit_id"]
    admin = SimAdmin(own_sim)
    try:
        admin.post(f"/_sim/accounts/{unit}/mutate",
                   {"seed": 1, "updates": 1, "inserts": 0, "objects": ["prospect"]})  # fmt: skip
    finally:
        admin.close()
    config = own_sim.config(timezone="Pacific/Honolulu", start_date=START)
    done = run_cli("--test", config=config, tmp_path=tmp_path)
    line = assert_one_line_error(done)
    assert line.startswith("Config error: The timezone setting is Pacific/Honolulu")
    assert "further east" in line


@pytest.fixture
def budget_sim() -> Iterator[Simulator]:
    """A simulator of the test's own (its exports stay out of the shared one), fast clock."""
    yield from serving(seed=5, clock_speed=7200.0)


def test_a_spent_call_budget_stops_cleanly_and_the_next_run_resumes(
    budget_sim: Simulator, tmp_path: Path
) -> None:
    config = budget_sim.config(
        start_date="2026-10-01T00:00:00Z", end_date=END, export_window_days=7,
        poll_interval_seconds=0.02, max_api_calls=12, backoff_base_seconds=0.005,
    )  # fmt: skip
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_selecting(config, "visitor_activities")))
    first = run_cli("--catalog", str(catalog), config=config, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    warnings = [line.split(" | ", 3)[-1] for line in log_lines(first.stderr, "WARNING")]
    assert [w for w in warnings if w.startswith("This run's API call budget is spent")]
    assert "max_api_calls = 12" in first.stderr
    assert "Traceback" not in first.stderr
    assert not log_lines(first.stderr, "ERROR"), "a planned stop is no error"
    messages = [json.loads(line) for line in first.stdout.splitlines() if line.strip()]
    state = [m["value"] for m in messages if m["type"] == "STATE"][-1]
    (tmp_path / "state.json").write_text(json.dumps(state))

    config.pop("max_api_calls")
    second = run_cli("--catalog", str(catalog), "--state", str(tmp_path / "state.json"),
                     config=config, tmp_path=tmp_path)  # fmt: skip
    assert second.returncode == 0, second.stderr[-2000:]
    more = [json.loads(line) for line in second.stdout.splitlines() if line.strip()]
    got = [m["record"]["id"] for m in messages + more if m["type"] == "RECORD"]
    admin = SimAdmin(budget_sim)
    try:
        wanted = {
            r["id"]
            for r in admin.records("visitorActivity", deleted="all")
            if r["updated_at"][:10] >= "2026-10-01" and r["updated_at"][:19] < END[:19]
        }
    finally:
        admin.close()
    assert set(got) == wanted, "a row was lost across the budget stop"
    assert len([m for m in messages if m["type"] == "RECORD"]) < len(wanted), "nothing stopped"


def test_started_by_meltano_config_test_the_tap_answers_with_one_record(
    sim: Simulator, admin: SimAdmin, tap_config: Any, tmp_path: Path
) -> None:
    """Meltano's config test runs a plain sync and waits for a RECORD; the tap recognises its
    parent (`meltano ... config test`) and answers with the connection test, no export."""
    (tmp_path / "config.json").write_text(json.dumps(tap_config()))
    parent = tmp_path / "meltano"  # stands in for Meltano: the tap's parent process
    parent.write_text(
        "import subprocess, sys\n"
        f"done = subprocess.run({[*EXECUTABLE, '--config', str(tmp_path / 'config.json')]!r})\n"
        "sys.exit(done.returncode)\n"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_", "MELTANO_"))}
    before = admin.calls()["by_kind"]
    done = subprocess.run(
        [sys.executable, str(parent), "config", "test", "tap-pardot-export"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**environ, "MELTANO_PROJECT_ROOT": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    messages = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert [(m["type"], m["stream"]) for m in messages] == [
        ("SCHEMA", "connection_test"), ("RECORD", "connection_test"),
    ]  # fmt: skip
    record = messages[1]["record"]
    assert record["business_unit_id"] == "0Uv000000000001AAA"
    assert record["api_version"] == 4
    used = {k: n - before.get(k, 0) for k, n in admin.calls()["by_kind"].items()}
    assert {k: n for k, n in used.items() if n} == {"prospect.query": 1}
