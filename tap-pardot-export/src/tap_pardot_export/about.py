"""Every stream in `--about`: the API it reads, its replication key, whether it sees deletes.

The SDK's `--about` lists settings only; a team choosing streams also needs to know which ones
are incremental and which mark deleted rows, and to know it without credentials. The rows come
from the streams themselves (their replication key, their schema), as discovery builds them
with no credential set, so the table cannot drift from what a run does. The README's stream
table is generated from it (scripts/settings_table.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from singer_sdk import Stream

from tap_pardot_export.export.streams import ExportStream
from tap_pardot_export.v5.base import V5Stream

FULL = "none (full table)"


def stream_rows(streams: Iterable[Stream]) -> list[dict[str, Any]]:
    """One row per stream: name, API, replication key, deletes, what it holds."""
    rows = []
    for stream in streams:
        if isinstance(stream, ExportStream):
            api = "Export API"
        elif isinstance(stream, V5Stream):
            api = "v5 objects"
        else:
            api = "v3/v4 query"
        doc = (type(stream).__doc__ or "").strip().splitlines()
        rows.append({
            "name": stream.name,
            "api": api,
            "replication_key": stream.replication_key,
            "deletes": "is_deleted" in stream.schema.get("properties", {}),
            "description": doc[0] if doc else "",
        })  # fmt: skip
    return rows


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table (the README's and `--about --format markdown`'s)."""
    lines = [
        "| stream | API | replication key | deleted rows | what |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        key = f"`{row['replication_key']}`" if row["replication_key"] else FULL
        deletes = "marked (`is_deleted`)" if row["deletes"] else "no"
        lines.append(
            f"| `{row['name']}` | {row['api']} | {key} | {deletes} | {row['description']} |"
        )
    return "\n".join(lines)


def with_streams(output: str, output_format: str | None, rows: list[dict[str, Any]]) -> str:
    """The SDK's `--about` output with the stream table added in the same format."""
    if output_format == "json":
        data = json.loads(output)
        data["streams"] = rows
        return json.dumps(data, indent=2, default=str)
    if output_format == "markdown":
        return f"{output.rstrip()}\n\n## Streams\n\n{markdown_table(rows)}\n"
    lines = [
        f"  - Name: {r['name']}\n    API: {r['api']}\n"
        f"    Replication key: {r['replication_key'] or FULL}\n"
        f"    Deleted rows: {'marked (is_deleted)' if r['deletes'] else 'no'}"
        for r in rows
    ]
    return output.rstrip() + "\nStreams:\n" + "\n".join(lines)
