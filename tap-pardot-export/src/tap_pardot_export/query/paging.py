"""High-water-mark paging of v3/v4 bulk queries (docs/pardot-api/queries.md): never `offset`.

Every page is `output=bulk`, sorted ascending on the mark, asking only for rows beyond the last
mark; a page shorter than the page size ends the read. Two marks exist:

* `IdPager`: `id_greater_than=<last id>`, `sort_by=id`. Ids never change, so this is exact.
* `UpdatedAtPager`: `updated_after=<last instant>`, `sort_by=updated_at`. Stamps have one-second
  resolution and `updated_after` is strict, so a second whose rows fill more than a page would
  lose its tail. A full page therefore never moves the mark past its last second: the rows
  before that second are emitted, and the second itself is then read alone (`updated_after =
  s - 1 s`, `updated_before = s + 1 s`) by id, whatever order Pardot gives within a second.

Rows carry wall times without offset, and a wall time in a repeated DST hour names two
instants. Only the last row of a page sets the mark; when its wall time is ambiguous and both
readings lie past the mark, one probe call (that row's id, the earlier second) settles it. So
marks are exact instants, sent with the user's UTC offset. Once Pardot refuses offsets they go
as wall times, a lower bound moved before any repeated hour (the overlap is skipped).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pardot_client import PardotApiError, PardotClient, query_records
from pardot_client.catalog import ObjectSpec, to_snake
from pardot_client.dates import to_utc_iso, wall_time_candidates
from tap_pardot_export.bounds import ONE_SECOND, BoundForm

Page = list[dict[str, Any]]


class QueryEndpoint:
    """One object's `do/query` endpoint through the shared client: bulk JSON, records as a list."""

    def __init__(self, client: PardotClient, spec: ObjectSpec) -> None:
        if spec.query is None:
            raise ValueError(f"{spec.name} has no query endpoint")
        self.client = client
        self.spec = spec
        self.path = f"/api/{spec.query.url_name}/version/{{version}}/do/query"
        keys = [spec.query.result_key]
        if not spec.query.result_key_confirmed:  # unconfirmed: the snake_case key is as likely
            keys.append(to_snake(spec.query.result_key))
        self.keys = tuple(keys)

    def fetch(self, params: Mapping[str, Any]) -> Page:
        """One page: a list, one object, no key or a null result all come back as a list."""
        data = self.client.get_json(self.path, params={"output": "bulk", **params})
        for key in self.keys:
            records = query_records(data, key)
            if records:
                return records
        return []

    def count(self, params: Mapping[str, Any]) -> int:
        """Rows matching `params`, from one non-bulk answer's `total_results` (one call)."""
        data = self.client.get_json(self.path, params={**params, "limit": 1})
        result = data.get("result") if isinstance(data, dict) else None
        total = result.get("total_results") if isinstance(result, dict) else None
        return int(total) if total is not None else 0


def fetch_with_bounds(
    endpoint: QueryEndpoint,
    bounds: BoundForm,
    build: Callable[[], dict[str, Any]],
    on_refused: Callable[[PardotApiError], bool],
) -> Page:
    """Fetch a page; if Pardot refuses the bounds' form (7) and `on_refused` switches the run to
    wall times, ask again."""
    try:
        return endpoint.fetch(build())
    except PardotApiError as error:
        if bounds.wall or error.code != 7 or not on_refused(error):
            raise
        return endpoint.fetch(build())


@dataclass(frozen=True)
class Mark:
    """Every row stamped up to `at` is read, except rows stamped `at` whose id > `tie_id`."""

    at: datetime
    tie_id: int | None = None  # None: the whole second `at` is read

    def to_state(self) -> dict[str, Any]:
        """State keys: the UTC ISO bookmark, and the id reached inside its second if any."""
        return {"replication_key_value": to_utc_iso(self.at), "tie_after_id": self.tie_id}

    @classmethod
    def from_state(cls, at: datetime, tie_id: Any) -> Mark:
        """The mark a saved state names (its instant already read and checked)."""
        return cls(at, int(tie_id) if tie_id is not None else None)


class IdPager:
    """Pages by `id_greater_than`, ascending on id; yields each page and the id reached."""

    def __init__(
        self, endpoint: QueryEndpoint, page_size: int, params: Mapping[str, Any] | None = None
    ) -> None:
        self.endpoint = endpoint
        self.page_size = page_size
        self.params = dict(params or {})
        query = endpoint.spec.query
        assert query is not None
        self.sort = {"sort_by": "id", "sort_order": "ascending"} if "id" in query.sort_by else {}

    def pages(self, after_id: int) -> Iterator[tuple[Page, int]]:
        """Pages of rows with id > `after_id`; the last one is shorter than the page size."""
        while True:
            params = {
                **self.params, **self.sort, "id_greater_than": after_id, "limit": self.page_size,
            }  # fmt: skip
            rows = self.endpoint.fetch(params)
            rows = [r for r in rows if int(r["id"]) > after_id]  # belt and braces: never twice
            if rows:
                after_id = max(int(r["id"]) for r in rows)
            yield rows, after_id
            if len(rows) < self.page_size:
                return


