"""The rejects file: every row that did not reach Pardot, or that Pardot skipped, with why.

It is the only place values of rejected rows are written (logs get counts and reasons' kinds).
The file is appended to, so a re-run after a failure keeps the earlier rejects; CSV gets its
header only when the file is new. Layout, CSV or JSONL (by `rejects_format`, else the file
suffix): `stream`, `row` (the record's position in this run's stream, 1-based; empty for rows
Pardot rejected, whose position Pardot does not report), `stage` (`target`: refused before
upload; `pardot`: skipped by the import), `import_id`, `reason`, `record` (the record as
received, or Pardot's copy of the row: header -> cell; a JSON object in CSV).
"""

from __future__ import annotations

import csv
import json
import threading
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

FIELDS = ("stream", "row", "stage", "import_id", "reason", "record")


def _json_default(value: Any) -> str:
    return str(value)  # datetimes, decimals: whatever the record held, as text


class RejectsWriter:
    """Appends rejected rows to one file and counts them, by stage and by reason kind."""

    def __init__(self, path: str | Path, fmt: str | None = None) -> None:
        self.path = Path(path)
        self.format = (
            fmt or ("jsonl" if self.path.suffix in (".jsonl", ".json") else "csv")
        ).lower()
        if self.format not in ("csv", "jsonl"):
            raise ValueError(f"rejects_format must be csv or jsonl, not {fmt!r}")
        self.count = 0
        self.by_stage: Counter[str] = Counter()
        self.by_kind: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        self._csv: Any = None

    def write(
        self, *, stream: str, row: int | None, stage: str, import_id: int | None, reason: str,
        record: Mapping[str, Any],
    ) -> None:  # fmt: skip
        """Append one rejected row."""
        with self._lock:
            handle = self._open()
            text = json.dumps(record, ensure_ascii=False, default=_json_default)
            if self.format == "jsonl":
                line = {
                    "stream": stream, "row": row, "stage": stage, "import_id": import_id,
                    "reason": reason, "record": json.loads(text),
                }  # fmt: skip
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            else:
                self._csv.writerow([stream, row or "", stage, import_id or "", reason, text])
            self.count += 1
            self.by_stage[stage] += 1
            self.by_kind[reason.split(":", 1)[0]] += 1

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
        return f"{self.count} rejected rows in {self.path}" + (f" ({kinds})" if kinds else "")

    def _open(self) -> TextIO:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists() or self.path.stat().st_size == 0
            self._file = self.path.open("a", encoding="utf-8", newline="")
            if self.format == "csv":
                self._csv = csv.writer(self._file)
                if new:
                    self._csv.writerow(FIELDS)
        return self._file
