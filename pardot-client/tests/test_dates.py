"""Tests for pardot_client.dates: the DST rule, the formats, and the fast paths' exactness.

The fast classes are checked against the reference functions, and the reference functions are
checked against an independent statement of the rule (offsets found by scanning the zone).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pardot_client import dates
from pardot_client.dates import (
    PARDOT_FORMAT,
    UTC,
    LocalTimeFormatter,
    LocalTimeParser,
    format_iso_offset,
    format_pardot_datetime,
    get_zone,
    is_ambiguous,
    is_skipped,
    parse_pardot_datetime,
    parse_utc,
    to_utc_iso,
    utc_now,
    wall_time_candidates,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def epoch_of(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(seconds=1)


def offset_at(zone: ZoneInfo, seconds: int) -> timedelta:
    offset = (EPOCH + timedelta(seconds=seconds)).astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def transitions(zone_name: str, year: int) -> list[int]:
    """Epoch seconds at which `zone_name`'s UTC offset changes during `year`, found by scanning."""
    zone = ZoneInfo(zone_name)
    start, end = epoch_of(utc(year, 1, 1)), epoch_of(utc(year + 1, 1, 1))
    found = []
    before = offset_at(zone, start)
    for t in range(start + 3600, end + 1, 3600):
        after = offset_at(zone, t)
        if after != before:
            lo, hi = t - 3600, t  # offset(lo) == before != offset(hi)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset_at(zone, mid) == before else (lo, mid)
            found.append(hi)
        before = after
    return found


def wall(moment: datetime) -> str:
    return moment.strftime(PARDOT_FORMAT)


def expected_candidates(value: str, zone_name: str) -> list[datetime]:
    """The rule restated without fold: instants u with u + offset(u) == value, else the gap rule.

    Offsets tried are those in force a day either side, which covers every transition we test.
    """
    zone = ZoneInfo(zone_name)
    local = datetime.strptime(value, PARDOT_FORMAT).replace(tzinfo=UTC)  # wall fields as if UTC
    probe = epoch_of(local)
    before, after = offset_at(zone, probe - 86400), offset_at(zone, probe + 86400)
    hits = sorted(
        {local - off for off in (before, after) if offset_at(zone, epoch_of(local - off)) == off}
    )
    if hits:
        return hits
    return [local - before]  # skipped: the offset in force just before the change


# --- the rule, on named examples ---------------------------------------------------------------

AMBIGUOUS = [
    ("America/New_York", "2025-11-02 01:30:00", utc(2025, 11, 2, 5, 30), utc(2025, 11, 2, 6, 30)),
    ("Europe/London", "2025-10-26 01:30:00", utc(2025, 10, 26, 0, 30), utc(2025, 10, 26, 1, 30)),
    # Dublin's tzdata models winter as negative DST; the rule is about offsets, so same answer.
    ("Europe/Dublin", "2025-10-26 01:30:00", utc(2025, 10, 26, 0, 30), utc(2025, 10, 26, 1, 30)),
    # Southern hemisphere: the clocks go back in April.
    ("Australia/Sydney", "2025-04-06 02:30:00", utc(2025, 4, 5, 15, 30), utc(2025, 4, 5, 16, 30)),
    # 30-minute DST: only half an hour repeats.
    (
        "Australia/Lord_Howe",
        "2025-04-06 01:45:00",
        utc(2025, 4, 5, 14, 45),
        utc(2025, 4, 5, 15, 15),
    ),
    # Transition at 00:01 local (until 2011): the repeated span is 23:01-00:00:59.
    ("America/St_Johns", "2010-11-06 23:30:00", utc(2010, 11, 7, 2, 0), utc(2010, 11, 7, 3, 0)),
]

