"""`QueryBase`: what the streams read through v3/v4 query (and read) endpoints share.

Page settings, the typing of JSON records, the run's date bounds (and the switch to wall times
when Pardot refuses offsets in a query), `created_after` for a first run of an id-paged object,
and one rule for stops: a stream that stops part way (a used-up daily limit) writes the state of
the last emitted page first, so the next run resumes right after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pardot_client import PardotApiError, PardotError
from pardot_client.catalog import ObjectSpec
from tap_pardot_export.base import PardotStream
from tap_pardot_export.bounds import ONE_SECOND
from tap_pardot_export.query.records import QueryRecordTyper

Record = dict[str, Any]


class QueryBase(PardotStream):
    """A stream read page by page from query endpoints; `_records` yields its records."""

    @property
    def page_size(self) -> int:
        """Rows per query page: `query_page_size`, at most Pardot's 200."""
        return self.settings.query_page_size

    @property
    def pages_per_state(self) -> int:
        """Pages between two STATE messages."""
        return self.settings.query_state_every_pages

    def typer(self, names: list[str] | None = None) -> QueryRecordTyper:
        """Types this stream's JSON records (the schema's fields unless `names` is given)."""
        fields = names if names is not None else list(self.schema["properties"])
        return QueryRecordTyper(self.spec, self.run.timezone, fields)

    def refused_offsets(self, error: PardotApiError) -> bool:
        """Pardot refused query dates with an offset: wall times for the rest of the run."""
        return self.run.bounds.fall_back(
            self.logger,
            "%s: Pardot refused query dates with a UTC offset (%s); sending wall times in %s for "
            "the rest of this run, lower bounds moved out of repeated DST hours",
            self.name, error, self.run.timezone,
        )  # fmt: skip

    def created_since_start(self, spec: ObjectSpec) -> dict[str, str]:
        """`created_after` for a first run of an id-paged object: it starts at start_date too."""
        query = spec.query
        if query is None or "created_after" not in query.search_params:
            return {}
        after = self.run.bounds.bound(self.start_instant() - ONE_SECOND, lower=True)[0]
        return {"created_after": after}

    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[Record]:
        """The stream's records; on a stop, the state of what was emitted is written first."""
        state = self.get_context_state(context)
        try:
            yield from self.accounted(self._records(state))
        except PardotError:
            self.checkpoint()  # what was emitted stays emitted: resume after it
            raise

    def _records(self, state: dict[str, Any]) -> Iterator[Record]:
        raise NotImplementedError
