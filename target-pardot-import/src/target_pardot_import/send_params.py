"""The parameters of Pardot's email sends, and each value checked into the form Pardot reads.

Which parameter belongs to which kind of send, and its type, follow
docs/pardot-api/emails.md#required-fields. A value is either given (a record's column or a
constant of the setting) or absent: null and a blank string are absent alike. A value of the
wrong type is a `SendRowError` whose text names the parameter and the kind of value it got,
never the value (reasons reach logs; values only the rejects file).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Final

from target_pardot_import.values import valid_email

ONE_TO_ONE: Final = "one_to_one"
LIST: Final = "list"
KINDS: Final = (ONE_TO_ONE, LIST)
UNSUBSCRIBE_TAGS: Final = ("%%unsubscribe%%", "%%email_preference_center%%")


class SendRowError(ValueError):
    """A record that cannot be sent; the message is the reason, without any value."""


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "an array", bool: "a boolean", str: "text"}
    return names.get(type(value), "a number" if isinstance(value, int | float | Decimal) else
                     type(value).__name__)  # fmt: skip


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise SendRowError(f"{name}: expected a Pardot id (a positive integer), got a boolean")
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal) and value == int(value):
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if number is None or number <= 0:
        what = "zero or less" if number is not None else _type_name(value)
        raise SendRowError(f"{name}: expected a Pardot id (a positive integer), got {what}")
    return number


def _id(name: str, value: Any) -> int:
    return _positive_int(name, value)


def _ids(name: str, value: Any) -> tuple[int, ...] | None:
    """Ids as an array, one id, or text of ids separated by commas; each once, in order."""
    if isinstance(value, str):
        items: list[Any] = [part for part in value.split(",") if part.strip()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        items = [value]
    ids = tuple(dict.fromkeys(_positive_int(name, item) for item in items if item is not None))
    return ids or None


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise SendRowError(f"{name}: expected text, got {_type_name(value)}")
    return value


def _email(name: str, value: Any) -> str:
    text = _text(name, value).strip()
    if not valid_email(text):
        raise SendRowError(f"{name}: not a valid email address")
    return text


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else None
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise SendRowError(f"{name}: expected true or false, got {_type_name(value)}")


def _tags(name: str, value: Any) -> tuple[str, ...] | None:
    """Tag names: an array of text, or one text (a name may hold a comma, so none is split)."""
    items = list(value) if isinstance(value, list | tuple) else [value]
    tags = []
    for item in items:
        if not isinstance(item, str):
            raise SendRowError(f"{name}: expected text or an array of text, got "
                               f"{_type_name(item)}")  # fmt: skip
        if item.strip():
            tags.append(item.strip())
    return tuple(dict.fromkeys(tags)) or None


def _time(name: str, value: Any) -> str:
    """An instant as ISO 8601 with its offset, in UTC (`2026-11-24T17:00:00+0000`).

    Without an offset it is UTC, the Singer convention for date-times
    (docs/pardot-api/emails.md#required-fields).
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        text = value.strip()
        text = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise SendRowError(f"{name}: not an ISO 8601 date-time") from None
    else:
        raise SendRowError(f"{name}: expected an ISO 8601 date-time, got {_type_name(value)}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+0000")


Check = Callable[[str, Any], Any]
BOTH = frozenset(KINDS)
# parameter -> (its check, the kinds of send that take it, its form field name)
PARAMS: Final[dict[str, tuple[Check, frozenset[str], str]]] = {
    "prospect_id": (_id, frozenset({ONE_TO_ONE}), "prospect_id"),
    "prospect_email": (_email, frozenset({ONE_TO_ONE}), "prospect_email"),
    "list_ids": (_ids, frozenset({LIST}), "list_ids[]"),
    "suppression_list_ids": (_ids, frozenset({LIST}), "suppression_list_ids[]"),
    "campaign_id": (_id, BOTH, "campaign_id"),
    "email_template_id": (_id, BOTH, "email_template_id"),
    "name": (_text, BOTH, "name"),
    "subject": (_text, BOTH, "subject"),
    "text_content": (_text, BOTH, "text_content"),
    "html_content": (_text, BOTH, "html_content"),
    "from_email": (_email, BOTH, "from_email"),
    "from_name": (_text, BOTH, "from_name"),
    "from_user_id": (_id, BOTH, "from_user_id"),
    "from_assigned_user": (_boolean, frozenset({LIST}), "from_assigned_user"),
    "from_account_owner": (_boolean, frozenset({LIST}), "from_account_owner"),
    "replyto_email": (_email, BOTH, "replyto_email"),
    "tags": (_tags, BOTH, "tags[]"),
    "operational_email": (_boolean, BOTH, "operational_email"),
    "scheduled_time": (_time, frozenset({LIST}), "scheduled_time"),
}


def params_of(kind: str) -> tuple[str, ...]:
    """The parameters a kind of send takes, in the order they are sent."""
    return tuple(name for name, (_, kinds, _) in PARAMS.items() if kind in kinds)


def checked(name: str, value: Any) -> Any:
    """A parameter's value in Pardot's form, or None when absent; SendRowError if it can't be."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    check = PARAMS[name][0]
    return check(name, value)


def form_fields(name: str, value: Any) -> list[tuple[str, str]]:
    """The form fields of one checked value: repeated for ids and tags, `1` for true, none for
    false (a flag left out is false)."""
    field = PARAMS[name][2]
    if isinstance(value, bool):
        return [(field, "1")] if value else []
    if isinstance(value, tuple):
        return [(field, str(item)) for item in value]
    return [(field, str(value))]


def has_unsubscribe_link(text: str) -> bool:
    """Whether a body holds a tag Pardot requires.

    docs/pardot-api/emails.md#the-unsubscribe-rule
    """
    return any(tag in text for tag in UNSUBSCRIBE_TAGS)
