"""Pardot (simulator) -> `meltano run tap-pardot-export <warehouse>`: full, then incremental.

The first run must load every row the simulator holds between start_date and end_date, with the
simulator's values. Then the simulator's data changes (edits and new rows, every object) and a
second run from the state Meltano kept must load exactly the changed rows, and the warehouse must
again equal the simulator.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pipeline_support import START_DATE, MeltanoProject, SimAdmin, iso, sqlalchemy_url
from warehouse_checks import (
    Tables,
    assert_matches_simulator,
    duckdb_tables,
    loaded_after,
    newest_load,
    postgres_tables,
)

from pardot_sim.testing import FIXED_START

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

# Objects whose rows get an updated_at when changed; external activities are exported by
# created_at (their only timestamp), so only new ones can arrive incrementally.
UPDATED_OBJECTS = ("prospect", "visitorActivity", "listMembership", "visitor", "prospectAccount")
STREAM_OF = {
    "prospect": "prospects",
    "visitorActivity": "visitor_activities",
    "listMembership": "list_memberships",
    "visitor": "visitors",
    "prospectAccount": "prospect_accounts",
    "externalActivity": "external_activities",
}


def full_then_incremental(
    project: MeltanoProject, admin: SimAdmin, loader: str, read: Callable[[], Tables],
    extra: dict[str, str],
) -> None:  # fmt: skip
    """Run, check, change the simulator's data, run again, check only the changes arrived."""
    project.run("run", "tap-pardot-export", loader, extra=extra)
    first = read()
    assert_matches_simulator(first, admin, START_DATE, iso(FIXED_START))
    marks = newest_load(first)

    changed: dict[str, Any] = admin.mutate(seed=5, updates=12, inserts=6, objects=UPDATED_OBJECTS)
    changed.update(admin.mutate(seed=6, updates=0, inserts=6, objects=["externalActivity"]))
    end = iso(admin.now() + 1)
    project.run("run", "tap-pardot-export", loader, extra={**extra, "PARDOT_SIM_NOW": end})
    second = read()
    assert_matches_simulator(second, admin, START_DATE, end)
    arrived = loaded_after(second, marks)
    for obj, stream in STREAM_OF.items():
        wanted = set(changed[obj])
        if stream == "prospects":  # mutate picks live prospects only; all are exported
            wanted = {i for i in wanted if i in second[stream]}
        assert arrived[stream] == wanted, f"{stream}: the second run loaded other rows"
        assert len(second[stream]) == len(first[stream]) + len(changed[f"{obj}.inserted"])


def test_duckdb_full_then_incremental(
    project: MeltanoProject, sim_admin: SimAdmin, tmp_path: Path
) -> None:
    database = tmp_path / "warehouse.duckdb"
    extra = {"TARGET_DUCKDB_FILEPATH": str(database)}
    full_then_incremental(project, sim_admin, "target-duckdb", lambda: duckdb_tables(database),
                          extra)  # fmt: skip


def test_postgres_full_then_incremental(
    project: MeltanoProject, sim_admin: SimAdmin, pg_schema: str, postgres_available: str
) -> None:
    extra = {
        "TARGET_POSTGRES_SQLALCHEMY_URL": sqlalchemy_url(postgres_available, "psycopg"),
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": pg_schema,
    }
    full_then_incremental(
        project, sim_admin, "target-postgres",
        lambda: postgres_tables(postgres_available, pg_schema), extra,
    )  # fmt: skip
