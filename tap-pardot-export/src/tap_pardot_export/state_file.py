"""The `--state` file, read with an error that names it when it cannot be used.

A state file cut off by a full disk or edited by hand would otherwise stop the run with a bare
JSON decoding error, and a person would not know which file to look at.
"""

from __future__ import annotations

import io
import json
from typing import IO

from pardot_client import PardotError


class StateFileError(PardotError):
    """The state file given with --state is not a JSON object."""


def checked_state_file(handle: IO[str]) -> IO[str]:
    """The file's text, checked to be a JSON object, as a new readable stream."""
    name = getattr(handle, "name", "the --state file")
    text = handle.read()
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise StateFileError(
            f"The state file {name} is not valid JSON ({exc.__class__.__name__} at line "
            f"{getattr(exc, 'lineno', '?')}): it was cut off or edited. Fix it, or give the last "
            "good state (`meltano state get` / `meltano state set`), and run again."
        ) from None
    if not isinstance(value, dict):
        raise StateFileError(
            f"The state file {name} holds a JSON {type(value).__name__}, not the object of "
            '{"bookmarks": ...} the tap writes; give the state the tap wrote and run again.'
        )
    return io.StringIO(text)
