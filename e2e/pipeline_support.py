"""Running the repository's Meltano project against an in-process simulator, and reading results.

Each test gets its own Meltano system database (so its own state), its own DuckDB file or
PostgreSQL schema and its own simulator; the plugins are the ones `make plugins` installed into
the repository's `.meltano/` (`make test` installs them first).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from pardot_sim import Simulator

ROOT = Path(__file__).resolve().parent.parent
MELTANO = ROOT / ".meltano-venv" / "bin" / "meltano"
POSTGRES_URL = os.environ.get(
    "PARDOT_E2E_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
START_DATE = "2026-01-01T00:00:00Z"  # before every row of the tiny data (300 days to FIXED_START)
CLOCK_SPEED = 3600.0  # one real second is a simulated hour: exports finish by the first poll
RUN_TIMEOUT = 240  # seconds one `meltano run` may take before the test fails

# Export streams: simulator object, the key of the default procedure, deleted rows exported.
STREAMS: dict[str, tuple[str, str, bool]] = {
    "visitor_activities": ("visitorActivity", "updated_at", True),
    "prospects": ("prospect", "updated_at", True),  # deleted=all (docs/pardot-api/exports.md)
    "list_memberships": ("listMembership", "updated_at", True),
    "visitors": ("visitor", "updated_at", True),
    "prospect_accounts": ("prospectAccount", "updated_at", True),
    "external_activities": ("externalActivity", "created_at", True),
}
# Streams whose deleted rows arrive marked (is_deleted, _sdc_deleted_at).
MARKED = ("prospects", "list_memberships", "visitors", "prospect_accounts")
# Columns compared value by value between the warehouse and the simulator (the mutated one last).
COMPARED: dict[str, tuple[str, ...]] = {
    "visitor_activities": ("type", "prospect_id", "visitor_id", "details"),
    "prospects": ("email", "first_name", "last_name", "score", "job_title"),
    "list_memberships": ("list_id", "prospect_id", "opted_out"),
    "visitors": ("prospect_id", "page_view_count", "campaign_parameter"),
    "prospect_accounts": ("name", "description"),
    "external_activities": ("prospect_id", "type", "value"),
}


def iso(epoch: float) -> str:
    """UTC ISO 8601 with a Z."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sqlalchemy_url(url: str, driver: str, *, password: str | None = None) -> str:
    """A libpq DSN (postgresql://...) as an SQLAlchemy URL with an explicit driver.

    `password` fills in one where the DSN has none (tap-postgres 0.10 refuses a URL without a
    password even where the server trusts local connections and ignores it).
    """
    parts = urlsplit(url)
    netloc = parts.netloc
    if password and parts.password is None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user or 'postgres'}:{password}@{host}"
    return urlunsplit((f"postgresql+{driver}", netloc, *parts[2:]))


class SimAdmin:
    """The admin API of a test's simulator."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.session = requests.Session()

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        """POST an admin call; raises on an admin error."""
        response = self.session.post(self.sim.url + path, json=dict(body), timeout=60)
        response.raise_for_status()
        return response.json()

    def now(self) -> float:
        """The simulator's clock."""
        state = self.session.get(self.sim.url + "/_sim/state", timeout=60).json()
        return float(state["now"])

    def records(self, obj: str, index: int = 0) -> list[dict[str, Any]]:
        """Every stored record of an object (deleted ones flagged `_deleted`)."""
        bu = self.sim.config(index)["business_unit_id"]
        response = self.session.get(
            f"{self.sim.url}/_sim/accounts/{bu}/records/{obj}", params={"deleted": "all"},
            timeout=120,
        )  # fmt: skip
        response.raise_for_status()
        records: list[dict[str, Any]] = response.json()["records"]
        return records

    def mutate(self, seed: int, updates: int, inserts: int, objects: Iterable[str]) -> Any:
        """Change and add rows stamped in the minute before the simulator's now."""
        bu = self.sim.config()["business_unit_id"]
        body = {"seed": seed, "updates": updates, "inserts": inserts, "objects": list(objects)}
        return self.post(f"/_sim/accounts/{bu}/mutate", body)

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()


def expected_rows(admin: SimAdmin, stream: str, start: str, end: str) -> dict[int, dict[str, Any]]:
    """The simulator's rows an export stream must deliver for [start, end)."""
    obj, key, with_deleted = STREAMS[stream]
    return {
        r["id"]: r
        for r in admin.records(obj)
        if r[key] is not None and start <= r[key] < end and (with_deleted or not r["_deleted"])
    }


def comparable(value: Any) -> Any:
    """A warehouse or simulator value in one form: blanks are null (CSV cannot tell them apart)."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


@dataclass
class MeltanoProject:
    """The repository's meltano.yml with a private system database and environment."""

    workdir: Path
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.systemdb = self.workdir / "meltano.db"
        self.logs: list[Path] = []

    def environ(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The process environment of one Meltano command."""
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TAP_", "TARGET_", "MELTANO_"))
        }
        env.update({
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "MELTANO_DATABASE_URI": f"sqlite:///{self.systemdb}",
            "MELTANO_ENVIRONMENT": "sim",
            **self.env,
            **(extra or {}),
        })  # fmt: skip
        return env

    def start(self, *args: str, extra: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
        """Start `meltano <args>` in the repository, its output going to a log file."""
        log = self.workdir / f"meltano-{len(self.logs) + 1}.log"
        self.logs.append(log)
        handle = log.open("w")
        try:
            return subprocess.Popen(
                [str(MELTANO), *args], cwd=ROOT, env=self.environ(extra), stdout=handle,
                stderr=subprocess.STDOUT, text=True, start_new_session=True,
            )  # fmt: skip
        finally:
            handle.close()

    def run(self, *args: str, extra: Mapping[str, str] | None = None, check: bool = True) -> int:
        """Run `meltano <args>` to the end; fails the test with the log tail on an error."""
        process = self.start(*args, extra=extra)
        try:
            code = process.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise AssertionError(f"meltano {' '.join(args)} timed out\n{self.tail()}") from None
        if check and code != 0:
            raise AssertionError(f"meltano {' '.join(args)} exited {code}\n{self.tail()}")
        return code

    def tail(self, lines: int = 60) -> str:
        """The end of the latest command's log."""
        if not self.logs:
            return ""
        return "\n".join(self.logs[-1].read_text(errors="replace").splitlines()[-lines:])

    def state(self, state_id: str) -> dict[str, Any]:
        """Meltano's stored state (partial merged over complete), read from the system database."""
        if not self.systemdb.exists():
            return {}
        with sqlite3.connect(self.systemdb) as db:
            try:
                row = db.execute(
                    "select partial_state, completed_state from state where state_id = ?",
                    (state_id,),
                ).fetchone()
            except sqlite3.OperationalError:  # not migrated yet
                return {}
        if row is None:
            return {}
        partial, complete = (json.loads(v) if isinstance(v, str) and v else v or {} for v in row)
        return {"partial": partial, "complete": complete}


def child_pids(parent: int) -> list[int]:
    """Processes whose parent is `parent` (read from /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent:
            children.append(int(entry.name))
    return children


def command_line(pid: int) -> str:
    """A process's command line, or "" once it is gone."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_for(condition: Any, timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll `condition()` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
