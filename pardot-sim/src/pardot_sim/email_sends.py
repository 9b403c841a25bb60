"""The email sends an account accepted: who each reached, and counters a test can check.

Every accepted send (docs/pardot-api/emails.md) is kept with the email record it created, its
recipients and its schedule; each recipient's counter and each targeted list's counter move
at acceptance, so a test sees how many times Pardot was asked to mail a prospect or a list
(twice is the failure the target must never cause). Statistics of a sent email move when its
`scheduled_time` is reached on the simulated clock (at once without one).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from pardot_sim.accounts import Account
from pardot_sim.store import Table

BOOK_KEY = "email_sends"  # its place in `Account.jobs`


@dataclass(frozen=True)
class Send:
    """One accepted send: the email record it made and whom it goes to."""

    email_id: int
    kind: str  # "one_to_one" or "list"
    campaign_id: int
    template_id: int | None
    recipients: tuple[int, ...]
    list_ids: tuple[int, ...]
    suppression_list_ids: tuple[int, ...]
    tags: tuple[str, ...]
    operational: bool
    accepted_at: float
    scheduled_at: float | None

    def delivered(self, now: float) -> bool:
        """Whether its time has come (a send without a schedule goes at once)."""
        return self.scheduled_at is None or self.scheduled_at <= now


@dataclass
class SendBook:
    """One account's accepted sends and counters; `operational_email` is the account feature."""

    sends: dict[int, Send] = field(default_factory=dict)  # by email id
    by_prospect: Counter[int] = field(default_factory=Counter)
    by_list: Counter[int] = field(default_factory=Counter)
    refused: Counter[int] = field(default_factory=Counter)  # by error code
    operational_email: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, send: Send) -> None:
        """Keep an accepted send and count it for each recipient and list."""
        with self.lock:
            self.sends[send.email_id] = send
            self.by_prospect.update(send.recipients)
            self.by_list.update(send.list_ids)

    def refuse(self, code: int) -> None:
        """Count a refused send by its error code."""
        with self.lock:
            self.refused[code] += 1

    def counts(self, email_id: int, now: float) -> dict[str, int] | None:
        """The statistics counts of an email this book sent, or None for any other email."""
        send = self.sends.get(email_id)
        if send is None:
            return None
        sent = len(send.recipients) if send.delivered(now) else 0
        counts = dict.fromkeys(
            ("total_clicks", "unique_clicks", "soft_bounced", "hard_bounced", "opt_outs",
             "spam_complaints", "opens", "unique_opens"), 0,
        )  # fmt: skip
        return {"sent": sent, "delivered": sent, **counts}

    def as_dict(self, now: float) -> dict[str, Any]:
        """Everything, for the admin API (counters keyed by id as text, as JSON wants)."""
        with self.lock:
            sends = [
                {**asdict(s), "delivered": s.delivered(now)} for _, s in sorted(self.sends.items())
            ]
            return {
                "sends": sends,
                "by_prospect": {str(k): v for k, v in sorted(self.by_prospect.items())},
                "by_list": {str(k): v for k, v in sorted(self.by_list.items())},
                "refused": {str(k): v for k, v in sorted(self.refused.items())},
                "operational_email": self.operational_email,
            }


def send_book(account: Account) -> SendBook:
    """The account's send book, made on first use."""
    with account.lock:
        book = account.jobs.get(BOOK_KEY)
        if book is None:
            book = account.jobs[BOOK_KEY] = SendBook()
    assert isinstance(book, SendBook)
    return book


def live(table: Table, row_id: int) -> tuple[Any, ...] | None:
    """A row that exists and is not in the recycle bin."""
    return None if row_id in table.deleted else table.rows.get(row_id)


def mailable(prospects: Table, row: tuple[Any, ...], *, operational: bool) -> bool:
    """Whether a prospect may get a marketing email: not opted out, not do-not-email.

    An operational email goes whatever the opt-out status (docs/pardot-api/emails.md).
    """
    if operational:
        return True
    pos = prospects.position
    return not row[pos["opted_out"]] and not row[pos["is_do_not_email"]]


def list_recipients(
    account: Account, list_ids: Iterable[int], suppressed: Iterable[int], *, operational: bool
) -> tuple[int, ...]:
    """Live, mailable members of the lists (opted-out memberships left out), less every
    member of a suppression list, each prospect once."""
    store = account.store
    members, prospects = store.table("listMembership"), store.table("prospect")
    pos = members.position
    wanted, blocked = set(list_ids), set(suppressed)
    chosen: set[int] = set()
    excluded: set[int] = set()
    for row_id, row in members.rows.items():
        list_id, prospect_id = row[pos["list_id"]], row[pos["prospect_id"]]
        if list_id in blocked and row_id not in members.deleted:
            excluded.add(prospect_id)
        if list_id not in wanted or row_id in members.deleted or row[pos["opted_out"]]:
            continue
        prospect = live(prospects, prospect_id)
        if prospect is not None and mailable(prospects, prospect, operational=operational):
            chosen.add(prospect_id)
    return tuple(sorted(chosen - excluded))
