"""Checking a connector's config against its JSON schema, in words that never quote a secret.

singer-sdk reports a config that fails its schema with jsonschema's own message, which quotes
the value: `98765 is not of type 'string', 'null' in config['client_secret']`
(docs/sdk.md#secrets-in-config-validation-errors). The connectors hand their validator's errors
here instead and report one line per run: each problem names the setting and says what to
write, and a secret setting's value is never part of it (nor any configured secret anywhere in
the text). Text from the environment (`TAP_PARDOT_EXPORT_POLL_INTERVAL_SECONDS=0.5`) is read
as the number or boolean the schema asks for before the check. This module knows JSON schema
only, no Singer code: the validator comes from the connector.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pardot_client.dates import parse_utc
from pardot_client.errors import PardotConfigError
from pardot_client.secrets import REGISTRY

_TRUE = frozenset({"true", "1", "yes", "y", "on", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "off", "f", ""})
_JSON_NAMES = {
    "string": "text", "integer": "a whole number", "number": "a number",
    "boolean": "true or false", "object": "an object", "array": "a list", "null": "null",
}  # fmt: skip
_SHOWN_CHARS = 60
_BOUND_WORDS = {
    "minimum": "at least", "maximum": "at most",
    "exclusiveMinimum": "more than", "exclusiveMaximum": "less than",
}  # fmt: skip


def types_of(prop: Mapping[str, Any]) -> set[str]:
    """The JSON types a property schema allows (its `type`, a string or a list)."""
    kinds = prop.get("type")
    if isinstance(kinds, str):
        return {kinds}
    return {k for k in kinds or () if isinstance(k, str)}


def numbers_as_text(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `schema` whose number and integer settings are text.

    For an environment reader that would otherwise convert them itself and fail on `0.5` for an
    integer with a bare ValueError; `coerce_text_values` converts them afterwards, with a
    message that names the setting.
    """
    result = copy.deepcopy(dict(schema))
    for prop in (result.get("properties") or {}).values():
        kinds = types_of(prop)
        if kinds & {"number", "integer"} and "string" not in kinds:
            prop["type"] = ["string", "null"]
    return result


def coerce_text_values(config: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """`config` with text given for number, integer and boolean settings read as such.

    Environment variables are always text. Text that does not read as the type is left as it
    is, for the check to report.
    """
    values = dict(config)
    for name, prop in (schema.get("properties") or {}).items():
        value = values.get(name)
        if not isinstance(value, str):
            continue
        kinds = types_of(prop)
        if "string" in kinds:
            continue
        text = value.strip()
        if "integer" in kinds or "number" in kinds:
            number = _number_or_none(text, integer="number" not in kinds)
            if number is not None:
                values[name] = number
        elif "boolean" in kinds and text.lower() in _TRUE | _FALSE:
            values[name] = text.lower() in _TRUE
    return values


def _number_or_none(text: str, *, integer: bool) -> int | float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):  # noqa: PLR0124
        return None
    if integer:
        return int(number) if number.is_integer() else None
    return int(number) if text.lstrip("+-").isdigit() else number


def check_config(
    config: Mapping[str, Any],
    schema: Mapping[str, Any],
    iter_errors: Callable[[dict[str, Any]], Iterable[Any]],
) -> tuple[dict[str, Any], list[str]]:
    """The config with text values read as their types, and its problems, one phrase each.

    `iter_errors` is a jsonschema validator's `iter_errors` for `schema` (it may fill in
    defaults, as singer-sdk's does). Date-time settings are read the way the connectors read
    them (`pardot_client.dates.parse_utc`), since the validator checks no formats.
    """
    remember_secrets(config, schema)
    values = coerce_text_values(config, schema)
    problems = [describe_error(error, schema) for error in iter_errors(values)]
    problems += date_problems(values, schema)
    return values, [REGISTRY.redact(p) for p in dict.fromkeys(problems)]


