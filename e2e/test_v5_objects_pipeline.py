"""Pardot (simulator) -> `meltano run tap-pardot-export--objects <warehouse>`: the v5 objects.

The first run must load every row the simulator holds of the fourteen objects only v5 has,
deleted ones marked, structured values as JSON; then some rows change in the simulator and a
second run from Meltano's state must load exactly those of the incremental streams (and every
row of the full-table ones again).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pipeline_support import MeltanoProject, SimAdmin, iso, sqlalchemy_url
from psycopg import sql
from psycopg.rows import dict_row
from warehouse_checks import duckdb_tables, loaded_after, newest_load

from pardot_client.catalog import V5_OBJECTS
from pardot_sim import Simulator

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
PLUGIN = "tap-pardot-export--objects"
Tables = dict[str, dict[int, dict[str, Any]]]
CHANGED = {"landing_pages": "landingPage", "list_emails": "listEmail", "folders": "folder"}


def stored(sim: Simulator) -> dict[str, set[int]]:
    """The ids each stream should load: every row, deleted ones too where it asks for them."""
    out = {}
    for name, obj in V5_OBJECTS.items():
        table = sim.account().store.table(obj.spec.name)
        gone = set() if obj.query.deletes else table.deleted
        out[name] = set(table.rows) - gone
    return out


def postgres(url: str, schema: str) -> Tables:
    tables: Tables = {}
    with psycopg.connect(url, row_factory=dict_row) as connection:
        for stream in V5_OBJECTS:
            query = sql.SQL("select * from {}.{}").format(
                sql.Identifier(schema), sql.Identifier(stream)
            )
            tables[stream] = {int(r["id"]): r for r in connection.execute(query).fetchall()}
    return tables


def check_first_load(tables: Tables, sim: Simulator) -> None:
    for stream, ids in stored(sim).items():
        assert set(tables[stream]) == ids, stream
    store = sim.account().store
    for stream, obj in V5_OBJECTS.items():
        if obj.query.deletes:
            gone = store.table(obj.spec.name).deleted
            marked = {i for i, r in tables[stream].items() if r["is_deleted"]}
            assert gone, f"{stream}: the simulator holds no deleted rows"
            assert marked == gone, stream
            assert all(tables[stream][i]["_sdc_deleted_at"] for i in gone), stream
    program = next(iter(tables["engagement_studio_programs"].values()))
    hours = program["business_hours"]
    hours = json.loads(hours) if isinstance(hours, str) else hours
    assert set(hours) == {"days", "start_time", "end_time", "timezone"}


def change_rows(sim: Simulator, admin: SimAdmin) -> tuple[dict[str, set[int]], str]:
    """A few rows of three incremental streams changed a minute ago; the second run's end."""
    now = int(admin.now())
    changed = {}
    for stream, name in CHANGED.items():
        table = sim.account().store.table(name)
        picked = sorted(table.rows)[:3]
        for row_id in picked:
            table.update(row_id, {"updated_at": now - 60})
        changed[stream] = set(picked)
    return changed, iso(now + 1)


def run_twice(project: MeltanoProject, sim: Simulator, admin: SimAdmin, loader: str,
              read: Any, extra: dict[str, str]) -> None:  # fmt: skip
    project.run("run", PLUGIN, loader, extra=extra)
    first = read()
    check_first_load(first, sim)
    marks = newest_load(first)
    changed, end = change_rows(sim, admin)
    project.run("run", PLUGIN, loader, extra={**extra, "PARDOT_SIM_NOW": end})
    second = read()
    arrived = loaded_after(second, marks)
    for stream, ids in changed.items():
        assert arrived[stream] == ids, stream
    for stream in ("form_handlers", "form_handler_fields", "account"):  # full table
        assert arrived[stream] == set(second[stream]), stream
    assert arrived["visitor_page_views"] == set(), "no page view is new"


def test_v5_objects_into_duckdb(
    project: MeltanoProject, e2e_sim: Simulator, sim_admin: SimAdmin, tmp_path: Path
) -> None:
    database = tmp_path / "warehouse.duckdb"
    run_twice(project, e2e_sim, sim_admin, "target-duckdb",
              lambda: duckdb_tables(database, streams=tuple(V5_OBJECTS)),
              {"TARGET_DUCKDB_FILEPATH": str(database)})  # fmt: skip


def test_v5_objects_into_postgres(
    project: MeltanoProject, e2e_sim: Simulator, sim_admin: SimAdmin, pg_schema: str,
    postgres_available: str,
) -> None:  # fmt: skip
    extra = {
        "TARGET_POSTGRES_SQLALCHEMY_URL": sqlalchemy_url(postgres_available, "psycopg"),
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": pg_schema,
    }
    run_twice(project, e2e_sim, sim_admin, "target-postgres",
              lambda: postgres(postgres_available, pg_schema), extra)  # fmt: skip
