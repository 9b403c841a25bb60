"""Fixtures: a simulator of the target's own (imports change prospects that other packages' tests
count), settings reaching it, and an in-process run of the target over Singer lines."""

from __future__ import annotations

import io
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
import requests

from pardot_sim.faults import FaultPlan
from pardot_sim.imports import ImportSettings
from pardot_sim.simulator import Simulator
from pardot_sim.switches import Switches
from pardot_sim.testing import serving
from target_pardot_import.target import TargetPardotImport

START = 1_795_435_200  # 2026-11-23T12:00:00Z
SPEED = 600.0  # ten simulated minutes per real second: imports finish in tens of milliseconds
_unique = itertools.count(1)


def unique_email(tag: str) -> str:
    """An email no other test (nor the generated data) uses."""
    return f"{tag}.{next(_unique)}@target-test.example.com"


class Pardot:
    """The simulator as a test sees it: admin calls and what Pardot holds."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.bu = sim.config()["business_unit_id"]
        self.session = requests.Session()

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.session.request(method, self.sim.url + path, json=body, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def set_version(self, version: int) -> None:
        self.admin("POST", f"/_sim/accounts/{self.bu}", {"api_version": version})

    def prospects(self) -> list[dict[str, Any]]:
        """Every prospect Pardot holds (imports completed by now are applied first)."""
        records: list[dict[str, Any]] = self.admin(
            "GET", f"/_sim/accounts/{self.bu}/records/prospect"
        )["records"]
        return records

    def by_email(self, *emails: str) -> dict[str, list[dict[str, Any]]]:
        """Prospects holding each email (a list, so duplicates show)."""
        found: dict[str, list[dict[str, Any]]] = {e: [] for e in emails}
        for record in self.prospects():
            if record["email"] in found:
                found[record["email"]].append(record)
        return found

    def add_prospect(self, *, deleted: bool = False, **values: Any) -> int:
        """A prospect made in-process (the admin API has no insert)."""
        now = int(self.admin("GET", "/_sim/state")["now"])
        table = self.sim.account().store.table("prospect")
        row_id = table.insert({"created_at": now - 7200, "updated_at": now - 3600, **values})
        if deleted:
            table.delete(row_id)
        return row_id

    def email_sends(self) -> dict[str, Any]:
        """The simulator's send book: accepted sends, counters by prospect and list."""
        book: dict[str, Any] = self.admin("GET", f"/_sim/accounts/{self.bu}/email-sends")
        return book

    def sends_to(self, *prospect_ids: int) -> list[int]:
        """How many sends Pardot accepted for each prospect."""
        counts = self.email_sends()["by_prospect"]
        return [counts.get(str(i), 0) for i in prospect_ids]

    def mailable(self, n: int, tag: str, **values: Any) -> list[int]:
        """n new prospects nobody else mails (opted in), made in-process."""
        return [
            self.add_prospect(email=unique_email(tag), opted_out=False, is_do_not_email=False,
                              **values)
            for _ in range(n)
        ]  # fmt: skip

    def first_id(self, table: str) -> int:
        """The smallest id of a table (campaigns, users, lists exist in the tiny data)."""
        return min(self.sim.account().store.table(table).rows)

    def template(self, *, one_to_one: bool = True, list_email: bool = False) -> int:
        """A template usable for one-to-one (or list) sends, set up in-process."""
        table = self.sim.account().store.table("emailTemplate")
        template_id = min(table.rows)
        table.update(template_id, {"is_archived": False, "is_one_to_one_email": one_to_one,
                                   "is_list_email": list_email})  # fmt: skip
        return template_id

    def new_list(self, *members: int, opted_out: tuple[int, ...] = ()) -> int:
        """A list of its own holding the prospects (those in `opted_out` opted out of it)."""
        store = self.sim.account().store
        now = int(self.admin("GET", "/_sim/state")["now"])
        list_id = store.table("list").insert({"name": f"Send test {next(_unique)}",
                                              "created_at": now, "updated_at": now})  # fmt: skip
        memberships = store.table("listMembership")
        for prospect_id in members:
            memberships.insert({"list_id": list_id, "prospect_id": prospect_id,
                                "opted_out": prospect_id in opted_out, "created_at": now,
                                "updated_at": now})  # fmt: skip
        return list_id

    def calls(self) -> dict[str, int]:
        by_kind: dict[str, int] = self.admin("GET", f"/_sim/accounts/{self.bu}/calls")["by_kind"]
        return by_kind

    def calls_since(self, before: dict[str, int]) -> dict[str, int]:
        """Calls made since an earlier `calls()`, by kind."""
        now = self.calls()
        return {k: n - before.get(k, 0) for k, n in now.items() if n != before.get(k, 0)}

    def reset(self) -> None:
        self.admin("POST", "/_sim/clock", {"speed": SPEED, "advance": 3 * 86400})
        self.admin("POST", "/_sim/imports/settle")
        self.sim.app.switches = Switches()
        self.sim.app.faults = FaultPlan()
        self.admin("POST", "/_sim/settings", {"import": asdict(ImportSettings())})
        self.admin(
            "POST", f"/_sim/accounts/{self.bu}", {"api_version": 4, "daily_call_limit": 100_000}
        )
        self.admin("POST", f"/_sim/accounts/{self.bu}/email-sends", {"operational_email": False})


