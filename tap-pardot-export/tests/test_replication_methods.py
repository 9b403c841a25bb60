"""A stream's declared replication method is what it does, and a catalog's method is honoured.

A loader acts on the declaration: on ACTIVATE_VERSION (full-table streams, with
`emit_activate_version_messages`) it drops every row the run did not send. So a stream that
reads only what changed must be INCREMENTAL, and a FULL_TABLE stream must read everything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tap_sync_support import CliRun, catalog_selecting, run_cli

from pardot_sim import Simulator
from pardot_sim.mutations import mutate
from pardot_sim.testing import FIXED_START, SimAdmin

CHANGED = ("visits", "emails", "campaigns", "opportunities")
FULL = ("users", "custom_fields", "lifecycle_stages", "email_templates")


def config_of(sim: Simulator) -> dict[str, Any]:
    return sim.config(
        start_date="2026-10-01T00:00:00Z", include_email_stats=True,
        emit_activate_version_messages=True, backoff_base_seconds=0.01,
        poll_interval_seconds=0.02,
    )  # fmt: skip


def activated(run: CliRun) -> set[str]:
    return {m["stream"] for m in run.messages if m["type"] == "ACTIVATE_VERSION"}


def method_of(catalog: dict[str, Any], stream: str) -> str:
    entry = next(e for e in catalog["streams"] if e["tap_stream_id"] == stream)
    top = next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
    return str(top.get("forced-replication-method") or top.get("replication-method") or (
        "INCREMENTAL" if entry.get("replication_key") or top.get("replication-key") else
        "FULL_TABLE"))  # fmt: skip


def test_streams_that_read_changes_only_never_activate_a_version(
    own_sim: Simulator, tmp_path: Path
) -> None:
    """visits and emails read only what changed: a second run must not ask to drop the rest."""
    config = config_of(own_sim)
    catalog = catalog_selecting(config, *CHANGED, *FULL)
    assert {s: method_of(catalog, s) for s in CHANGED} == dict.fromkeys(CHANGED, "INCREMENTAL")
    assert {s: method_of(catalog, s) for s in FULL} == dict.fromkeys(FULL, "FULL_TABLE")
    first = run_cli(tmp_path, config, catalog=catalog)
    assert first.returncode == 0, first.stderr[-2000:]
    assert first.records("visits") and first.records("emails")
    second = run_cli(tmp_path, config, catalog=catalog, state=first.states()[-1])
    assert second.returncode == 0, second.stderr[-2000:]
    assert activated(second) & set(CHANGED) == set()
    assert activated(second) == set(FULL)
    for stream in FULL:  # full table: everything again, so the new version loses nothing
        assert len(second.records(stream)) == len(first.records(stream)) > 0, stream


def test_updates_of_rows_without_an_updated_filter_arrive(
    own_sim: Simulator, tmp_path: Path
) -> None:
    """opportunities and users change in place; their queries cannot filter on updated_at."""
    admin = SimAdmin(own_sim)
    config = config_of(own_sim)
    catalog = catalog_selecting(config, "opportunities", "users")
    first = run_cli(tmp_path, config, catalog=catalog)
    assert first.returncode == 0, first.stderr[-2000:]
    changed = mutate(
        own_sim.account(), seed=7, now=FIXED_START + 3600, updates=3, inserts=0,
        objects=("opportunity", "user"),
    )  # fmt: skip
    own_sim.app.clock.advance(7200)
    second = run_cli(tmp_path, config, catalog=catalog, state=first.states()[-1])
    assert second.returncode == 0, second.stderr[-2000:]
    opportunities = {r["id"]: r for r in second.records("opportunities")}
    assert set(changed["opportunity.updated"]) <= set(opportunities)
    stored = {r["id"]: r for r in admin.records("opportunity")}
    for row_id in changed["opportunity.updated"]:
        assert opportunities[row_id]["updated_at"] == stored[row_id]["updated_at"]
    users = {r["id"]: r for r in second.records("users")}
    assert set(changed["user.updated"]) <= set(users)
    assert "were read to emit the" in second.stderr  # the full scan's cost is said


def test_a_catalog_asking_full_table_reads_everything(sim: Simulator, tmp_path: Path) -> None:
    """A bookmark in state does not shorten a run the catalog marks FULL_TABLE."""
    config = config_of(sim)
    catalog = catalog_selecting(config, "campaigns", "visitor_activities")
    for entry in catalog["streams"]:
        entry["replication_method"] = "FULL_TABLE"
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["forced-replication-method"] = "FULL_TABLE"
    sim.app.clock.set_speed(7200)
    state = {"bookmarks": {
        "campaigns": {"replication_key": "updated_at",
                      "replication_key_value": "2026-11-23T00:00:00+00:00"},
        "visitor_activities": {"replication_key": "updated_at",
                               "replication_key_value": "2026-11-23T00:00:00+00:00"},
    }}  # fmt: skip
    run = run_cli(tmp_path, config, catalog=catalog, state=state)
    assert run.returncode == 0, run.stderr[-2000:]
    admin = SimAdmin(sim)
    since = "2026-10-01T00:00:00+00:00"
    campaigns = {r["id"] for r in admin.records("campaign") if r["updated_at"] >= since}
    assert {r["id"] for r in run.records("campaigns")} == campaigns
    activities = [r for r in run.records("visitor_activities") if r["updated_at"] < "2026-11-23"]
    assert activities, "visitor activities before the saved bookmark were not read again"
