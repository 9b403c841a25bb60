"""The email send sink: each record of a stream bound in `email_sends` is one Pardot email send.

A record is checked (`send_checks`), its key looked up in the run's ledger (`ledger`), then,
within the run's `max_sends_per_run`, claimed in the ledger on disk and sent (`send_job`), and
its outcome recorded; every row ends in one of the run's send figures (`send_report`). A key
sent before is skipped; a key whose outcome is unknown is never sent again automatically;
rejected rows go to the rejects file with their input line. Sends are made as records arrive,
so when the SDK drains the sink (and may then emit STATE) every row read so far is sent,
refused, rejected or skipped. Once the cap is reached no row is sent and the target emits no
more STATE, so the next run reads the held rows again.

A dry run checks every row and reads the ledger without writing it: it reports what it would
send (and writes the plan file when `send_plan_path` is set) and makes no call.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from singer_sdk import Target
from typing_extensions import override

from pardot_client import PardotError
from target_pardot_import.ledger import DONE, NOT_SENT, REVIEW, SENT, UNKNOWN, Entry
from target_pardot_import.run import ImportRun
from target_pardot_import.run_sink import RunSink
from target_pardot_import.send_checks import SendBuilder, SendRequest
from target_pardot_import.send_job import send_email
from target_pardot_import.send_params import SendRowError
from target_pardot_import.send_report import REVIEW_COMMAND

LOG = logging.getLogger("target_pardot_import")
IN_REVIEW = (
    "send_in_review: an earlier run started this send and never learnt whether Pardot "
    f"accepted it, so it is never sent again automatically; see `{REVIEW_COMMAND} review`, "
    "then confirm or retry it"
)


class EmailSendSink(RunSink):
    """Sends one Pardot email per record, at most once per key, and accounts for every row."""

    def __init__(
        self,
        target: Target,
        stream_name: str,
        schema: dict[str, Any],
        key_properties: Sequence[str] | None,
        *,
        run: ImportRun,
    ) -> None:
        super().__init__(target, stream_name, schema, key_properties, run=run)
        settings = run.settings
        self.binding = settings.email_sends[stream_name]
        self.builder = SendBuilder(
            self.binding, schema.get("properties", {}),
            allow_operational=settings.allow_operational_email,
        )  # fmt: skip
        self.ledger = run.ledger
        self.figures = run.sends
        if stream_name not in self.figures.streams:
            self.figures.streams.append(stream_name)
        self.rows_read = 0
        LOG.info(
            "%s: each record is one %s email send, keyed by %s; at most %d send calls this run "
            "(max_sends_per_run)%s", stream_name, self.binding.kind, self.binding.key,
            settings.max_sends_per_run, " (dry run: nothing is sent)" if settings.dry_run else "",
        )  # fmt: skip

    # -- SDK hooks (as the prospect sink: values are checked here, not by JSON Schema) ------------

    @override
    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Check, look up, send (or hold, skip, reject) one record."""
        self.rows_read += 1
        run = self.run
        run.rows_seen += 1
        line = run.line
        figures = self.figures
        try:
            request = self.builder.build(record)
        except SendRowError as exc:
            figures.rejected += 1
            self._reject(str(exc), record, line, stage="target")
            return
        if run.settings.dry_run:
            if request.key in figures.planned:
                figures.repeated += 1
                return
            figures.planned.add(request.key)
        entry = self.ledger.lookup(request.key)
        if entry is not None and self._settled(entry, request, record, line):
            return
        if not self._within_cap():
            figures.held += 1
            return
        figures.attempts += 1
        if run.settings.dry_run:
            figures.would_send += 1
            run.send_plan.write({
                "stream": self.stream_name, "line": line, "key": request.key,
                "kind": request.kind, "params": dict(request.params),
            })  # fmt: skip
            return
        self._send(request, record, line)

    @override
    def process_batch(self, context: dict[str, Any]) -> None:
        """Every row read is settled already: make the rejects durable, judge the reject rate."""
        self.run.after_batch()

    # -- helpers --------------------------------------------------------------------------------

    def _settled(self, entry: Entry, request: SendRequest, record: Any, line: int) -> bool:
        """Whether the ledger settles the row without a send: sent before, or in review."""
        if entry.state in DONE:
            self.figures.skipped_sent += 1
            self.figures.skipped_changed += entry.fingerprint != request.fingerprint
            return True
        if entry.state in REVIEW:
            self.figures.in_review += 1
            self._reject(IN_REVIEW, record, line, stage="target")
            return True
        return False

    def _within_cap(self) -> bool:
        figures, cap = self.figures, self.run.settings.max_sends_per_run
        if figures.cap_reached:
            return False
        if figures.attempts < cap:
            return True
        figures.cap_reached = True
        LOG.warning(
            "%s: max_sends_per_run (%d) reached; the rows that follow are not sent, and no STATE "
            "goes out from here on", self.stream_name, cap,
        )  # fmt: skip
        return False

    def _send(self, request: SendRequest, record: Any, line: int) -> None:
        run, figures = self.run, self.figures
        client = run.client  # made first: a client that cannot be made leaves no claimed key
        raced = self.ledger.claim(
            request.key, stream=self.stream_name, kind=request.kind,
            fingerprint=request.fingerprint, run_id=run.run_id, line=line,
        )  # fmt: skip
        if raced is not None:  # another run took the key since the lookup
            figures.attempts -= 1
            self._settled(raced, request, record, line)
            return
        try:
            outcome = send_email(client, request)
        except PardotError as exc:  # never accepted: not sent, and the run stops
            self.ledger.finish(request.key, NOT_SENT, run_id=run.run_id,
                               detail=f"not sent: {type(exc).__name__}")  # fmt: skip
            raise
        self.ledger.finish(
            request.key, outcome.state, run_id=run.run_id, email_id=outcome.email_id,
            detail=outcome.reason,
        )  # fmt: skip
        if outcome.state == SENT:
            figures.sent += 1
            return
        if outcome.state == UNKNOWN:
            figures.unknown += 1
        else:
            figures.refused += 1
        self._reject(outcome.reason or outcome.state, record, line, stage="pardot")
        run.check_reject_rate()  # a broken setup stops before it makes every call

    def _reject(self, reason: str, record: Any, line: int, *, stage: str) -> None:
        self.run.rejects.write(
            stream=self.stream_name, line=line, row=self.rows_read, stage=stage,
            import_id=None, reason=reason, record=record,
        )  # fmt: skip
