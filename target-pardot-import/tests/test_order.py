"""Which import generation each row goes to: one row per match key per import, in input order."""

from __future__ import annotations

import pytest

from target_pardot_import import order
from target_pardot_import.order import MatchKeyOrder


def test_repeats_of_a_key_go_to_later_generations() -> None:
    keys = MatchKeyOrder()
    placed = [keys.place(hash(k)) for k in ["a", "b", "a", "c", "a", "b"]]
    assert placed == [0, 0, 1, 0, 2, 1]
    assert (len(keys), keys.generations) == (3, 3)
    keys.clear()
    assert [keys.place(hash(k)) for k in ["a", "a"]] == [0, 1]


def test_the_table_grows_then_says_full_instead_of_growing_past_its_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(order, "MAX_SLOTS", 1 << 14)
    keys = MatchKeyOrder()
    count = 0
    while not keys.full:
        assert keys.place(hash(f"key-{count}")) == 0
        count += 1
        assert count < 20_000, "the table never said it was full"
    assert count == 1 << 13  # half of the capped table
    assert [keys.place(hash(f"key-{i}")) for i in range(5)] == [1] * 5  # still exact
    keys.clear()
    assert not keys.full
    assert keys.place(hash("key-0")) == 0


def test_reserve_sizes_the_table_once_and_keeps_every_key() -> None:
    keys = MatchKeyOrder()
    for i in range(1000):
        keys.place(hash(f"early-{i}"))
    keys.reserve(100_000)
    assert len(keys._slots) == 1 << 18  # the power of two holding 100,000 keys half full
    assert [keys.place(hash(f"early-{i}")) for i in (0, 500, 999)] == [1, 1, 1]
    keys.reserve(10)  # never shrinks
    assert len(keys._slots) == 1 << 18
