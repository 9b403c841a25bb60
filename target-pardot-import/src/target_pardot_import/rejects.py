"""The rejects file: every row that did not reach Pardot, or that Pardot skipped, with why.

It is the only place values of rejected rows are written (logs get counts and reasons' kinds).
The file is appended to, so a re-run after a failure keeps the earlier rejects; CSV gets its
header only when the file is new. Layout, CSV or JSONL (by `rejects_format`, else the file
suffix): `stream` (empty for a line that is not a Singer message), `line` (the input line the
record came on, 1-based), `row` (the record's position in this run's stream; empty for rows
Pardot skipped), `stage` (`target`: refused before upload; `pardot`: skipped by the import),
`import_id`, `reason`, `record` (the record as received, Pardot's copy of the row as header ->
cell, or the text of a line that is not JSON; JSON in the CSV column).

A reject already in the file (same stream, stage, reason and record) is not written again, so a
re-run of the same input adds nothing; it still counts against `max_reject_rate`. Text that is
not valid Unicode (a lone surrogate, a byte that was not UTF-8) is written as a `\\udcXX`-style
escape, which JSON readers turn back into the same string.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, TextIO

from pardot_client import PardotConfigError
from target_pardot_import.paths import why_unwritable

FIELDS = ("stream", "line", "row", "stage", "import_id", "reason", "record")


def _json_default(value: Any) -> str:
    return str(value)  # datetimes, decimals: whatever the record held, as text


def record_text(record: Any) -> str:
    """The record as the file holds it (JSON, non-ASCII kept)."""
    return json.dumps(record, ensure_ascii=False, default=_json_default)


def fingerprint(stream: str | None, stage: str, reason: str, text: str) -> bytes:
    """What makes two rejects the same reject, whatever run or line they came from."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (stream or "", stage, reason, text):
        digest.update(part.encode("utf-8", "backslashreplace"))
        digest.update(b"\x00")
    return digest.digest()


class RejectsWriter:
    """Appends rejected rows to one file and counts them, by stage and by reason kind."""

    def __init__(self, path: str | Path, fmt: str | None = None) -> None:
        self.path = Path(path)
        self.format = (
            fmt or ("jsonl" if self.path.suffix in (".jsonl", ".json") else "csv")
        ).lower()
        if self.format not in ("csv", "jsonl"):
            raise ValueError(f"rejects_format must be csv or jsonl, not {fmt!r}")
        self.count = 0  # rejects of this run, written or already in the file
        self.repeated = 0  # of which were in the file already
        self.by_stage: Counter[str] = Counter()
        self.by_kind: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        self._csv: Any = None
        self._known: Counter[bytes] | None = None  # rejects the file held when the run began

    def check(self) -> None:
        """Refuse, before any row is read, a rejects file the run could not write."""
        try:
            if self.path.is_dir():
                raise IsADirectoryError(21, "it is a directory", str(self.path))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.exists():
                if not os.access(self.path, os.W_OK):
                    raise PermissionError(13, "Permission denied", str(self.path))
                self._check_header()
            elif not os.access(self.path.parent, os.W_OK | os.X_OK):
                raise PermissionError(13, "Permission denied", str(self.path.parent))
        except OSError as exc:
            raise PardotConfigError(
                f"rejects_path {self.path} cannot be written ({why_unwritable(self.path, exc)}). "
                "Set rejects_path to a file in a writable directory (it is created if missing)."
            ) from None

    def write(
        self, *, stream: str | None, line: int | None, row: int | None, stage: str,
        import_id: int | None, reason: str, record: Any,
    ) -> None:  # fmt: skip
        """Append one rejected row (unless the file already holds the same reject)."""
        text = record_text(record)
        with self._lock:
            self.count += 1
            self.by_stage[stage] += 1
            self.by_kind[reason.split(":", 1)[0]] += 1
            known = self._known_rejects()
            key = fingerprint(stream, stage, reason, text)
            if known[key] > 0:
                known[key] -= 1
                self.repeated += 1
                return
            handle = self._open()
            if self.format == "jsonl":
                entry = {
                    "stream": stream, "line": line, "row": row, "stage": stage,
                    "import_id": import_id, "reason": reason, "record": json.loads(text),
                }  # fmt: skip
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            else:
                self._csv.writerow(
                    [stream or "", line or "", row or "", stage, import_id or "", reason, text]
                )

    def flush(self) -> None:
        """Make what was written durable before the run goes on (or fails)."""
        with self._lock:
            if self._file is not None:
                self._file.flush()

    def close(self) -> None:
        """Flush and close the file."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def summary(self) -> str:
        """Counts for the log: no values, only stages and the kinds of reasons."""
        kinds = ", ".join(f"{kind} {n}" for kind, n in self.by_kind.most_common())
        again = f"; {self.repeated} of them were in the file already" if self.repeated else ""
        return (
            f"{self.count} rejected rows in {self.path}" + (f" ({kinds})" if kinds else "") + again
        )

    # -- the file ---------------------------------------------------------------------------------

    def _open(self) -> TextIO:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists() or self.path.stat().st_size == 0
            self._file = self._text("a")
            if self.format == "csv":
                self._csv = csv.writer(self._file)
                if new:
                    self._csv.writerow(FIELDS)
        return self._file

    def _text(self, mode: Literal["a", "r"]) -> TextIO:
        """The file as UTF-8 text; what no UTF-8 can hold is written as a backslash escape."""
        return self.path.open(mode, encoding="utf-8", errors="backslashreplace", newline="")

    def _check_header(self) -> None:
        """A CSV rejects file of another layout would get misaligned rows: refuse it."""
        if self.format != "csv" or self.path.stat().st_size == 0:
            return
        with self._text("r") as handle:
            header = next(csv.reader(handle), None)
        if header is not None and tuple(header) != FIELDS:
            raise PardotConfigError(
                f"rejects_path {self.path} has the columns {', '.join(header)}, not "
                f"{', '.join(FIELDS)} (an older layout). Move the file away or set rejects_path "
                "to a new file."
            )

    def _known_rejects(self) -> Counter[bytes]:
        """The rejects the file held when the run began, read on the first reject of the run."""
        if self._known is None:
            self._known = Counter(self._read_existing())
        return self._known

    def _read_existing(self) -> Iterator[bytes]:
        if not self.path.exists():
            return
        with self._text("r") as handle:
            if self.format == "csv":
                for entry in csv.DictReader(handle):
                    yield fingerprint(
                        entry.get("stream") or None, entry.get("stage") or "",
                        entry.get("reason") or "", entry.get("record") or "",
                    )  # fmt: skip
                return
            for line in handle:
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue  # a line cut short by a killed run: it holds no whole reject
                if isinstance(entry, Mapping):
                    yield fingerprint(
                        entry.get("stream"), str(entry.get("stage") or ""),
                        str(entry.get("reason") or ""), record_text(entry.get("record")),
                    )  # fmt: skip
