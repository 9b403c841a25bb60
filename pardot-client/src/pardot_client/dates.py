"""Pardot dates: wall times in the API user's timezone <-> aware UTC.

Pardot v3/v4 writes and reads dates as ``YYYY-MM-DD HH:MM:SS`` with no offset, in the API user's
IANA timezone (export CSVs: the creator's timezone at creation time). v5 sends ISO 8601 with an
offset (``2024-01-01T05:00:00-05:00``). Everything this project stores or emits (records,
bookmarks) is UTC ISO 8601 of one fixed width, so that strings sort like the instants they name.

Around a DST change one wall-clock hour repeats (fall back) and one is skipped (spring forward),
so reading a wall time needs a stated rule. THE RULE:

* A repeated (ambiguous) wall time is read as its FIRST occurrence: the earlier UTC instant, i.e.
  still on daylight time (Python's ``fold=0``).
* A skipped (nonexistent) wall time is read with the offset in force just BEFORE the change,
  which moves it forward by the gap: 02:30 on the US spring-forward day in America/New_York is
  07:30 UTC, i.e. 03:30 EDT. Pardot never writes such times for real instants; they only come
  from user input.
* Formatting a UTC instant into a timezone is exact (each instant has one wall time).

Both reading halves say "use the offset in force before the change", which is what zoneinfo does
for ``fold=0`` (PEP 495). The plain functions are therefore the reference; `LocalTimeParser` and
`LocalTimeFormatter` are fast paths for millions of CSV cells and must agree with them exactly.

How the fast paths stay exact: they cache, per hour (a local ``YYYY-MM-DD HH`` prefix for the
parser, a UTC hour for the formatter), the output's hour prefix and the second within that output
hour where the input hour starts, then finish each value with a table lookup and one addition,
which is exact for any offset (+05:45, +10:30, even LMT offsets with seconds). An hour is cached
only if the rule's offset is the same at its first and last second; tzdata never changes offset
twice within a week (the shortest gap between two offset changes in tzdata 2026.6 is 7 days), so
that means it is the same at every second of the hour. Other hours (Lord Howe's 30-minute shifts,
St. John's 00:01 transitions) and anything that is not a plain 19-character wall time go to the
reference function.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Final, TypeAlias
from zoneinfo import ZoneInfo

__all__ = [
    "PARDOT_FORMAT", "UTC", "LocalTimeFormatter", "LocalTimeParser", "TzLike", "format_duration",
    "format_iso_offset", "format_pardot_datetime", "get_zone", "is_ambiguous", "is_skipped",
    "next_local_midnight", "parse_pardot_datetime", "parse_utc", "to_utc_iso", "utc_now",
    "wall_time_candidates",
]  # fmt: skip

PARDOT_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
UTC: Final = timezone.utc

TzLike: TypeAlias = str | ZoneInfo

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_PARDOT_EXPECTED: Final = (
    "'YYYY-MM-DD HH:MM:SS', 'YYYY-MM-DDTHH:MM:SS' or 'YYYY-MM-DD' "
    "(optionally with an offset such as '-05:00' or 'Z')"
)
_UTC_EXPECTED: Final = (
    "ISO 8601 such as '2024-01-01T00:00:00Z', '2024-01-01T00:00:00+00:00' or '2024-01-01' "
    "(no offset means UTC)"
)

# re.ASCII: `\d` must not accept other scripts' digits, which int() would happily read.
_ISO_RE: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?"
    r"(?:([Zz])|([+-])(\d{2})(?::?(\d{2})(?::?(\d{2}))?)?)?)?",
    re.ASCII,
)
_HOUR_PREFIX_RE: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2})", re.ASCII)

# Lookup tables for the fast paths: seconds into an hour <-> "MM:SS".
_MMSS: Final = tuple(f"{s // 60:02d}:{s % 60:02d}" for s in range(3600))
_MMSS_UTC: Final = tuple(f"{mmss}+00:00" for mmss in _MMSS)
_SECOND_OF_HOUR: Final = {f":{mmss}": s for s, mmss in enumerate(_MMSS)}

# A cached hour: (prefix of the output's hour, prefix of the hour after it, seconds to add).
_HourEntry: TypeAlias = tuple[str, str, int]
_SLOW: Final[_HourEntry] = ("", "", -1)  # this hour goes to the reference function
_MAX_CACHED_HOURS: Final = 100_000  # ~11 years of hours; bounds memory on hostile input


@cache
def get_zone(name: str) -> ZoneInfo:
    """The IANA zone `name`, cached, with an error that tells the user what to write instead."""
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError) as exc:  # KeyError: not found; OSError: a directory
        msg = f"Unknown timezone {name!r}: use an IANA name such as America/New_York"
        raise ValueError(msg) from exc


def _zone(tz: TzLike) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else get_zone(tz)


def _parse(value: str, expected: str) -> tuple[datetime, bool]:
    """Read an ISO-like string; the result carries its offset, or UTC and False if it had none.

    Fields are validated by `datetime` itself; fractions of a second beyond microseconds are
    truncated, never rounded, so a value never moves into the next second.
    """
    match = _ISO_RE.fullmatch(value.strip())
    if match is None:
        msg = f"Invalid date {value!r}: expected {expected}"
        raise ValueError(msg)
    year, month, day, hour, minute, second, fraction, zulu, sign, oh, om, os_ = match.groups()
    try:
        if zulu is not None or sign is None:
            tzinfo = UTC
        else:
            off_minutes, off_seconds = int(om or 0), int(os_ or 0)
            if off_minutes > 59 or off_seconds > 59:
                msg = "offset minutes and seconds must be in 0..59"
                raise ValueError(msg)
            offset = timedelta(hours=int(oh), minutes=off_minutes, seconds=off_seconds)
            tzinfo = timezone(-offset if sign == "-" else offset)
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=tzinfo,
        )
    except ValueError as exc:
        msg = f"Invalid date {value!r}: {exc}; expected {expected}"
        raise ValueError(msg) from None
    return moment, zulu is not None or sign is not None


def _to_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        msg = f"{moment.isoformat()} is outside the range of dates Python can represent in UTC"
        raise ValueError(msg) from None


def _read(value: str, tz: TzLike) -> tuple[datetime, datetime]:
    """UTC of `value` read with fold=0 and with fold=1 (the same instant twice if it has an offset).

    fold=0 before fold=1 means an ambiguous time, fold=0 after fold=1 a skipped one (PEP 495).
    """
    zone = _zone(tz)  # resolved even when an offset wins, so a bad setting never goes unnoticed
    moment, has_offset = _parse(value, _PARDOT_EXPECTED)
    if has_offset:
        instant = _to_utc(moment)
        return instant, instant
    wall = moment.replace(tzinfo=zone)
    return _to_utc(wall), _to_utc(wall.replace(fold=1))


def parse_pardot_datetime(value: str, tz: TzLike) -> datetime:
    """A Pardot wall time in `tz` (or an ISO 8601 string with an offset, which wins) as aware UTC.

    Ambiguous and skipped wall times follow the module's rule (the offset before the change).
    """
    return _read(value, tz)[0]


def wall_time_candidates(value: str, tz: TzLike) -> tuple[datetime, ...]:
    """Every UTC instant `value` can denote in `tz`: two if repeated (earlier first), else one.

    A skipped time has no real instant; its one candidate is the rule's. Callers use this to widen
    a window rather than silently pick one side of a fall-back hour.
    """
    first, second = _read(value, tz)
    return (first, second) if first < second else (first,)


def is_ambiguous(value: str, tz: TzLike) -> bool:
    """Whether `value` is a wall time that occurs twice in `tz` (the fall-back hour)."""
    first, second = _read(value, tz)
    return first < second


def is_skipped(value: str, tz: TzLike) -> bool:
    """Whether `value` is a wall time that never occurs in `tz` (the spring-forward gap)."""
    first, second = _read(value, tz)
    return first > second


def _localize(instant: datetime, tz: ZoneInfo | timezone) -> datetime:
    if instant.utcoffset() is None:
        msg = (
            f"Naive datetime {instant.isoformat()} refused: its timezone is unknown, so give it "
            "one (e.g. tzinfo=UTC) instead of letting the client guess"
        )
        raise ValueError(msg)
    try:
        return instant.astimezone(tz)
    except OverflowError:
        msg = f"{instant.isoformat()} cannot be expressed in {tz}: outside the datetime range"
        raise ValueError(msg) from None


def _wall(moment: datetime, sep: str) -> str:
    # Explicit widths: strftime("%Y") does not zero-pad years before 1000 on every platform.
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}{sep}"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )


def _hour_prefix(moment: datetime, sep: str) -> str:
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}{sep}{moment.hour:02d}:"


def format_pardot_datetime(instant: datetime, tz: TzLike) -> str:
    """An aware datetime (any offset) as the `YYYY-MM-DD HH:MM:SS` wall time Pardot expects in `tz`.

    Naive input is refused: we never guess which timezone it meant. Microseconds are dropped.
    """
    return _wall(_localize(instant, _zone(tz)), " ")


def format_iso_offset(instant: datetime, tz: TzLike) -> str:
    """An aware datetime as v5-style ISO 8601 in `tz`, e.g. ``2024-01-01T00:00:00-05:00``."""
    local = _localize(instant, _zone(tz))
    offset = local.utcoffset()
    assert offset is not None  # _localize returns a datetime in a real zone
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    tail = f":{secs:02d}" if secs else ""  # only historical LMT offsets have seconds
    return f"{_wall(local, 'T')}{sign}{hours:02d}:{minutes:02d}{tail}"


def to_utc_iso(instant: datetime) -> str:
    """An aware datetime as ``YYYY-MM-DDTHH:MM:SS+00:00``, always this width (bookmarks, records).

    Fixed width keeps string order equal to time order; microseconds are dropped (truncated).
    """
    return _wall(_localize(instant, UTC), "T") + "+00:00"


def parse_utc(value: str) -> datetime:
    """An ISO 8601 string as aware UTC: its offset or Z if it has one, else it is taken as UTC.

    For bookmarks and config dates, which this project always writes in UTC; a bare date is
    midnight UTC.
    """
    return _to_utc(_parse(value, _UTC_EXPECTED)[0])


def utc_now() -> datetime:
    """The current instant, aware UTC."""
    return datetime.now(UTC)


def _local_hour_entry(prefix: str, zone: ZoneInfo) -> _HourEntry:
    """Cache entry for the local hour `prefix` ("YYYY-MM-DD HH"), or _SLOW if not uniform."""
    match = _HOUR_PREFIX_RE.fullmatch(prefix)
    if match is None:
        return _SLOW
    year, month, day, hour = (int(group) for group in match.groups())
    try:
        start = datetime(year, month, day, hour, tzinfo=zone)  # fold=0: the rule's offset
        offset = start.utcoffset()
        if offset is None or offset != start.replace(minute=59, second=59).utcoffset():
            return _SLOW
        base = start.astimezone(UTC)
        floor = base.replace(minute=0, second=0)
        after = floor + timedelta(hours=1)
    except (ValueError, OverflowError):  # invalid date, or the edges of the datetime range
        return _SLOW
    return _hour_prefix(floor, "T"), _hour_prefix(after, "T"), base.minute * 60 + base.second


def _utc_hour_entry(hour: int, zone: ZoneInfo) -> _HourEntry:
    """Cache entry for UTC hour `hour` (hours since the epoch), or _SLOW if not uniform."""
    try:
        start = _EPOCH + timedelta(hours=hour)
        local = start.astimezone(zone)
        offset = local.utcoffset()
        last = (start + timedelta(seconds=3599)).astimezone(zone)
        if offset is None or offset != last.utcoffset():
            return _SLOW
        # Wall-clock arithmetic on the local fields: a fixed-offset datetime adds like a clock.
        floor = local.replace(minute=0, second=0, tzinfo=UTC)
        after = floor + timedelta(hours=1)
    except OverflowError:
        return _SLOW
    return _hour_prefix(floor, " "), _hour_prefix(after, " "), local.minute * 60 + local.second


class LocalTimeParser:
    """Pardot wall-time strings in one timezone -> `to_utc_iso` strings, fast enough for big CSVs.

    Same result as ``to_utc_iso(parse_pardot_datetime(value, tz))`` for every input (the module
    docstring says why the per-hour cache is exact); an empty cell is None. Raises ValueError
    on a bad value, like the reference.
    """

    __slots__ = ("_hours", "fast", "zone")

    def __init__(self, tz: TzLike) -> None:
        self.zone = _zone(tz)
        self._hours: dict[str, _HourEntry] = {}
        self.fast = self._fast_function()

    def __call__(self, value: str) -> str | None:
        return self.fast(value)

    def _fast_function(self) -> Callable[[str], str | None]:
        """The parser as a plain function of local names: half the cost of `__call__`'s call.
        It holds no reference to `self`, so no cycle keeps a parser (and its cache) alive."""
        hours, zone, seconds, tails = self._hours, self.zone, _SECOND_OF_HOUR, _MMSS_UTC

        def parse(value: str) -> str | None:
            entry = hours.get(value[:13])
            if entry is None:
                if not value:
                    return None
                entry = _cached_hour(hours, value[:13], zone)
            if entry[2] >= 0 and len(value) == 19:
                second = seconds.get(value[13:])  # validates ":MM:SS" too
                if second is not None:
                    second += entry[2]
                    if second < 3600:
                        return entry[0] + tails[second]
                    return entry[1] + tails[second - 3600]
            return to_utc_iso(parse_pardot_datetime(value, zone))

        return parse


def _cached_hour(hours: dict[str, _HourEntry], prefix: str, zone: ZoneInfo) -> _HourEntry:
    if len(hours) >= _MAX_CACHED_HOURS:
        hours.clear()
    entry = hours[prefix] = _local_hour_entry(prefix, zone)
    return entry


class LocalTimeFormatter:
    """Epoch seconds -> Pardot wall-time strings in one timezone, fast enough for big exports.

    Same result as ``format_pardot_datetime(<epoch as UTC>, tz)`` for every int (the module
    docstring says why the per-UTC-hour cache is exact).
    """

    __slots__ = ("_hours", "zone")

    def __init__(self, tz: TzLike) -> None:
        self.zone = _zone(tz)
        self._hours: dict[int, _HourEntry] = {}

    def __call__(self, epoch_seconds: int) -> str:
        hour, second = divmod(epoch_seconds, 3600)
        entry = self._hours.get(hour)
        if entry is None:
            entry = self._load(hour)
        if entry[2] >= 0:
            second += entry[2]
            if second < 3600:
                return entry[0] + _MMSS[second]
            return entry[1] + _MMSS[second - 3600]
        try:
            instant = _EPOCH + timedelta(seconds=epoch_seconds)
        except OverflowError:
            msg = f"Epoch seconds {epoch_seconds} are outside the datetime range"
            raise ValueError(msg) from None
        return format_pardot_datetime(instant, self.zone)

    def _load(self, hour: int) -> _HourEntry:
        if len(self._hours) >= _MAX_CACHED_HOURS:
            self._hours.clear()
        entry = self._hours[hour] = _utc_hour_entry(hour, self.zone)
        return entry


def next_local_midnight(instant: datetime, tz: TzLike) -> datetime:
    """The next midnight of `tz` after `instant`, aware UTC: when Pardot's daily limit resets."""
    local = _localize(instant, _zone(tz))
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC)


def format_duration(seconds: float) -> str:
    """A wait for progress lines: `42.5s` under a minute, else `3m07s`."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s"
