"""Running the tap in-process and comparing runs, shared by the tap's test modules.

Kept out of conftest.py so test modules can import these plain functions (pytest's `pythonpath`
puts this folder on sys.path).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import requests

from pardot_client.dates import to_utc_iso
from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START, reset
from tap_pardot_export.registry import EXPORT_STREAM_NAMES
from tap_pardot_export.tap import TapPardotExport

END = to_utc_iso(datetime.fromtimestamp(FIXED_START, timezone.utc))
Rows = dict[str, dict[int, dict[str, Any]]]


# Export streams a bulk query can read with their deletes marked: `extraction_mode` leaves them on
# auto when unset (the others always export).
QUERY_READABLE = ("list_memberships", "prospects", "visitor_activities")


# Tests of what both modes guarantee (ties, DST instants, deletes marked, resumable state) run in
# each: auto reads the test data's small windows by query.
BOTH_MODES = ("export", "auto")


def mode_settings(mode: str) -> dict[str, str]:
    """`extraction_mode` putting the query-readable export streams in `mode`."""
    return dict.fromkeys(QUERY_READABLE, mode)


def catalog_selecting(config: dict[str, Any], *streams: str) -> dict[str, Any]:
    """The tap's catalog with only `streams` selected (all their fields)."""
    catalog: dict[str, Any] = TapPardotExport(config=config, setup_mapper=False).catalog_dict
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


def run_tap_messages(
    config: dict[str, Any],
    state: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
    on_response: Callable[[requests.Response], None] | None = None,
) -> list[dict[str, Any]]:
    """One in-process sync's Singer messages; `on_response` sees every HTTP response.

    Without a catalog, the export streams are the ones synced.
    """
    if catalog is None:
        catalog = catalog_selecting(config, *EXPORT_STREAM_NAMES)
    tap = TapPardotExport(config=config, state=state, catalog=catalog, setup_mapper=True)
    if on_response is not None:
        hook = on_response
        tap.client.session.hooks["response"].append(lambda r, *_, **__: hook(r))
    out = io.StringIO()
    with redirect_stdout(out):
        tap.sync_all()
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def rows_of(messages: list[dict[str, Any]]) -> Rows:
    """Records by stream and id; a row emitted twice fails here."""
    out: Rows = {}
    for m in messages:
        if m["type"] == "RECORD":
            by_id = out.setdefault(m["stream"], {})
            assert m["record"]["id"] not in by_id, f"{m['stream']} {m['record']['id']} twice"
            by_id[m["record"]["id"]] = m["record"]
    return out


def final_bookmarks(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The last STATE's replication key and value per stream."""
    state = [m["value"] for m in messages if m["type"] == "STATE"][-1]
    return {
        name: (b.get("replication_key"), b.get("replication_key_value"))
        for name, b in state["bookmarks"].items()
    }


def assert_same_output(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    """Same streams, ids and values, and the same final bookmarks, as the reference run."""
    got_rows, want_rows = rows_of(got), rows_of(want)
    assert set(got_rows) == set(want_rows)
    for stream, expected in want_rows.items():
        actual = got_rows[stream]
        assert set(actual) - set(expected) == set(), f"{stream}: rows the reference run lacks"
        assert set(expected) - set(actual) == set(), f"{stream}: rows of the reference run lost"
        changed = [i for i in expected if actual[i] != expected[i]]
        assert not changed, f"{stream}: values differ for ids {changed[:5]}"
    assert final_bookmarks(got) == final_bookmarks(want)


def reference_run(sim: Simulator, **settings: Any) -> list[dict[str, Any]]:
    """A run under default switches and no faults, that every variant is compared with."""
    reset(sim)
    sim.app.clock.set_speed(7200)
    try:
        messages = run_tap_messages(sim.config(**settings, poll_interval_seconds=0.02))
    finally:
        reset(sim)
    assert set(rows_of(messages)) == set(EXPORT_STREAM_NAMES), "every stream has rows"
    return messages


@dataclass
class CliRun:
    """What a run of the tap's CLI left: its exit code, Singer messages and log lines."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The Singer messages written (one JSON object a line)."""
        return [json.loads(line) for line in self.stdout.splitlines() if line.startswith("{")]

    def states(self) -> list[dict[str, Any]]:
        """The STATE payloads, in order."""
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    def records(self, stream: str) -> list[dict[str, Any]]:
        """The RECORD payloads of one stream."""
        return [
            m["record"] for m in self.messages if m["type"] == "RECORD" and m["stream"] == stream
        ]


def run_cli(
    workdir: Path,
    config: dict[str, Any],
    *args: str,
    state: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
    state_text: str | None = None,
) -> CliRun:
    """Run `tap-pardot-export` as a process, as Meltano does (config, state, catalog files)."""
    command = [
        sys.executable,
        "-m",
        "tap_pardot_export.tap",
        "--config",
        str(workdir / "config.json"),
    ]
    (workdir / "config.json").write_text(json.dumps(config))
    if state is not None or state_text is not None:
        (workdir / "state.json").write_text(
            state_text if state_text is not None else json.dumps(state)
        )
        command += ["--state", str(workdir / "state.json")]
    if catalog is not None:
        (workdir / "catalog.json").write_text(json.dumps(catalog))
        command += ["--catalog", str(workdir / "catalog.json")]
    result = subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=300, check=False
    )
    return CliRun(result.returncode, result.stdout, result.stderr)


# Exports per window: streams that mark deleted rows export each window as live rows, then
# deleted ones (tap_pardot_export.export.pipeline).
EXPORTS_PER_WINDOW = {
    "visitor_activities": 1, "prospects": 2, "list_memberships": 2, "visitors": 2,
    "prospect_accounts": 2, "external_activities": 1,
}  # fmt: skip
