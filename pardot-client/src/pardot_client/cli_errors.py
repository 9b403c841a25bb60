"""How a connector's command line ends on a Pardot error: one line, never a traceback at INFO.

A data engineer reading a failed run wants the setting to fix, not forty lines of frames; the
traceback is still there at DEBUG (`--log-level debug`, or `TAP_PARDOT_EXPORT_LOGLEVEL=DEBUG`).
Exit codes: 1 for errors, 3 when Pardot's daily limit is used up (run again after it resets),
0 when the run's own call budget (`max_api_calls`) is spent: a planned stop whose state is
saved, which an orchestrator must not retry into a fresh budget. Logging only: no Singer code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from pardot_client.calls import CallBudgetSpentError
from pardot_client.errors import PardotConfigError, PardotError, PardotQuotaExceededError
from pardot_client.secrets import REGISTRY

ERROR_EXIT_CODE = 1
QUOTA_EXIT_CODE = 3  # the daily API limit is used up: run again after it resets
BUDGET_EXIT_CODE = 0  # the run's own budget is spent: done for now, state saved


@contextmanager
def reported_errors(logger: logging.Logger) -> Iterator[None]:
    """End the process with one log line and an exit code on any `PardotError`.

    Config errors start with "Config error:"; every text passes the secret redaction again.
    Other exceptions pass through unchanged (a bug keeps its traceback).
    """
    try:
        yield
    except CallBudgetSpentError as exc:
        logger.warning("%s", REGISTRY.redact(str(exc)))
        raise SystemExit(BUDGET_EXIT_CODE) from None
    except PardotQuotaExceededError as exc:
        logger.error("%s", REGISTRY.redact(str(exc)))
        raise SystemExit(QUOTA_EXIT_CODE) from None
    except PardotError as exc:
        logger.debug("Traceback of the error below", exc_info=True)
        prefix = "Config error: " if isinstance(exc, PardotConfigError) else ""
        logger.error("%s%s", prefix, REGISTRY.redact(str(exc)))
        raise SystemExit(ERROR_EXIT_CODE) from None
