"""What Pardot refused when an export was created, and how a stream goes on without it.

Some of what an export asks for rests on one reading of the docs where another is possible
(docs/pardot-api/exports.md#refusals): `deleted=all` on prospects (one Export overview lists it,
the other does not), external activities through the account's v3/v4 version (listed with no
version restriction), fields no document lists for an export. A refusal of one of these must
not fail the stream: the argument or field is dropped, or the object goes to the v5 endpoints,
with one warning each, and the export is created again. A refusal of anything the stream cannot
do without (the id, the bookmark field, a required argument) is left to fail with Pardot's text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pardot_client import PardotApiError
from pardot_client.catalog import ObjectSpec

UNKNOWN_ARGUMENT = 175  # "Unknown procedure argument."
INVALID_ARGUMENT = 177  # "Invalid procedure argument." (also bad dates: left to the dates rule)
UNKNOWN_FIELD = 130  # "One or more of the specified fields are invalid"
# Codes a v3/v4 refusal of the object itself may come with: an invalid `object` (154), or its
# procedure, arguments or fields unknown there (174, 175, 130).
OBJECT_REFUSED = frozenset({154, 174, UNKNOWN_ARGUMENT, UNKNOWN_FIELD})


@dataclass
class ExportRefusals:
    """One stream's refusals so far: the API version it exports through, what it leaves out."""

    stream: str
    spec: ObjectSpec
    logger: logging.Logger
    api_version: int = 4  # 4: the account's v3/v4 version (the client picks 3 or 4), or 5
    dropped_arguments: set[str] = field(default_factory=set)
    dropped_fields: set[str] = field(default_factory=set)

    def arguments(self, arguments: dict[str, str]) -> dict[str, str]:
        """The stream's own arguments without those Pardot refused."""
        return {k: v for k, v in arguments.items() if k not in self.dropped_arguments}

    def fields(self, names: Iterable[str]) -> list[str]:
        """The fields to request (snake_case names), without those Pardot refused."""
        return [n for n in names if n not in self.dropped_fields]

    def handle(
        self,
        error: PardotApiError,
        *,
        optional_arguments: Sequence[str],
        fields: Sequence[str],
        kept: Sequence[str],
        custom: Sequence[str] = (),
    ) -> bool:
        """Adjust to a refused create; True when the export should be created again.

        `optional_arguments` are arguments the stream adds on its own (`deleted=all`), `fields`
        the fields it asked for (as sent), `kept` the snake_case names it cannot do without,
        `custom` the account's own fields. Only something not yet dropped is dropped, so this
        ends.
        """
        if self._to_v5(error):
            return True
        if self._drop_argument(error, optional_arguments):
            return True
        return self._drop_fields(error, fields, kept, custom)

    def _to_v5(self, error: PardotApiError) -> bool:
        if self.api_version == 5 or not self.spec.export_v5_fallback:
            return False
        if error.code not in OBJECT_REFUSED:
            return False
        self.api_version = 5
        self.logger.warning(
            "%s: Pardot's v3/v4 Export API refused %s exports (%s); exporting them through the "
            "v5 endpoints for the rest of this run",
            self.stream, self.spec.name, error,
        )  # fmt: skip
        return True

    def _drop_argument(self, error: PardotApiError, optional: Sequence[str]) -> bool:
        sent = [a for a in optional if a not in self.dropped_arguments]
        named = [a for a in sent if _names(str(error), a)]
        if error.code == UNKNOWN_ARGUMENT:
            refused = named or sent
        elif error.code == INVALID_ARGUMENT:
            refused = named  # a bad date also answers 177: only a named argument is ours
        else:
            refused = []
        if not refused:
            return False
        self.dropped_arguments.update(refused)
        self.logger.warning(
            "%s: Pardot refused the %s argument %s (%s); exporting without it for the rest of "
            "this run, so rows it would have added (deleted ones) are not exported",
            self.stream, self.spec.name, ", ".join(refused), error,
        )  # fmt: skip
        return True

    def _drop_fields(
        self, error: PardotApiError, fields: Sequence[str], kept: Sequence[str],
        custom: Sequence[str],
    ) -> bool:  # fmt: skip
        asked = [f for f in fields if self._snake(f) not in self.dropped_fields]
        named = [f for f in asked if _names(str(error), f)]
        if error.code != UNKNOWN_FIELD and not named:
            return False
        if not named:  # Pardot did not say which: first the fields no document lists, then ours
            undocumented = {f.name for f in self.spec.fields if not f.export_documented}
            named = [f for f in asked if self._snake(f) in undocumented]
            named = named or [f for f in asked if f in custom]
        if not named or any(self._snake(f) in kept for f in named):
            return False
        self.dropped_fields.update(self._snake(f) for f in named)
        self.logger.warning(
            "%s: Pardot refused the export field%s %s (%s); exporting the other fields without "
            "it for the rest of this run",
            self.stream, "s" if len(named) > 1 else "", ", ".join(named), error,
        )  # fmt: skip
        return True

    def _snake(self, name: str) -> str:
        """A requested name as its catalog (snake_case) name; custom fields as they are."""
        found = self.spec.field(name)
        return found.name if found is not None else name


def _names(message: str, name: str) -> bool:
    """Whether an error message names `name` as a whole word."""
    return re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", message) is not None
