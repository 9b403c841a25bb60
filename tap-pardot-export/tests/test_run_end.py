"""Where a run ends: Pardot's clock (not this machine's) less a settle lag, and bookmarks checked.

The simulator's clock stands at FIXED_START while this machine's reads today, weeks later: a
tap that ended its run on the local clock would set bookmarks in Pardot's future.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from tap_sync_support import CliRun, catalog_selecting, run_cli

from pardot_client.dates import parse_utc
from pardot_sim import Simulator
from pardot_sim.mutations import mutate

STREAMS = ("visitor_activities", "campaigns")
QUICK = {"poll_interval_seconds": 0.02, "backoff_base_seconds": 0.01, "export_window_days": 30}


def config_of(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    return sim.config(start_date="2026-11-16T00:00:00Z", **QUICK, **overrides)


def new_activities(sim: Simulator, now: datetime, seed: int) -> set[int]:
    """40 visitor activities stamped in the minute before `now` (they appear in Pardot now)."""
    changed = mutate(
        sim.account(), seed=seed, now=now.timestamp(), updates=0, inserts=40,
        objects=("visitorActivity",),
    )  # fmt: skip
    return set(changed["visitorActivity.inserted"])


def sync(sim: Simulator, workdir: Path, config: dict[str, Any], **kwargs: Any) -> CliRun:
    """One CLI run with the simulator's clock running (exports need it), stopped after."""
    sim.app.clock.set_speed(600)
    try:
        run = run_cli(workdir, config, catalog=catalog_selecting(config, *STREAMS), **kwargs)
    finally:
        sim.app.clock.set_speed(0)
    assert run.returncode == 0, run.stderr[-2000:]
    return run


def bookmark_of(run: CliRun) -> datetime:
    return parse_utc(run.states()[-1]["bookmarks"]["visitor_activities"]["replication_key_value"])


def test_rows_pardot_stamps_after_a_run_arrive_in_the_next_run(
    own_sim: Simulator, tmp_path: Path
) -> None:
    """This machine's clock is weeks ahead of Pardot's: bookmarks still follow Pardot's."""
    config = config_of(own_sim)
    first = sync(own_sim, tmp_path, config)
    mark = bookmark_of(first)
    pardot_now = datetime.fromtimestamp(own_sim.app.clock.now(), timezone.utc)
    assert mark <= pardot_now - timedelta(seconds=300), "the run ended past Pardot's clock"
    inserted = new_activities(own_sim, pardot_now, seed=41)  # stamped after the run, by Pardot
    own_sim.app.clock.advance(600)
    second = sync(own_sim, tmp_path, config, state=first.states()[-1])
    got = {r["id"] for r in second.records("visitor_activities")}
    assert inserted <= got, f"{len(inserted - got)} of {len(inserted)} new rows were never read"


def test_rows_committed_late_arrive_thanks_to_the_settle_lag(
    own_sim: Simulator, tmp_path: Path
) -> None:
    """Rows stamped up to settle_seconds before the clock a run read, visible only after it."""
    config = config_of(own_sim)
    first = sync(own_sim, tmp_path, config)
    late = new_activities(own_sim, bookmark_of(first) + timedelta(seconds=300), seed=42)
    own_sim.app.clock.advance(600)
    second = sync(own_sim, tmp_path, config, state=first.states()[-1])
    assert late <= {r["id"] for r in second.records("visitor_activities")}


def test_without_the_settle_lag_rows_committed_late_would_be_behind_the_bookmark(
    own_sim: Simulator, tmp_path: Path
) -> None:
    """What settle_seconds guards against, shown with it set to 0."""
    config = config_of(own_sim, settle_seconds=0)
    first = sync(own_sim, tmp_path, config)
    late = new_activities(own_sim, bookmark_of(first), seed=43)
    own_sim.app.clock.advance(600)
    second = sync(own_sim, tmp_path, config, state=first.states()[-1])
    assert not late & {r["id"] for r in second.records("visitor_activities")}


def test_a_bookmark_in_pardots_future_is_an_error_that_says_so(
    sim: Simulator, tmp_path: Path
) -> None:
    config = config_of(sim)
    ahead = "2026-12-24T00:00:00+00:00"
    state = {"bookmarks": {"visitor_activities": {
        "replication_key": "updated_at", "replication_key_value": ahead}}}  # fmt: skip
    run = run_cli(tmp_path, config, state=state, catalog=catalog_selecting(config, *STREAMS))
    assert run.returncode != 0
    assert f"the bookmark {ahead} is later than Pardot's clock" in run.stderr
    assert run.records("visitor_activities") == []


def test_an_end_date_before_the_start_date_is_a_config_error(tmp_path: Path) -> None:
    config = {"start_date": "2026-11-20T00:00:00Z", "end_date": "2026-11-10T00:00:00Z"}
    run = run_cli(tmp_path, config, "--discover")
    assert run.returncode != 0
    assert (
        "end_date 2026-11-10T00:00:00Z is not after start_date 2026-11-20T00:00:00Z" in run.stderr
    )
