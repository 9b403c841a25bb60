"""A timezone's offset changes, and wall times read exactly inside a span that holds none.

A wall time in the repeated hour of a fall-back change names two instants, and the client's
stated rule reads it as the first (docs/pardot-api/dates.md). Inside a span of instants that no
offset change crosses, though, one reading lies in the span and the other does not: an export
window cut at every change reads each wall time of its filter field exactly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pardot_client.dates import LocalTimeParser, TzLike, get_zone, to_utc_iso, wall_time_candidates

_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)


def _offset(zone_name: TzLike, instant: datetime) -> timedelta:
    zone = get_zone(zone_name) if isinstance(zone_name, str) else zone_name
    return instant.astimezone(zone).utcoffset() or timedelta(0)


def offset_changes(tz: TzLike, start: datetime, end: datetime) -> list[datetime]:
    """Every instant in `(start, end)` at which `tz`'s UTC offset changes (the first second on
    the new offset), found day by day, then to the second (tzdata never changes twice a day)."""
    changes: list[datetime] = []
    day = start
    while day < end:
        step = min(day + _DAY, end)
        if _offset(tz, day) != _offset(tz, step):
            low, high = day, step  # high ends as the first second on the new offset
            while high - low > _SECOND:
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle <= low:
                    break
                if _offset(tz, middle) == _offset(tz, low):
                    low = middle
                else:
                    high = middle
            if start < high < end:
                changes.append(high)
        day = step
    return changes


def span_parser(
    tz: TzLike, start: datetime, end: datetime, fast: LocalTimeParser | None = None
) -> LocalTimeParser | SpanTimeParser:
    """The parser for wall times known to lie in `[start, end)`: the plain fast one (`fast`, so
    its per-hour cache is shared by every span of a run) unless a repeated hour lies near the
    span (the usual case costs nothing extra)."""
    parser = SpanTimeParser(tz, start, end, fast)
    return parser if parser.repeated_hours else parser.fast


class SpanTimeParser:
    """Wall times known to lie in `[start, end)`, to UTC ISO: the reading inside the span wins.

    For a span no offset change crosses, that reading is the true instant. Outside repeated
    hours it is the fast parser's answer; only values of a repeated hour near the span are
    read twice.
    """

    def __init__(
        self, tz: TzLike, start: datetime, end: datetime, fast: LocalTimeParser | None = None
    ) -> None:
        self.fast = fast or LocalTimeParser(tz)
        self.tz = tz
        self.start, self.end = start, end
        self.repeated_hours: set[str] = set()  # local "YYYY-MM-DD HH" of repeated wall times
        for change in offset_changes(tz, start - _DAY, end + _DAY):
            gap = _offset(tz, change - _SECOND) - _offset(tz, change)
            if gap > timedelta(0):  # fall back: the wall times of [change - gap, change) repeat
                for instant in (change - gap, change - _SECOND):
                    self.repeated_hours.add(f"{instant.astimezone(self.fast.zone):%Y-%m-%d %H}")

    def __call__(self, value: str) -> str | None:
        if not value or value[:13].replace("T", " ") not in self.repeated_hours:
            return self.fast(value)
        readings = [c for c in wall_time_candidates(value, self.tz) if self.start <= c < self.end]
        return to_utc_iso(readings[0]) if len(readings) == 1 else self.fast(value)
