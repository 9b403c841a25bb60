"""Long waits show progress: while an export or an import is pending, each poll logs a line.

Both connectors run as their CLIs against a simulator whose clock runs 20 times faster than
real time, so an export (about 61 simulated seconds) or an import (about 35) stays pending for
a few real seconds, across several polls.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from tap_sync_support import catalog_selecting

from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START, serving

END = datetime.fromtimestamp(FIXED_START, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def slow_sim() -> Iterator[Simulator]:
    yield from serving(seed=2, clock_speed=20.0)


def run_cli(
    cls: str, config: dict[str, Any], tmp_path: Path, *args: str, stdin: str = ""
) -> list[str]:
    """Run a connector's CLI; returns its log lines (stderr)."""
    module = {"TapPardotExport": "tap_pardot_export.tap",
              "TargetPardotImport": "target_pardot_import.target"}[cls]  # fmt: skip
    config_file = tmp_path / f"{cls}.json"
    config_file.write_text(json.dumps(config))
    result = subprocess.run(
        [sys.executable, "-c", f"from {module} import {cls}; {cls}.cli()",
         "--config", str(config_file), *args],
        input=stdin, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stderr.splitlines()


def test_a_pending_export_logs_each_poll(slow_sim: Simulator, tmp_path: Path) -> None:
    config = slow_sim.config(
        start_date="2026-11-01T00:00:00Z", end_date=END, poll_interval_seconds=0.1,
        export_window_days=31,
    )  # fmt: skip
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_selecting(config, "prospect_accounts")))
    lines = run_cli("TapPardotExport", config, tmp_path, "--catalog", str(catalog))
    pending = [
        line for line in lines
        if re.search(r"export \d+ is (Waiting|Processing) after [\d.]+ ?\w*; next poll in", line)
    ]  # fmt: skip
    assert len(pending) >= 2, "\n".join(lines[-30:])


def test_a_pending_import_logs_each_poll(slow_sim: Simulator, tmp_path: Path) -> None:
    config = slow_sim.config(
        poll_interval_seconds=0.1, rejects_path=str(tmp_path / "rejects.csv"),
        spool_dir=str(tmp_path),
    )  # fmt: skip
    schema = {"type": "object", "properties": {
        "salesforce_fid": {"type": "string"}, "email": {"type": "string"},
        "first_name": {"type": ["string", "null"]}}}  # fmt: skip
    messages = [{"type": "SCHEMA", "stream": "prospects", "schema": schema,
                 "key_properties": ["salesforce_fid"]}]  # fmt: skip
    messages += [
        {"type": "RECORD", "stream": "prospects", "record": {
            "salesforce_fid": f"00Q00000000LOG{k:03d}", "email": f"log.{k}@example.com",
            "first_name": "Poll"}}
        for k in range(3)
    ]  # fmt: skip
    stdin = "".join(json.dumps(m) + "\n" for m in messages)
    lines = run_cli("TargetPardotImport", config, tmp_path, stdin=stdin)
    complete = [line for line in lines if re.search(r"import \d+ Complete after", line)]
    assert complete, "\n".join(lines[-30:])
    pending = [
        line for line in lines
        if re.search(r"import \d+ is (Open|Waiting|Processing)\b.*after [\d.]+", line)
    ]  # fmt: skip
    assert len(pending) >= 2, "\n".join(lines[-30:])
