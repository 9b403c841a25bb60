"""Where the generated data plants the instants that break connectors.

DST changes in the account's timezone (instants in and around each repeated or skipped hour),
the boundaries windows and pages tend to be cut at (midnights, month starts), and one second
shared by more rows than a query page holds (the tie second). The generator stamps rows there;
the returned facts name them for the tests.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final
from zoneinfo import ZoneInfo

DAY: Final = 86_400
REQUIRED_TIES: Final = {"visitorActivity": 450, "prospect": 250, "listMembership": 250,
                        "visitor": 250}  # fmt: skip
OPTIONAL_TIES: Final = {"prospectAccount": 250, "externalActivity": 250}  # others: 210


def _offset(zone: ZoneInfo, epoch: int) -> int:
    delta = datetime.fromtimestamp(epoch, zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def dst_cases(zone: ZoneInfo, lo: int, hi: int) -> dict[str, Any]:
    """Offset changes inside [lo, hi] and instants in/around each repeated or skipped hour."""
    transitions: list[dict[str, int]] = []
    repeated: list[int] = []
    skipped: list[int] = []
    t = lo
    while t < hi:
        step = min(t + DAY, hi)
        if _offset(zone, t) != _offset(zone, step):  # tzdata never changes twice in a day
            a, b = t, step
            while b - a > 1:  # b ends as the first second on the new offset
                mid = (a + b) // 2
                a, b = (mid, b) if _offset(zone, mid) == _offset(zone, a) else (a, mid)
            before, after = _offset(zone, a), _offset(zone, b)
            transitions.append({"utc": b, "offset_before": before, "offset_after": after})
            if before > after:  # fall back: wall times of [b - d, b) repeat in [b, b + d)
                d = before - after
                repeated += [b - d, b - d // 2, b - 1, b, b + d // 2, b + d - 1]
            else:  # spring forward: the wall times just before b are skipped
                skipped += [b - 1800, b - 1, b, b + 1800]
        t = step
    return {
        "timezone": zone.key,
        "transitions": transitions,
        "repeated_hour_utc": [x for x in repeated if lo <= x <= hi],
        "skipped_hour_utc": [x for x in skipped if lo <= x <= hi],
    }


def boundaries(zone: ZoneInfo, anchor: float, lo: int, hi: int) -> dict[str, list[int]]:
    """Instants where windows and pages tend to be cut: local and UTC midnights, month starts."""
    local = datetime.fromtimestamp(anchor, zone).date()
    utc = datetime.fromtimestamp(anchor, timezone.utc).date()

    def midnight(day: date, tz: ZoneInfo | timezone = zone) -> int:
        return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())

    today = (midnight(local), midnight(utc, timezone.utc))
    out: dict[str, list[int]] = {
        "anchor_day": [m + s for m in today for s in (-1, 0, 1)],
        "local_midnight": [midnight(local - timedelta(days=k)) for k in (1, 2, 3, 7, 14, 30)],
        "utc_midnight": [midnight(utc - timedelta(days=k), timezone.utc) for k in (1, 2, 7, 30)],
        "month_start": [],
    }
    month = local.replace(day=1)
    while midnight(month) >= lo:
        out["month_start"].append(midnight(month))
        month = (month - timedelta(days=1)).replace(day=1)
    return {k: sorted({x for x in v if lo <= x <= hi}) for k, v in out.items()}


def tie_count(obj: str, n: int) -> int:
    """Rows sharing the tie second: more than one 200-row page wherever the scale allows."""
    if obj in REQUIRED_TIES:
        return min(REQUIRED_TIES[obj], n * 2 // 3)
    target = OPTIONAL_TIES.get(obj, 210)
    return target if n >= 2 * target else 0


def tie_second(seed: int, lo: int, hi: int, avoid: set[int]) -> int:
    """A second some days back (recent enough for incremental tests), off every boundary."""
    tie = hi - int((hi - lo) * (0.03 + 0.1 * random.Random(f"{seed}/tie").random()))
    while avoid & {tie - 1, tie, tie + 1}:
        tie -= 7
    return tie
