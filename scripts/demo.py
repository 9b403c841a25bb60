"""`make demo`: the simulator's demo account -> `meltano run tap-pardot-export target-duckdb`.

Starts `pardot-sim serve` in the background on 127.0.0.1 (a free port), runs the pipeline in
Meltano's `sim` environment, prints what landed in the DuckDB file and where the time went, and
stops the simulator. The simulator always starts from the same data (fixed seed and start), and
its clock runs 3600 times faster than the real one, so each export takes a few milliseconds.

The first run syncs everything. Each later run replays the simulator's earlier changes, makes a
new batch of changes (edits and new rows) ten simulated minutes later, and syncs again from the
bookmarks Meltano kept: only the changes arrive. `make demo-reset` starts over.

With `--objects` (`make demo OBJECTS=1`) the run also syncs the streams of the objects only the
v5 objects API has (`meltano run tap-pardot-export--objects target-duckdb`), adds their tables
to the summary and prints the API calls they cost.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import requests

ROOT = Path(__file__).resolve().parent.parent
MELTANO = ROOT / ".meltano-venv" / "bin" / "meltano"
RUNS_FILE = ROOT / ".meltano" / "demo-runs.json"  # the demo's own memory, beside Meltano's state
DUCKDB_FILE = ROOT / "output" / "demo.duckdb"  # meltano.yml: the sim environment's filepath
LOG_FILE = ROOT / "output" / "demo-meltano.log"
STATE_ID = "sim:tap-pardot-export-to-target-duckdb"
OBJECTS_PLUGIN = "tap-pardot-export--objects"  # meltano.yml: the v5 objects streams
OBJECTS_STATE_ID = f"sim:{OBJECTS_PLUGIN}-to-target-duckdb"
BUSINESS_UNIT = "0Uv000000000001AAA"  # meltano.yml: the sim environment's business_unit_id
SIM_START = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)  # data is generated back from here
SIM_SEED = 1
CLOCK_SPEED = 3600.0  # simulated seconds per real second
START_DATE = "2026-07-01"  # meltano.yml: the sim environment's start_date
STEP = timedelta(minutes=10)  # simulated time between two demo runs' changes
STREAMS = ("visitor_activities", "prospects", "list_memberships", "visitors",
           "prospect_accounts", "external_activities")  # fmt: skip
V5_MUTATED = ["landingPage", "listEmail", "formField", "visitorPageView"]  # changed each step
OBJECT_STREAMS = (
    "account",
    "dynamic_content_variations",
    "engagement_studio_programs",
    "files",
    "folders",
    "folder_contents",
    "form_fields",
    "form_handlers",
    "form_handler_fields",
    "landing_pages",
    "layout_templates",
    "list_emails",
    "tracker_domains",
    "visitor_page_views",
)  # fmt: skip  (meltano.yml: the select of tap-pardot-export--objects)
# Log lines worth echoing while Meltano runs (the full log goes to LOG_FILE).
ECHO = re.compile(
    r"is Complete|still|Waiting|Processing|Loading \d+ rows|bookmark value|"
    r"API calls by this stream|error|Error|failed|Traceback"
)


def iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextmanager
def simulator(workdir: Path) -> Iterator[str]:
    """Serve the demo account in a child process; yields its URL and stops it after."""
    url_file = workdir / "url"
    log = (workdir / "sim.log").open("w")
    command = [
        sys.executable, "-m", "pardot_sim.cli", "serve", "--port", "0", "--scale", "demo",
        "--seed", str(SIM_SEED), "--start", iso(SIM_START), "--clock-speed", "0",
        "--url-file", str(url_file),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.monotonic() + 180
        while not url_file.exists() or not url_file.read_text().strip():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the simulator did not start; see {workdir / 'sim.log'}")
            time.sleep(0.1)
        yield url_file.read_text().strip()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def replay_changes(url: str, runs: int) -> tuple[datetime, dict[str, int]]:
    """Apply the changes of runs 2..runs at their simulated times, then let the clock run.

    The simulator starts with its clock stopped at SIM_START. Run k's changes are stamped in the
    minute before SIM_START + (k-1) * STEP, after the bookmark of run k-1, and the sync of run k
    ends at that instant. Returns that end and the rows this run's changes touched per object.
    """
    admin = requests.Session()
    end = SIM_START
    changed: dict[str, int] = {}
    for k in range(2, runs + 1):
        step_end = SIM_START + (k - 1) * STEP
        admin.post(f"{url}/_sim/clock", json={"advance": (step_end - end).total_seconds()},
                   timeout=30)  # fmt: skip
        end = step_end
        result = admin.post(
            f"{url}/_sim/accounts/{BUSINESS_UNIT}/mutate",
            json={"seed": k, "updates": 25, "inserts": 15}, timeout=60,
        ).json()  # fmt: skip
        result.update(admin.post(  # the v5 objects change too (synced with --objects)
            f"{url}/_sim/accounts/{BUSINESS_UNIT}/mutate",
            json={"seed": k, "updates": 5, "inserts": 3, "objects": V5_MUTATED}, timeout=60,
        ).json())  # fmt: skip
        changed = {o: len(ids) for o, ids in result.items() if "." not in o}
    admin.post(f"{url}/_sim/clock", json={"speed": CLOCK_SPEED}, timeout=30)
    admin.close()
    return end, changed


def table_counts(
    since: dict[str, Any] | None = None, streams: tuple[str, ...] = STREAMS
) -> dict[str, tuple[int, int]]:
    """Rows per table in the DuckDB file, and rows loaded after `since[table]`."""
    counts: dict[str, tuple[int, int]] = {}
    if not DUCKDB_FILE.exists():
        return counts
    with duckdb.connect(str(DUCKDB_FILE), read_only=True) as db:
        tables = {r[0] for r in db.sql(
            "select table_name from information_schema.tables where table_schema = 'pardot'"
        ).fetchall()}  # fmt: skip
        for name in streams:
            if name not in tables:
                continue
            total = db.sql(f"select count(*) from pardot.{name}").fetchone()
            mark = (since or {}).get(name)
            fresh = db.execute(
                f"select count(*) from pardot.{name} where ? is null or _sdc_batched_at > ?",
                [mark, mark],
            ).fetchone()
            counts[name] = (total[0] if total else 0, fresh[0] if fresh else 0)
    return counts


def load_marks(streams: tuple[str, ...] = STREAMS) -> dict[str, Any]:
    """Per table, the newest `_sdc_batched_at` before this run."""
    marks: dict[str, Any] = {}
    if not DUCKDB_FILE.exists():
        return marks
    with duckdb.connect(str(DUCKDB_FILE), read_only=True) as db:
        for name in streams:
            try:
                row = db.sql(f"select max(_sdc_batched_at) from pardot.{name}").fetchone()
            except duckdb.CatalogException:
                continue
            marks[name] = row[0] if row else None
    return marks


def run_meltano(
    url: str, end: datetime, tap: str = "tap-pardot-export"
) -> tuple[int, dict[str, str]]:
    """`meltano run` in the sim environment; echoes progress, returns exit code and bookmarks."""
    env = {
        **os.environ,
        "PARDOT_SIM_URL": url,
        "PARDOT_SIM_NOW": iso(end),
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [str(MELTANO), "--environment", "sim", "run", tap, "target-duckdb"]
    started_from: dict[str, str] = {}
    pattern = re.compile(r"Starting incremental sync of '(\w+)' with bookmark value: (\S+)")
    with LOG_FILE.open("a" if tap != "tap-pardot-export" else "w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if match := pattern.search(line):
                started_from[match[1]] = match[2]
            if ECHO.search(line):
                print("  " + _short(line), flush=True)
        code = process.wait()
    return code, started_from


def _short(line: str) -> str:
    """A Meltano log line without its timestamp and level columns."""
    text = re.sub(r"^\S+Z \[\w+\s*\] ", "", line.rstrip())
    return text if len(text) <= 140 else text[:137] + "..."


def main(argv: list[str] | None = None) -> int:
    """Run the demo once; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reset", action="store_true", help="forget earlier runs first")
    parser.add_argument(
        "--objects",
        action="store_true",
        help=f"also sync the v5 objects streams ({OBJECTS_PLUGIN})",
    )
    args = parser.parse_args(argv)
    started_at = time.time()
    make_started = os.environ.get("DEMO_STARTED")  # epoch seconds, set by `make demo` first
    if args.reset:
        reset()
        return 0
    if not MELTANO.exists():
        raise SystemExit("Meltano is not installed: run `make demo`, which installs it first")
    DUCKDB_FILE.parent.mkdir(exist_ok=True)
    history = json.loads(RUNS_FILE.read_text()) if RUNS_FILE.exists() else []
    run = len(history) + 1
    streams = STREAMS + (OBJECT_STREAMS if args.objects else ())
    marks = load_marks(streams)
    timings: dict[str, float] = {}
    objects_calls: int | None = None
    with tempfile.TemporaryDirectory(prefix="pardot-demo-") as tmp:
        mark = time.monotonic()
        with simulator(Path(tmp)) as url:
            timings["simulator start (data generation)"] = time.monotonic() - mark
            end, changed = replay_changes(url, run)
            print(f"Run {run}: simulator at {url}, syncing up to {iso(end)}", flush=True)
            if changed:
                print(f"  the simulator changed or added {sum(changed.values())} rows since the "
                      "last run (" + ", ".join(f"{o} {n}" for o, n in changed.items()) + "); "
                      f"Meltano's state {STATE_ID} holds the bookmarks")  # fmt: skip
            mark = time.monotonic()
            code, started_from = run_meltano(url, end)
            timings["meltano run tap-pardot-export target-duckdb"] = time.monotonic() - mark
            calls_url = f"{url}/_sim/accounts/{BUSINESS_UNIT}/calls"
            if args.objects and code == 0:
                before = requests.get(calls_url, timeout=30).json()["total"]
                mark = time.monotonic()
                code, objects_from = run_meltano(url, end, OBJECTS_PLUGIN)
                timings[f"meltano run {OBJECTS_PLUGIN} target-duckdb"] = time.monotonic() - mark
                started_from.update(objects_from)
                objects_calls = requests.get(calls_url, timeout=30).json()["total"] - before
            calls = requests.get(calls_url, timeout=30).json()
    if code != 0:
        print(f"meltano run failed with exit code {code}; the full log is {LOG_FILE}")
        return code
    RUNS_FILE.write_text(json.dumps([*history, {"run": run, "end_date": iso(end)}]))
    mark = time.monotonic()
    counts = table_counts(marks, streams)
    timings["summary (DuckDB queries)"] = time.monotonic() - mark
    if make_started:
        timings = {"install (uv sync, Meltano, plugins)": started_at - float(make_started),
                   **timings}  # fmt: skip
    elapsed = time.time() - float(make_started or started_at)
    print_summary(run, started_from, counts, calls, timings, elapsed, streams)
    if objects_calls is not None:
        print(f"The {len(OBJECT_STREAMS)} v5 objects streams cost {objects_calls} of these calls "
              f"({OBJECTS_PLUGIN}; off the default selection, see meltano.yml).")  # fmt: skip
    return 0


