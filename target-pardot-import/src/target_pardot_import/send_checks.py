"""Records -> checked sends: the stream's schema against its binding, each record against the rules.

The schema is checked once, when the stream's SCHEMA arrives: its key property must be there,
and every property must be a send parameter (by name or through `columns`), the key, or `_sdc_*`
metadata, so a misspelt column fails the run before anything is sent instead of being dropped.
Each record is then checked before any call (docs/pardot-api/emails.md#required-fields): its
key, each value's type, the documented combinations of required fields, the unsubscribe rule,
`operational_email` only with `allow_operational_email`. A record that fails is a
`SendRowError` whose reason names parameters, never values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pardot_client import PardotConfigError
from target_pardot_import.send_params import (
    LIST,
    ONE_TO_ONE,
    SendRowError,
    checked,
    form_fields,
    has_unsubscribe_link,
)
from target_pardot_import.send_settings import SendBinding

SEND_PATH = "/api/email/version/{version}/do/send"  # docs/pardot-api/emails.md#endpoints
MAX_KEY_LENGTH = 500
_CONTENT = ("name", "subject", "text_content")


@dataclass(frozen=True)
class SendRequest:
    """One checked send: its key, kind, form fields and a fingerprint of what it sends."""

    key: str
    kind: str
    params: Mapping[str, Any]  # checked values, for a dry run's plan
    fields: tuple[tuple[str, str], ...]  # the form, in parameter order

    @property
    def fingerprint(self) -> str:
        """What makes two sends the same send (the ledger notes a key reused for another)."""
        text = json.dumps([self.kind, self.fields], ensure_ascii=False)
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class SendBuilder:
    """Turns one bound stream's records into sends, or rejects them with a reason."""

    def __init__(
        self, binding: SendBinding, properties: Mapping[str, Any], *, allow_operational: bool
    ) -> None:
        """Check the stream's schema against the binding (`PardotConfigError` on a mismatch)."""
        self.binding = binding
        self.allow_operational = allow_operational
        self.sources = binding.sources()  # property -> parameter
        where = f"stream {binding.stream} (email_sends.{binding.stream})"
        names = {name for name in properties if not name.startswith("_sdc_")}
        if binding.key not in names:
            raise PardotConfigError(
                f"{where}: the key property {binding.key} is not in the stream's schema; set "
                "email_sends key to the column that holds each send's idempotency key"
            )
        clashing = sorted(p for p in binding.constants if p in names)
        if clashing:
            raise PardotConfigError(
                f"{where}: {', '.join(clashing)} comes from constants and is also a column of "
                "the stream; drop one of them"
            )
        unknown = sorted(names - set(self.sources) - {binding.key})
        if unknown:
            raise PardotConfigError(
                f"{where}: {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} no "
                f"parameter of a {binding.kind} send. Map a column to its parameter with "
                'columns, or drop it with a stream map ({"column": null}); nothing is sent '
                "until each column has a meaning"
            )
        missing = sorted(
            f"{param} ({prop})" for param, prop in binding.columns.items() if prop not in names
        )
        if missing:
            raise PardotConfigError(
                f"{where}: columns maps {', '.join(missing)} to properties the stream's schema "
                "lacks"
            )
        self._known = frozenset(self.sources) | {binding.key}

    def build(self, record: Mapping[str, Any]) -> SendRequest:
        """The send a record asks for; `SendRowError` with the reason when it cannot go."""
        binding = self.binding
        key = self._key(record.get(binding.key))
        extra = sorted(
            name for name, value in record.items()
            if value is not None and name not in self._known and not name.startswith("_sdc_")
        )  # fmt: skip
        if extra:
            raise SendRowError(f"unknown_fields: not send parameters: {', '.join(extra)}")
        params: dict[str, Any] = {}
        for param in binding.params:
            prop = binding.source(param)
            raw = binding.constants.get(param) if prop is None else record.get(prop)
            value = checked(param, raw)
            if value is not None:
                params[param] = value
        self._check(params)
        fields = tuple(field for name, value in params.items()
                       for field in form_fields(name, value))  # fmt: skip
        return SendRequest(key, binding.kind, params, fields)

    def _key(self, value: Any) -> str:
        name = self.binding.key
        if isinstance(value, bool) or not isinstance(value, str | int):
            what = "no value" if value is None else "a value that is not text or an integer"
            raise SendRowError(f"send_key: {name} has {what}; every send needs its key")
        key = str(value).strip()
        if not key:
            raise SendRowError(f"send_key: {name} is blank; every send needs its key")
        if len(key) > MAX_KEY_LENGTH:
            raise SendRowError(f"send_key: {name} is longer than {MAX_KEY_LENGTH} characters")
        return key

    def _check(self, params: Mapping[str, Any]) -> None:
        """The documented combinations, the unsubscribe rule, operational email."""
        kind = self.binding.kind
        if kind == ONE_TO_ONE:
            given = [p for p in ("prospect_id", "prospect_email") if p in params]
            if not given:
                raise SendRowError(
                    "required_fields: a one_to_one send needs prospect_id or prospect_email"
                )
            if len(given) == 2:
                raise SendRowError(
                    "ambiguous_prospect: give prospect_id or prospect_email, not both"
                )
        if kind == LIST and "list_ids" not in params:
            raise SendRowError("required_fields: a list send needs list_ids")
        if "campaign_id" not in params:
            raise SendRowError(f"required_fields: a {kind} send needs campaign_id")
        self._check_sender(params)
        if "email_template_id" not in params:
            missing = [p for p in _CONTENT if p not in params]
            if "from_user_id" not in params and "from_email" not in params:
                missing.append("a sender (from_email with from_name, or from_user_id)")
            if missing:
                alone = ""
                if "html_content" in params and "text_content" in missing:
                    alone = " (html_content alone is not enough)"
                raise SendRowError(
                    f"required_fields: without email_template_id a send needs name, subject, "
                    f"text_content and a sender; missing: {', '.join(missing)}{alone}"
                )
        for body in ("text_content", "html_content"):
            if body in params and not has_unsubscribe_link(params[body]):
                raise SendRowError(
                    f"unsubscribe_link: {body} contains neither %%unsubscribe%% nor "
                    "%%email_preference_center%%, which Pardot requires in every body"
                )
        if params.get("operational_email") and not self.allow_operational:
            raise SendRowError(
                "operational_email: true sends to prospects who opted out; the target sends it "
                "only with allow_operational_email true"
            )

    @staticmethod
    def _check_sender(params: Mapping[str, Any]) -> None:
        if "from_user_id" in params and ("from_email" in params or "from_name" in params):
            raise SendRowError(
                "ambiguous_sender: give from_user_id or from_email with from_name, not both"
            )
        if ("from_email" in params) != ("from_name" in params):
            raise SendRowError("required_fields: from_email and from_name go together")
