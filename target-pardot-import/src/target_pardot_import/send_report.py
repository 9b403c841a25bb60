"""What a run reports about its email sends: figures for the summary line, a dry run's plan.

Every row of a bound stream ends in exactly one figure: `sent`, `refused` (Pardot said no;
rejected), `unknown` (the call may have gone through; rejected and listed for review),
`rejected` (a check failed before any call), `skipped_sent` (its key was sent before),
`in_review` (its key's outcome is unknown since an earlier run), `held` (not sent: the run's
`max_sends_per_run` was reached) or, in a dry run, `would_send` and `repeated` (a key the
input already had). Logs carry these counts, never a key or a value; the plan file, which a
dry run writes only when `send_plan_path` is set, holds the sends themselves.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pardot_client import PardotConfigError
from target_pardot_import.paths import why_unwritable

LOG = logging.getLogger("target_pardot_import")
REVIEW_COMMAND = "target-pardot-import-sends"


@dataclass
class SendFigures:
    """The run's send counts across its bound streams."""

    streams: list[str] = field(default_factory=list)
    attempts: int = 0  # send calls made (refused and unknown ones too): what the cap counts
    sent: int = 0
    refused: int = 0
    unknown: int = 0
    rejected: int = 0
    skipped_sent: int = 0
    skipped_changed: int = 0  # of skipped_sent: the row's send differs from the one sent
    in_review: int = 0
    held: int = 0
    would_send: int = 0
    repeated: int = 0
    cap_reached: bool = False
    planned: set[str] = field(default_factory=set, repr=False)  # a dry run's keys

    def as_dict(self) -> dict[str, Any]:
        """The figures for the run summary (no keys, no values)."""
        names = ("attempts", "sent", "refused", "unknown", "rejected", "skipped_sent",
                 "skipped_changed", "in_review", "held", "would_send", "repeated")  # fmt: skip
        return {"streams": self.streams, **{n: getattr(self, n) for n in names},
                "cap_reached": self.cap_reached}  # fmt: skip

    def log(
        self, *, bound: Sequence[str], ledger_path: str, in_review_total: int, cap: int,
        dry_run: bool,
    ) -> None:  # fmt: skip
        """Say what the run did and what is left for a person to do (the figures themselves are
        in the run summary line)."""
        absent = [name for name in bound if name not in self.streams]
        if absent:
            LOG.warning(
                "email_sends names streams that never came: %s (streams that came: %s). Check "
                "the names: tap-postgres, for one, names its streams <schema>-<table>",
                ", ".join(absent), ", ".join(self.streams) or "none bound",
            )  # fmt: skip
        if self.skipped_sent:
            changed = (f" ({self.skipped_changed} of them with other content than the send "
                       "that went out)" if self.skipped_changed else "")  # fmt: skip
            LOG.info("%d rows were not sent: their key was sent before (send ledger %s)%s",
                     self.skipped_sent, ledger_path, changed)  # fmt: skip
        if self.cap_reached:
            verb = "would stop" if dry_run else "stopped"
            LOG.warning(
                "max_sends_per_run (%d) reached: the run %s sending there; %d rows were held "
                "back and no STATE was emitted after that, so the next run reads them again "
                "(keys already sent are skipped)", cap, verb, self.held,
            )  # fmt: skip
        if in_review_total:
            LOG.warning(
                "%d sends have an unknown outcome (%d of them from this run): they are never "
                "sent again automatically. List them with `%s --ledger %s review`, check in "
                "Pardot whether each went out, then `... confirm KEY --email-id ID` or `... "
                "retry KEY`.", in_review_total, self.unknown, REVIEW_COMMAND, ledger_path,
            )  # fmt: skip
        if dry_run:
            LOG.info("dry_run: %d sends would be made; nothing was sent, the ledger is unchanged "
                     "and no STATE was emitted", self.would_send)  # fmt: skip


class SendPlan:
    """A dry run's plan: one JSON line per send it would make (personal data: a file of its
    own, written only when `send_plan_path` is set, replaced by each dry run)."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self._file: TextIO | None = None

    def check(self) -> None:
        """Fail before any row is read when the plan file cannot be written."""
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("w", encoding="utf-8")
        except OSError as exc:
            raise PardotConfigError(
                f"send_plan_path {self.path} cannot be written "
                f"({why_unwritable(self.path, exc)}); set it to a file in a writable directory"
            ) from None

    def write(self, entry: dict[str, Any]) -> None:
        """One send the dry run would make."""
        if self._file is not None:
            self._file.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")

    def close(self) -> None:
        """Close the plan file."""
        if self._file is not None:
            self._file.close()
            self._file = None
