"""What one run of the target shares across its streams, and the run's end-of-run figures.

A run has one client (one call counter, one token), one copy of the account's custom fields,
one rejects file, one spool directory, the number of the input line being read, and one reject
rate: rows rejected in any stream, and input lines that are no usable message, count against
`max_reject_rate` together, judged once `reject_rate_min_rows` rows were read. The target makes
the run and hands it to each sink; sinks and imports take everything target-wide from it, never
from the target object. Email sends share the run's send ledger, figures, `max_sends_per_run`
count and (in a dry run) plan file.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pardot_client import PardotClient, PardotError
from pardot_client.catalog import FieldType
from pardot_client.custom_fields import custom_prospect_fields
from target_pardot_import.ledger import Ledger, new_run_id
from target_pardot_import.rejects import RejectsWriter
from target_pardot_import.send_report import SendFigures, SendPlan
from target_pardot_import.settings import TargetSettings
from target_pardot_import.spool import SpoolDir

LOG = logging.getLogger("target_pardot_import")


class RejectRateExceededError(PardotError):
    """More rows were rejected than `max_reject_rate` allows; the rejects file says which."""


@dataclass
class RunStats:
    """The run's figures, logged at the end (the benchmark reads them)."""

    imports: int = 0
    rows: int = 0
    part_sizes: list[list[int]] = field(default_factory=list)
    calls: int = 0
    wait_seconds: float = 0.0
    submit_seconds: float = 0.0

    def add(self, *, rows: int, sizes: list[int], calls: int, wait: float, submit: float) -> None:
        """Count one import."""
        self.submit_seconds += submit
        self.imports += 1
        self.rows += rows
        self.part_sizes.append(sizes)
        self.calls += calls
        self.wait_seconds += wait


class ImportRun:
    """The run-wide pieces: settings, client, custom fields, rejects, figures, reject rate."""

    def __init__(
        self,
        settings: TargetSettings,
        connect: Callable[[], PardotClient],
        *,
        began: float | None = None,
    ) -> None:
        """`connect` makes the client when first needed: a run that gets no stream calls none."""
        self.settings = settings
        self._connect = connect
        self.stats = RunStats()
        self.rejects = RejectsWriter(settings.rejects_path, settings.rejects_format)
        self.spool = SpoolDir(settings.spool_dir)
        self.rows_seen = 0  # records (and unusable lines) read, the reject rate's denominator
        self.line = 0  # the input line being read, set by the reader
        self._began = time.monotonic() if began is None else began
        self.run_id = new_run_id()
        self.sends = SendFigures()
        self.in_review_total = 0  # sends in review in the ledger when the run closed it
        self.send_plan = SendPlan(settings.send_plan_path if settings.dry_run else None)

    def start(self) -> None:
        """Check the rejects file, the send ledger and plan, and make the spool directory,
        before any row is read."""
        self.rejects.check()
        if self.settings.email_sends:
            _ = self.ledger
            self.send_plan.check()
        self.spool.open()

    @cached_property
    def ledger(self) -> Ledger:
        """The send ledger, opened (read-only in a dry run: it is never changed then)."""
        path = self.settings.send_ledger_path
        assert path is not None  # TargetSettings requires it with email_sends
        return Ledger(path, read_only=self.settings.dry_run).open()

    @property
    def spool_path(self) -> Path:
        """This run's own directory of CSV parts."""
        return self.spool.open()

    @cached_property
    def client(self) -> PardotClient:
        """The one client of this run."""
        return self._connect()

    @property
    def timezone(self) -> str:
        """The API user's timezone (the client's settings check it is a real IANA name)."""
        return self.client.settings.timezone

    @cached_property
    def custom_fields(self) -> dict[str, FieldType]:
        """The account's custom prospect fields (their API names), queried once per run."""
        return custom_prospect_fields(self.client)

    def reject_line(self, *, stream: str | None, line: int, reason: str, record: Any) -> None:
        """An input line the target cannot use (not JSON, not UTF-8, not a message)."""
        self.rows_seen += 1
        self.rejects.write(
            stream=stream, line=line, row=None, stage="target", import_id=None, reason=reason,
            record=record,
        )  # fmt: skip

    def after_batch(self) -> None:
        """Make the rejects durable, then fail the run if they exceed `max_reject_rate`."""
        self.rejects.flush()
        self.check_reject_rate()

    def check_reject_rate(self) -> None:
        """Fail once the run read `reject_rate_min_rows` rows and rejected too many of them."""
        settings = self.settings
        seen, rejected = self.rows_seen, self.rejects.count
        if (
            seen
            and seen >= settings.reject_rate_min_rows
            and rejected / seen > settings.max_reject_rate
        ):
            self.rejects.flush()
            raise RejectRateExceededError(
                f"{rejected} of {seen} rows were rejected, more than max_reject_rate "
                f"{settings.max_reject_rate:g} allows: the setup looks broken (api_version, "
                f"stream_maps, the match column?). No STATE was emitted; see "
                f"{self.rejects.summary()}, fix the cause and run again (or raise "
                "max_reject_rate if these rows are expected to fail)."
            )

    def close(self) -> None:
        """Close the rejects file and remove the spool directory (also when the run failed)."""
        try:
            self.rejects.close()
            self.send_plan.close()
            if "ledger" in self.__dict__:
                self.in_review_total = len(self.ledger.in_review())
                self.ledger.close()
        finally:
            self.spool.remove()

    def log_summary(self) -> None:
        """Log the run's figures as one `Run summary: {json}` line (counts only, never values).

        bench/target_import.py reads this line; its keys are kept stable.
        """
        stats = self.stats
        summary = {
            "rows_read": self.rows_seen,
            "rows_sent": stats.rows,
            "rejected": self.rejects.count,
            "imports": stats.imports,
            "part_sizes": stats.part_sizes,
            "import_calls": stats.calls,
            "api_calls": self.client.calls.total if "client" in self.__dict__ else 0,
            "wait_seconds": round(stats.wait_seconds, 3),
            "submit_seconds": round(stats.submit_seconds, 3),
            "seconds": round(time.monotonic() - self._began, 3),
            "dry_run": self.settings.dry_run,
        }
        if self.settings.email_sends:
            summary["sends"] = self.sends.as_dict()
        LOG.info("Run summary: %s", json.dumps(summary))
        if self.settings.email_sends:
            self.sends.log(
                bound=list(self.settings.email_sends),
                ledger_path=str(self.settings.send_ledger_path),
                in_review_total=self.in_review_total,
                cap=self.settings.max_sends_per_run, dry_run=self.settings.dry_run,
            )  # fmt: skip
        if self.rejects.count:
            LOG.warning("%s", self.rejects.summary())
        if self.settings.dry_run:
            LOG.info(
                "dry_run: no STATE emitted, so the next run sends these rows again and imports "
                "them (unless it is a dry run too)"
            )
