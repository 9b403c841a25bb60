"""Between runs nothing is lost silently: a run that cannot do its job stops, state unchanged.

Each case runs the tap's CLI as Meltano would (config, state and catalog files) against the
simulator, and checks what a user would: the exit code, the rows emitted and the STATE left for
the next run.
"""

from __future__ import annotations

import json
from pathlib import Path

from tap_sync_support import END, catalog_selecting, run_cli

from pardot_sim import Simulator
from pardot_sim.testing import SimAdmin

QUICK = {"poll_interval_seconds": 0.02, "max_tries": 2, "backoff_base_seconds": 0.01}
BOOKMARK = "2026-11-15T00:00:00+00:00"


def prospects_state() -> dict[str, object]:
    return {
        "bookmarks": {
            "prospects": {"replication_key": "updated_at", "replication_key_value": BOOKMARK}
        }
    }


def test_a_failing_custom_field_listing_stops_the_run_and_keeps_the_bookmark(
    sim: Simulator, admin: SimAdmin, tmp_path: Path
) -> None:
    config = sim.config(start_date="2026-11-01T00:00:00Z", end_date=END, **QUICK)
    catalog = catalog_selecting(config, "prospects")  # discovered while the listing worked
    admin.post("/_sim/faults", {"script": [{"kind": "500", "path": "/customField/", "count": 50}]})
    sim.app.clock.set_speed(7200)
    run = run_cli(tmp_path, config, state=prospects_state(), catalog=catalog)
    assert run.returncode != 0
    assert run.records("prospects") == [], "prospects went out without their custom fields"
    assert all(s == prospects_state() for s in run.states()), "the bookmark moved"
    assert "custom prospect fields could not be listed" in run.stderr
    assert "state is unchanged" in run.stderr


def test_discovery_with_failing_credentials_is_an_error_not_a_standard_catalog(
    sim: Simulator, tmp_path: Path
) -> None:
    config = sim.config(start_date="2026-11-01T00:00:00Z", client_secret="wrong", **QUICK)
    run = run_cli(tmp_path, config, "--discover")
    assert run.returncode != 0
    assert run.messages == [], "a catalog without the custom fields was printed"
    assert "custom prospect fields could not be listed" in run.stderr


def test_discovery_without_any_credential_lists_the_standard_fields(tmp_path: Path) -> None:
    run = run_cli(tmp_path, {"start_date": "2026-11-01T00:00:00Z"}, "--discover")
    assert run.returncode == 0, run.stderr[-2000:]
    streams = {s["tap_stream_id"]: s for s in json.loads(run.stdout)["streams"]}
    assert "email" in streams["prospects"]["schema"]["properties"]
