"""Fixtures for running the tap in-process against the shared simulator."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import datetime, timezone
from typing import Any

import pytest

from pardot_client.dates import to_utc_iso
from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START, SimAdmin
from tap_pardot_export.tap import TapPardotExport

END = datetime.fromtimestamp(FIXED_START, timezone.utc)
RunTap = Callable[..., list[dict[str, Any]]]
TapConfig = Callable[..., dict[str, Any]]


def run_tap_messages(
    config: dict[str, Any],
    state: dict[str, Any] | None = None,
    catalog: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Run a full sync in-process and return the Singer messages it wrote."""
    tap = TapPardotExport(config=config, state=state, catalog=catalog, setup_mapper=True)
    out = io.StringIO()
    with redirect_stdout(out):
        tap.sync_all()
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def catalog_selecting(config: dict[str, Any], *streams: str) -> dict[str, Any]:
    """The tap's catalog with only `streams` selected (all their fields)."""
    catalog: dict[str, Any] = TapPardotExport(config=config, setup_mapper=False).catalog_dict
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


@pytest.fixture
def run_tap() -> RunTap:
    """`run_tap(config, state=None, catalog=None)`: the Singer messages of an in-process sync."""
    return run_tap_messages


@pytest.fixture
def select() -> Callable[..., dict[str, Any]]:
    """`select(config, *streams)`: a catalog selecting only those streams."""
    return catalog_selecting


@pytest.fixture
def tap_config(sim: Simulator) -> TapConfig:
    """`tap_config(**overrides)`: settings reaching the simulator, polling in milliseconds."""

    def make(**overrides: Any) -> dict[str, Any]:
        settings = {
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
