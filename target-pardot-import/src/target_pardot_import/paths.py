"""Why the run cannot write a path, in words a user can act on (not an errno)."""

from __future__ import annotations

from pathlib import Path


def why_unwritable(path: Path, exc: OSError) -> str:
    """What stops the run writing at `path`: a file where a directory must be, or the OS's
    reason with the file it concerns."""
    for part in [path, *path.parents]:
        if part.exists():
            if part != path and not part.is_dir():
                return f"{part} is a file, not a directory"
            break
    return f"{exc.strerror or exc}: {exc.filename or path}"
