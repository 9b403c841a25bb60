"""Streams whose endpoints do not page by a mark: visits, email templates, emails with stats.

* visits: the visit query takes only id lists (and `offset`, its one documented use), so visits
  are read by batches of visitor ids: the visitors changed since the bookmark (a visitor query
  paged on `updated_at` like every other), then every visit of each batch.
* email_templates: the one-to-one template list, archived ones included, then each template
  read (full table; docs/pardot-api/queries.md#email-templates).
* emails: each list email seen in email clicks beyond the bookmark, read with its statistics;
  two calls per email, so it reads nothing unless `include_email_stats` is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pardot_client.catalog import get_object
from pardot_client.emails import (
    LIST_ONE_TO_ONE,
    email_read_path,
    email_stats,
    email_stats_path,
    one_to_one_templates,
    read_node,
    template_read_path,
)
from tap_pardot_export.bounds import ONE_SECOND
from tap_pardot_export.query.base import QueryBase, Record
from tap_pardot_export.query.paging import IdPager, Mark, QueryEndpoint, UpdatedAtPager
from tap_pardot_export.query.records import QueryRecordTyper
from tap_pardot_export.schemas import email_schema

VISITOR_IDS_PER_CALL = 100  # keeps the GET under any URL length limit


class VisitsStream(QueryBase):
    """Visits of the visitors changed since the bookmark (state key `visitor_updated_at`).

    Incremental: each run reads only the visits of changed visitors, so it must not be declared
    full table (a loader would drop every visit not read again on ACTIVATE_VERSION).
    """

    name = "visits"
    object_name = "visit"
    replication_key = "updated_at"

    def _records(self, state: dict[str, Any]) -> Iterator[Record]:
        client, typer = self.run.client, self.typer()
        visits = QueryEndpoint(client, self.spec)
        visitors = UpdatedAtPager(
            QueryEndpoint(client, get_object("visitor")), "updated_at", self.run.bounds,
            self.page_size, before=self.end_instant(), params={"only_identified": "false"},
            on_refused=self.refused_offsets,
        )  # fmt: skip
        saved = None if self.full_table else state.get("visitor_updated_at")
        mark = (
            Mark.from_state(self.bookmark(saved), state.get("visitor_tie_after_id"))
            if saved
            else Mark(self.start_instant() - ONE_SECOND)
        )
        for pages, (page, reached) in enumerate(visitors.pages(mark), start=1):
            ids = sorted({int(v["id"]) for v in page})
            for start in range(0, len(ids), VISITOR_IDS_PER_CALL):
                batch = ",".join(map(str, ids[start : start + VISITOR_IDS_PER_CALL]))
                yield from (typer(r) for r in self._visits_of(visits, batch))
            saved_mark = reached.to_state()
            state["visitor_updated_at"] = saved_mark["replication_key_value"]
            state["visitor_tie_after_id"] = saved_mark["tie_after_id"]
            if pages % self.pages_per_state == 0:
                self.checkpoint()

    def _visits_of(self, endpoint: QueryEndpoint, visitor_ids: str) -> Iterator[Record]:
        """Every visit of these visitors; `offset` is the only paging this endpoint has."""
        offset = 0
        while True:
            rows = endpoint.fetch(
                {"visitor_ids": visitor_ids, "offset": offset, "limit": self.page_size}
            )
            yield from rows
            if len(rows) < self.page_size:
                return
            offset += len(rows)


class EmailTemplatesStream(QueryBase):
    """One-to-one email templates, archived ones too: the list, then each template read."""

    name = "email_templates"
    object_name = "emailTemplate"
    FLAGS = ("is_one_to_one_email", "is_archived", "is_auto_responder_email", "is_drip_email",
             "is_list_email")  # fmt: skip

    def _records(self, state: dict[str, Any]) -> Iterator[Record]:
        client, typer = self.run.client, self.typer()
        # without archived=true, archived templates are neither listed nor read
        archived = {"archived": "true"}
        listing = client.get_json(LIST_ONE_TO_ONE, params=archived)
        ids = sorted({int(t["id"]) for t in one_to_one_templates(listing)})
        for template_id in ids:
            data = client.get_json(template_read_path(template_id), params=archived)
            record = typer(read_node(data, "emailTemplate"))
            for flag in self.FLAGS:  # a flag that is not set comes empty
                record[flag] = bool(record.get(flag))
            yield record


class EmailsStream(QueryBase):
    """List emails seen in email clicks beyond the bookmark (`email_click_id`), with stats.

    Incremental (on the clicks read), declared on `id`: a run reads only the emails of new
    clicks, so a full-table declaration would make loaders drop the others.
    """

    name = "emails"
    object_name = "email"
    replication_key = "id"

    def build_schema(self) -> dict[str, Any]:
        """The email's fields and its statistics under `stats`."""
        return email_schema(self.spec)

    def _records(self, state: dict[str, Any]) -> Iterator[Record]:
        client = self.run.client
        if not self.settings.include_email_stats:
            self.logger.info("emails: skipped (two calls per email); set include_email_stats")
            return
        typer = self.typer([n for n in self.schema["properties"] if n != "stats"])
        saved = None if self.full_table else state.get("email_click_id")
        spec = get_object("emailClick")
        params = {} if saved else self.created_since_start(spec)
        clicks = IdPager(QueryEndpoint(client, spec), self.page_size, params)
        done: set[int] = set()
        for page, last_id in clicks.pages(int(saved or 0)):
            wanted = sorted({int(c["list_email_id"]) for c in page if c.get("list_email_id")})
            for email_id in wanted:
                if email_id in done:
                    continue
                done.add(email_id)
                yield self._email(typer, email_id)
            state["email_click_id"] = last_id
        self.checkpoint()

    def _email(self, typer: QueryRecordTyper, email_id: int) -> Record:
        client = self.run.client
        email = read_node(client.get_json(email_read_path(email_id)),
                          "email")  # fmt: skip
        message = email.pop("message", None)
        if isinstance(message, dict):  # the full output nests the bodies under message
            email.setdefault("text_message", message.get("text"))
            email.setdefault("html_message", message.get("html"))
        record = typer(email)
        stats = client.get_json(email_stats_path(email_id))
        # rates are percentages: "98.42%" (or 98.42) becomes 98.42
        record["stats"] = {k: v for k, v in email_stats(stats).items() if v is not None}
        return record


SPECIAL_QUERY_STREAMS: tuple[type[QueryBase], ...] = (
    VisitsStream,
    EmailTemplatesStream,
    EmailsStream,
)
