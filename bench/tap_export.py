"""How fast the tap turns a large visitor-activity export into Singer messages, against a floor.

For each size, a fresh simulator is loaded with N visitor activities and the tap runs as its own
process (visitor_activities selected in a catalog, nothing else), its stdout piped into a consumer
process that counts lines and bytes, as a target would read them. Printed per size:

- records/s of the tap, from the first to the last RECORD the consumer saw (export creation,
  polling and the simulator's rendering of the files come before the first record, so they are
  left out), and records per CPU second of the tap process (everything included);
- in the same run, records/s of the floor: a bare `csv.reader` + msgspec encode loop over the same
  CSV files, written to the same kind of consumer (no typing, no SDK);
- the tap process's peak RSS, the API calls by kind (simulator admin counters), and whether each
  window cost at most 1 create + its polls + 1 download per result file.

Tap and floor runs alternate (`--repeat`) and medians are printed, so the ratio holds on a busy
machine. Nothing here asserts a time.

    uv run python bench/tap_export.py --visitor-activities 1000000
    uv run python bench/tap_export.py --sizes 100000,1000000
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
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

STREAM = "visitor_activities"
FLUSH_BYTES = 64 * 1024

# The consumer: reads the pipe in 1 MiB chunks, counts lines, bytes and RECORD lines, and
# notes when the first and the last chunk holding a RECORD arrived (perf_counter, same clock).
CONSUMER = r"""
import json, sys, time
read = sys.stdin.buffer.read
marker = b'\n{"type":"RECORD"'
lines = size = records = 0
first = last = None
tail = b"\n"  # shorter than the marker: a marker split across two reads is counted once
while chunk := read(1 << 20):
    lines += chunk.count(b"\n")
    size += len(chunk)
    found = (tail + chunk).count(marker)
    tail = chunk[-(len(marker) - 1):]
    if found:
        records += found
        last = time.perf_counter()
        if first is None:
            first = time.perf_counter()
print(json.dumps({"lines": lines, "bytes": size, "records": records, "first": first,
                  "last": last}))
"""


# Runs the tap as `tap-pardot-export` would, and at exit writes the process's VmHWM (peak RSS, KiB)
# to the file named by its first argument. The kernel's ru_maxrss cannot be used: a child forked
# from this process (which holds the simulator's data) starts its count at this process's size.
TAP_LAUNCHER = r"""
import atexit, runpy, sys
report = sys.argv.pop(1)
def write_peak_rss():
    with open("/proc/self/status") as status, open(report, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(write_peak_rss)
sys.argv[0] = "tap-pardot-export"
runpy.run_module("tap_pardot_export.tap", run_name="__main__", alter_sys=True)
"""


@dataclass
class Run:
    """What one producer process (tap or floor) did, as its consumer and the kernel saw it."""

    records: int
    lines: int
    size: int
    span_s: float  # first to last RECORD at the consumer
    cpu_s: float  # user + system CPU of the producer process
    peak_rss_mb: float
    wall_s: float

    @property
    def rate(self) -> float:
        """Records per second over the record span."""
        return self.records / self.span_s if self.span_s > 0 else float("nan")

    @property
    def cpu_rate(self) -> float:
        """Records per CPU second of the producer (startup and polling included)."""
        return self.records / self.cpu_s if self.cpu_s > 0 else float("nan")


def run_piped(command: list[str], *, stderr_path: Path, peak_rss_path: Path | None = None) -> Run:
    """Run `command` with stdout piped into a consumer process; measure both ends.

    The producer's peak RSS is read from `peak_rss_path` when given (see TAP_LAUNCHER), else
    NaN; its CPU time comes from the kernel (wait4).
    """
    began = time.perf_counter()
    with stderr_path.open("ab") as stderr:
        producer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)  # noqa: S603
        consumer = subprocess.Popen(  # noqa: S603 (both commands are this Python and our files)
            [sys.executable, "-c", CONSUMER], stdin=producer.stdout, stdout=subprocess.PIPE
        )
        assert producer.stdout is not None
        producer.stdout.close()  # the consumer holds the only reading end
        _, status, usage = os.wait4(producer.pid, 0)
        producer.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - began
        out, _ = consumer.communicate()
    if producer.returncode != 0:
        tail = stderr_path.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{command[:3]} exited {producer.returncode}; stderr tail:\n{tail}")
    counts = json.loads(out)
    span = (counts["last"] - counts["first"]) if counts["first"] is not None else 0.0
    return Run(
        records=counts["records"],
        lines=counts["lines"],
        size=counts["bytes"],
        span_s=span,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=int(peak_rss_path.read_text()) / 1024 if peak_rss_path else float("nan"),
        wall_s=wall,
    )


def floor_main(folder: Path) -> int:
    """The floor: `csv.reader` + msgspec encode of RECORD lines, buffered writes to stdout."""
    import msgspec  # noqa: PLC0415 (only the floor process needs it)

    encode = msgspec.json.Encoder().encode
    out = sys.stdout.buffer
    buffer = bytearray()
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            for row in reader:
                record = dict(zip(header, row, strict=True))
                buffer += encode({"type": "RECORD", "stream": STREAM, "record": record})
                buffer += b"\n"
                if len(buffer) >= FLUSH_BYTES:
                    out.write(buffer)
                    buffer.clear()
    out.write(buffer)
    out.flush()
    return 0


def catalog_of(config: dict[str, Any]) -> dict[str, Any]:
    """The tap's discovered catalog with only visitor_activities selected."""
    from tap_pardot_export.tap import TapPardotExport  # noqa: PLC0415 (keeps --floor light)

    catalog: dict[str, Any] = TapPardotExport(config=config, setup_mapper=False).catalog_dict
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] == STREAM
    return catalog


