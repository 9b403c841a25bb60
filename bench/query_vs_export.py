"""Visitor activities by bulk query against by export: API calls and wall time, side by side.

A simulator is loaded with N visitor activities (default 100,000) and runs its clock in real
time, so exports take the simulator's default latency (pickup 1 s, 60 s base, 10,000 rows/s).
The tap then syncs the stream twice in-process, writing its messages to a counter instead of a
pipe: once with `extraction_mode: query` (bulk queries paged by id, 200 rows a call), once with
the Export API. Printed per mode: records, API calls by kind (the simulator's counters) and wall
time, so users can see where each wins: queries cost a call per 200 rows and no latency, an
export a handful of calls per window and minutes of waiting. Nothing here asserts a time.

    uv run python bench/query_vs_export.py
    uv run python bench/query_vs_export.py --visitor-activities 20000 --poll-interval 5
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import redirect_stdout
from datetime import datetime, timezone
from typing import Any

import requests

from pardot_client.dates import to_utc_iso
from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START
from tap_pardot_export.tap import TapPardotExport

STREAM = "visitor_activities"


class RecordCounter:
    """A stdout stand-in that counts RECORD lines and drops the rest."""

    def __init__(self) -> None:
        self.records = 0

    def write(self, text: str) -> int:
        self.records += text.count('"type":"RECORD"') + text.count('"type": "RECORD"')
        return len(text)

    def flush(self) -> None:
        """Nothing is buffered."""


def sync(config: dict[str, Any]) -> int:
    """One in-process sync of the visitor-activity stream; the records written."""
    catalog = TapPardotExport(config=config, setup_mapper=False).catalog_dict
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] == STREAM
    tap = TapPardotExport(config=config, catalog=catalog, setup_mapper=True)
    counter = RecordCounter()
    with redirect_stdout(counter):
        tap.sync_all()
    return counter.records


def calls(sim: Simulator) -> dict[str, int]:
    """The API calls the simulator has counted, by kind."""
    bu = sim.config()["business_unit_id"]
    answer = requests.get(f"{sim.url}/_sim/accounts/{bu}/calls", timeout=30).json()
    by_kind: dict[str, int] = answer["by_kind"]
    return by_kind


def main() -> None:
    """Run both modes and print the figures and the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitor-activities", type=int, default=100_000)
    parser.add_argument("--poll-interval", type=float, default=5.0,
                        help="the tap's poll_interval_seconds (its schedule's unit)")  # fmt: skip
    args = parser.parse_args()
    start = FIXED_START - 365 * 86_400 + 3600  # one window covers the whole history
    sim = Simulator(seed=1, scale="tiny", visitor_activities=args.visitor_activities,
                    start=FIXED_START, clock_speed=1.0)  # fmt: skip
    sim.start()
    try:
        base = sim.config(
            start_date=to_utc_iso(datetime.fromtimestamp(start, timezone.utc)),
            end_date=to_utc_iso(datetime.fromtimestamp(FIXED_START, timezone.utc)),
            export_window_days=365, poll_interval_seconds=args.poll_interval,
        )  # fmt: skip
        print(f"{args.visitor_activities:,} visitor activities; export latency: simulator "
              f"defaults; poll_interval_seconds={args.poll_interval:g}")  # fmt: skip
        for mode in ("query", "export"):
            before = calls(sim)
            began = time.perf_counter()
            count = sync({**base, "extraction_mode": {STREAM: mode}})
            seconds = time.perf_counter() - began
            after = calls(sim)
            used = {k: n - before.get(k, 0) for k, n in after.items() if n > before.get(k, 0)}
            detail = ", ".join(f"{k} {n}" for k, n in sorted(used.items()))
            print(f"  {mode:6} {count:>9,} records  {sum(used.values()):>5} API calls "
                  f"({detail})  {seconds:7.1f} s")  # fmt: skip
    finally:
        sim.stop()
    print("command: uv run python bench/query_vs_export.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
