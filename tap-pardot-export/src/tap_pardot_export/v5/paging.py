"""High-water-mark paging of v5 queries: follow `nextPageUrl`, restart from the mark.

A query's pages come in one token sequence, which Pardot ends after 100,000 rows whatever is
left (warning 203) and whose token dies after 4 hours (210, 211). So the pagers follow
`nextPageUrl` while it lasts, keep their mark from the rows emitted, and when a sequence ends
short (its last page full, capped, or its token refused) ask a new query from the mark: no row
past the cap is lost, none is emitted twice (docs/pardot-api/v5-objects.md#paging).

* `V5IdPager`: `idGreaterThan=<last id>`, `orderBy=id ASC`. Ids never change: exact.
* `V5UpdatedAtPager`: `updatedAtAfter=<mark>`, `orderBy=updatedAt ASC`. Stamps have one-second
  resolution and Pardot orders rows within a second as it likes, so the rows of a page's last
  second are held until a later second shows up: the mark only ever covers whole seconds.
  When a sequence ends short inside a second, that second is read alone, by id
  (`updatedAtAfterOrEqualTo=s`, `updatedAtBefore=s+1`, `idGreaterThan=<tie id>`), as the v3/v4
  query streams finish a tie (query/paging.py).
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator, Mapping
from datetime import datetime
from typing import Any

from pardot_client import PardotApiError
from pardot_client.catalog import V5Object
from pardot_client.v5_objects import SEQUENCE_CAP, TOKEN_CODES, V5Objects, v5_instant
from tap_pardot_export.bounds import ONE_SECOND
from tap_pardot_export.query.paging import Mark
from tap_pardot_export.v5.records import stamp

Rows = list[dict[str, Any]]


class PageSequence:
    """One query's token sequence, page by page; `short` tells whether rows may be left."""

    def __init__(
        self, api: V5Objects, obj: V5Object, params: Mapping[str, Any], limit: int,
        logger: logging.Logger,
    ) -> None:  # fmt: skip
        self.api, self.obj, self.limit, self.logger = api, obj, limit, logger
        self.params = {**params, "limit": limit}
        self.short = False
        self.rows = 0

    def __iter__(self) -> Iterator[Rows]:
        pages = self.api.pages(self.obj.query.collection, self.obj.request_fields(), self.params)
        last_size, capped = 0, False
        try:
            for page in pages:
                self.rows += len(page.values)
                last_size, capped = len(page.values), page.capped
                yield page.values
        except PardotApiError as error:
            if error.code not in TOKEN_CODES or self.rows == 0:
                raise
            self.logger.warning(
                "%s: Pardot refused the page token after %d rows (%s); the query starts again "
                "from the last row emitted", self.obj.stream, self.rows, error,
            )  # fmt: skip
            self.short = True
            return
        if capped or last_size >= self.limit:
            self.short = True
        if capped or self.rows >= SEQUENCE_CAP:
            self.logger.info(
                "%s: Pardot ended the page sequence after %d rows (its cap is %d, warning 203); "
                "the query starts again from the last row emitted",
                self.obj.stream, self.rows, SEQUENCE_CAP,
            )  # fmt: skip


class V5IdPager:
    """Pages of rows past an id, ascending; each with the id reached once it is emitted."""

    def __init__(
        self, api: V5Objects, obj: V5Object, limit: int, params: Mapping[str, Any],
        logger: logging.Logger,
    ) -> None:  # fmt: skip
        self.api, self.obj, self.limit, self.logger = api, obj, limit, logger
        self.params = dict(params)

    def pages(self, after_id: int) -> Iterator[tuple[Rows, int]]:
        """Every row with id > `after_id`, in as many queries as the sequences need."""
        while True:
            params = {**self.params, "idGreaterThan": after_id, "orderBy": "id ASC"}
            sequence = PageSequence(self.api, self.obj, params, self.limit, self.logger)
            for values in sequence:
                rows = sorted((r for r in values if int(r["id"]) > after_id),
                              key=lambda r: int(r["id"]))  # fmt: skip
                if rows:
                    after_id = int(rows[-1]["id"])
                yield rows, after_id
            if not sequence.short:
                return