SKIPPED = [
    ("America/New_York", "2025-03-09 02:30:00", utc(2025, 3, 9, 7, 30)),
    ("Europe/London", "2025-03-30 01:30:00", utc(2025, 3, 30, 1, 30)),
    ("Australia/Sydney", "2025-10-05 02:30:00", utc(2025, 10, 4, 16, 30)),
    ("Australia/Lord_Howe", "2025-10-05 02:15:00", utc(2025, 10, 4, 15, 45)),
    # Kathmandu has no DST, but moved from +05:30 to +05:45 at 1986-01-01 00:00, skipping 15 min.
    ("Asia/Kathmandu", "1986-01-01 00:10:00", utc(1985, 12, 31, 18, 40)),
]


@pytest.mark.parametrize(("tz", "value", "first", "second"), AMBIGUOUS)
def test_repeated_wall_time_reads_as_first_occurrence(
    tz: str, value: str, first: datetime, second: datetime
) -> None:
    parsed = parse_pardot_datetime(value, tz)
    assert parsed == first
    assert parsed.tzinfo is UTC
    assert wall_time_candidates(value, tz) == (first, second)
    assert is_ambiguous(value, tz)
    assert not is_skipped(value, tz)
    assert LocalTimeParser(tz)(value) == to_utc_iso(first)
    # Both instants really do show this wall time.
    assert format_pardot_datetime(first, tz) == value
    assert format_pardot_datetime(second, tz) == value


@pytest.mark.parametrize(("tz", "value", "expected"), SKIPPED)
def test_skipped_wall_time_uses_offset_before_the_change(
    tz: str, value: str, expected: datetime
) -> None:
    assert parse_pardot_datetime(value, tz) == expected
    assert wall_time_candidates(value, tz) == (expected,)
    assert is_skipped(value, tz)
    assert not is_ambiguous(value, tz)
    assert LocalTimeParser(tz)(value) == to_utc_iso(expected)
    # Moved forward by the gap: the instant shows a later wall time than the one given.
    assert format_pardot_datetime(expected, tz) > value


def test_new_york_skipped_time_is_0330_edt() -> None:
    instant = parse_pardot_datetime("2025-03-09 02:30:00", "America/New_York")
    assert format_iso_offset(instant, "America/New_York") == "2025-03-09T03:30:00-04:00"


@pytest.mark.parametrize(
    ("tz", "value", "expected"),
    [
        ("America/New_York", "2025-07-01 12:00:00", utc(2025, 7, 1, 16)),
        ("America/New_York", "2025-01-15 23:59:59", utc(2025, 1, 16, 4, 59, second=59)),
        ("Asia/Kathmandu", "2025-06-01 12:00:00", utc(2025, 6, 1, 6, 15)),
        ("Australia/Lord_Howe", "2025-01-01 00:00:00", utc(2024, 12, 31, 13)),
        ("UTC", "2025-03-09 02:30:00", utc(2025, 3, 9, 2, 30)),
    ],
)
def test_ordinary_wall_times(tz: str, value: str, expected: datetime) -> None:
    assert parse_pardot_datetime(value, tz) == expected
    assert wall_time_candidates(value, tz) == (expected,)
    assert not is_ambiguous(value, tz)
    assert not is_skipped(value, tz)


RULE_ZONES = [
    ("America/New_York", 2025),
    ("Europe/London", 2025),
    ("Europe/Dublin", 2025),
    ("Australia/Sydney", 2025),
    ("Australia/Lord_Howe", 2025),
    ("Asia/Kathmandu", 1985),
    ("America/St_Johns", 2010),
]


@pytest.mark.parametrize(("tz", "year"), RULE_ZONES)
def test_reference_matches_rule_restated_every_minute_around_transitions(
    tz: str, year: int
) -> None:
    zone = ZoneInfo(tz)
    found = transitions(tz, year)
    assert found, "expected at least one offset change to test"
    for t in found:
        centre = (EPOCH + timedelta(seconds=t)).astimezone(zone).replace(tzinfo=UTC, second=0)
        for minute in range(-180, 181):
            value = wall(centre + timedelta(minutes=minute))
            expected = expected_candidates(value, tz)
            assert list(wall_time_candidates(value, tz)) == expected, value
            assert parse_pardot_datetime(value, tz) == expected[0], value


# --- round trip ----------------------------------------------------------------------------------


