"""Between runs nothing is lost silently: a run that cannot do its job stops, state unchanged.

Each case runs the tap's CLI as Meltano would (config, state and catalog files) against the
simulator, and checks what a user would: the exit code, the rows emitted and the STATE left for
the next run.
"""

from __future__ import annotations

import json
from pathlib import Path

from tap_sync_support import END, catalog_selecting, mode_settings, run_cli

from pardot_client.dates import parse_utc, to_utc_iso
from pardot_sim import Simulator
from pardot_sim.testing import SimAdmin
from tap_pardot_export.export.pending import request_digest
from tap_pardot_export.export.streams import ExportStream
from tap_pardot_export.export.windows import Window
from tap_pardot_export.tap import TapPardotExport

QUICK = {"poll_interval_seconds": 0.02, "max_tries": 2, "backoff_base_seconds": 0.01}
BOOKMARK = "2026-11-15T00:00:00+00:00"
WINDOW = ("2026-11-10T00:00:00Z", "2026-11-17T00:00:00Z")
WINDOW_ISO = tuple(to_utc_iso(parse_utc(w)) for w in WINDOW)
STREAMS = ("visitor_activities",)


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
    assert "Check client_id and client_secret" in run.stderr


def test_discovery_without_any_credential_lists_the_standard_fields(tmp_path: Path) -> None:
    run = run_cli(tmp_path, {"start_date": "2026-11-01T00:00:00Z"}, "--discover")
    assert run.returncode == 0, run.stderr[-2000:]
    streams = {s["tap_stream_id"]: s for s in json.loads(run.stdout)["streams"]}
    assert "email" in streams["prospects"]["schema"]["properties"]


def test_a_saved_export_of_another_object_is_dropped_and_the_window_exported_anew(
    sim: Simulator, admin: SimAdmin, tmp_path: Path
) -> None:
    """State naming a prospect export for visitor activities: the prospects must not pass."""
    config = sim.config(
        start_date=WINDOW[0], end_date=WINDOW[1], export_window_days=30,
        extraction_mode=mode_settings("export"), **QUICK,
    )  # fmt: skip
    tap = TapPardotExport(config=config, setup_mapper=False)
    activities = tap.streams["visitor_activities"]
    assert isinstance(activities, ExportStream)
    window = Window(parse_utc(WINDOW[0]), parse_utc(WINDOW[1]))
    digest = request_digest(activities._request(window))
    foreign = tap.client.post_json(
        "/api/export/version/{version}/do/create",
        {"object": "prospect", "fields": ["id", "email", "updated_at"],
         "procedure": {"name": "filter_by_updated_at",
                       "arguments": {"updated_after": "2026-10-01 00:00:00"}}},
    )["export"]["id"]  # fmt: skip
    state = {"bookmarks": {"visitor_activities": {
        "replication_key": "updated_at", "replication_key_value": to_utc_iso(window.start),
        "pending_exports": [{"id": foreign, "start": to_utc_iso(window.start),
                             "end": to_utc_iso(window.end), "request": digest}],
    }}}  # fmt: skip
    sim.app.clock.set_speed(7200)
    run = run_cli(tmp_path, config, state=state, catalog=catalog_selecting(config, *STREAMS))
    assert run.returncode == 0, run.stderr[-2000:]
    want = {
        r["id"]
        for r in admin.records("visitorActivity", deleted="all")
        if WINDOW_ISO[0] <= r["updated_at"] < WINDOW_ISO[1]
    }
    got = [r["id"] for r in run.records("visitor_activities")]
    assert sorted(got) == sorted(want), "prospect rows passed as visitor activities, or rows lost"
    assert f"dropping export {foreign}" in run.stderr


def test_a_state_file_that_is_not_json_is_named_in_the_error(tmp_path: Path) -> None:
    config = {"start_date": "2026-11-01T00:00:00Z"}
    run = run_cli(tmp_path, config, state_text='{"bookmarks": {"prosp')
    assert run.returncode == 1
    assert f"The state file {tmp_path / 'state.json'} is not valid JSON" in run.stderr
    assert "Traceback" not in run.stderr
