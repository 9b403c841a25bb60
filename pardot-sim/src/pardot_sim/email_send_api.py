"""The email send endpoints: a one-to-one send and a list send, as documented.

`POST /api/email/version/{v}/do/send` takes form fields (the prospect as `prospect_id` or
`prospect_email`, or lists as `list_ids[]`), and the one-to-one forms name the prospect in the
path (`.../send/prospect_id/{id}`, `.../send/prospect_email/{email}`). A send is checked the
way docs/pardot-api/emails.md#required-fields describes, creates an email record (readable
through the email read, with statistics that move), and is kept in the account's send book
(`pardot_sim.email_sends`) with its recipients' counters. Refusals answer the codes of
docs/pardot-api/emails.md#errors-a-send-can-meet.

The admin route `/_sim/accounts/{bu}/email-sends` reads the book (GET) and switches the
account's operational email feature (POST `{"operational_email": true}`).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from pardot_client.dates import get_zone
from pardot_sim.app import Ctx, SimApp
from pardot_sim.email_api import email_record
from pardot_sim.email_sends import Send, list_recipients, live, mailable, send_book
from pardot_sim.http import Request, Response
from pardot_sim.responses import SimError, v34_ok

SEND = r"/api/email/version/(?P<version>[34])/do/send"
UNSUBSCRIBE_TAGS = ("%%unsubscribe%%", "%%email_preference_center%%")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?$")
_TRUE = ("1", "true")


def register(app: SimApp) -> None:
    """Add the send routes and their admin route."""
    app.add_route("POST", rf"{SEND}/prospect_id/(?P<prospect_id>[^/]+)", "v34", send)
    app.add_route("POST", rf"{SEND}/prospect_email/(?P<prospect_email>[^/]+)", "v34", send)
    app.add_route("POST", SEND, "v34", send)
    book_path = r"/_sim/accounts/(?P<bu>0Uv[0-9A-Za-z]{15})/email-sends"

    def admin(request: Request, params: dict[str, str]) -> Response:
        account = app.account(params["bu"])
        book = send_book(account)
        if request.method == "POST" and request.body:
            body = json.loads(request.body)
            if "operational_email" in body:
                book.operational_email = bool(body["operational_email"])
        return Response.json(book.as_dict(app.clock.now()))

    app.add_route("GET", book_path, "admin", admin)
    app.add_route("POST", book_path, "admin", admin)


def _values(request: Request, name: str) -> list[str]:
    """Every value of a repeatable field (`name[]` or `name`), blanks left out."""
    found: list[str] = []
    form = request.form()
    for key in (f"{name}[]", name):
        found += request.query.get(key, []) + form.get(key, [])
    return [v for v in found if v.strip()]


def _one(request: Request, name: str) -> str | None:
    value = request.arg(name)
    return value if value is not None and value.strip() else None


def _flag(request: Request, name: str) -> bool:
    return (_one(request, name) or "").strip().lower() in _TRUE


def _integer(text: str | None, code: int, what: str) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise SimError(code, f"Invalid {what}") from None


def send(ctx: Ctx) -> Response:
    """One send: checked, recorded, answered with a copy of the email it created."""
    book = send_book(ctx.account)
    try:
        response = _send(ctx)
    except SimError as error:
        book.refuse(error.code)
        raise
    return response


def _send(ctx: Ctx) -> Response:
    request, store = ctx.request, ctx.account.store
    prospect_id = ctx.params.get("prospect_id") or _one(request, "prospect_id")
    raw_email = ctx.params.get("prospect_email")
    prospect_email = unquote(raw_email) if raw_email else _one(request, "prospect_email")
    list_ids = [_integer(v, 55, "list ID") or 0 for v in _values(request, "list_ids")]
    one_to_one = prospect_id is not None or prospect_email is not None
    if one_to_one == bool(list_ids):
        raise SimError(65, "A send needs list_ids[] or a prospect, not both and not neither")
    campaign_id = _integer(_one(request, "campaign_id"), 38, "campaign ID")
    if campaign_id is None:
        raise SimError(65, "Required field missing: campaign_id")
    if live(store.table("campaign"), campaign_id) is None:
        raise SimError(38, "Invalid campaign ID")
    template = _template(ctx, one_to_one=one_to_one)
    content = _content(ctx, template)
    operational = _operational(ctx)
    if one_to_one:
        recipients: tuple[int, ...] = (_prospect(ctx, prospect_id, prospect_email, operational),)
        scheduled = None
        suppressed: list[int] = []
    else:
        suppressed = [
            _integer(v, 55, "list ID") or 0 for v in _values(request, "suppression_list_ids")
        ]
        lists = store.table("list")
        if any(live(lists, i) is None for i in (*list_ids, *suppressed)):
            raise SimError(55, "Invalid list ID")
        scheduled = _scheduled(ctx)
        recipients = list_recipients(ctx.account, list_ids, suppressed, operational=operational)
    emails = store.table("email")
    email_id = emails.insert({**content, "created_at": int(ctx.now)})
    send_book(ctx.account).add(Send(
        email_id=email_id, kind="one_to_one" if one_to_one else "list",
        campaign_id=campaign_id, template_id=template[0] if template else None,
        recipients=recipients, list_ids=tuple(list_ids), suppression_list_ids=tuple(suppressed),
        tags=tuple(_values(request, "tags")), operational=operational, accepted_at=ctx.now,
        scheduled_at=scheduled,
    ))  # fmt: skip
    row = emails.rows[email_id]
    return v34_ok(request, {"email": email_record(ctx, row, include_message=True)})


def _template(ctx: Ctx, *, one_to_one: bool) -> tuple[Any, ...] | None:
    """The template row, enabled for this kind of send; None when the send has content."""
    template_id = _integer(_one(ctx.request, "email_template_id"), 68, "template ID")
    if template_id is None:
        return None
    table = ctx.account.store.table("emailTemplate")
    row = table.rows.get(template_id)
    if row is None or row[table.position["is_archived"]]:
        raise SimError(68, "Template with this id does not exist.")
    flag = "is_one_to_one_email" if one_to_one else "is_list_email"
    if not row[table.position[flag]]:
        raise SimError(86, "Invalid Template id")
    return row


def _content(ctx: Ctx, template: tuple[Any, ...] | None) -> dict[str, Any]:
    """Name, subject and bodies: the template's, overridden by the fields given."""
    request = ctx.request
    given = {
        "name": _one(request, "name"), "subject": _one(request, "subject"),
        "text_message": _one(request, "text_content"),
        "html_message": _one(request, "html_content"),
    }  # fmt: skip
    for body in (given["text_message"], given["html_message"]):
        if body is not None and not any(tag in body for tag in UNSUBSCRIBE_TAGS):
            raise SimError(64, "Email content missing required variables")
    for name in ("replyto_email", "from_email"):
        value = _one(request, name)
        if value is not None and not _EMAIL.match(value.strip()):
            raise SimError(65, f"Invalid email format: {name}")
    if template is None:
        missing = [k for k in ("name", "subject", "text_message") if given[k] is None]
        user_id = _integer(_one(request, "from_user_id"), 10, "user ID")
        if user_id is not None:
            if live(ctx.account.store.table("user"), user_id) is None:
                raise SimError(10, "Invalid user ID")
        elif _one(request, "from_email") is None or _one(request, "from_name") is None:
            missing.append("from_email and from_name, or from_user_id")
        if missing:
            names = ", ".join(m.replace("_message", "_content") for m in missing)
            raise SimError(65, f"Required fields missing: {names}")
        return given
    table = ctx.account.store.table("emailTemplate")
    own = {k: template[table.position[k]] for k in ("name", "subject", "text_message",
                                                    "html_message")}  # fmt: skip
    return {k: given[k] if given[k] is not None else own[k] for k in given}


