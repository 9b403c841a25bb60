"""Reading imported CSV cells as prospect values, and the email check rows must pass.

Choices where the docs are silent: integers and booleans (true/false/1/0) are read leniently of
case and surrounding blanks, datetimes as wall times in the creating user's timezone (or ISO with
an offset), text is stored exactly as sent. Custom fields are text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from pardot_client.catalog import FieldType
from pardot_client.dates import wall_time_candidates
from pardot_sim.switches import Switches

_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


class ValueReader:
    """CSV cells -> stored values by catalog type; ValueError when a cell cannot be one."""

    def __init__(self, timezone: str, switches: Switches) -> None:
        self.zone = "UTC" if switches.naive_input_timezone == "utc" else timezone
        self.later = switches.ambiguous_input == "later"

    def __call__(self, raw: str, kind: FieldType) -> Any:
        convert = self.converter(kind)
        return raw if convert is None else convert(raw.strip())

    def converter(self, kind: FieldType) -> Callable[[str], Any] | None:
        """The function reading a stripped, non-blank cell of `kind`; None: text, kept as sent."""
        return {
            FieldType.STRING: None,
            FieldType.INTEGER: _integer,
            FieldType.NUMBER: _number,
            FieldType.BOOLEAN: _boolean,
            FieldType.DATE: _date,
            FieldType.DATETIME: self._datetime,
        }[kind]

    def _datetime(self, text: str) -> int:
        candidates = wall_time_candidates(text, self.zone)  # also ISO with an offset
        return int((candidates[-1] if self.later else candidates[0]).timestamp())


def _integer(text: str) -> int:
    if not (text.isascii() and text.isdigit()) and not _INTEGER.match(text):
        raise ValueError(text)
    return int(text)


def _number(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _boolean(text: str) -> bool:
    flag = _BOOLEANS.get(text.lower())
    if flag is None:
        raise ValueError(text)
    return flag


def _date(text: str) -> str:
    return date.fromisoformat(text).isoformat()


def valid_email(value: str) -> bool:
    """A basic RFC 5322-ish check (dot-atom local part, a dotted domain), at most 255 chars."""
    return len(value) <= 255 and _EMAIL.match(value) is not None
