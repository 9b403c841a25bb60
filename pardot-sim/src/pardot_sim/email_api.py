"""Email and email template reads: the one-to-one template list, template and email reads, stats.

Shapes follow docs/pardot-api/queries.md#email-templates and
docs/pardot-api/queries.md#emails-and-their-statistics: the list answers `emailTemplates`
holding `templates` (plus `error` and `count`), a template read answers `emailTemplate` with
camelCase tags, an email read nests its bodies under `message`, and statistics carry rates as
percent text. Flags are 1 when set and empty (null) when not, as a recorded answer sends them.
Archived templates are listed and read only with `archived=true`.
"""

from __future__ import annotations

from typing import Any

from pardot_client.catalog import CATALOG, FieldType, to_camel
from pardot_sim.app import Ctx, SimApp
from pardot_sim.email_sends import send_book
from pardot_sim.http import Response
from pardot_sim.queries import record_renderer
from pardot_sim.responses import SimError, v34_ok

V34 = r"/api/{object}/version/(?P<version>[34])/do"
# Tags of a listed template (docs/pardot-api/queries.md#email-templates); a read adds the bodies.
LIST_TAGS = ("id", "name", "is_one_to_one_email", "is_archived", "is_auto_responder_email",
             "is_drip_email", "is_list_email", "subject")  # fmt: skip
READ_TAGS = (*LIST_TAGS[:2], "html_message", "text_message", *LIST_TAGS[2:])


def register(app: SimApp) -> None:
    """Add the email and email template routes."""
    email, template = V34.format(object="email"), V34.format(object="emailTemplate")
    app.add_route("GET", rf"{email}/read/id/(?P<id>\d+)", "v34", read_email)
    app.add_route("GET", rf"{email}/stats/id/(?P<id>\d+)", "v34", email_stats)
    app.add_route("GET", rf"{template}/read/id/(?P<id>\d+)", "v34", read_template)
    app.add_route("GET", f"{template}/listOneToOne", "v34", list_one_to_one)


def _archived_wanted(ctx: Ctx) -> bool:
    value = (ctx.request.arg("archived") or "false").strip().lower()
    if value not in ("true", "false"):
        raise SimError(50, f"Invalid boolean: archived={value!r}")
    return value == "true"


def _template(ctx: Ctx, row: tuple[Any, ...], tags: tuple[str, ...]) -> dict[str, Any]:
    table = ctx.account.store.table("emailTemplate")
    spec = CATALOG["emailTemplate"]
    out: dict[str, Any] = {}
    for tag in tags:
        value = row[table.position[tag]]
        found = spec.field(tag)
        if found is not None and found.type is FieldType.BOOLEAN:
            value = 1 if value else None
        out[to_camel(tag)] = value
    return out


def list_one_to_one(ctx: Ctx) -> Response:
    """Templates enabled for one-to-one emails; archived ones only with `archived=true`."""
    archived = _archived_wanted(ctx)
    table = ctx.account.store.table("emailTemplate")
    one_to_one, gone = table.position["is_one_to_one_email"], table.position["is_archived"]
    rows = [
        table.rows[i]
        for i in sorted(table.rows)
        if table.rows[i][one_to_one] and (archived or not table.rows[i][gone])
    ]
    templates = [_template(ctx, row, LIST_TAGS) for row in rows]
    listing: dict[str, Any] = {"error": 0, "count": len(templates)}
    if len(templates) == 1 and ctx.app.switches.single_template == "object":
        listing["templates"] = templates[0]
    elif templates:
        listing["templates"] = templates
    return v34_ok(ctx.request, {"emailTemplates": listing})


def read_template(ctx: Ctx) -> Response:
    """One template by id; an archived one is found only with `archived=true`."""
    table = ctx.account.store.table("emailTemplate")
    row = table.rows.get(int(ctx.params["id"]))
    if row is None or (row[table.position["is_archived"]] and not _archived_wanted(ctx)):
        raise SimError(16, f"Invalid ID: no email template {ctx.params['id']}", status=404)
    record = {"error": 0, **_template(ctx, row, READ_TAGS)}
    return v34_ok(ctx.request, {"emailTemplate": record})


def email_record(ctx: Ctx, row: tuple[Any, ...], *, include_message: bool) -> dict[str, Any]:
    """An email as a read (and a send's answer) shows it: bodies nested under `message`."""
    record = record_renderer(ctx, CATALOG["email"], ctx.account.store.table("email"))(row)
    text, html = record.pop("text_message", None), record.pop("html_message", None)
    if include_message:
        record["message"] = {"text": text, "html": html}
    return record


def read_email(ctx: Ctx) -> Response:
    """One email; its bodies nested under `message` unless `include_message=false`."""
    table = ctx.account.store.table("email")
    row = table.rows.get(int(ctx.params["id"]))
    if row is None:
        raise SimError(16, f"Invalid ID: no email {ctx.params['id']}", status=404)
    wanted = (ctx.request.arg("include_message") or "true").lower() != "false"
    return v34_ok(ctx.request, {"email": email_record(ctx, row, include_message=wanted)})


def email_stats(ctx: Ctx) -> Response:
    """List email statistics: counts from the email clicks of that list email, and rates.

    An email the simulator was asked to send counts its recipients once its time has come
    (`pardot_sim.email_sends`).
    """
    email_id = int(ctx.params["id"])
    if email_id not in ctx.account.store.table("email").rows:
        raise SimError(16, f"Invalid ID: no email {email_id}", status=404)
    sent_counts = send_book(ctx.account).counts(email_id, ctx.now)
    if sent_counts is not None:
        return _stats_answer(ctx, sent_counts, clicks=0)
    clicks = ctx.account.store.table("emailClick")
    pos = clicks.position.get("list_email_id")
    clicked = [r for r in clicks.rows.values() if pos is not None and r[pos] == email_id]
    sent = 40 + email_id % 500
    delivered = sent - email_id % 7
    counts = {
        "sent": sent, "delivered": delivered, "total_clicks": len(clicked),
        "unique_clicks": len({r[clicks.position["prospect_id"]] for r in clicked}),
        "soft_bounced": email_id % 4, "hard_bounced": email_id % 5, "opt_outs": email_id % 3,
        "spam_complaints": 0, "opens": sent // 3, "unique_opens": sent // 4,
    }  # fmt: skip
    return _stats_answer(ctx, counts, clicks=len(clicked))


def _stats_answer(ctx: Ctx, counts: dict[str, int], *, clicks: int) -> Response:
    """Counts and the rates computed from them, in the rate format of the switch."""
    delivered, sent = counts["delivered"], counts["sent"]
    rates = {  # the docs' bases: sent for delivery, delivered for the rest, opens for clicks
        "delivery_rate": (delivered, sent), "opens_rate": (counts["opens"], delivered),
        "click_through_rate": (clicks, delivered),
        "unique_click_through_rate": (counts["unique_clicks"], delivered),
        "click_open_ratio": (clicks, counts["opens"]),
        "opt_out_rate": (counts["opt_outs"], delivered),
        "spam_complaint_rate": (counts["spam_complaints"], delivered),
    }  # fmt: skip
    percent = ctx.app.switches.email_rate_format == "percent"
    stats: dict[str, Any] = dict(counts)
    for name, (part, whole) in rates.items():
        value = round(100 * part / whole, 2) if whole else 0.0
        stats[name] = f"{value:.2f}%" if percent else value
    return v34_ok(ctx.request, {"stats": stats})