def test_round_trip_every_15_minutes_across_2025_us_transitions() -> None:
    tz = "America/New_York"
    second_occurrences = []
    for start in (utc(2025, 3, 8), utc(2025, 11, 1)):
        for step in range(3 * 24 * 4):
            instant = start + timedelta(minutes=15 * step)
            text = format_pardot_datetime(instant, tz)
            back = parse_pardot_datetime(text, tz)
            if utc(2025, 11, 2, 6) <= instant < utc(2025, 11, 2, 7):
                # 01:00-01:59 EST, the second 01:xx: it reads as the first one, an hour earlier.
                assert back == instant - timedelta(hours=1), text
                assert wall_time_candidates(text, tz) == (back, instant)
                second_occurrences.append(text)
            else:
                assert back == instant, text
    assert second_occurrences == [
        "2025-11-02 01:00:00",
        "2025-11-02 01:15:00",
        "2025-11-02 01:30:00",
        "2025-11-02 01:45:00",
    ]


# --- fast paths agree with the reference -------------------------------------------------------

FAST_ZONES = [
    ("America/New_York", 2025),
    ("Europe/London", 2025),
    ("Australia/Lord_Howe", 2025),
    ("Asia/Kathmandu", 1985),
    ("America/St_Johns", 2010),
    ("Africa/Monrovia", 1972),  # -00:44:30 to +00:00: an offset with seconds
]


def dst_days(tz: str, year: int) -> list[datetime]:
    """Local midnights (wall fields held as UTC) of the days on which `tz` changes offset."""
    zone = ZoneInfo(tz)
    days = set()
    for t in transitions(tz, year):
        for side in (t - 1, t):
            local = (EPOCH + timedelta(seconds=side)).astimezone(zone)
            days.add(utc(local.year, local.month, local.day))
    return sorted(days)


@pytest.mark.parametrize(("tz", "year"), [*FAST_ZONES, ("UTC", 2025)])
def test_parser_matches_reference_every_minute_of_dst_days(tz: str, year: int) -> None:
    days = dst_days(tz, year) or [utc(year, 3, 9), utc(year, 11, 2)]
    parser = LocalTimeParser(tz)
    for day in days:
        for minute in range(1440):
            moment = day + timedelta(minutes=minute)
            for second in (0, 59, minute % 60):
                value = wall(moment.replace(second=second))
                expected = to_utc_iso(parse_pardot_datetime(value, tz))
                assert parser(value) == expected, value
                tee = value.replace(" ", "T")
                assert parser(tee) == expected, tee


@pytest.mark.parametrize(("tz", "year"), FAST_ZONES)
def test_parser_matches_reference_every_second_near_transitions(tz: str, year: int) -> None:
    zone = ZoneInfo(tz)
    parser = LocalTimeParser(tz)
    for t in transitions(tz, year):
        local = (EPOCH + timedelta(seconds=t)).astimezone(zone)
        start = local.replace(tzinfo=UTC, minute=0, second=0) - timedelta(hours=2)
        for second in range(5 * 3600):
            value = wall(start + timedelta(seconds=second))
            assert parser(value) == to_utc_iso(parse_pardot_datetime(value, tz)), value


@pytest.mark.parametrize(("tz", "year"), [*FAST_ZONES, ("UTC", 2025)])
def test_formatter_matches_reference_every_minute_of_dst_days(tz: str, year: int) -> None:
    found = transitions(tz, year) or [epoch_of(utc(year, 3, 9, 7))]
    formatter = LocalTimeFormatter(tz)
    for t in found:
        for minute in range(-26 * 60, 26 * 60):
            for second in (0, 59, minute % 60):
                epoch = t - t % 60 + minute * 60 + second
                expected = format_pardot_datetime(EPOCH + timedelta(seconds=epoch), tz)
                assert formatter(epoch) == expected, epoch


