"""`target-pardot-import-sends`: read the send ledger and settle the sends nobody can vouch for.

A send whose call started but whose outcome the target never learnt (the run was killed, the
answer was lost after Pardot may have accepted it) is never sent again automatically. This
command lists them and records a person's decision, once they have checked in Pardot (the
prospect's activities, the email's report) whether the email went out:

    target-pardot-import-sends --ledger sends.sqlite review
    target-pardot-import-sends --ledger sends.sqlite confirm KEY [--email-id ID]   # it went out
    target-pardot-import-sends --ledger sends.sqlite retry KEY    # it did not: send it again

`retry` lets the next run that reads the key's row send it. `show KEY` prints one key's entry,
`summary` the keys by state. The ledger comes from `--ledger`, from `send_ledger_path` of a
target config (`--config`), or from `TARGET_PARDOT_IMPORT_SEND_LEDGER_PATH` (which Meltano sets
for `meltano invoke target-pardot-import:sends ...`). Output goes to standard output: keys are
the user's own data, so they are printed here and never logged by a run.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from target_pardot_import.ledger import CONFIRMED, RETRY, REVIEW, Entry, Ledger, LedgerError

ENV_PATH = "TARGET_PARDOT_IMPORT_SEND_LEDGER_PATH"
PROG = "target-pardot-import-sends"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--ledger", help=f"the send ledger (default: ${ENV_PATH})")
    parser.add_argument("--config", help="a target config whose send_ledger_path to use")
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("review", help="list the sends whose outcome is unknown")
    commands.add_parser("summary", help="count the keys by state")
    show = commands.add_parser("show", help="print one key's entry")
    show.add_argument("key")
    confirm = commands.add_parser("confirm", help="record that a send in review went out")
    confirm.add_argument("key")
    confirm.add_argument("--email-id", type=int, help="Pardot's id of the email, if known")
    retry = commands.add_parser("retry", help="let the next run send a send in review again")
    retry.add_argument("key")
    return parser


def _ledger_path(args: argparse.Namespace) -> str:
    if args.ledger:
        return str(args.ledger)
    if args.config:
        config = json.loads(Path(args.config).read_text(encoding="utf-8"))
        if config.get("send_ledger_path"):
            return str(config["send_ledger_path"])
        raise SystemExit(f"{PROG}: {args.config} has no send_ledger_path")
    if os.environ.get(ENV_PATH):
        return os.environ[ENV_PATH]
    raise SystemExit(f"{PROG}: give --ledger PATH (or --config, or set {ENV_PATH})")


def _line(entry: Entry) -> str:
    email = f" email {entry.email_id}" if entry.email_id is not None else ""
    line = f" input line {entry.input_line}" if entry.input_line is not None else ""
    return (f"{entry.key}\t{entry.state}\t{entry.stream} ({entry.kind}){line}, started "
            f"{entry.started_at} by run {entry.run_id}{email}"
            + (f"\n\t{entry.detail}" if entry.detail else ""))  # fmt: skip


def _print(entries: Sequence[Entry], as_json: bool) -> None:
    for entry in entries:
        print(json.dumps(asdict(entry)) if as_json else _line(entry))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; 0 on success, 1 when a key cannot take the decision, 2 on bad use."""
    args = _parser().parse_args(argv)
    path = _ledger_path(args)
    if not Path(path).exists():
        print(f"{PROG}: no ledger at {path} (no send was ever made with it)", file=sys.stderr)
        return 1
    read_only = args.command in ("review", "summary", "show")
    try:
        ledger = Ledger(path, read_only=read_only).open()
    except LedgerError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    try:
        return _run(ledger, args, path)
    finally:
        ledger.close()


def _run(ledger: Ledger, args: argparse.Namespace, path: str) -> int:
    if args.command == "summary":
        counts = ledger.counts()
        rows = [f"{state}\t{n}" for state, n in sorted(counts.items())]
        print(json.dumps(counts) if args.json else "\n".join(rows) or "empty")
        return 0
    if args.command == "review":
        entries = ledger.in_review()
        _print(entries, args.json)
        if entries and not args.json:
            print(f"\n{len(entries)} sends in review. Check each in Pardot, then:")
            print(f"  {PROG} --ledger {path} confirm KEY [--email-id ID]   # it went out")
            print(f"  {PROG} --ledger {path} retry KEY   # it did not: the next run sends it")
        elif not args.json:
            print("No send is in review.")
        return 0
    if args.command == "show":
        entry = ledger.lookup(args.key)
        if entry is None:
            print(f"{PROG}: the ledger has no key {args.key!r}", file=sys.stderr)
            return 1
        _print([entry], args.json)
        return 0
    state = CONFIRMED if args.command == "confirm" else RETRY
    email_id = getattr(args, "email_id", None)
    try:
        entry = ledger.decide(args.key, state, email_id=email_id, who=f"{PROG} ({_user()})")
    except KeyError:
        print(f"{PROG}: the ledger has no key {args.key!r}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"{PROG}: key {args.key!r} is {exc}, not in review ({', '.join(sorted(REVIEW))}); "
              "nothing changed", file=sys.stderr)  # fmt: skip
        return 1
    _print([entry], args.json)
    return 0


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown user"


if __name__ == "__main__":
    sys.exit(main())
