"""A run from start to exit: dry runs leave Meltano's state alone, spooled parts never outlive a
run (not even a killed one), failures say what to fix, and SDK metadata never reaches Pardot."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

V3_PROPS: dict[str, Any] = {"email": {"type": "string"}, "first_name": {"type": ["string", "null"]}}


def _files(folder: Path) -> list[Path]:
    """Every file under the spool directory but the ones the test itself wrote."""
    own = {"config.json", "input.jsonl", "err.log", "rejects.jsonl"}
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in own)


def test_a_dry_run_emits_no_state_so_the_next_run_imports_every_row(
    pardot: Any, config: dict[str, Any], singer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    pardot.set_version(3)
    emails = [singer.email("dry") for _ in range(5)]
    records = [{"email": e, "first_name": "Dry"} for e in emails]
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state("five")]
    with caplog.at_level("INFO", logger="target_pardot_import"):
        assert singer.run({**config, "api_version": 3, "dry_run": True}, messages) == []
    assert "dry_run: no STATE emitted" in caplog.text
    assert [len(found) for found in pardot.by_email(*emails).values()] == [0] * 5
    assert singer.run({**config, "api_version": 3}, messages) == [
        {"bookmarks": {"prospects": {"position": "five"}}}
    ]
    assert [len(found) for found in pardot.by_email(*emails).values()] == [1] * 5


def test_metadata_columns_are_never_sent_to_pardot(
    pardot: Any, config: dict[str, Any], singer: Any, target_sim: Any
) -> None:
    pardot.set_version(3)
    emails = [singer.email("sdc") for _ in range(4)]
    schema = singer.schema({**V3_PROPS, "_sdc_extracted_at": {"type": ["string", "null"]}})
    records = [{"email": e, "first_name": "Meta", "_sdc_extracted_at": "2026-11-01T00:00:00Z"}
               for e in emails]  # fmt: skip
    before = set(target_sim.imports.jobs)
    cfg = {**config, "api_version": 3, "add_record_metadata": True}
    assert singer.run(cfg, [schema, *singer.records(records), singer.state(4)]) == [
        {"bookmarks": {"prospects": {"position": 4}}}
    ]
    held = pardot.by_email(*emails)
    assert [held[e][0]["first_name"] for e in emails] == ["Meta"] * 4
    assert singer.rejects(config["rejects_path"]) == []
    jobs = [target_sim.imports.jobs[i] for i in set(target_sim.imports.jobs) - before]
    assert [j.header for j in jobs] == [["email", "first_name"]]


@pytest.mark.slow
def test_spooled_parts_are_gone_after_a_crash_and_after_a_kill(
    pardot: Any, config: dict[str, Any], singer: Any, target_sim: Any, tmp_path: Path
) -> None:
    pardot.set_version(3)
    emails = [singer.email("spool") for _ in range(40)]
    records = [{"email": e, "first_name": f"S{i}"} for i, e in enumerate(emails)]
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state("all")]
    cfg = {**config, "api_version": 3, "max_batch_bytes": 600, "poll_interval_seconds": 0.05}
    # A crash with parts spooled: a record of a stream that has no schema (a tap bug) ends it.
    stray = {"type": "RECORD", "stream": "no_schema", "record": {"email": singer.email("x")}}
    crashed = singer.cli(cfg, [*messages[:-1], stray], tmp_path)
    assert crashed.returncode == 1
    assert "no_schema" in crashed.stderr.decode().strip().splitlines()[-1]
    assert _files(tmp_path) == []
    # A kill while the import is waiting: its files stay behind until the next run starts.
    pardot.admin("POST", "/_sim/clock", {"speed": 0})
    before = set(target_sim.imports.jobs)
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    (tmp_path / "input.jsonl").write_bytes(singer.lines(messages))
    command = [
        sys.executable,
        "-m",
        "target_pardot_import",
        "--config",
        str(tmp_path / "config.json"),
    ]
    with (tmp_path / "input.jsonl").open("rb") as stdin, (tmp_path / "err.log").open("wb") as err:
        process = subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, stderr=err)
    try:
        deadline = time.monotonic() + 60
        while not any(target_sim.imports.jobs[i].submitted_at
                      for i in set(target_sim.imports.jobs) - before):  # fmt: skip
            assert process.poll() is None, (tmp_path / "err.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "no import was submitted"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    left = _files(tmp_path)
    assert left, "a killed run cannot clean up after itself"
    pardot.admin("POST", "/_sim/clock", {"speed": 600})
    assert singer.run(cfg, messages) == [{"bookmarks": {"prospects": {"position": "all"}}}]
    assert _files(tmp_path) == []  # the next run removed what the killed one left
    assert [len(found) for found in pardot.by_email(*emails).values()] == [1] * 40


def test_the_daily_limit_exits_3_with_when_to_run_again(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path
) -> None:
    pardot.set_version(3)
    pardot.admin("POST", "/_sim/settings", {"import": {"daily_batch_limit": 0}})
    messages = [singer.schema(V3_PROPS), *singer.records([{"email": singer.email("limit")}])]
    done = singer.cli({**config, "api_version": 3}, messages, tmp_path)
    last = done.stderr.decode().strip().splitlines()[-1]
    assert done.returncode == 3, last
    assert "daily limit of import batches" in last
    assert "run again after midnight" in last


@pytest.mark.parametrize("setting", ["rejects_path", "spool_dir"])
def test_an_unwritable_path_is_named_with_its_setting(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path, setting: str
) -> None:
    pardot.set_version(3)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where a directory is expected")
    path = blocker / ("rejects.csv" if setting == "rejects_path" else "spool")
    records = [{"email": singer.email("path")}, {"email": "broken@"}]
    messages = [singer.schema(V3_PROPS), *singer.records(records)]
    done = singer.cli({**config, "api_version": 3, setting: str(path)}, messages, tmp_path)
    last = done.stderr.decode().strip().splitlines()[-1]
    assert done.returncode == 1
    assert setting in last
    assert str(path) in last
    assert f"{blocker} is a file, not a directory" in last
    assert "writable" in last
