"""`pardot-sim serve`: run the simulator on 127.0.0.1 for a pipeline under development."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from pardot_client.dates import parse_utc
from pardot_sim.accounts import DEMO_BUSINESS_UNITS
from pardot_sim.simulator import Simulator


def build_parser() -> argparse.ArgumentParser:
    """The command line, documented for `--help`."""
    parser = argparse.ArgumentParser(prog="pardot-sim", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve a simulated Pardot org until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    serve.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    serve.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    serve.add_argument(
        "--scale", default="demo", choices=("tiny", "demo", "large"), help="data set size"
    )
    serve.add_argument(
        "--visitor-activities", type=int, default=None, help="override the activity count"
    )
    serve.add_argument(
        "--timezone", default="America/New_York", help="IANA timezone of the API user"
    )
    serve.add_argument(
        "--start", default=None,
        help="simulated start time (ISO 8601, UTC if no offset); default now. The data is "
        "generated back from it, so a fixed --start and --seed give identical data",
    )  # fmt: skip
    serve.add_argument(
        "--clock-speed", type=float, default=1.0, help="simulated seconds per real second"
    )
    serve.add_argument("--switch", action="append", default=[], metavar="NAME=VALUE",
                       help="set an unconfirmed-behaviour switch (repeatable)")  # fmt: skip
    serve.add_argument("--export-base-seconds", type=float, default=None,
                       help="simulated seconds an empty export takes")  # fmt: skip
    serve.add_argument("--url-file", default=None, help="write the base URL here once serving")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `pardot-sim` command."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("pardot-sim serves only on a loopback address", file=sys.stderr)
        return 2
    start = parse_utc(args.start).timestamp() if args.start else None
    sim = Simulator(
        seed=args.seed, scale=args.scale, timezone=args.timezone, start=start,
        clock_speed=args.clock_speed, host=args.host, port=args.port,
        visitor_activities=args.visitor_activities,
    )  # fmt: skip
    switches = dict(item.split("=", 1) for item in args.switch)
    sim.app.switches.update(switches)
    if args.export_base_seconds is not None:
        sim.exports.settings.base_seconds = args.export_base_seconds
    if args.url_file:
        with open(args.url_file, "w", encoding="utf-8") as handle:
            handle.write(sim.url + "\n")
    print(json.dumps({"url": sim.url, "business_units": DEMO_BUSINESS_UNITS,
                      "settings": sim.config()}, indent=2), flush=True)  # fmt: skip

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sim._server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
