"""Email sends driven by a PostgreSQL table: `meltano run tap-postgres--sends
target-pardot-import--sends` (meltano.yml), into the simulator's second business unit.

Each row is one one-to-one send; the run sends the good rows, rejects a row without an
unsubscribe link and a row Pardot refuses, and a second run of the same table sends nothing
again. The send ledger is read back through `meltano invoke target-pardot-import--sends:sends`.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pipeline_support import MeltanoProject, SimAdmin, sqlalchemy_url
from psycopg import sql

from pardot_sim import Simulator

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

TEXT = "Hello %%first_name%%. %%unsubscribe%%"
UNKNOWN_PROSPECT = 99_999_999


def _rejects(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _sends_to(sim_admin: SimAdmin, e2e_sim: Simulator, prospects: list[int]) -> list[int]:
    bu = e2e_sim.config(1)["business_unit_id"]
    book: dict[str, Any] = sim_admin.session.get(
        f"{e2e_sim.url}/_sim/accounts/{bu}/email-sends", timeout=60
    ).json()
    return [book["by_prospect"].get(str(p), 0) for p in prospects]


def test_a_postgres_table_of_sends_drives_pardot_emails_once(
    project: MeltanoProject, e2e_sim: Simulator, sim_admin: SimAdmin, pg_schema: str,
    postgres_available: str, tmp_path: Path,
) -> None:  # fmt: skip
    mailable = [
        p["id"] for p in sim_admin.records("prospect", index=1)
        if not p["_deleted"] and not p["opted_out"] and not p["is_do_not_email"]
    ][:4]  # fmt: skip
    campaign = sim_admin.records("campaign", index=1)[0]["id"]
    rows = [(f"welcome-{p}", p, campaign, "Welcome", f"Welcome {k}", TEXT)
            for k, p in enumerate(mailable)]  # fmt: skip
    rows += [
        ("no-link", mailable[0], campaign, "Welcome", "No link", "Hello, no unsubscribe link"),
        ("ghost", UNKNOWN_PROSPECT, campaign, "Welcome", "Ghost", TEXT),  # Pardot: error 3
    ]
    table = sql.Identifier(pg_schema, "email_sends")
    with psycopg.connect(postgres_available, autocommit=True) as connection:
        connection.execute(sql.SQL("create schema {}").format(sql.Identifier(pg_schema)))
        connection.execute(sql.SQL(
            "create table {} (send_id text primary key, prospect_id bigint, campaign_id bigint, "
            "name text, subject text, text_content text, from_email text default "
            "'news@example.com', from_name text default 'News')").format(table))  # fmt: skip
        with connection.cursor() as cursor:
            cursor.executemany(sql.SQL(
                "insert into {} (send_id, prospect_id, campaign_id, name, subject, text_content) "
                "values (%s, %s, %s, %s, %s, %s)").format(table), rows)  # fmt: skip
    ledger = tmp_path / "ledger.sqlite"
    stream = f"{pg_schema}-email_sends"
    extra = {
        "TAP_POSTGRES_SQLALCHEMY_URL": sqlalchemy_url(
            postgres_available, "psycopg2", password="unused",  # noqa: S106  (trust auth)
        ),
        "TAP_POSTGRES_FILTER_SCHEMAS": json.dumps([pg_schema]),
        "TAP_POSTGRES__SENDS__SELECT": json.dumps([f"{stream}.*"]),
        # meltano.yml binds the stream crm-email_sends; this test's table lives elsewhere
        "TAP_POSTGRES__SENDS_STREAM_MAPS": json.dumps({stream: {"__alias__": "crm-email_sends"}}),
        "TARGET_PARDOT_IMPORT__SENDS_SEND_LEDGER_PATH": str(ledger),
    }  # fmt: skip

    project.run("run", "tap-postgres--sends", "target-pardot-import--sends", extra=extra)

    assert _sends_to(sim_admin, e2e_sim, mailable) == [1, 1, 1, 1]
    with sqlite3.connect(ledger) as db:
        states = dict(db.execute("select send_key, state from sends").fetchall())
    assert states == {**{f"welcome-{p}": "sent" for p in mailable}, "ghost": "not_sent"}
    refused = {json.loads(r["record"])["send_id"]: r for r in _rejects(tmp_path / "rejects.csv")}
    assert refused["no-link"]["reason"].startswith("unsubscribe_link:")
    assert refused["ghost"]["stage"] == "pardot"
    assert "Pardot error 3" in refused["ghost"]["reason"]

    # The same table again: every key is in the ledger, so nobody is mailed twice.
    project.run("run", "tap-postgres--sends", "target-pardot-import--sends", extra=extra)
    assert _sends_to(sim_admin, e2e_sim, mailable) == [1, 1, 1, 1]
    assert "4 rows were not sent: their key was sent before" in project.tail(200)

    project.run("invoke", "target-pardot-import--sends:sends", "summary", extra=extra)
    assert "sent\t4" in project.tail(5)