class V5UpdatedAtPager:
    """Pages of rows changed after a mark (and before `before`), ties finished by id."""

    def __init__(
        self, api: V5Objects, obj: V5Object, limit: int, params: Mapping[str, Any],
        logger: logging.Logger, *, timezone: str, before: datetime,
    ) -> None:  # fmt: skip
        self.api, self.obj, self.limit, self.logger = api, obj, limit, logger
        self.params = dict(params)
        self.timezone = timezone
        self.before = before

    def pages(self, mark: Mark) -> Iterator[tuple[Rows, Mark]]:
        """Pages of rows beyond `mark`, each with the mark reached once it is emitted."""
        while True:
            if mark.tie_id is not None:
                mark = yield from self._second(mark)
                continue
            mark, done = yield from self._after(mark)
            if done:
                return

    def _bound(self, instant: datetime) -> str:
        return v5_instant(instant, self.timezone)

    def _after(self, mark: Mark) -> Generator[tuple[Rows, Mark], None, tuple[Mark, bool]]:
        """One sequence of rows stamped after `mark.at`; returns (mark, whether all is read).

        Each page yields the rows of the seconds it completed; the rows of its last second are
        held until a later second (or the sequence's true end) shows that second whole, and the
        mark the page yields names that second, to be read by id should the run stop there.
        """
        params = {
            **self.params, "updatedAtAfter": self._bound(mark.at),
            "updatedAtBefore": self._bound(self.before), "orderBy": "updatedAt ASC",
        }  # fmt: skip
        sequence = PageSequence(self.api, self.obj, params, self.limit, self.logger)
        held: Rows = []  # rows of the latest second seen: it may go on in the next page
        held_at = mark.at
        for values in sequence:
            complete: Rows = []
            for row in values:
                at = stamp(row["updatedAt"])
                if at <= mark.at or at >= self.before:  # read already, or for the next run
                    continue
                if at < held_at:
                    raise PardotApiError(
                        f"{self.obj.stream}: the v5 query sorted on updatedAt gave row "
                        f"{row.get('id')} ({at}) after a row of {held_at}; nothing past the last "
                        "whole second was emitted, so the next run starts there"
                    )
                if at > held_at:
                    complete += held
                    if held:
                        mark = Mark(held_at)
                    held, held_at = [], at
                held.append(row)
            # Every row before the held second is out, so a stop here resumes at that second,
            # read by id: each page moves the state on, even a page all in one second.
            yield complete, Mark(held_at, 0) if held else mark
        if not held:
            return mark, not sequence.short
        if sequence.short:  # the second may go on past the sequence: read it alone, by id
            return Mark(held_at, 0), False
        yield held, Mark(held_at)
        return Mark(held_at), True

    def _second(self, mark: Mark) -> Generator[tuple[Rows, Mark], None, Mark]:
        """The rows of the second `mark.at` with id > `mark.tie_id`, by id; returns the mark."""
        at, tie_id = mark.at, int(mark.tie_id or 0)
        while True:
            params = {
                **self.params, "updatedAtAfterOrEqualTo": self._bound(at),
                "updatedAtBefore": self._bound(at + ONE_SECOND), "idGreaterThan": tie_id,
                "orderBy": "id ASC",
            }  # fmt: skip
            sequence = PageSequence(self.api, self.obj, params, self.limit, self.logger)
            for values in sequence:
                rows = sorted((r for r in values if int(r["id"]) > tie_id),
                              key=lambda r: int(r["id"]))  # fmt: skip
                if rows:
                    tie_id = int(rows[-1]["id"])
                yield rows, Mark(at, tie_id)
            if not sequence.short:
                yield [], Mark(at)  # the second is whole: a stop from here on resumes after it
                return Mark(at)
