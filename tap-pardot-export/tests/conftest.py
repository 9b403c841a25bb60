"""Fixtures for running the tap in-process against the shared simulator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from tap_sync_support import catalog_selecting, mode_settings, run_tap_messages

from pardot_client.dates import to_utc_iso
from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START, SimAdmin

END = datetime.fromtimestamp(FIXED_START, timezone.utc)
RunTap = Callable[..., list[dict[str, Any]]]
TapConfig = Callable[..., dict[str, Any]]


@pytest.fixture
def run_tap() -> RunTap:
    """`run_tap(config, state=None, catalog=None)`: the Singer messages of an in-process sync."""
    return run_tap_messages


@pytest.fixture
def select() -> Callable[..., dict[str, Any]]:
    """`select(config, *streams)`: a catalog selecting only those streams."""
    return catalog_selecting


@pytest.fixture
def extraction_mode() -> str:
    """How `tap_config` has the export streams read their windows: export, unless a test is
    parametrized over modes (the guarantees both modes keep: ties, DST instants, deletes, state).
    """
    return "export"


@pytest.fixture
def tap_config(sim: Simulator, extraction_mode: str) -> TapConfig:
    """`tap_config(**overrides)`: settings reaching the simulator, polling in milliseconds."""

    def make(**overrides: Any) -> dict[str, Any]:
        settings = {
            "extraction_mode": mode_settings(extraction_mode),
            "start_date": "2026-10-01T00:00:00Z",
            "end_date": to_utc_iso(END),
            "poll_interval_seconds": 0.02,
            "export_window_days": 7,
            **overrides,
        }
        return sim.config(**settings)

    return make


@pytest.fixture
def fast_clock(admin: SimAdmin) -> None:
    """One real second is two simulated hours: exports finish by the first poll."""
    admin.post("/_sim/clock", {"speed": 7200})


def records_of(messages: list[dict[str, Any]], stream: str) -> list[dict[str, Any]]:
    """The RECORD payloads of one stream."""
    return [m["record"] for m in messages if m["type"] == "RECORD" and m["stream"] == stream]


def states_of(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The STATE payloads, in order."""
    return [m["value"] for m in messages if m["type"] == "STATE"]
