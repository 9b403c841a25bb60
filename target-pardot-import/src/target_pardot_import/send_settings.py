"""The `email_sends` setting: which streams send emails, and how their columns become a send.

`email_sends` binds a stream (by the name the target sees, after stream maps) to sends: each of
its records is one send. A binding names the kind (`one_to_one`, the default, or `list`), the
record property that holds the send's idempotency key (`key`), `columns` mapping a send
parameter to the property it comes from (by default the property of the parameter's own
name), and `constants`: parameter values the same for every send. Everything is checked here,
once, before any record is read; a mistake is a `PardotConfigError` that names the setting.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from singer_sdk import typing as th

from pardot_client import PardotConfigError
from target_pardot_import.send_params import KINDS, ONE_TO_ONE, SendRowError, checked, params_of

BINDING_SCHEMA = th.ObjectType(
    th.Property("kind", th.StringType, allowed_values=list(KINDS),
                description="one_to_one (default): one email to the record's prospect; list: "
                "one email to every prospect of the record's lists."),
    th.Property("key", th.StringType, required=True,
                description="The record property holding the send's idempotency key."),
    th.Property("columns", th.ObjectType(additional_properties=th.StringType),
                description="Send parameter -> the record property it comes from."),
    th.Property("constants", th.ObjectType(additional_properties=th.AnyType()),
                description="Send parameter -> a value the same for every send."),
)  # fmt: skip


@dataclass(frozen=True)
class SendBinding:
    """One stream's sends: kind, key property, where each parameter comes from."""

    stream: str
    kind: str
    key: str
    columns: Mapping[str, str]  # parameter -> property, only those the setting names
    constants: Mapping[str, Any]  # parameter -> checked value

    @property
    def params(self) -> tuple[str, ...]:
        """The parameters this kind of send takes."""
        return params_of(self.kind)

    def source(self, param: str) -> str | None:
        """The record property a parameter comes from; None when it is a constant."""
        if param in self.constants:
            return None
        return self.columns.get(param, param)

    def sources(self) -> dict[str, str]:
        """Property -> parameter, for every parameter that comes from the record."""
        found = {}
        for param in self.params:
            prop = self.source(param)
            if prop is not None:
                found[prop] = param
        return found


def parse_email_sends(value: Any, *, allow_operational_email: bool) -> dict[str, SendBinding]:
    """The bindings of the `email_sends` setting (a JSON text is read too, as from an env var)."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise PardotConfigError("email_sends must be a JSON object") from None
    if not isinstance(value, Mapping):
        raise PardotConfigError("email_sends must be an object: {stream name: {kind, key, ...}}")
    return {
        str(stream): _binding(str(stream), spec, allow_operational_email=allow_operational_email)
        for stream, spec in value.items()
    }


def _binding(stream: str, spec: Any, *, allow_operational_email: bool) -> SendBinding:
    where = f"email_sends.{stream}"
    if not isinstance(spec, Mapping):
        raise PardotConfigError(f"{where} must be an object with kind, key, columns, constants")
    unknown = sorted(set(spec) - {"kind", "key", "columns", "constants"})
    if unknown:
        raise PardotConfigError(
            f"{where} has unknown entries {', '.join(unknown)}; it takes kind, key, columns, "
            "constants"
        )
    kind = spec.get("kind") or ONE_TO_ONE
    if kind not in KINDS:
        raise PardotConfigError(f"{where}.kind must be one_to_one or list, not {kind!r}")
    key = spec.get("key")
    if not isinstance(key, str) or not key.strip():
        raise PardotConfigError(
            f"{where}.key must name the record property that holds each send's idempotency key "
            '(e.g. "send_id"): a send is never made twice for one key'
        )
    params = params_of(kind)
    columns = _mapping(f"{where}.columns", spec.get("columns"), params, kind)
    constants = _mapping(f"{where}.constants", spec.get("constants"), params, kind)
    for param, prop in columns.items():
        if not isinstance(prop, str) or not prop.strip():
            raise PardotConfigError(f"{where}.columns.{param} must name a record property")
    repeated = sorted({p for p in columns.values() if list(columns.values()).count(p) > 1})
    if repeated:
        raise PardotConfigError(f"{where}.columns maps several parameters to {repeated[0]}")
    both = sorted(set(columns) & set(constants))
    if both:
        raise PardotConfigError(
            f"{where}: {', '.join(both)} is given both by columns and by constants; keep one"
        )
    values = {}
    for param, raw in constants.items():
        try:
            values[param] = checked(param, raw)
        except SendRowError as exc:
            raise PardotConfigError(f"{where}.constants.{exc}") from None
    if values.get("operational_email") and not allow_operational_email:
        raise PardotConfigError(
            f"{where}.constants.operational_email is true, which sends to prospects who opted "
            "out; set allow_operational_email to true if that is meant (the account must have "
            "the feature)"
        )
    return SendBinding(stream, kind, key, dict(columns),
                       {k: v for k, v in values.items() if v is not None})  # fmt: skip


def _mapping(where: str, given: Any, params: tuple[str, ...], kind: str) -> dict[str, Any]:
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise PardotConfigError(f"{where} must be an object: {{send parameter: ...}}")
    unknown = sorted(set(given) - set(params))
    if unknown:
        raise PardotConfigError(
            f"{where} names {', '.join(unknown)}, which a {kind} send does not take; its "
            f"parameters are {', '.join(params)}"
        )
    return dict(given)