def validated_config(
    config: Mapping[str, Any],
    schema: Mapping[str, Any],
    iter_errors: Callable[[dict[str, Any]], Iterable[Any]],
    logger: logging.Logger,
    *,
    raise_errors: bool = True,
) -> tuple[dict[str, Any], list[str]]:
    """`check_config`, then what a connector's config validation does with the problems: raise
    them as one `PardotConfigError` line, or log them as one warning."""
    values, problems = check_config(config, schema, iter_errors)
    if problems and raise_errors:
        raise PardotConfigError(config_error_line(problems))
    if problems:
        logger.warning("Config: %s", config_error_line(problems))
    return values, problems


def remember_secrets(config: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
    """Register every secret setting's value, so no later message or log can show it."""
    for name, prop in (schema.get("properties") or {}).items():
        value = config.get(name)
        if prop.get("secret") and value is not None and not isinstance(value, (dict, list)):
            REGISTRY.add(str(value))


def date_problems(config: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Date-time settings that do not read as an ISO 8601 instant."""
    problems = []
    for name, prop in (schema.get("properties") or {}).items():
        value = config.get(name)
        if prop.get("format") != "date-time" or not isinstance(value, str) or not value:
            continue
        try:
            parse_utc(value)
        except ValueError:
            problems.append(
                f"{name} is {_shown(value)}, which is not a date-time: write an ISO 8601 "
                "instant such as 2025-01-01T00:00:00Z, or a date such as 2025-01-01 (UTC)"
            )
    return problems


def describe_error(error: Any, schema: Mapping[str, Any]) -> str:
    """One jsonschema `ValidationError` as a phrase that names the setting and what to write."""
    where = getattr(error, "absolute_path", None) or getattr(error, "path", None) or ()
    path = [str(p) for p in where]
    keyword = str(getattr(error, "validator", ""))
    expected = getattr(error, "validator_value", None)
    instance = getattr(error, "instance", None)
    properties = schema.get("properties") or {}
    if keyword == "required" and not path:
        missing = _missing_name(error, expected, instance)
        prop = properties.get(missing, {})
        about = f" ({prop['description'].rstrip('.')})" if prop.get("description") else ""
        return f"{missing} is required{about}: set it"
    name = ".".join(path) if path else "the config"
    secret = bool(path) and bool(properties.get(path[0], {}).get("secret"))
    shown = "" if secret else f" {_shown(instance)}"
    given = f"{_JSON_NAMES.get(_json_type(instance), 'a value')}{shown}"
    if keyword == "type":
        wanted = sorted(k for k in ([expected] if isinstance(expected, str) else expected or [])
                        if k != "null")  # fmt: skip
        words = " or ".join(_JSON_NAMES.get(k, k) for k in wanted) or "another type"
        quote = wanted == ["string"] and not isinstance(instance, str)
        hint = "; write it in quotes" if quote else ""
        tail = " (its value is not shown: the setting is secret)" if secret else ""
        return f"{name} must be {words}, not {given}{hint}{tail}"
    if keyword == "enum":
        options = ", ".join(str(v) for v in expected or [] if v is not None)
        return f"{name} is{shown or ' not allowed'}; use one of {options}"
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        word = _BOUND_WORDS[keyword]
        return f"{name} must be {word} {expected}, not{shown or ' the value given'}"
    if secret:
        return f"{name} is not valid ({keyword}; its value is not shown: the setting is secret)"
    return f"{name}: {getattr(error, 'message', keyword)}"


def _missing_name(error: Any, required: Any, instance: Any) -> str:
    if isinstance(required, list) and isinstance(instance, Mapping):
        for name in required:
            if name not in instance:
                return str(name)
    message = str(getattr(error, "message", ""))
    return message.split("'")[1] if message.count("'") >= 2 else message


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, (float,)) or type(value).__name__ == "Decimal":
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def config_error_line(problems: Iterable[str]) -> str:
    """The problems as the one line a CLI prints."""
    return "; ".join(problems)