@pytest.mark.parametrize(("tz", "year"), FAST_ZONES)
def test_formatter_matches_reference_every_second_near_transitions(tz: str, year: int) -> None:
    formatter = LocalTimeFormatter(tz)
    for t in transitions(tz, year):
        for epoch in range(t - 2 * 3600, t + 2 * 3600):
            expected = format_pardot_datetime(EPOCH + timedelta(seconds=epoch), tz)
            assert formatter(epoch) == expected, epoch


SPREAD_ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Pacific/Chatham",
    "UTC",
]


@pytest.mark.parametrize("tz", SPREAD_ZONES)
def test_fast_paths_match_reference_on_random_instants(tz: str) -> None:
    rng = random.Random(f"dates-{tz}")
    parser, formatter = LocalTimeParser(tz), LocalTimeFormatter(tz)
    low, high = epoch_of(utc(2020, 1, 1)), epoch_of(utc(2030, 1, 1))
    for _ in range(5000):
        epoch = rng.randrange(low, high)
        text = formatter(epoch)
        assert text == format_pardot_datetime(EPOCH + timedelta(seconds=epoch), tz)
        assert parser(text) == to_utc_iso(parse_pardot_datetime(text, tz))
        # Random wall times, which land in gaps and repeats as often as the calendar allows.
        value = (
            f"{rng.randrange(2020, 2030)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d} "
            f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
        )
        assert parser(value) == to_utc_iso(parse_pardot_datetime(value, tz)), value


@pytest.mark.parametrize("tz", ["America/New_York", "Africa/Monrovia", "Asia/Kolkata"])
def test_fast_paths_match_reference_far_from_now(tz: str) -> None:
    """LMT offsets with seconds before 1900, and zoneinfo's rule-based years after 2037."""
    rng = random.Random(f"far-{tz}")
    parser, formatter = LocalTimeParser(tz), LocalTimeFormatter(tz)
    low, high = epoch_of(utc(1850, 1, 1)), epoch_of(utc(2100, 1, 1))
    for _ in range(3000):
        epoch = rng.randrange(low, high)
        text = formatter(epoch)
        assert text == format_pardot_datetime(EPOCH + timedelta(seconds=epoch), tz)
        assert parser(text) == to_utc_iso(parse_pardot_datetime(text, tz))


def test_fast_paths_stay_correct_when_cache_is_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "_MAX_CACHED_HOURS", 3)
    tz = "Asia/Kathmandu"
    parser, formatter = LocalTimeParser(tz), LocalTimeFormatter(tz)
    start = epoch_of(utc(2025, 1, 1))
    for hour in range(50):
        epoch = start + hour * 3600 + 1234
        text = formatter(epoch)
        assert text == format_pardot_datetime(EPOCH + timedelta(seconds=epoch), tz)
        assert parser(text) == to_utc_iso(EPOCH + timedelta(seconds=epoch))


def test_parser_handles_200k_cells() -> None:
    tz = "America/New_York"
    formatter, parser = LocalTimeFormatter(tz), LocalTimeParser(tz)
    start = epoch_of(utc(2025, 1, 1))
    epochs = [start + i * 157 for i in range(200_000)]  # about a year, both transitions included
    cells = [formatter(e) if i % 50 else "" for i, e in enumerate(epochs)]
    out = [parser(cell) for cell in cells]
    assert len(out) == 200_000
    assert sum(v is None for v in out) == 4000
    for i in range(0, 200_000, 997):
        if cells[i]:
            assert out[i] == to_utc_iso(parse_pardot_datetime(cells[i], tz))
    # Outside the repeated hour every cell comes back to its own instant; inside its second
    # occurrence (06:00-06:59 UTC on 2025-11-02) it comes back an hour early, by the rule.
    for i, epoch in enumerate(epochs):
        if not cells[i]:
            continue
        instant = EPOCH + timedelta(seconds=epoch)
        if utc(2025, 11, 2, 6) <= instant < utc(2025, 11, 2, 7):
            assert out[i] == to_utc_iso(instant - timedelta(hours=1)), cells[i]
        else:
            assert out[i] == to_utc_iso(instant), cells[i]