@pytest.fixture(scope="package")
def target_sim() -> Iterator[Simulator]:
    """The target tests' simulator, clock running fast."""
    yield from serving(seed=3, start=START, clock_speed=SPEED)


@pytest.fixture
def pardot(target_sim: Simulator) -> Iterator[Pardot]:
    """The simulator, back to defaults before and after the test."""
    helper = Pardot(target_sim)
    helper.reset()
    try:
        yield helper
    finally:
        helper.reset()
        helper.session.close()


@pytest.fixture
def config(target_sim: Simulator, tmp_path: Path) -> dict[str, Any]:
    """Settings reaching the simulator: fast polls, fast retries, rejects in tmp_path."""
    return target_sim.config(
        poll_interval_seconds=0.02,
        import_timeout_minutes=1,
        backoff_base_seconds=0.005,
        max_retry_seconds=10,
        read_timeout=10,
        rejects_path=str(tmp_path / "rejects.jsonl"),
        spool_dir=str(tmp_path),
    )


def schema_message(
    properties: dict[str, Any], stream: str = "prospects", keys: list[str] | None = None
) -> dict[str, Any]:
    return {
        "type": "SCHEMA", "stream": stream, "key_properties": keys or [],
        "schema": {"type": "object", "properties": properties},
    }  # fmt: skip


def record_messages(
    records: list[dict[str, Any]], stream: str = "prospects"
) -> list[dict[str, Any]]:
    return [{"type": "RECORD", "stream": stream, "record": r} for r in records]


def state_message(value: Any) -> dict[str, Any]:
    return {"type": "STATE", "value": {"bookmarks": {"prospects": {"position": value}}}}


def run_target(config: dict[str, Any], messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the target in-process over the messages; the STATE values it wrote."""
    text = "".join(json.dumps(m) + "\n" for m in messages)
    target = TargetPardotImport(config=config)
    out = io.StringIO()
    with redirect_stdout(out):
        target.listen(file_input=io.StringIO(text))
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def read_rejects(path: str | Path) -> list[dict[str, Any]]:
    file = Path(path)
    if not file.exists():
        return []
    return [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines()]


def encode_lines(messages: list[dict[str, Any] | bytes]) -> bytes:
    """Singer input bytes: each message as a JSON line; bytes are taken as a raw line."""
    return b"".join(m if isinstance(m, bytes) else json.dumps(m).encode() + b"\n" for m in messages)


def run_cli(
    config: dict[str, Any],
    messages: list[dict[str, Any] | bytes],
    folder: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m target_pardot_import` as Meltano would: config file, input on stdin."""
    (folder / "config.json").write_text(json.dumps(config))
    command = [
        sys.executable,
        "-m",
        "target_pardot_import",
        "--config",
        str(folder / "config.json"),
    ]
    return subprocess.run(
        command, input=encode_lines(messages), capture_output=True, timeout=timeout,
        env={**os.environ, **(env or {})}, check=False,
    )  # fmt: skip


class Singer:
    """The helpers above, as one fixture (test modules cannot import conftest)."""

    schema = staticmethod(schema_message)
    records = staticmethod(record_messages)
    state = staticmethod(state_message)
    run = staticmethod(run_target)
    rejects = staticmethod(read_rejects)
    email = staticmethod(unique_email)
    cli = staticmethod(run_cli)
    lines = staticmethod(encode_lines)


@pytest.fixture
def singer() -> type[Singer]:
    """Singer message builders, an in-process target run and the rejects file reader."""
    return Singer
