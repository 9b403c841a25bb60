"""How this run writes date bounds to Pardot (offsets or wall times), and edges DST cannot blur.

v3/v4 take bounds as text. Sent as ISO 8601 with the API user's UTC offset, a bound names one
instant even in the repeated hour of a fall-back change; whether Pardot reads offsets is
unconfirmed (docs/pardot-api/dates.md), so the first refusal switches the whole run, every
stream, to offset-less wall times in the user's timezone (`BoundForm.fall_back`). Wall-time
bounds inside a repeated hour are ambiguous, so edges are then moved out of it
(`unambiguous_edge`), never later: rows may come again, none is lost. v5 always takes offsets.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from pardot_client.dates import format_iso_offset, format_pardot_datetime, is_ambiguous

ONE_SECOND = timedelta(seconds=1)


class BoundForm:
    """The run-wide form of v3/v4 date bounds: with the user's offset, or wall times."""

    def __init__(self, timezone: str) -> None:
        self.timezone = timezone
        self.wall = False  # set for the rest of the run once Pardot refuses offsets

    def text(self, instant: datetime, *, offset: bool = False) -> str:
        """A bound as this run sends it; `offset` for v5, which always takes offsets."""
        if self.wall and not offset:
            return format_pardot_datetime(instant, self.timezone)
        return format_iso_offset(instant, self.timezone)

    def bound(self, instant: datetime, *, lower: bool) -> tuple[str, datetime]:
        """The text to send for a strict bound and the instant Pardot will read it as.

        Wall times in a repeated hour are ambiguous; a lower bound moves before that hour (rows
        re-read there are skipped against the mark), an upper bound is sent as its first reading.
        """
        if self.wall and lower:
            instant = unambiguous_edge(instant, self.timezone)
        return self.text(instant), instant

    def fall_back(self, logger: logging.Logger, message: str, *args: object) -> bool:
        """Switch the run to wall times, logging why; False when it already uses them."""
        if self.wall:
            return False
        self.wall = True
        logger.warning(message, *args)
        return True


def unambiguous_edge(edge: datetime, timezone: str) -> datetime:
    """The latest instant at or before `edge` whose bounds read the same in any DST reading.

    A window edge is sent as two wall times without offset, `before = edge` and the next
    window's `after = edge - 1 s`. In the repeated hour of a fall-back change either may name
    two instants, and Pardot picks one; an edge where neither is repeated means one instant.
    Moving an edge earlier only moves rows into the next window; moving a run's first start
    earlier may export a few rows again, never lose one.
    """
    while _repeated(edge, timezone) or _repeated(edge - ONE_SECOND, timezone):
        edge -= ONE_SECOND  # bounded: a repeated stretch lasts an hour or two at most
    return edge


def _repeated(instant: datetime, timezone: str) -> bool:
    return is_ambiguous(format_pardot_datetime(instant, timezone), timezone)
