"""Exports in flight survive a killed run: the next run resumes them and loses no row.

The tap runs as a real process (its CLI) and is killed with SIGKILL at a chosen point; the
last STATE it wrote is what Meltano would have kept, and the next run starts from it.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from pardot_client.dates import to_utc_iso
from pardot_sim import Simulator
from pardot_sim.testing import SimAdmin

# Four weeks without an offset change (New York falls back on Nov 1): windows are 7 days each.
START, END = "2026-10-01T00:00:00Z", "2026-10-29T00:00:00Z"
# Three recent weeks, after the change: rows dense enough to fill a pipe mid-download.
DENSE = ("2026-11-02T00:00:00Z", "2026-11-23T00:00:00Z")
VA = "visitor_activities"
DEADLINE_SECONDS = 60


class TapProcess:
    """The tap's CLI in a child process, its stdout read line by line as Singer messages."""

    def __init__(self, config: dict[str, Any], catalog: dict[str, Any], workdir: Path) -> None:
        (workdir / "config.json").write_text(json.dumps(config))
        (workdir / "catalog.json").write_text(json.dumps(catalog))
        self.stderr_path = workdir / "stderr.log"
        self._stderr = self.stderr_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tap_pardot_export.tap", "--config",
             str(workdir / "config.json"), "--catalog", str(workdir / "catalog.json")],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        self.messages: list[dict[str, Any]] = []
        self._lines: queue.Queue[bytes] = queue.Queue()
        self._stop_reading = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
            if self._stop_reading.is_set():
                return  # stop draining: the pipe fills and the tap blocks on its next write

    def read_until(
        self, done: Callable[[dict[str, Any]], bool], *, then_stop_reading: bool = False
    ) -> dict[str, Any]:
        """Read messages until one satisfies `done`; fails the test after a bounded wait."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            message = json.loads(line)
            self.messages.append(message)
            if done(message):
                if then_stop_reading:
                    self._stop_reading.set()
                return message
        self.kill()
        raise AssertionError(f"the tap never got there; stderr:\n{self.stderr_path.read_text()}")

    def kill(self) -> None:
        """SIGKILL: no handler runs, no final STATE is written."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._reader.join(timeout=10)
        while not self._lines.empty():  # what the tap wrote before it died
            self.messages.append(json.loads(self._lines.get()))
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()

    def last_state(self) -> dict[str, Any]:
        """What Meltano would keep: the last STATE line the process wrote."""
        states = [m["value"] for m in self.messages if m["type"] == "STATE"]
        assert states, "the tap wrote no STATE before it was killed"
        return states[-1]


def pending_of(message: dict[str, Any], stream: str = VA) -> list[dict[str, Any]]:
    if message["type"] != "STATE":
        return []
    entries: list[dict[str, Any]] = (
        message["value"].get("bookmarks", {}).get(stream, {}).get("pending_exports") or []
    )
    return entries


def expected_rows(admin: SimAdmin, span: tuple[str, str] = (START, END)) -> set[int]:
    rows = admin.records("visitorActivity", deleted="all")
    start, end = to_utc_iso(_utc(span[0])), to_utc_iso(_utc(span[1]))
    return {r["id"] for r in rows if r["updated_at"] and start <= r["updated_at"] < end}


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def creates(admin: SimAdmin) -> int:
    kinds = admin.calls()["by_kind"]
    return int(kinds.get("export.create", 0) + kinds.get("v5.exports.create", 0))


def records_of(messages: list[dict[str, Any]], stream: str = VA) -> list[int]:
    return [m["record"]["id"] for m in messages if m["type"] == "RECORD" and m["stream"] == stream]


def killed_while_polling(config: dict[str, Any], catalog: dict[str, Any], workdir: Path) -> Any:
    """The last STATE of a tap killed while it polls two exports (the clock is frozen)."""
    tap = TapProcess(config, catalog, workdir)
    tap.read_until(lambda m: len(pending_of(m)) == 2)
    time.sleep(0.2)  # polling now
    tap.kill()
    assert not records_of(tap.messages)
    return tap.last_state()


@pytest.fixture
def config(tap_config: Any) -> dict[str, Any]:
    """Four 7-day windows, two exports in flight."""
    settings: dict[str, Any] = tap_config(start_date=START, end_date=END, max_pending_exports=2)
    return settings


@pytest.fixture
def catalog(select: Any, config: dict[str, Any]) -> dict[str, Any]:
    """Only visitor activities, so the killed stream is the one being synced."""
    selected: dict[str, Any] = select(config, VA)
    return selected


