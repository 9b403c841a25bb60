"""Fixtures of the end-to-end pipelines: Meltano, a simulator per test, DuckDB, PostgreSQL."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pipeline_support import (
    CLOCK_SPEED,
    MELTANO,
    POSTGRES_URL,
    ROOT,
    START_DATE,
    MeltanoProject,
    SimAdmin,
    iso,
)
from psycopg import sql

from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START, serving


def unavailable(reason: str) -> None:
    """Skip on a developer machine; fail under CI, where everything must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def meltano_installed() -> None:
    """Meltano and the plugins, as `make plugins` installs them."""
    if not MELTANO.exists() or not (ROOT / ".meltano" / "plugins.installed").exists():
        unavailable("Meltano or its plugins are not installed: run `make plugins`")


@pytest.fixture
def e2e_sim() -> Iterator[Simulator]:
    """A simulator of the test's own: tiny data up to FIXED_START, a fast clock."""
    yield from serving(seed=3, clock_speed=CLOCK_SPEED)


@pytest.fixture
def sim_admin(e2e_sim: Simulator) -> Iterator[SimAdmin]:
    """The admin API of the test's simulator."""
    admin = SimAdmin(e2e_sim)
    yield admin
    admin.close()


@pytest.fixture
def project(meltano_installed: None, e2e_sim: Simulator, tmp_path: Path) -> MeltanoProject:
    """meltano.yml's `sim` environment pointed at the test's simulator, with its own state."""
    return MeltanoProject(
        tmp_path / "meltano",
        env={
            "PARDOT_SIM_URL": e2e_sim.url,
            "PARDOT_SIM_NOW": iso(FIXED_START),
            "TAP_PARDOT_EXPORT_START_DATE": START_DATE,
            "TAP_PARDOT_EXPORT_EXPORT_WINDOW_DAYS": "365",
            "TARGET_DUCKDB_FILEPATH": str(tmp_path / "warehouse.duckdb"),
            "TARGET_PARDOT_IMPORT_REJECTS_PATH": str(tmp_path / "rejects.csv"),
            "TARGET_PARDOT_IMPORT_SPOOL_DIR": str(tmp_path),
        },
    )


@pytest.fixture(scope="session")
def postgres_available() -> str:
    """The PostgreSQL server of PARDOT_E2E_POSTGRES_URL."""
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=5) as connection:
            connection.execute("select 1")
    except psycopg.OperationalError as error:
        unavailable(f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}")
    return POSTGRES_URL


@pytest.fixture
def pg_schema(postgres_available: str) -> Iterator[str]:
    """A schema of the test's own, dropped afterwards."""
    name = f"pardot_e2e_{secrets.token_hex(4)}"
    yield name
    with psycopg.connect(postgres_available, autocommit=True) as connection:
        connection.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(name)))
