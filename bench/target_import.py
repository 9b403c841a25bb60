"""Prospect rows through target-pardot-import into the simulator: speed, memory, calls, fill.

The target runs as its own process (`python -m target_pardot_import` through a small launcher),
reading a Singer file from disk. Its peak RSS is the VmHWM it reports at exit. getrusage's
`ru_maxrss` for children is no use here: a process started by fork/vfork + exec inherits its
parent's high-water mark, i.e. this process's, which holds the simulator and the prospects it
imported (about 210 MB once a 100k-row run is in). Prints, per row count: rows/s of the target's
own work (wall time minus the time spent waiting for Pardot to process imports, and minus the
time in upload calls, where the simulated Pardot also validates each CSV), peak RSS, imports,
API calls per import against the (parts + 3) budget, and how full the parts are.

    uv run python bench/target_import.py --rows 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START

SCHEMA = {
    "type": "object",
    "properties": {
        "email": {"type": "string"},
        "first_name": {"type": ["string", "null"]},
        "last_name": {"type": ["string", "null"]},
        "company": {"type": ["string", "null"]},
        "city": {"type": ["string", "null"]},
        "score": {"type": ["integer", "null"]},
        "is_do_not_email": {"type": ["boolean", "null"]},
        "comments": {"type": ["string", "null"]},
    },
}


# Runs the target as `python -m target_pardot_import` would, then reports its own peak RSS.
LAUNCHER = """
import atexit, runpy, sys

def report_peak():
    with open("/proc/self/status") as status:
        peak = next((line for line in status if line.startswith("VmHWM:")), "VmHWM: ?")
    sys.stderr.write("bench: target " + peak)

atexit.register(report_peak)
sys.argv[0] = "target-pardot-import"
runpy.run_module("target_pardot_import", run_name="__main__")
"""


def write_input(path: Path, rows: int) -> None:
    """A Singer file: SCHEMA, `rows` RECORDs of ~150 bytes, STATE."""
    with path.open("w", encoding="utf-8") as out:
        schema = {"type": "SCHEMA", "stream": "prospects", "schema": SCHEMA,
                  "key_properties": ["email"]}  # fmt: skip
        out.write(json.dumps(schema) + "\n")
        for i in range(rows):
            company = f"Company {i % 997}" + (", Inc" if i % 10 == 0 else "")
            flag = "true" if i % 2 else "false"
            out.write(
                f'{{"type":"RECORD","stream":"prospects","record":{{"email":"bench.{i}@bench.'
                f'example.com","first_name":"First{i}","last_name":"Last{i}","company":'
                f'"{company}","city":"Zürich","score":{i % 100},"is_do_not_email":{flag},'
                f'"comments":null}}}}\n'
            )
        out.write('{"type":"STATE","value":{"bookmarks":{"prospects":{"done":true}}}}\n')


def run(sim: Simulator, rows: int, folder: Path, max_bytes: int) -> dict[str, Any]:
    """One run of the target over `rows` rows; its figures."""
    source = folder / f"input-{rows}.jsonl"
    write_input(source, rows)
    config = sim.config(
        api_version=3, poll_interval_seconds=0.2, rejects_path=str(folder / "rejects.csv"),
        spool_dir=str(folder), max_batch_bytes=max_bytes,
    )  # fmt: skip
    (folder / "config.json").write_text(json.dumps(config))
    command = [sys.executable, "-c", LAUNCHER, "--config", str(folder / "config.json")]
    began = time.perf_counter()
    with source.open("rb") as stdin, (folder / "stderr.log").open("wb") as err:
        done = subprocess.run(command, stdin=stdin, stdout=subprocess.PIPE, stderr=err, check=False)  # noqa: S603
    wall = time.perf_counter() - began
    log = (folder / "stderr.log").read_text(encoding="utf-8", errors="replace")
    if done.returncode != 0:
        raise SystemExit(f"the target failed:\n{log[-3000:]}")
    line = next(x for x in log.splitlines() if "Run summary: " in x)
    summary: dict[str, Any] = json.loads(line.split("Run summary: ", 1)[1].split("}", 1)[0] + "}")
    summary["wall"] = wall
    peak = re.search(r"^bench: target VmHWM:\s*(\d+) kB", log, re.MULTILINE)
    summary["peak_rss_mb"] = int(peak.group(1)) / 1024 if peak else float("nan")
    summary["state"] = done.stdout.decode().strip()
    return summary


def report(rows: int, s: dict[str, Any], max_bytes: int) -> None:
    """Print one run's figures."""
    sizes = [size for part in s["part_sizes"] for size in part]
    parts = len(sizes)
    fill = [size / max_bytes for size in sizes[:-1]] or [1.0]
    own = s["wall"] - s["wait_seconds"]
    own_local = own - s["submit_seconds"]
    budget = sum(len(p) + 3 for p in s["part_sizes"])
    print(
        f"rows {rows:,}: read {s['rows_read']:,}, sent {s['rows_sent']:,}, rejected {s['rejected']}"
    )
    print(f"  wall {s['wall']:.1f} s; waiting for Pardot to process {s['wait_seconds']:.1f} s; "
          f"in upload calls {s['submit_seconds']:.1f} s")  # fmt: skip
    print(f"  target's own work: {rows / own:,.0f} rows/s incl. uploads, "
          f"{rows / own_local:,.0f} rows/s excl. uploads")  # fmt: skip
    print(f"  peak RSS of the target process: {s['peak_rss_mb']:.0f} MB (its VmHWM)")
    print(
        f"  imports {s['imports']}, parts {parts}; import calls {s['import_calls']} "
        f"(polls included) vs parts+3 = {budget} plus polls; all API calls {s['api_calls']}"
    )
    print(f"  part fill (all but the last): min {min(fill):.1%}, mean {sum(fill) / len(fill):.1%}")
    print(f"  STATE out: {s['state']}")


def main() -> int:
    """Run the benchmark for each row count and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--max-batch-bytes", type=int, default=9_990_000)
    args = parser.parse_args()
    sim = Simulator(seed=1, scale="tiny", start=FIXED_START, clock_speed=3600).start()
    try:
        bu = sim.config()["business_unit_id"]
        requests.post(f"{sim.url}/_sim/accounts/{bu}", json={"api_version": 3}, timeout=30)
        for rows in args.rows:
            with tempfile.TemporaryDirectory(prefix="bench-target-") as folder:
                report(
                    rows, run(sim, rows, Path(folder), args.max_batch_bytes), args.max_batch_bytes
                )
    finally:
        sim.stop()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (the simulator, not the target): {own:.0f} MB")
    print(
        "command: uv run python bench/target_import.py --rows "
        + " ".join(map(str, args.rows))
        + f" --max-batch-bytes {args.max_batch_bytes}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
