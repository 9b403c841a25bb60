"""Input order per match key: which import "generation" each row goes to.

Pardot does not say in which order it applies the rows of one import (batch order does not fix
processing order, docs/pardot-api/imports.md#batches), so two rows for one prospect in one
import could land in either order. The target therefore never puts two rows with the same match
key into one import: the first row of a key goes to generation 0, the next row of that key to
generation 1, and so on, and generations are imported one after the other (each import is
Complete before the next is sent). Pardot then applies the rows of every key in input order,
field by field under the column options, whichever header variant each row has.

Only the keys of rows waiting for an import are kept, as 64-bit hashes in an open-addressing
table (8 bytes a slot, at most half full): 16 MB for a million keys, where a Python set of ints
would take about 60. Two keys with the same hash only cost an extra generation, never an order.
The table stops growing at `MAX_SLOTS`; it is then `full` and the sink imports what it holds, so
memory stays bounded however small the rows (about 1M rows of 100 bytes fill 10 parts anyway).
"""

from __future__ import annotations

from array import array

_START_SLOTS = 1 << 12
MAX_SLOTS = 1 << 21  # 16 MB; full at 1,048,576 keys


class MatchKeyOrder:
    """The generation of the latest pending row of each match key, by the key's hash."""

    def __init__(self) -> None:
        self._slots = array("q", bytes(8 * _START_SLOTS))
        self._mask = _START_SLOTS - 1
        self._count = 0
        self._repeats: dict[int, int] = {}  # hash -> generation, for keys seen more than once
        self.generations = 1
        self.full = False  # MAX_SLOTS are half taken: time to import what is pending

    def place(self, key: int) -> int:
        """The generation for the next row of `key` (a hash); remembers it."""
        key = key or 1  # 0 marks an empty slot
        slots = self._slots
        mask = self._mask
        at = key & mask
        while True:
            held = slots[at]
            if held == 0:
                slots[at] = key
                self._count += 1
                if self._count * 2 > mask:
                    self._grow()
                return 0
            if held == key:
                generation = self._repeats.get(key, 0) + 1
                self._repeats[key] = generation
                if generation >= self.generations:
                    self.generations = generation + 1
                return generation
            at = (at + 1) & mask

    def clear(self) -> None:
        """Forget every key: their rows have all been imported."""
        if self._count:
            self._slots = array("q", bytes(8 * _START_SLOTS))
            self._mask = _START_SLOTS - 1
        self._count = 0
        self._repeats.clear()
        self.generations = 1
        self.full = False

    def __len__(self) -> int:
        return self._count

    def reserve(self, keys: int) -> None:
        """Make room for about `keys` keys at once (within `MAX_SLOTS`): one rehash, not one
        per doubling (the sink knows the rows of a drain once a first part is complete)."""
        size = len(self._slots)
        while size < MAX_SLOTS and size < 2 * keys:
            size *= 2
        if size > len(self._slots):
            self._rehash(size)

    def _grow(self) -> None:
        if len(self._slots) >= MAX_SLOTS:
            self.full = True  # a few more keys still fit until the sink has drained
            return
        self._rehash(len(self._slots) * 2)

    def _rehash(self, size: int) -> None:
        old = self._slots
        slots = array("q", bytes(8 * size))
        mask = size - 1
        for key in old:
            if key:
                at = key & mask
                while slots[at]:
                    at = (at + 1) & mask
                slots[at] = key
        self._slots, self._mask = slots, mask
