"""One email send: the call, and what its answer (or its failure) means for the ledger.

The call is an at-most-once POST (docs/pardot-api/emails.md#sending-at-most-once): the client
retries only failures Pardot made before acting on it. What comes back decides the key's state:

* an answer with the email: `sent`, with Pardot's email id;
* an answer with an error code: `not_sent`, the row rejected with Pardot's code and message
  (a later run sends it again if the row comes again, fixed or not);
* no usable answer after the request went out (a timeout, a reset, a 5xx, 183): `unknown`,
  the row rejected and the key listed for review, never sent again automatically;
* a failure that stops the run (the daily limit, the call budget, credentials, Pardot
  unreachable after the retries): the call was never accepted; the error propagates, the
  caller records `not_sent` and the run ends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pardot_client import PardotApiError, PardotClient, PardotError, PardotOutcomeUnknownError
from pardot_client.emails import read_node
from target_pardot_import.ledger import NOT_SENT, SENT, UNKNOWN
from target_pardot_import.send_checks import SEND_PATH, SendRequest

LOG = logging.getLogger("target_pardot_import")


@dataclass(frozen=True)
class SendOutcome:
    """A send's state for the ledger, Pardot's email id, and the reason when not sent."""

    state: str
    email_id: int | None = None
    reason: str | None = None


def send_email(client: PardotClient, request: SendRequest) -> SendOutcome:
    """Make one send; a `PardotError` other than a refusal or an unknown outcome propagates
    (the call was not accepted: the caller records `not_sent` and stops the run)."""
    try:
        response = client.request(
            "POST", SEND_PATH, params={"format": "json"}, data=list(request.fields),
            idempotent=False, at_most_once=True,
        )  # fmt: skip
    except PardotOutcomeUnknownError as exc:
        return SendOutcome(
            UNKNOWN,
            reason=f"send_outcome_unknown: {exc}. Listed for review, never sent again "
            "automatically",
        )
    except PardotApiError as exc:
        return SendOutcome(NOT_SENT, reason=f"pardot_refused: {exc}")
    try:
        email = read_node(response.json(), "email")
        return SendOutcome(SENT, email_id=int(email["id"]))
    except (ValueError, KeyError, TypeError, PardotError):
        LOG.warning("Pardot accepted a send but its answer holds no email id; recorded as sent")
        return SendOutcome(SENT, reason="accepted; the answer held no email id")
