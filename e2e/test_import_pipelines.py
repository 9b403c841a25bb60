"""Pipelines into Pardot: PostgreSQL -> target-pardot-import, and one business unit into another.

Both import into the simulator's second business unit (the `sim` environment's target settings)
and check what the simulator then holds, and what the rejects file says about refused rows.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import psycopg
import pytest
from pipeline_support import MeltanoProject, SimAdmin, sqlalchemy_url
from psycopg import sql

from pardot_sim import Simulator

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

UNKNOWN_PROSPECT = 99_999_999


def rejects(path: Path) -> list[dict[str, str]]:
    """The rows of the target's CSV rejects file."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_reverse_etl_postgres_table_to_prospects(
    project: MeltanoProject, sim_admin: SimAdmin, pg_schema: str, postgres_available: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    """`meltano run tap-postgres target-pardot-import`: updates, creates, and a refused row."""
    live = [p for p in sim_admin.records("prospect", index=1) if not p["_deleted"]][:3]
    rows: list[tuple[int | None, str | None, str | None, str, str]] = [
        (p["id"], None, None, f"Reverse{k}", "ETL Corp") for k, p in enumerate(live)
    ]
    rows += [
        (None, "00Q000000000E2E001", "new.one@example.com", "New", "Acme"),
        (None, "00Q000000000E2E002", "new.two@example.com", "Newer", "Acme"),
        (UNKNOWN_PROSPECT, None, None, "Ghost", "Nowhere"),  # Pardot: no such prospect
    ]
    table = sql.Identifier(pg_schema, "prospects")
    with psycopg.connect(postgres_available, autocommit=True) as connection:
        connection.execute(sql.SQL("create schema {}").format(sql.Identifier(pg_schema)))
        connection.execute(sql.SQL(
            "create table {} (prospect_id bigint, salesforce_fid text, email text, "
            "first_name text, company text)").format(table))  # fmt: skip
        with connection.cursor() as cursor:
            cursor.executemany(sql.SQL("insert into {} values (%s, %s, %s, %s, %s)").format(table),
                               rows)  # fmt: skip

    source = {
        "TAP_POSTGRES_SQLALCHEMY_URL": sqlalchemy_url(
            postgres_available,
            "psycopg2",
            password="unused",  # noqa: S106  (trust auth)
        ),
        "TAP_POSTGRES_FILTER_SCHEMAS": json.dumps([pg_schema]),
        "TAP_POSTGRES__SELECT": json.dumps([f"{pg_schema}-prospects.*"]),
    }
    project.run("run", "tap-postgres", "target-pardot-import", extra=source)

    stored = {p["id"]: p for p in sim_admin.records("prospect", index=1)}
    for k, prospect in enumerate(live):
        assert stored[prospect["id"]]["first_name"] == f"Reverse{k}"
        assert stored[prospect["id"]]["company"] == "ETL Corp"
        assert stored[prospect["id"]]["email"] == prospect["email"]  # a blank never clears
    by_email = {p["email"]: p for p in stored.values()}
    assert by_email["new.one@example.com"]["crm_lead_fid"] == "00Q000000000E2E001"
    assert by_email["new.two@example.com"]["first_name"] == "Newer"
    refused = rejects(tmp_path / "rejects.csv")
    assert len(refused) == 1, refused
    assert refused[0]["stage"] == "pardot"
    assert int(refused[0]["line"]) > 1  # the input line the row came on (line 1 is a SCHEMA)
    assert str(UNKNOWN_PROSPECT) in refused[0]["record"]
    assert "prospect_not_found" in refused[0]["reason"] or "No prospect" in refused[0]["reason"]


COPIED_COLUMNS = ("email", "first_name", "last_name", "company", "job_title")


def _copy_by_email(project: MeltanoProject, e2e_sim: Simulator, sim_admin: SimAdmin,
                   **settings: str) -> None:  # fmt: skip
    """`meltano run tap-pardot-export target-pardot-import`: prospects by email (v3)."""
    second = e2e_sim.config(1)["business_unit_id"]
    sim_admin.post(f"/_sim/accounts/{second}", {"api_version": 3})  # matches rows by email
    mapping = {"prospects": {"__else__": None, "__key_properties__": ["email"],
                             **{c: c for c in COPIED_COLUMNS}}}  # fmt: skip
    project.run("run", "tap-pardot-export", "target-pardot-import", extra={
        "TAP_PARDOT_EXPORT__SELECT": json.dumps(["prospects.*"]),
        "TARGET_PARDOT_IMPORT_API_VERSION": "3",
        "TARGET_PARDOT_IMPORT_STREAM_MAPS": json.dumps(mapping), **settings,
    })  # fmt: skip


def _check_copied(sim_admin: SimAdmin, tmp_path: Path) -> int:
    """Every prospect with a unique email is in the second business unit or refused; how many."""
    source = [p for p in sim_admin.records("prospect") if not p["_deleted"]]
    copied = {p["email"]: p for p in sim_admin.records("prospect", index=1) if p["email"]}
    refused = rejects(tmp_path / "rejects.csv")
    refused_emails = {json.loads(r["record"]).get("email") for r in refused}
    emails = [p["email"] for p in source]
    unique = [p for p in source if p["email"] and emails.count(p["email"]) == 1]
    checked = 0
    for prospect in unique:
        if prospect["email"] in refused_emails:
            continue
        target = copied.get(prospect["email"])
        assert target is not None, f"prospect {prospect['id']} was not copied"
        for column in COPIED_COLUMNS[1:]:
            if prospect[column] not in (None, ""):  # a blank never clears the target's value
                assert target[column] == prospect[column], (prospect["id"], column)
        checked += 1
    assert checked >= len(unique) * 0.9, "most prospects must be copied and compared"
    deleted = {p["email"] for p in sim_admin.records("prospect", index=1) if p["_deleted"]}
    for row in refused:  # only rows matching a prospect in the target's recycle bin
        assert row["stage"] == "pardot", row
        assert row["reason"].startswith("prospect_deleted"), row
        assert json.loads(row["record"])["email"] in deleted, row
    return checked


def test_prospects_from_one_business_unit_into_another(
    project: MeltanoProject, e2e_sim: Simulator, sim_admin: SimAdmin, tmp_path: Path
) -> None:
    """`meltano run tap-pardot-export target-pardot-import`: prospects copied by email (v3)."""
    _copy_by_email(project, e2e_sim, sim_admin)
    _check_copied(sim_admin, tmp_path)


def test_a_dry_run_leaves_the_state_so_the_next_run_copies_everything(
    project: MeltanoProject, e2e_sim: Simulator, sim_admin: SimAdmin, tmp_path: Path
) -> None:
    """A first run with dry_run (as the README suggests) moves no bookmark: the real run that
    follows copies every prospect."""
    before = len(sim_admin.records("prospect", index=1))
    _copy_by_email(project, e2e_sim, sim_admin, TARGET_PARDOT_IMPORT_DRY_RUN="true")
    assert len(sim_admin.records("prospect", index=1)) == before  # nothing was imported
    state = project.state("sim:tap-pardot-export-to-target-pardot-import")
    assert not any((state.get(k) or {}).get("singer_state") for k in ("partial", "complete")), state
    _copy_by_email(project, e2e_sim, sim_admin)
    assert _check_copied(sim_admin, tmp_path) > 100