@dataclass
class SizeResult:
    """Medians for one size, plus the API call check."""

    size: int
    tap: list[Run]
    floor: list[Run]
    calls: dict[str, int]
    windows: int
    files: int
    polls: int
    calls_ok: bool
    file_rows: list[int]  # rows in each tap run's result files
    sim_data_mb: float  # this process (the simulator) once its data was generated
    sim_peak_mb: float  # its peak while serving the runs (exports rendered and downloaded)


def bench_size(args: argparse.Namespace, size: int, work: Path) -> SizeResult:
    """Load a simulator with `size` activities and run tap and floor `args.repeat` times each."""
    began = time.perf_counter()
    sim = Simulator(
        seed=1,
        scale="tiny",
        visitor_activities=size,
        start=FIXED_START,
        clock_speed=0.0,
        timezone=args.timezone,
    )
    print(f"[{size:,}] data generated in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    # The range index the first export's create builds (seconds at 10,000,000 rows), built now:
    # at the simulated clock's speed a slow create would look like a timezone offset to the tap.
    sim.account().store.table("visitorActivity").ids_in_range("updated_at")
    sim_data_mb = _own_memory_mb("VmRSS")
    _reset_peak_memory()
    end = datetime.fromtimestamp(FIXED_START, timezone.utc)
    start = end - timedelta(days=args.window_days)
    config = sim.config(
        start_date=to_utc_iso(start),
        end_date=to_utc_iso(end),
        export_window_days=args.window_days,
        poll_interval_seconds=args.poll_interval,
    )
    windows = 1  # start_date is exactly one window before end_date
    config_path = work / f"config-{size}.json"
    catalog_path = work / f"catalog-{size}.json"
    config_path.write_text(json.dumps(config))
    peak_rss_path = work / "tap-peak-rss"
    tap_command = [
        sys.executable, "-c", TAP_LAUNCHER, str(peak_rss_path),
        "--config", str(config_path), "--catalog", str(catalog_path),
    ]  # fmt: skip
    floor_dir = work / f"floor-{size}"
    floor_command = [sys.executable, __file__, "--floor", str(floor_dir)]
    taps: list[Run] = []
    floors: list[Run] = []
    calls: dict[str, int] = {}
    files = polls = 0
    file_rows: list[int] = []
    calls_ok = True
    with sim, requests.Session() as admin:
        catalog_path.write_text(json.dumps(catalog_of(config)))  # discovery reads custom fields
        admin.post(f"{sim.url}/_sim/clock", json={"speed": args.clock_speed}, timeout=30)
        bu = config["business_unit_id"]
        for attempt in range(args.repeat):
            before = admin.get(f"{sim.url}/_sim/accounts/{bu}/calls", timeout=30).json()
            jobs_before = set(sim.exports.jobs)
            peak_rss_path.unlink(missing_ok=True)
            taps.append(
                run_piped(
                    tap_command, stderr_path=work / "tap-stderr.log", peak_rss_path=peak_rss_path
                )
            )
            after = admin.get(f"{sim.url}/_sim/accounts/{bu}/calls", timeout=30).json()
            delta = {
                kind: count - before["by_kind"].get(kind, 0)
                for kind, count in after["by_kind"].items()
                if count != before["by_kind"].get(kind, 0)
            }
            new_jobs = [sim.exports.jobs[i] for i in sorted(set(sim.exports.jobs) - jobs_before)]
            run_files = sum(len(j.files or []) for j in new_jobs)
            file_rows.append(sum(_rows_of(f) for j in new_jobs for f in j.files or []))
            run_polls = delta.get("export.read", 0)
            export_calls = {k: v for k, v in delta.items() if k.startswith("export.")}
            ok = (
                delta.get("export.create", 0) == windows
                and delta.get("export.downloadResults", 0) == run_files
                and sum(export_calls.values()) <= windows + run_polls + run_files
            )
            calls_ok = calls_ok and ok
            if attempt == 0:
                calls, files, polls = delta, run_files, run_polls
                floor_dir.mkdir(exist_ok=True)
                for job in new_jobs:
                    for number, result in enumerate(job.files or []):
                        _floor_file(result, floor_dir / f"{job.id}-{number}.csv")
            floors.append(run_piped(floor_command, stderr_path=work / "floor-stderr.log"))
    sim_peak_mb = _own_memory_mb("VmHWM")
    return SizeResult(
        size, taps, floors, calls, windows, files, polls, calls_ok, file_rows, sim_data_mb,
        sim_peak_mb,
    )  # fmt: skip


def _own_memory_mb(field: str) -> float:
    """This process's VmRSS or VmHWM (peak RSS since the last reset) in MB."""
    with open("/proc/self/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith(field))) / 1024


def _reset_peak_memory() -> None:
    """Start VmHWM again from the current RSS (Linux: "5" to clear_refs), so the peak printed is
    the serving's, not the data generator's."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def _floor_file(result: Any, target: Path) -> None:
    """A simulator result file for the floor: linked from disk (a simulator before result files
    on disk held (file id, bytes) pairs, which are written out; the baseline runs this bench)."""
    if isinstance(result, tuple):
        target.write_bytes(result[1])
        return
    try:
        os.link(result.path, target)
    except OSError:
        shutil.copyfile(result.path, target)


def _rows_of(result: Any) -> int:
    """Data rows of a result file (counted by csv in an older simulator's bytes)."""
    if isinstance(result, tuple):
        text = io.StringIO(result[1].decode("utf-8"), newline="")
        return sum(1 for _ in csv.reader(text)) - 1
    return int(result.rows)


def _median(runs: list[Run], attribute: str) -> float:
    return statistics.median(float(getattr(run, attribute)) for run in runs)


def report(args: argparse.Namespace, results: list[SizeResult]) -> None:
    """Print the command, one table row per size, and the API calls."""
    sizes = ",".join(str(r.size) for r in results)
    print(
        f"command: uv run python bench/tap_export.py --sizes {sizes} --repeat {args.repeat} "
        f"--clock-speed {args.clock_speed:g} --poll-interval {args.poll_interval:g} "
        f"--window-days {args.window_days} --timezone {args.timezone}"
    )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"PYTHONUNBUFFERED={os.environ.get('PYTHONUNBUFFERED', '')!r}; medians of "
          f"{args.repeat} interleaved tap/floor runs")  # fmt: skip
    print()
    header = (
        f"{'rows':>10} {'tap rec/s':>10} {'floor rec/s':>12} {'tap/floor':>9} "
        f"{'tap rec/CPU-s':>13} {'tap peak RSS':>12} {'MB out':>7} {'calls ok':>8}"
    )
    print(header)
    for r in results:
        tap_rate, floor_rate = _median(r.tap, "rate"), _median(r.floor, "rate")
        print(
            f"{r.size:>10,} {tap_rate:>10,.0f} {floor_rate:>12,.0f} {tap_rate / floor_rate:>9.2f} "
            f"{_median(r.tap, 'cpu_rate'):>13,.0f} {_median(r.tap, 'peak_rss_mb'):>9.0f} MB "
            f"{_median(r.tap, 'size') / 1e6:>7.0f} {'yes' if r.calls_ok else 'NO':>8}"
        )
    print()
    for r in results:
        print(f"[{r.size:,}] RECORD lines per tap run: {[run.records for run in r.tap]}; rows "
              f"in that run's result files: {r.file_rows}; floor RECORD lines: "
              f"{[run.records for run in r.floor]}")  # fmt: skip
        print(f"[{r.size:,}] peak RSS per tap run: {[round(run.peak_rss_mb) for run in r.tap]} MB")
        print(
            f"[{r.size:,}] simulator process: {r.sim_data_mb:.0f} MB once the data was generated, "
            f"peak {r.sim_peak_mb:.0f} MB while serving the runs"
        )
        print(f"[{r.size:,}] API calls of the first tap run by kind: {json.dumps(r.calls)}")
        print(
            f"[{r.size:,}] per window: {r.windows} window(s), {r.polls} poll(s), {r.files} "
            f"result file(s); export calls <= 1 create + polls + 1 per file in every run: "
            f"{'yes' if r.calls_ok else 'NO'}"
        )


def main() -> int:
    """Run the benchmark (or, with --floor, be the floor process) and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visitor-activities", type=int, default=1_000_000)
    parser.add_argument("--sizes", default=None, help="comma-separated sizes, e.g. 100000,1000000")
    parser.add_argument("--repeat", type=int, default=3, help="tap/floor runs per size")
    parser.add_argument("--clock-speed", type=float, default=100.0,
                        help="simulated seconds per real second")  # fmt: skip
    parser.add_argument("--poll-interval", type=float, default=0.05,
                        help="the tap's poll_interval_seconds")  # fmt: skip
    parser.add_argument("--window-days", type=int, default=365,
                        help="export_window_days; the run covers exactly one window")  # fmt: skip
    parser.add_argument(
        "--timezone",
        default="Asia/Kolkata",
        help="the API user's timezone; the default has no DST change, so the run "
        "is one window (a zone with changes cuts a window at each, and the wait "
        "for the next window's export would fall inside the record span)",
    )
    parser.add_argument("--floor", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor is not None:
        return floor_main(args.floor)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.visitor_activities]
    with tempfile.TemporaryDirectory(prefix="bench-tap-export-") as folder:
        results = [bench_size(args, size, Path(folder)) for size in sizes]
    report(args, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
