"""A whole sync's wall time against Pardot's own processing time, full and incremental.

Pardot runs an account's exports one after another, so the sum of their processing times is the
floor of any sync through exports. This bench starts a simulator with a latency model, runs the
tap (its CLI, the six export streams selected) for a full sync and then for an hourly delta
(`--delta-rows` rows changed or added per stream, an hour later, from the full sync's state),
and prints for each: the tap process's wall time, the simulator's summed export processing time
(from each export's start to its end in the simulator's queue), their ratio, the exports and the
API calls by kind. Each `--modes` entry runs on a fresh simulator with the same data.

The latency model (simulated seconds; the clock runs `--clock-speed` times real time, and the
tap's `poll_interval_seconds` is one simulated minute, the documented unit):

- `--base-seconds 120`: an export of a few rows takes two minutes from the head of the queue to
  Complete. The bulk data pull guide advises a first poll between 30 seconds and a few minutes
  for the same reason (docs/pardot-api/exports.md#queue-and-polling).
- `--rows-per-second 1000`: the guide's example of a daily visitor-activity export that
  averages 15 minutes then holds about 780,000 rows, a large account's day.
- `--pickup-seconds 1`: a new export waits this long before it can start.

Nothing here asserts a time.

    uv run python bench/sync_wall.py
    uv run python bench/sync_wall.py --modes export,auto --delta-rows 500
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests

from pardot_client.dates import to_utc_iso
from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START

EXPORT_STREAMS = (
    "external_activities", "list_memberships", "prospect_accounts", "prospects",
    "visitor_activities", "visitors",
)  # fmt: skip
# Visitors and prospect accounts: no query marks deleted rows; external activities: no query.
QUERY_READABLE = ("list_memberships", "prospects", "visitor_activities")
DELTA_OBJECTS = (
    "externalActivity", "listMembership", "prospectAccount", "prospect", "visitorActivity",
    "visitor",
)  # fmt: skip


@dataclass
class SyncFigures:
    """One tap run as the simulator and the clock saw it."""

    wall_s: float  # the tap process, start to exit (real seconds)
    first_create_s: float  # from the tap's start to its first export's creation (real seconds)
    processing_s: float  # summed export processing time, in real seconds
    exports: int
    calls: dict[str, int]
    records: int

    @property
    def ratio(self) -> float:
        """Wall time over Pardot's processing time (1.0: Pardot never idle, no tap overhead)."""
        return self.wall_s / self.processing_s if self.processing_s else float("nan")

    @property
    def total_calls(self) -> int:
        """API calls of the run (the simulator's count)."""
        return sum(self.calls.values())


def catalog_of(config: dict[str, Any], work: Path) -> dict[str, Any]:
    """The tap's discovered catalog with the six export streams selected."""
    out = subprocess.run(  # noqa: S603 (this Python, the tap's own module)
        [sys.executable, "-m", "tap_pardot_export.tap", "--config", str(work / "config.json"),
         "--discover"],
        capture_output=True, check=True,
    )  # fmt: skip
    catalog: dict[str, Any] = json.loads(out.stdout)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in EXPORT_STREAMS
    return catalog