def test_killed_while_polling_resumes_the_same_exports(
    sim: Simulator,
    admin: SimAdmin,
    run_tap: Any,
    config: dict[str, Any],
    catalog: dict[str, Any],
    tmp_path: Path,
) -> None:
    state = killed_while_polling(config, catalog, tmp_path)
    saved = [e["id"] for e in state["bookmarks"][VA]["pending_exports"]]
    assert "replication_key_value" not in state["bookmarks"][VA]

    admin.post("/_sim/clock", {"speed": 7200})
    created_before = creates(admin)
    messages = run_tap(config, state=state, catalog=catalog)
    got = records_of(messages)
    assert len(got) == len(set(got)), "a row was emitted twice"
    assert set(got) == expected_rows(admin)
    assert creates(admin) - created_before == 2  # 4 windows, 2 resumed from state
    created_ids = {m["value"]["bookmarks"][VA]["pending_exports"][0]["id"]
                   for m in messages if pending_of(m)}  # fmt: skip
    assert set(saved) <= created_ids
    final = [m["value"] for m in messages if m["type"] == "STATE"][-1]
    assert final["bookmarks"][VA]["replication_key_value"] == to_utc_iso(_utc(END))
    assert "pending_exports" not in final["bookmarks"][VA]


def test_killed_while_downloading_resumes_the_export_and_loses_nothing(
    sim: Simulator, admin: SimAdmin, run_tap: Any, tap_config: Any, select: Any, tmp_path: Path
) -> None:
    # One big window, so its rows fill the pipe: the tap blocks mid-download once the test
    # stops reading, and is killed there.
    config = tap_config(start_date=DENSE[0], end_date=DENSE[1], export_window_days=30)
    catalog = select(config, VA)
    admin.post("/_sim/clock", {"speed": 7200})
    tap = TapProcess(config, catalog, tmp_path)
    tap.read_until(lambda m: m["type"] == "RECORD", then_stop_reading=True)
    time.sleep(0.5)
    tap.kill()
    state = tap.last_state()
    pending = state["bookmarks"][VA]["pending_exports"]
    assert len(pending) == 1
    assert 0 < len(records_of(tap.messages)) < len(expected_rows(admin, DENSE))

    created_before = creates(admin)
    messages = run_tap(config, state=state, catalog=catalog)
    got = records_of(messages)
    assert len(got) == len(set(got))
    assert set(got) == expected_rows(admin, DENSE)  # the whole window again: nothing lost
    assert creates(admin) - created_before == 0  # the saved export was downloaded again


def test_an_expired_export_in_state_is_created_again(
    sim: Simulator, admin: SimAdmin, run_tap: Any, config: dict[str, Any], catalog: dict[str, Any],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    state = killed_while_polling(config, catalog, tmp_path)
    admin.advance(8 * 86400)  # done within minutes, then expired after 7 days
    admin.post("/_sim/clock", {"speed": 7200})
    created_before = creates(admin)
    messages = run_tap(config, state=state, catalog=catalog)
    assert set(records_of(messages)) == expected_rows(admin)
    assert creates(admin) - created_before == 4  # both saved exports had to be made again
    assert "has expired (Pardot keeps results for 7 days); creating a new one" in caplog.text


def test_state_from_other_settings_is_not_resumed(
    sim: Simulator, admin: SimAdmin, run_tap: Any, config: dict[str, Any], catalog: dict[str, Any],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    state = killed_while_polling(config, catalog, tmp_path)
    admin.post("/_sim/clock", {"speed": 7200})
    changed = {**config, "procedures": {VA: "filter_by_created_at"}}
    messages = run_tap(changed, state=state, catalog=catalog)
    ids = records_of(messages)
    rows = admin.records("visitorActivity", deleted="all")
    start, end = to_utc_iso(_utc(START)), to_utc_iso(_utc(END))
    assert set(ids) == {r["id"] for r in rows if start <= r["created_at"] < end}
    assert "asked for other fields or arguments" in caplog.text


@pytest.mark.usefixtures("fast_clock")
def test_the_next_window_is_queued_while_the_current_one_downloads(
    run_tap: Any, config: dict[str, Any], catalog: dict[str, Any]
) -> None:
    messages = run_tap(config, catalog=catalog)
    first_record = next(i for i, m in enumerate(messages) if m["type"] == "RECORD")
    assert any(len(pending_of(m)) == 2 for m in messages[:first_record])
    assert max(len(pending_of(m)) for m in messages) == 2

    single = run_tap({**config, "max_pending_exports": 1}, catalog=catalog)
    assert max(len(pending_of(m)) for m in single) == 1
    assert sorted(records_of(single)) == sorted(records_of(messages))
