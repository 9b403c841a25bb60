"""The run's spool directory: CSV parts (personal data) live there and nowhere else.

Each run makes its own directory under `spool_dir` (default: the system temporary directory),
holds an exclusive lock on a file in it while it runs, and removes the directory when it ends,
whether it succeeds or fails. A run killed with SIGKILL cannot clean up, so every run first
removes the directories of runs that are gone: a directory whose lock nobody holds belongs to a
dead run (the kernel drops a dead process's locks), while a running run's lock is held, so two
runs sharing a `spool_dir` never touch each other's parts.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from types import ModuleType

from pardot_client import PardotConfigError
from target_pardot_import.paths import why_unwritable

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no sweeping of killed runs' leftovers
    fcntl = None


LOG = logging.getLogger("target_pardot_import")
PREFIX = "target-pardot-import-"
LOCK = ".lock"
YOUNG_SECONDS = 60  # a directory without its lock file yet may be a run that is just starting


class SpoolDir:
    """This run's directory of CSV parts, created by `open` and removed by `remove` (or exit)."""

    def __init__(self, parent: str | None) -> None:
        self.parent = Path(parent) if parent else Path(tempfile.gettempdir())
        self.path: Path | None = None
        self._lock: int | None = None

    def open(self) -> Path:
        """Make the directory (sweeping dead runs' first); a clear error if it cannot be made."""
        if self.path is not None:
            return self.path
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
            self.sweep()
            path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=self.parent))
            self._lock = os.open(path / LOCK, os.O_CREAT | os.O_RDWR, 0o600)
        except OSError as exc:
            raise PardotConfigError(
                f"spool_dir {self.parent} cannot hold the CSV parts "
                f"({why_unwritable(self.parent / PREFIX, exc)}). Set spool_dir to a writable "
                "directory with room for max_batch_bytes x max_parts_per_import bytes (it is "
                "created if missing)."
            ) from None
        if fcntl is not None:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.path = path
        atexit.register(self.remove)
        return path

    def remove(self) -> None:
        """Delete the directory and every part in it (idempotent)."""
        path, self.path = self.path, None
        if path is not None:
            atexit.unregister(self.remove)
            shutil.rmtree(path, ignore_errors=True)
        if self._lock is not None:
            with contextlib.suppress(OSError):
                os.close(self._lock)
            self._lock = None

    def sweep(self) -> int:
        """Remove the directories that runs now gone left behind; how many."""
        if fcntl is None:
            return 0
        removed = 0
        for folder in self.parent.glob(PREFIX + "*"):
            if folder.is_dir() and _abandoned(folder):
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        if removed:
            LOG.info("Removed %d spool directories that killed runs left in %s", removed,
                     self.parent)  # fmt: skip
        return removed


def _abandoned(folder: Path) -> bool:
    """Whether no live run holds the folder's lock."""
    assert fcntl is not None
    lock = folder / LOCK
    try:
        handle = os.open(lock, os.O_RDWR)
    except FileNotFoundError:
        try:
            return time.time() - folder.stat().st_mtime > YOUNG_SECONDS
        except OSError:
            return False
    except OSError:
        return False  # not ours to judge (another user's run, say)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: its run is alive
    finally:
        os.close(handle)
    return True
