"""The timezone guard: check the `timezone` setting against what Pardot itself reports.

Export CSVs carry wall times with no offset, in the API user's timezone. If `timezone` names
another zone, every emitted datetime is off by hours and nothing else would notice. Each export
Pardot creates carries its `createdAt` in that same timezone, and the response's `Date` header
(the server's clock, UTC) says when that was; their difference is the user's UTC offset at that
instant. A setting whose offset differs fails the run before a single row is emitted.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from pardot_client import PardotConfigError
from pardot_client.dates import get_zone
from pardot_client.server_clock import parse_http_date

_WALL = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}")
_QUARTER_HOUR = 15 * 60
MAX_CREATE_LAG = timedelta(minutes=14)  # createdAt may precede the Date header this much
CLOCK_SLACK = timedelta(seconds=90)  # whole seconds on both sides, and a little drift
_SUGGESTIONS = 4


class TimezoneMismatchError(PardotConfigError):
    """The `timezone` setting disagrees with the offset Pardot's own timestamps show."""


def server_time(date_header: str | None) -> datetime:
    """The server's clock from an HTTP `Date` header; this machine's clock without one."""
    return parse_http_date(date_header) or datetime.now(timezone.utc)


def observed_offset(created_at: str, server_now: datetime) -> timedelta | None:
    """The user's UTC offset shown by an export's `createdAt`, to the nearest quarter hour.

    v5 `createdAt` carries its offset; a v3/v4 one is a bare wall time, compared with the server's
    clock at creation. None when `createdAt` is missing or unreadable (nothing to check).
    """
    text = created_at.strip()
    if not _WALL.match(text):
        return None
    stamp = datetime.fromisoformat(text.replace(" ", "T", 1).replace("Z", "+00:00"))
    if stamp.tzinfo is not None:
        offset = stamp.utcoffset()
        return None if offset is None else _round(offset)
    wall_as_utc = stamp.replace(tzinfo=timezone.utc)
    return _round(wall_as_utc - server_now)


def check_timezone(setting: str, created_at: str | None, server_now: datetime) -> None:
    """Raise `TimezoneMismatchError` when `setting` is not at the offset Pardot reports.

    `createdAt` was stamped a little before the `Date` header (a large export's create can take
    seconds), so a v3/v4 wall time read in `setting` must fall at most `MAX_CREATE_LAG` before
    the server's clock, and never after it; two real zones are at least 15 minutes apart.
    """
    if not created_at:
        return
    observed = observed_offset(created_at, server_now)
    if observed is None:
        return
    expected = get_zone(setting).utcoffset(server_now) or timedelta(0)
    if _consistent(created_at, server_now, expected):
        return
    expected = _round(expected)
    candidates = zones_at(observed, server_now)
    suggestion = f" Zones at that offset now include {', '.join(candidates)}." if candidates else ""
    raise TimezoneMismatchError(
        f"The timezone setting is {setting} (UTC{_format(expected)} at "
        f"{server_now:%Y-%m-%d %H:%M} UTC), but Pardot stamped a new export createdAt "
        f"{created_at!r}, which is UTC{_format(observed)}: the Pardot API user's timezone is "
        f"at UTC{_format(observed)}, and Pardot is right. Set timezone to the IANA name of "
        f"the API user's timezone (Pardot: the user's account settings).{suggestion} No rows "
        "were emitted with the wrong offset; run again after fixing the setting."
    )


def _consistent(created_at: str, server_now: datetime, expected: timedelta) -> bool:
    stamp = datetime.fromisoformat(created_at.strip().replace(" ", "T", 1).replace("Z", "+00:00"))
    if stamp.tzinfo is not None:  # v5: the offset is written out
        return _round(stamp.utcoffset() or timedelta(0)) == _round(expected)
    created = stamp.replace(tzinfo=timezone.utc) - expected
    lag = server_now - created
    return -CLOCK_SLACK <= lag <= MAX_CREATE_LAG


def zones_at(offset: timedelta, moment: datetime) -> list[str]:
    """A few well-known IANA zones whose UTC offset at `moment` is `offset`."""
    matches = [
        name
        for name in _well_known_zones()
        if _round(ZoneInfo(name).utcoffset(moment) or timedelta(0)) == offset
    ]
    return matches[:_SUGGESTIONS]


# Zones Pardot users most often pick, suggested first; then every Region/City zone.
_COMMON = (
    "UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Toronto",
    "America/Mexico_City", "America/Sao_Paulo", "Europe/London", "Europe/Paris",
    "Europe/Berlin", "Europe/Madrid", "Europe/Helsinki", "Asia/Dubai", "Asia/Kolkata",
    "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland",
)  # fmt: skip


@cache
def _well_known_zones() -> tuple[str, ...]:
    """Common zones first, then the other Region/City zones, in a stable order."""
    regions = ("America/", "Europe/", "Asia/", "Australia/", "Africa/", "Pacific/")
    others = sorted(
        n for n in available_timezones()
        if n.startswith(regions) and n.count("/") == 1 and n not in _COMMON
    )  # fmt: skip
    return (*_COMMON, *others)


def _round(offset: timedelta) -> timedelta:
    seconds = offset.total_seconds()
    return timedelta(seconds=round(seconds / _QUARTER_HOUR) * _QUARTER_HOUR)


def _format(offset: timedelta) -> str:
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"