class UpdatedAtPager:
    """Pages by a datetime mark (`updated_at` or `created_at`) with ties read by id."""

    def __init__(
        self,
        endpoint: QueryEndpoint,
        field: str,
        bounds: BoundForm,
        page_size: int,
        *,
        before: datetime | None = None,
        params: Mapping[str, Any] | None = None,
        on_refused: Callable[[PardotApiError], bool] = lambda error: False,
    ) -> None:
        self.endpoint = endpoint
        self.field = field
        self.prefix = field.removesuffix("_at")
        self.bounds = bounds
        self.on_refused = on_refused
        self.page_size = page_size
        self.before = before
        self.params = dict(params or {})
        self._held: dict[int, dict[str, Any]] = {}  # page rows sharing the tie's wall time

    def pages(self, mark: Mark) -> Iterator[tuple[Page, Mark]]:
        """Pages of rows beyond `mark`, each with the mark reached once it is emitted."""
        while True:
            if mark.tie_id is not None:
                rows, mark = self._tie_page(mark)
                yield rows, mark
                continue
            rows, mark, done = self._main_page(mark)
            yield rows, mark
            if done:
                return

    def _main_page(self, mark: Mark) -> tuple[Page, Mark, bool]:
        def build() -> dict[str, Any]:
            params = {
                **self.params, f"{self.prefix}_after": self.bounds.bound(mark.at, lower=True)[0],
                "sort_by": self.field, "sort_order": "ascending", "limit": self.page_size,
            }  # fmt: skip
            if self.before is not None:
                params[f"{self.prefix}_before"] = self.bounds.bound(self.before, lower=False)[0]
            return params

        fetched = fetch_with_bounds(self.endpoint, self.bounds, build, self.on_refused)
        rows = fetched
        if self.bounds.wall:  # the bound moved back out of a repeated hour: skip the overlap
            rows = [r for r in rows if self._candidates(r)[-1] > mark.at]
        if not rows:
            return [], mark, len(fetched) < self.page_size
        last = self._instant(rows[-1], mark.at)
        if len(fetched) < self.page_size:
            return rows, Mark(max(last, mark.at)), True
        if last <= mark.at:
            raise PardotApiError(
                f"{self.endpoint.spec.name} query: a full page of rows not after {mark.at} came "
                f"back for {self.prefix}_after, so paging cannot move on (wall-time dates in a "
                "repeated DST hour); run again after the hour or let Pardot take UTC offsets"
            )
        # The last second may go on in the next page: it is read alone, by id. Rows of the page
        # with its wall time are held until then (in a repeated hour some may be an hour older).
        wall = rows[-1][self.field]
        self._held = {int(r["id"]): r for r in rows if r[self.field] == wall}
        return [r for r in rows if r[self.field] != wall], Mark(last, 0), False

    def _tie_page(self, mark: Mark) -> tuple[Page, Mark]:
        at, tie_id = mark.at, mark.tie_id
        assert tie_id is not None

        def build() -> dict[str, Any]:
            return {
                **self.params,
                f"{self.prefix}_after": self.bounds.bound(at - ONE_SECOND, lower=False)[0],
                f"{self.prefix}_before": self.bounds.bound(at + ONE_SECOND, lower=False)[0],
                "id_greater_than": tie_id, "sort_by": "id", "sort_order": "ascending",
                "limit": self.page_size,
            }  # fmt: skip

        rows = fetch_with_bounds(self.endpoint, self.bounds, build, self.on_refused)
        for row in rows:
            self._held.pop(int(row["id"]), None)
        if len(rows) == self.page_size:
            return rows, Mark(at, max(int(r["id"]) for r in rows))
        rows += self._held.values()  # held rows the second did not hold are older: emit them
        self._held = {}
        return rows, Mark(at)

    def _candidates(self, row: dict[str, Any]) -> tuple[datetime, ...]:
        return wall_time_candidates(str(row[self.field]), self.bounds.timezone)

    def _instant(self, row: dict[str, Any], floor: datetime) -> datetime:
        """The exact instant of a row stamped after `floor`.

        A wall time in a repeated hour names two instants; when both are after the floor, one
        call asks Pardot whether the row is stamped at the earlier one (wall-time dates cannot
        ask, and take the earlier: a later page then fails loudly rather than skip an hour).
        """
        viable = [c for c in self._candidates(row) if c > floor] or [floor]
        if len(viable) == 1 or self.bounds.wall:
            return viable[0]
        earlier, row_id = viable[0], int(row["id"])
        probe = self.endpoint.fetch({
            **self.params,
            f"{self.prefix}_after": self.bounds.bound(earlier - ONE_SECOND, lower=False)[0],
            f"{self.prefix}_before": self.bounds.bound(earlier + ONE_SECOND, lower=False)[0],
            "id_greater_than": row_id - 1, "id_less_than": row_id + 1, "limit": 1,
        })  # fmt: skip
        return earlier if probe else viable[-1]
