"""Two business units as two concurrent `meltano run` jobs, as workers on two machines run them.

Both jobs share Meltano's system database in PostgreSQL (a schema of the test's own), load into
the same PostgreSQL tables (the stream map of meltano.yml's `tap-pardot-export--unit-a/-b`
stamps `business_unit_id` on every row and makes it part of the key), and keep their state under
their own ids. Run twice: the second pair resumes each unit from its own state after both units'
data changed. Every row of both units must be loaded once, with its unit.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pipeline_support import (
    RUN_TIMEOUT,
    START_DATE,
    STREAMS,
    MeltanoProject,
    SimAdmin,
    iso,
    sqlalchemy_url,
)
from psycopg import sql
from psycopg.rows import dict_row

from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

UNITS = {"tap-pardot-export--unit-a": 0, "tap-pardot-export--unit-b": 1}  # plugin -> sim index
JOBS = {"tap-pardot-export--unit-a": "pardot-unit-a", "tap-pardot-export--unit-b": "pardot-unit-b"}
LOADER = "target-postgres"
CHANGED = ("prospect", "visitorActivity", "listMembership", "visitor", "prospectAccount")


def loaded(url: str, schema: str) -> dict[str, list[tuple[str, int]]]:
    """Per export stream, the (business_unit_id, id) of every loaded row (duplicates kept)."""
    tables: dict[str, list[tuple[str, int]]] = {}
    with psycopg.connect(url, row_factory=dict_row) as connection:
        for stream in STREAMS:
            query = sql.SQL("select business_unit_id, id from {}.{}").format(
                sql.Identifier(schema), sql.Identifier(stream)
            )
            rows = connection.execute(query).fetchall()
            tables[stream] = [(r["business_unit_id"], int(r["id"])) for r in rows]
    return tables


def expected(admin: SimAdmin, sim: Simulator, end: str) -> dict[str, set[tuple[str, int]]]:
    """Per export stream, the (business_unit_id, id) of both units' rows in [START_DATE, end)."""
    wanted: dict[str, set[tuple[str, int]]] = {stream: set() for stream in STREAMS}
    for index in UNITS.values():
        unit = sim.config(index)["business_unit_id"]
        for stream, (obj, key, with_deleted) in STREAMS.items():
            for row in admin.records(obj, index):
                stamp = row[key]
                if stamp is None or not START_DATE <= stamp < end:
                    continue
                if with_deleted or not row["_deleted"]:
                    wanted[stream].add((unit, int(row["id"])))
    return wanted


def run_both(project: MeltanoProject, extra: dict[str, str]) -> None:
    """Start both units' jobs (meltano.yml's `jobs`) at once and wait for both."""
    jobs = {name: project.start("run", JOBS[name], extra=extra) for name in UNITS}
    logs = dict(zip(UNITS, project.logs[-len(UNITS) :], strict=True))
    for name, job in jobs.items():
        try:
            code = job.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            job.kill()
            raise AssertionError(f"{name} timed out\n{logs[name].read_text()[-3000:]}") from None
        assert code == 0, f"{name} exited {code}\n{logs[name].read_text()[-3000:]}"


def system_state(url: str, schema: str) -> dict[str, Any]:
    """Meltano's stored states (state id -> the bookmarks' business units seen), from Postgres."""
    query = sql.SQL("select state_id, partial_state, completed_state from {}.state").format(
        sql.Identifier(schema)
    )
    with psycopg.connect(url, row_factory=dict_row) as connection:
        rows = connection.execute(query).fetchall()
    states: dict[str, Any] = {}
    for row in rows:
        complete = row["completed_state"]
        states[row["state_id"]] = json.loads(complete) if isinstance(complete, str) else complete
    return states


def test_two_units_as_concurrent_jobs_land_every_row_once(
    meltano_installed: None, e2e_sim: Simulator, sim_admin: SimAdmin, pg_schema: str,
    postgres_available: str, tmp_path: Path,
) -> None:  # fmt: skip
    system = f"{pg_schema}_meltano"
    with psycopg.connect(postgres_available, autocommit=True) as connection:
        connection.execute(sql.SQL("create schema {}").format(sql.Identifier(system)))
    try:
        _two_units(e2e_sim, sim_admin, pg_schema, system, postgres_available, tmp_path)
    finally:
        with psycopg.connect(postgres_available, autocommit=True) as connection:
            connection.execute(
                sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(system))
            )


def _two_units(
    sim: Simulator, admin: SimAdmin, schema: str, system: str, url: str, tmp_path: Path
) -> None:
    database_uri = f"{sqlalchemy_url(url, 'psycopg')}?options=-csearch_path%3D{system}"
    project = MeltanoProject(
        tmp_path / "meltano",
        env={
            "MELTANO_DATABASE_URI": database_uri,
            "PARDOT_SIM_URL": sim.url,
            "PARDOT_SIM_NOW": iso(FIXED_START),
            "TAP_PARDOT_EXPORT_START_DATE": START_DATE,
            "TAP_PARDOT_EXPORT_EXPORT_WINDOW_DAYS": "365",
            "TARGET_POSTGRES_SQLALCHEMY_URL": sqlalchemy_url(url, "psycopg"),
            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": schema,
        },
    )
    # One deploy step migrates the shared system database; the workers then only use it.
    project.run("state", "list")
    # A first deploy runs one unit alone over one day, so the loader's tables exist before two
    # loaders could both find one missing and create it. Unit a's state then starts at that
    # day; the concurrent runs go on from there.
    project.run("run", "tap-pardot-export--unit-a", LOADER,
                extra={"PARDOT_SIM_NOW": "2026-01-02T00:00:00Z"})  # fmt: skip

    run_both(project, {})
    first = loaded(url, schema)
    want = expected(admin, sim, iso(FIXED_START))
    for stream in STREAMS:
        assert len(want[stream]) > 0, f"the simulator has no {stream} rows: the test proves nothing"
        units = {unit for unit, _ in want[stream]}
        assert len(units) == 2, f"{stream}: one unit has no rows, the test proves nothing"
        assert sorted(first[stream]) == sorted(want[stream]), f"{stream}: rows lost or doubled"

    states = system_state(url, system)
    for name in UNITS:
        assert f"sim:{name}-to-{LOADER}" in states, sorted(states)

    for index in UNITS.values():  # both units change
        unit = sim.config(index)["business_unit_id"]
        body = {"seed": 7 + index, "updates": 10, "inserts": 5, "objects": list(CHANGED)}
        admin.post(f"/_sim/accounts/{unit}/mutate", body)
    end = iso(admin.now() + 1)
    run_both(project, {"PARDOT_SIM_NOW": end})
    second = loaded(url, schema)
    want = expected(admin, sim, end)
    for stream in STREAMS:
        assert sorted(second[stream]) == sorted(want[stream]), f"{stream}: rows lost or doubled"