@pytest.mark.parametrize(
    ("tz", "year", "slow_hours"),
    [
        ("America/New_York", 2025, set()),  # repeated and skipped hours are whole and uniform
        ("Asia/Kathmandu", 2025, set()),
        ("Australia/Lord_Howe", 2025, {"2025-10-05 02"}),  # 02:00-02:29 skipped, 02:30 normal
        # 00:01 transitions: the rule's offset changes at 01:01 (end of the gap, 00:01-01:00:59)
        # and at 00:01 (where the first pass of the repeated 23:01-00:00:59 ends).
        ("America/St_Johns", 2010, {"2010-03-14 01", "2010-11-07 00"}),
    ],
)
def test_parser_fast_path_covers_all_but_split_hours(
    tz: str, year: int, slow_hours: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    slow: list[str] = []
    reference = dates.parse_pardot_datetime

    def counting(value: str, zone: dates.TzLike) -> datetime:
        slow.append(value)
        return reference(value, zone)

    monkeypatch.setattr(dates, "parse_pardot_datetime", counting)
    parser = LocalTimeParser(tz)
    days = dst_days(tz, year) or [utc(year, 3, 9), utc(year, 11, 2)]
    for day in days:
        for minute in range(1440):
            parser(wall(day + timedelta(minutes=minute, seconds=minute % 60)))
    assert {value[:13] for value in slow} == slow_hours
    assert len(slow) == 60 * len(slow_hours)


@pytest.mark.parametrize(
    ("tz", "year", "slow_hours"),
    [
        ("America/New_York", 2025, set()),
        ("Asia/Kathmandu", 2025, set()),
        ("Australia/Lord_Howe", 2025, {utc(2025, 10, 4, 15)}),  # changes at 15:30 UTC
    ],
)
def test_formatter_fast_path_covers_all_but_split_hours(
    tz: str, year: int, slow_hours: set[datetime], monkeypatch: pytest.MonkeyPatch
) -> None:
    slow: set[datetime] = set()
    reference = dates.format_pardot_datetime

    def counting(instant: datetime, zone: dates.TzLike) -> str:
        slow.add(instant.replace(minute=0, second=0))
        return reference(instant, zone)

    monkeypatch.setattr(dates, "format_pardot_datetime", counting)
    formatter = LocalTimeFormatter(tz)
    for epoch in range(epoch_of(utc(year, 1, 1)), epoch_of(utc(year + 1, 1, 1)), 60):
        formatter(epoch)
    assert slow == slow_hours


def test_parser_falls_back_for_other_shapes() -> None:
    parser = LocalTimeParser("America/New_York")
    assert parser("") is None
    assert parser("2025-01-15") == "2025-01-15T05:00:00+00:00"
    assert parser("2025-01-15T10:00:00Z") == "2025-01-15T10:00:00+00:00"
    assert parser("2025-01-15T10:00:00+05:45") == "2025-01-15T04:15:00+00:00"
    assert parser("2025-01-15 10:00:00.999999") == "2025-01-15T15:00:00+00:00"
    assert parser(" 2025-01-15 10:00:00 ") == "2025-01-15T15:00:00+00:00"


# --- offsets and Z -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-01T05:00:00-05:00", utc(2024, 1, 1, 10)),
        ("2024-01-01T05:00:00Z", utc(2024, 1, 1, 5)),
        ("2024-01-01T05:00:00z", utc(2024, 1, 1, 5)),
        ("2024-01-01 05:00:00+0545", utc(2023, 12, 31, 23, 15)),
        ("2024-01-01T05:00:00+09", utc(2023, 12, 31, 20)),
        ("2024-01-01T05:00:00-00:00", utc(2024, 1, 1, 5)),
        ("2024-01-01T05:00:00.250-03:30", datetime(2024, 1, 1, 8, 30, 0, 250000, tzinfo=UTC)),
    ],
)
def test_offset_in_string_wins_over_tz(value: str, expected: datetime) -> None:
    # Asia/Tokyo would give a different answer if it were used.
    assert parse_pardot_datetime(value, "Asia/Tokyo") == expected
    assert wall_time_candidates(value, "Asia/Tokyo") == (expected,)
    assert not is_ambiguous(value, "America/New_York")
    assert parse_utc(value) == expected


