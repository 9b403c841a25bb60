"""How fast the simulator serves a large export download, through the real client.

Prints the rows, bytes, files, the time to render the result files (the simulated Pardot's
processing) and the download rate in MB/s, plus the command that reproduces the figures.

    uv run python bench/export_download.py --visitor-activities 1000000
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from pardot_client import PardotClient
from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START, client_settings

CHUNK = 64 * 1024


def download(client: PardotClient, url: str) -> int:
    """Read one result file to the end in 64 KiB chunks; return its size."""
    size = 0
    with client.download(url) as response:
        for chunk in response.iter_content(CHUNK):
            size += len(chunk)
    return size


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visitor-activities", type=int, default=1_000_000)
    parser.add_argument("--parallel", type=int, default=1, help="files downloaded at once")
    args = parser.parse_args()
    began = time.perf_counter()
    sim = Simulator(
        seed=1, scale="tiny", visitor_activities=args.visitor_activities, start=FIXED_START,
        clock_speed=0.0,
    )  # fmt: skip
    generated = time.perf_counter() - began
    with sim:
        client = PardotClient(client_settings(sim, read_timeout=600))
        body = {
            "object": "visitorActivity",
            "procedure": {
                "name": "filter_by_updated_at",
                "arguments": {"updated_after": "2025-12-01 00:00:00"},
            },
        }
        export = client.post_json("/api/export/version/{version}/do/create", body)["export"]
        sim.app.clock.advance(24 * 3600)
        began = time.perf_counter()
        done = client.get_json(f"/api/export/version/{{version}}/do/read/id/{export['id']}")
        rendered = time.perf_counter() - began
        refs = done["export"]["resultRefs"]
        urls = [refs] if isinstance(refs, str) else refs
        began = time.perf_counter()
        with ThreadPoolExecutor(args.parallel) as pool:
            sizes = list(pool.map(lambda url: download(client, url), urls))
        elapsed = time.perf_counter() - began
    total = sum(sizes)
    rows = len(sim.account().store.table("visitorActivity"))
    print(f"command: uv run python bench/export_download.py "
          f"--visitor-activities {args.visitor_activities} --parallel {args.parallel}")  # fmt: skip
    print(f"data generation: {generated:.1f} s for {rows:,} visitor activities")
    print(f"export rendering (first read after completion): {rendered:.1f} s")
    print(f"downloaded {total / 1e6:.1f} MB in {len(urls)} files in {elapsed:.2f} s: "
          f"{total / 1e6 / elapsed:.0f} MB/s, {rows / elapsed:,.0f} rows/s")  # fmt: skip
    print(f"API calls: {client.calls.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