def print_summary(
    run: int, started_from: dict[str, str], counts: dict[str, tuple[int, int]],
    calls: dict[str, Any], timings: dict[str, float], elapsed: float,
    streams: tuple[str, ...] = STREAMS,
) -> None:  # fmt: skip
    """The closing table: rows per table, the sync, API calls and time."""
    resumed = sorted(s for s, mark in started_from.items() if not mark.startswith(START_DATE))
    kind = (
        f"incremental: {len(resumed)} streams went on from the bookmarks in Meltano's state"
        if resumed else f"full: every stream from start_date {START_DATE}"
    )  # fmt: skip
    print()
    print(f"Demo run {run}, {kind}")
    print(f"DuckDB file {DUCKDB_FILE.relative_to(ROOT)}, schema pardot")
    print(f"  {'table':<28}{'rows in DuckDB':>16}{'loaded this run':>17}  synced from")
    for name in streams:
        total, fresh = counts.get(name, (0, 0))
        print(f"  {name:<28}{total:>16,}{fresh:>17,}  {started_from.get(name, '-')}")
    total_rows = sum(c[0] for c in counts.values())
    fresh_rows = sum(c[1] for c in counts.values())
    print(f"  {'all':<28}{total_rows:>16,}{fresh_rows:>17,}")
    by_kind = ", ".join(f"{k} {v}" for k, v in sorted(calls.get("by_kind", {}).items()))
    print(f"Pardot API calls: {calls.get('total', 0)} ({by_kind})")
    print("Time:")
    for label, seconds in timings.items():
        print(f"  {label:<46}{seconds:>7.1f} s")
    print(f"  {'total':<46}{elapsed:>7.1f} s")
    print(f"Full Meltano log: {LOG_FILE.relative_to(ROOT)}. Run `make demo` again for an "
          "incremental sync; `make demo-reset` starts over.")  # fmt: skip


def reset() -> None:
    """Forget the demo: Meltano's state for it, the DuckDB file and the run history."""
    for state_id in (STATE_ID, OBJECTS_STATE_ID) if MELTANO.exists() else ():
        subprocess.run(
            [str(MELTANO), "--environment", "sim", "state", "clear", "--force", state_id],
            cwd=ROOT, check=False,
            env={**os.environ, "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false"},
        )  # fmt: skip
    for path in (DUCKDB_FILE, RUNS_FILE, LOG_FILE):
        path.unlink(missing_ok=True)
    print("Demo reset: the next `make demo` runs a full sync.")


if __name__ == "__main__":
    sys.exit(main())