def test_offset_string_in_a_repeated_hour_is_not_ambiguous() -> None:
    value = "2025-11-02T01:30:00-05:00"
    assert not is_ambiguous(value, "America/New_York")
    assert parse_pardot_datetime(value, "America/New_York") == utc(2025, 11, 2, 6, 30)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-01T00:00:00Z", utc(2024, 1, 1)),
        ("2024-01-01T00:00:00+02:00", utc(2023, 12, 31, 22)),
        ("2024-01-01T00:00:00", utc(2024, 1, 1)),
        ("2024-01-01 12:34:56", utc(2024, 1, 1, 12, 34, second=56)),
        ("2024-01-01", utc(2024, 1, 1)),
        ("2024-01-01T00:00:00.123456789Z", datetime(2024, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)),
        (" 2024-06-30T23:59:59+00:00\n", utc(2024, 6, 30, 23, 59, second=59)),
    ],
)
def test_parse_utc(value: str, expected: datetime) -> None:
    parsed = parse_utc(value)
    assert parsed == expected
    assert parsed.tzinfo is UTC


def test_parse_pardot_date_only_is_local_midnight() -> None:
    assert parse_pardot_datetime("2025-07-04", "America/Los_Angeles") == utc(2025, 7, 4, 7)


# --- formatting ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "tz", "pardot", "iso"),
    [
        (
            utc(2024, 1, 1, 5),
            "America/New_York",
            "2024-01-01 00:00:00",
            "2024-01-01T00:00:00-05:00",
        ),
        (
            utc(2024, 7, 1, 4),
            "America/New_York",
            "2024-07-01 00:00:00",
            "2024-07-01T00:00:00-04:00",
        ),
        (utc(2024, 1, 1), "Asia/Kathmandu", "2024-01-01 05:45:00", "2024-01-01T05:45:00+05:45"),
        (utc(2024, 1, 1), "Pacific/Chatham", "2024-01-01 13:45:00", "2024-01-01T13:45:00+13:45"),
        (utc(2024, 1, 1), "UTC", "2024-01-01 00:00:00", "2024-01-01T00:00:00+00:00"),
        (utc(1960, 1, 1), "Africa/Monrovia", "1959-12-31 23:15:30", "1959-12-31T23:15:30-00:44:30"),
        (
            datetime(2024, 1, 1, 9, 0, 0, 999999, tzinfo=timezone(timedelta(hours=9))),
            "Europe/London",
            "2024-01-01 00:00:00",
            "2024-01-01T00:00:00+00:00",
        ),
    ],
)
def test_formatting(instant: datetime, tz: str, pardot: str, iso: str) -> None:
    assert format_pardot_datetime(instant, tz) == pardot
    assert format_pardot_datetime(instant, ZoneInfo(tz)) == pardot
    assert format_iso_offset(instant, tz) == iso
    assert LocalTimeFormatter(tz)(epoch_of(instant)) == pardot
    assert parse_pardot_datetime(iso, "UTC") == instant.replace(microsecond=0)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2024, 1, 2, 3, 4, second=5), "2024-01-02T03:04:05+00:00"),
        (datetime(2024, 1, 2, 3, 4, 5, 999999, tzinfo=UTC), "2024-01-02T03:04:05+00:00"),
        (
            datetime(2024, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=5, minutes=45))),
            "2023-12-31T19:15:00+00:00",
        ),
        (
            datetime(2024, 3, 10, 1, 30, tzinfo=ZoneInfo("America/New_York")),
            "2024-03-10T06:30:00+00:00",
        ),
        (utc(999, 1, 1), "0999-01-01T00:00:00+00:00"),
    ],
)
def test_to_utc_iso_is_fixed_width(instant: datetime, expected: str) -> None:
    text = to_utc_iso(instant)
    assert text == expected
    assert len(text) == 25
    assert parse_utc(text) == instant.replace(microsecond=0)


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: format_pardot_datetime(naive, "UTC"),
        lambda naive: format_iso_offset(naive, "America/New_York"),
        to_utc_iso,
    ],
)
def test_naive_datetimes_are_refused(call: Callable[[datetime], str]) -> None:
    naive = utc(2024, 1, 1).replace(tzinfo=None)
    with pytest.raises(ValueError, match="Naive datetime 2024-01-01T00:00:00 refused"):
        call(naive)


