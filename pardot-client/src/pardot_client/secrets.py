"""Secret values that cannot leak through repr, str, f-strings or log records."""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

MASK = "**********"


class SecretStr:
    """A string that prints as a mask; `reveal()` is the only way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself, for the one place that must send it."""
        return self._value

    def __repr__(self) -> str:
        return f"SecretStr('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class SecretRegistry:
    """Every secret value this process knows, so text can be scrubbed before anyone sees it.

    Tokens arrive at run time (access tokens, legacy api keys), so they register themselves
    here as well as the configured credentials.
    """

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, *values: str | SecretStr | None) -> None:
        """Remember values to scrub; short values are ignored (they would mask ordinary words)."""
        with self._lock:
            for value in values:
                raw = value.reveal() if isinstance(value, SecretStr) else value
                if raw and len(raw) >= 6 and raw not in self._values:
                    self._values.add(raw)
                    self._pattern = None

    def redact(self, text: str) -> str:
        """Replace every known secret in `text` with the mask."""
        with self._lock:
            if not self._values:
                return text
            if self._pattern is None:
                alternatives = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in alternatives))
            pattern = self._pattern
        return pattern.sub(MASK, text)


REGISTRY = SecretRegistry()


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs known secrets from messages and their arguments."""

    def __init__(self, registry: SecretRegistry = REGISTRY) -> None:
        super().__init__()
        self.registry = registry

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, scrubbed, so formatters never see a raw secret."""
        scrub_record(record, self.registry)
        return True


def scrub_record(record: logging.LogRecord, registry: SecretRegistry = REGISTRY) -> None:
    """Replace known secrets in a record's message and its traceback text, in place.

    The message is rendered once (arguments merged) only when it held a secret, so records stay
    as they were otherwise; a traceback is rendered into `exc_text`, which formatters reuse.
    """
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit the format: leave it alone
        return
    scrubbed = registry.redact(message)
    if scrubbed != message:
        record.msg, record.args = scrubbed, None
    if record.exc_info and not record.exc_text:
        text = _TRACEBACKS.formatException(record.exc_info)
        redacted = registry.redact(text)
        if redacted != text:
            record.exc_text = redacted


_TRACEBACKS = logging.Formatter()
_FACTORY_MARK = "_pardot_redacting"


def install_redaction(registry: SecretRegistry = REGISTRY) -> None:
    """Scrub every log record of this process, whatever its logger, handler or formatter.

    A filter on one logger misses records of other loggers (urllib3's debug lines, the SDK's own
    messages) and of loggers that propagate to it, so the scrub happens where every record is
    made: in the log record factory. Installing twice is harmless.
    """
    make = logging.getLogRecordFactory()
    if getattr(make, _FACTORY_MARK, False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        scrub_record(record, registry)
        return record

    setattr(factory, _FACTORY_MARK, True)
    logging.setLogRecordFactory(factory)
