"""The target's command line: the real executable, its exit code and the text a user reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

EXECUTABLE = [sys.executable, "-m", "target_pardot_import"]
RECORD = {"prospect_id": 1, "first_name": "Ada"}
MESSAGES = [
    {"type": "SCHEMA", "stream": "prospects", "key_properties": [],
     "schema": {"type": "object", "properties": {"prospect_id": {"type": "integer"},
                                                 "first_name": {"type": "string"}}}},
    {"type": "RECORD", "stream": "prospects", "record": RECORD},
]  # fmt: skip


def run_cli(
    *args: str, config: dict[str, Any], tmp_path: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`target-pardot-import --config file args...` fed two Singer lines, no TARGET_* but `env`."""
    path = tmp_path / f"config-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(config))
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TARGET_", "MELTANO_"))}
    return subprocess.run(
        [*EXECUTABLE, "--config", str(path), *args],
        input="".join(json.dumps(m) + "\n" for m in MESSAGES),
        capture_output=True, text=True, timeout=120, check=False, env={**environ, **(env or {})},
    )  # fmt: skip


def error_lines(stderr: str) -> list[str]:
    return [line.split(" | ", 3)[-1] for line in stderr.splitlines() if "| ERROR " in line]


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_a_numeric_secret_is_never_echoed(
    config: dict[str, Any], tmp_path: Path, level: str
) -> None:
    """Before: `98765432123 is not of type 'string', 'null' in config['client_secret']`."""
    done = run_cli(
        config={**config, "client_secret": 98765432123}, tmp_path=tmp_path,
        env={"TARGET_PARDOT_IMPORT_LOGLEVEL": level},
    )  # fmt: skip
    assert done.returncode == 1
    errors = error_lines(done.stderr)
    assert len(errors) == 1, done.stderr
    assert errors[0].startswith("Config error: client_secret must be text, not a whole number")
    assert "98765432123" not in done.stderr + done.stdout


def test_a_bad_size_is_one_line_without_a_traceback(config: dict[str, Any], tmp_path: Path) -> None:
    done = run_cli(config={**config, "max_parts_per_import": 11}, tmp_path=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert error_lines(done.stderr) == [
        "Config error: max_parts_per_import must be 1 to 10 (Pardot's limit of batches per "
        "import), not 11"
    ]


def test_numbers_from_the_environment_are_accepted(
    pardot: Any, config: dict[str, Any], tmp_path: Path
) -> None:
    """Before: `'0.5' is not of type 'number', 'null' in config['max_reject_rate']`."""
    settings = {k: v for k, v in config.items() if k not in ("max_reject_rate", "dry_run")}
    env = {"TARGET_PARDOT_IMPORT_MAX_REJECT_RATE": "0.5", "TARGET_PARDOT_IMPORT_DRY_RUN": "true"}
    done = run_cli("--config", "ENV", config=settings, tmp_path=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not error_lines(done.stderr)
    assert "dry run" in done.stderr.lower()


def test_a_wrong_login_url_fails_at_once_naming_it(
    pardot: Any, config: dict[str, Any], tmp_path: Path
) -> None:
    began = time.monotonic()
    done = run_cli(config={**config, "login_url": "http://127.0.0.1:9"}, tmp_path=tmp_path)
    assert time.monotonic() - began < 30
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = error_lines(done.stderr)
    assert errors[-1].startswith("Config error: oauth.token: nothing accepts connections")
    assert "Check login_url" in errors[-1]
    assert "Retrying" not in done.stderr