def _operational(ctx: Ctx) -> bool:
    """Whether the send ignores opt-outs: asked for, and the account has the feature."""
    if not _flag(ctx.request, "operational_email"):
        return False
    if send_book(ctx.account).operational_email:
        return True
    if ctx.app.switches.operational_without_feature == "refused":
        raise SimError(65, "Operational email is not enabled for this account")
    return False  # ignored: the opt-out rule applies


def _prospect(ctx: Ctx, by_id: str | None, by_email: str | None, operational: bool) -> int:
    """The one prospect a one-to-one send names, mailable."""
    prospects = ctx.account.store.table("prospect")
    found: int | None = None
    if by_id is not None:
        found = _integer(by_id, 3, "prospect ID")
        if found is None or live(prospects, found) is None:
            raise SimError(3, "Invalid prospect ID")
    if by_email is not None:
        pos = prospects.position["email"]
        wanted = by_email.strip().lower()
        matches = sorted(
            i for i, row in prospects.rows.items()
            if i not in prospects.deleted and str(row[pos] or "").lower() == wanted
        )  # fmt: skip
        if not matches:
            raise SimError(4, "Invalid prospect email address")
        if found is not None and found not in matches:
            raise SimError(44, "The provided prospect_id and prospect_email do not match")
        found = found if found is not None else matches[0]
    assert found is not None
    row = prospects.rows[found]
    if not mailable(prospects, row, operational=operational):
        raise SimError(98, "Prospect not mailable")
    return found


def _scheduled(ctx: Ctx) -> float | None:
    """`scheduled_time` as epoch seconds (no offset: the user's timezone); 7 when unreadable."""
    text = _one(ctx.request, "scheduled_time")
    if text is None:
        return None
    text = text.strip()
    if not _ISO.match(text):
        raise SimError(7, "Invalid timestamp")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    elif re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=get_zone(ctx.user.timezone))
    return moment.timestamp()