def test_utc_now_is_aware_utc() -> None:
    now = utc_now()
    assert now.utcoffset() == timedelta(0)
    assert abs(now.timestamp() - time.time()) < 5


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "",
        "yesterday",
        "01/02/2024",
        "2024-1-01 00:00:00",
        "2024-13-01 00:00:00",
        "2024-02-30 00:00:00",
        "2024-01-01 24:00:00",
        "2024-01-01 10:60:00",
        "2024-01-01 10:00:60",
        "2024-01-01 10:00",
        "2024-01-01X10:00:00",
        "2024-01-01 10:00:00 -05:00",
        "2024-01-01T10:00:00+24:00",
        "2024-01-01T10:00:00+05:75",
        "\u0662\u0660\u0662\u0664-01-01",  # Arabic-Indic digits: int() reads them, we must not
    ],
)
def test_bad_strings_name_value_and_format(value: str) -> None:
    pattern = re.escape(f"Invalid date {value!r}: ") + ".*expected 'YYYY-MM-DD HH:MM:SS'"
    with pytest.raises(ValueError, match=pattern):
        parse_pardot_datetime(value, "America/New_York")
    if value:
        with pytest.raises(ValueError, match=r"Invalid date .*expected 'YYYY-MM-DD HH:MM:SS'"):
            LocalTimeParser("America/New_York")(value)
    with pytest.raises(ValueError, match=r"Invalid date .*expected ISO 8601"):
        parse_utc(value)


def test_bad_field_says_which() -> None:
    with pytest.raises(ValueError, match=r"month must be in 1\.\.12"):
        parse_pardot_datetime("2024-13-01 00:00:00", "UTC")


@pytest.mark.parametrize("name", ["Mars/Olympus", "America", "", "/etc/passwd", "utc", "EST "])
def test_unknown_timezone(name: str) -> None:
    message = f"Unknown timezone {name!r}: use an IANA name such as America/New_York"
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        get_zone(name)
    assert str(info.value) == message
    with pytest.raises(ValueError, match="Unknown timezone"):
        parse_pardot_datetime("2024-01-01T00:00:00Z", name)  # checked even when an offset wins
    with pytest.raises(ValueError, match="Unknown timezone"):
        LocalTimeParser(name)
    with pytest.raises(ValueError, match="Unknown timezone"):
        LocalTimeFormatter(name)
    with pytest.raises(ValueError, match="Unknown timezone"):
        format_pardot_datetime(utc(2024, 1, 1), name)


def test_get_zone_is_cached_and_accepts_zoneinfo() -> None:
    assert get_zone("America/New_York") is get_zone("America/New_York")
    zone = ZoneInfo("Europe/Paris")
    assert parse_pardot_datetime("2024-07-01 12:00:00", zone) == utc(2024, 7, 1, 10)


def test_next_local_midnight_follows_the_zone_across_a_dst_change() -> None:
    from pardot_client.dates import next_local_midnight

    # 2026-11-01 is the New York fall-back day: the next midnight is EST, five hours after UTC's.
    before = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
    assert next_local_midnight(before, "America/New_York") == datetime(
        2026, 11, 2, 5, 0, tzinfo=timezone.utc
    )
    # Just before a local midnight in daylight time (-04:00), the reset is 4 hours after UTC's.
    late = datetime(2026, 10, 31, 3, 59, tzinfo=timezone.utc)
    assert next_local_midnight(late, "America/New_York") == datetime(
        2026, 10, 31, 4, 0, tzinfo=timezone.utc
    )
