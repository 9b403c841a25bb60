"""Reading date arguments the way Pardot's v3/v4 API does.

Pardot takes GNU date syntax or the keywords today, yesterday, last_7_days, this_month and
last_month. The simulator accepts the forms clients really send (`YYYY-MM-DD HH:MM:SS`,
`YYYY-MM-DDTHH:MM:SS`, a date, any of them with an ISO offset) and the keywords. A time without
an offset is read in the API user's timezone, a repeated wall time by the `ambiguous_input`
switch, and whether an offset is accepted at all by `input_offsets`, since none is confirmed.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from pardot_client.dates import get_zone, wall_time_candidates
from pardot_sim.switches import Switches

_FORM = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
KEYWORDS = ("today", "yesterday", "last_7_days", "this_month", "last_month")


def parse_date_argument(
    value: str, tz: str, now: float, switches: Switches, *, v5: bool = False
) -> float:
    """Epoch seconds for a date argument; ValueError where Pardot answers 'Invalid timestamp'.

    `input_offsets` concerns v3/v4 only: v5 takes ISO 8601 with an offset by definition.
    """
    text = value.strip()
    if text in KEYWORDS:
        return _keyword(text, tz, now)
    if not _FORM.match(text):
        raise ValueError(f"invalid timestamp {value!r}")
    if switches.input_offsets == "rejected" and not v5 and _OFFSET.search(text):
        raise ValueError(f"invalid timestamp {value!r}: offsets are not accepted")
    if len(text) >= 16 and text.count(":") == 1 and not _OFFSET.search(text):
        text += ":00"
    zone = "UTC" if switches.naive_input_timezone == "utc" else tz
    try:
        candidates = wall_time_candidates(text, zone)
    except ValueError as exc:
        raise ValueError(f"invalid timestamp {value!r}") from exc
    chosen = candidates[-1] if switches.ambiguous_input == "later" else candidates[0]
    return chosen.timestamp()


def _keyword(word: str, tz: str, now: float) -> float:
    local = datetime.fromtimestamp(now, get_zone(tz))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if word == "today":
        start = midnight
    elif word == "yesterday":
        start = midnight - timedelta(days=1)
    elif word == "last_7_days":
        start = midnight - timedelta(days=7)
    elif word == "this_month":
        start = midnight.replace(day=1)
    else:
        start = (midnight.replace(day=1) - timedelta(days=1)).replace(day=1)
    # Re-localise: the wall-clock midnight may have a different offset than `now`.
    naive = start.replace(tzinfo=None).isoformat(sep=" ")
    return wall_time_candidates(naive, tz)[0].timestamp()


def strictly_beyond(value: Any, limit: float, *, after: bool) -> bool:
    """Pardot's bounds are strict: `> *_after` and `< *_before`; a null never matches."""
    if value is None:
        return False
    return bool(value > limit) if after else bool(value < limit)