def run_tap(
    sim: Simulator, admin: requests.Session, work: Path, state: dict[str, Any] | None, speed: float
) -> tuple[SyncFigures, dict[str, Any]]:
    """One tap run from `state`; its figures and the last STATE it wrote."""
    bu = sim.config()["business_unit_id"]
    before = admin.get(f"{sim.url}/_sim/accounts/{bu}/calls", timeout=30).json()["by_kind"]
    jobs_before = set(sim.exports.jobs)
    command = [sys.executable, "-m", "tap_pardot_export.tap", "--config",
               str(work / "config.json"), "--catalog", str(work / "catalog.json")]  # fmt: skip
    if state is not None:
        (work / "state.json").write_text(json.dumps(state))
        command += ["--state", str(work / "state.json")]
    began = time.perf_counter()
    with (work / "tap.log").open("ab") as log:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=log, check=False)  # noqa: S603
    wall = time.perf_counter() - began
    if done.returncode != 0:
        tail = (work / "tap.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"the tap exited {done.returncode}; its log ends:\n{tail}")
    after = admin.get(f"{sim.url}/_sim/accounts/{bu}/calls", timeout=30).json()["by_kind"]
    calls = {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}
    jobs = [sim.exports.jobs[i] for i in sorted(set(sim.exports.jobs) - jobs_before)]
    processing = sum(j.ended_at - j.started_at for j in jobs if j.occupies)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    states = [m["value"] for m in lines if m["type"] == "STATE"]
    records = sum(1 for m in lines if m["type"] == "RECORD")
    clock_start = sim.app.clock.now() - wall * speed  # roughly when the tap started, simulated
    first = min((j.created_at for j in jobs), default=clock_start) - clock_start
    figures = SyncFigures(wall, first / speed, processing / speed, len(jobs), calls, records)
    return figures, states[-1] if states else {}


def bench_mode(args: argparse.Namespace, mode: str, work: Path) -> tuple[SyncFigures, SyncFigures]:
    """A fresh simulator, a full sync, an hour, the delta, the incremental sync."""
    sim = Simulator(seed=1, scale=args.scale, start=FIXED_START, clock_speed=0.0)
    facts = sim.facts[sim.config()["business_unit_id"]]
    start = datetime.fromtimestamp(facts["window"]["from"], timezone.utc).replace(microsecond=0)
    config = sim.config(
        start_date=to_utc_iso(start - timedelta(days=1)),
        poll_interval_seconds=60 / args.clock_speed,
        export_window_days=args.window_days,
        max_pending_exports=args.max_pending,
        extraction_mode=dict.fromkeys(EXPORT_STREAMS, mode),
    )
    if mode in ("auto", "query"):  # set only where a query can read the stream's rows
        config["extraction_mode"] = dict.fromkeys(QUERY_READABLE, mode)
    if mode == "default":  # extraction_mode unset
        del config["extraction_mode"]
    (work / "config.json").write_text(json.dumps(config))
    with sim, requests.Session() as admin:
        (work / "catalog.json").write_text(json.dumps(catalog_of(config, work)))
        admin.post(
            f"{sim.url}/_sim/settings",
            json={"export": {"base_seconds": args.base_seconds, "pickup_seconds":
                  args.pickup_seconds, "rows_per_second": args.rows_per_second}},
            timeout=30,
        )  # fmt: skip
        admin.post(f"{sim.url}/_sim/clock", json={"speed": args.clock_speed}, timeout=30)
        full, state = run_tap(sim, admin, work, None, args.clock_speed)
        admin.post(f"{sim.url}/_sim/clock", json={"speed": 0}, timeout=30)
        admin.post(f"{sim.url}/_sim/clock", json={"advance": 3600 - 600}, timeout=30)
        bu = sim.config()["business_unit_id"]
        half = args.delta_rows // 2
        admin.post(
            f"{sim.url}/_sim/accounts/{bu}/mutate",
            json={"updates": args.delta_rows - half, "inserts": half, "objects": DELTA_OBJECTS},
            timeout=120,
        )
        admin.post(f"{sim.url}/_sim/clock", json={"advance": 600}, timeout=30)  # > settle
        admin.post(f"{sim.url}/_sim/clock", json={"speed": args.clock_speed}, timeout=30)
        delta, _ = run_tap(sim, admin, work, state, args.clock_speed)
    return full, delta


def report(args: argparse.Namespace, results: dict[str, tuple[SyncFigures, SyncFigures]]) -> None:
    """The command, then one line per mode and sync."""
    print(
        f"command: uv run python bench/sync_wall.py --modes {args.modes} --scale {args.scale} "
        f"--delta-rows {args.delta_rows} --clock-speed {args.clock_speed:g} --base-seconds "
        f"{args.base_seconds:g} --rows-per-second {args.rows_per_second:g} --pickup-seconds "
        f"{args.pickup_seconds:g} --window-days {args.window_days} --max-pending "
        f"{args.max_pending}"
    )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; seconds are real seconds "
          f"(simulated / {args.clock_speed:g}); one simulated minute per poll unit")  # fmt: skip
    print()
    print(f"{'mode':<7} {'sync':<12} {'wall s':>7} {'Pardot s':>9} {'wall/Pardot':>11} "
          f"{'to 1st export s':>15} {'exports':>7} {'calls':>6} {'records':>8}")  # fmt: skip
    for mode, (full, delta) in results.items():
        for name, f in (("full", full), ("incremental", delta)):
            print(
                f"{mode:<7} {name:<12} {f.wall_s:>7.1f} {f.processing_s:>9.1f} {f.ratio:>11.2f} "
                f"{f.first_create_s:>15.1f} {f.exports:>7} {f.total_calls:>6} {f.records:>8}"
            )
    print()
    for mode, (full, delta) in results.items():
        print(f"[{mode}] calls of the full sync: {json.dumps(full.calls)}")
        print(f"[{mode}] calls of the incremental sync: {json.dumps(delta.calls)}")
    ratios = [d.ratio for _, d in results.values() if d.processing_s]
    if ratios:
        median = statistics.median(ratios)
        print(f"incremental wall/Pardot, median over the modes: {median:.2f}")


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--modes",
        default="export",
        help="extraction modes, e.g. export,auto (default: the setting left unset)",
    )
    parser.add_argument("--scale", default="demo", help="the simulator's data scale")
    parser.add_argument("--delta-rows", type=int, default=500, help="rows per stream in the delta")
    parser.add_argument("--clock-speed", type=float, default=30.0,
                        help="simulated seconds per real second")  # fmt: skip
    parser.add_argument("--base-seconds", type=float, default=120.0)
    parser.add_argument("--rows-per-second", type=float, default=1000.0)
    parser.add_argument("--pickup-seconds", type=float, default=1.0)
    parser.add_argument("--window-days", type=int, default=365, help="export_window_days")
    parser.add_argument("--max-pending", type=int, default=2, help="max_pending_exports")
    parser.add_argument("--log", type=Path, default=None, help="keep the tap's log there")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-sync-wall-") as folder:
        for mode in args.modes.split(","):
            results[mode] = bench_mode(args, mode, Path(folder))
            full, delta = results[mode]
            print(f"[{mode}] full {full}\n[{mode}] incremental {delta}", file=sys.stderr)
        if args.log is not None:
            args.log.write_bytes((Path(folder) / "tap.log").read_bytes())
    report(args, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
