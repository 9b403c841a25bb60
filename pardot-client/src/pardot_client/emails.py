"""The email and email template answers: the one-to-one template list, reads, statistics.

Their shapes are not the query shapes: the template list holds `emailTemplates.templates`
(docs/pardot-api/queries.md#email-templates), a read answers one object under its own key, and
statistics carry rates as percent text (docs/pardot-api/queries.md#emails-and-their-statistics).
Each function returns one plain form whatever variant Pardot sent.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pardot_client.errors import PardotApiError

LIST_ONE_TO_ONE = "/api/emailTemplate/version/{version}/do/listOneToOne"

STAT_COUNTS = ("sent", "delivered", "total_clicks", "unique_clicks", "soft_bounced",
               "hard_bounced", "opt_outs", "spam_complaints", "opens", "unique_opens")  # fmt: skip
STAT_RATES = ("delivery_rate", "opens_rate", "click_through_rate", "unique_click_through_rate",
              "click_open_ratio", "opt_out_rate", "spam_complaint_rate")  # fmt: skip


def template_read_path(template_id: int) -> str:
    """The read path of one email template (`{version}` left for the client)."""
    return f"/api/emailTemplate/version/{{version}}/do/read/id/{int(template_id)}"


def email_read_path(email_id: int) -> str:
    """The read path of one email."""
    return f"/api/email/version/{{version}}/do/read/id/{int(email_id)}"


def email_stats_path(email_id: int) -> str:
    """The statistics path of one list email."""
    return f"/api/email/version/{{version}}/do/stats/id/{int(email_id)}"


def one_to_one_templates(data: Any) -> list[dict[str, Any]]:
    """The templates of a one-to-one list answer: a list, one object, or none at all.

    `emailTemplates` also carries `error` and `count` beside `templates`; both are ignored.
    """
    outer = data.get("emailTemplates") if isinstance(data, dict) else None
    if outer is None:
        if isinstance(data, dict) and "emailTemplates" in data:
            return []  # an empty element: no template
        raise PardotApiError("Pardot's one-to-one template list has no emailTemplates element")
    if not isinstance(outer, dict):
        return []
    found = outer.get("templates")
    if isinstance(found, dict):
        return [found]
    if isinstance(found, list):
        return [t for t in found if isinstance(t, dict)]
    return []


def read_node(data: Any, key: str) -> dict[str, Any]:
    """The one object under `key` of a read answer (`{"email": {...}}`), without `@attributes`."""
    node = data.get(key) if isinstance(data, dict) else None
    if not isinstance(node, dict):
        raise PardotApiError(f"Pardot's {key} answer has no {key!r} object")
    return {k: v for k, v in node.items() if k != "@attributes"}


def email_stats(data: Any) -> dict[str, int | Decimal | None]:
    """A list email's statistics: counts as integers, rates as percentages (98.42 for 98.42%).

    Rates come as percent text (`"98.42%"`) in a recorded answer and may come as plain numbers;
    both read the same. A missing or empty value is None.
    """
    stats = read_node(data, "stats")
    out: dict[str, int | Decimal | None] = {}
    for name in STAT_COUNTS:
        value = _blank_to_none(stats.get(name))
        out[name] = None if value is None else _number(name, value, integral=True)
    for name in STAT_RATES:
        value = _blank_to_none(stats.get(name))
        if isinstance(value, str):
            value = value.strip().removesuffix("%").strip()
        out[name] = None if value is None else _number(name, value, integral=False)
    return out


def _blank_to_none(value: Any) -> Any:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def _number(name: str, value: Any, *, integral: bool) -> Any:
    try:
        number = Decimal(value if isinstance(value, str) else str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or (integral and number != number.to_integral_value()):
        kind = "a count" if integral else "a rate"
        raise PardotApiError(f"Pardot's email statistics give {name} as {value!r}, not {kind}")
    return int(number) if integral else number
