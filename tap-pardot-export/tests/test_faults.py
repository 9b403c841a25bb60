"""The tap under injected failures: what a flaky network and a busy Pardot do to a sync.

Faults at a few percent (seeded, so a failing run can be repeated) must leave the output exactly
as a clean run's: same records, none twice, same final bookmarks. Exports Pardot ends Failed are
created again; when that keeps happening, or an export is canceled, the run stops with an error
saying what happened and what to do.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import redirect_stdout
from datetime import datetime, timezone
from typing import Any

import pytest
import requests

from pardot_client import PardotError
from pardot_client.dates import to_utc_iso
from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START, SimAdmin, reset
from tap_pardot_export.tap import TapPardotExport

END = to_utc_iso(datetime.fromtimestamp(FIXED_START, timezone.utc))
RANGE = {"start_date": "2026-10-25T00:00:00Z", "end_date": END, "export_window_days": 15}
# Retries wait milliseconds; a hung answer fails in seconds, not minutes.
QUICK_RETRIES = {
    "backoff_base_seconds": 0.005, "max_retry_seconds": 20, "read_timeout": 5,
    "connect_timeout": 2,
}  # fmt: skip
STREAMS = ("visitor_activities", "prospects", "list_memberships", "visitors",
           "prospect_accounts", "external_activities")  # fmt: skip
DOWNLOADS = r"/downloadResults/|/api/v5/exports/\d+/results/"
Rows = dict[str, dict[int, dict[str, Any]]]


def run(
    config: dict[str, Any], on_response: Callable[[requests.Response], None] | None = None
) -> list[dict[str, Any]]:
    """One in-process sync; `on_response` sees every response of the tap's HTTP session."""
    tap = TapPardotExport(config=config, setup_mapper=True)
    if on_response is not None:
        tap.client.session.hooks["response"].append(lambda r, *_, **__: on_response(r))
    out = io.StringIO()
    with redirect_stdout(out):
        tap.sync_all()
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def rows_of(messages: list[dict[str, Any]]) -> Rows:
    """Records by stream and id; a row emitted twice fails here."""
    out: Rows = {}
    for m in messages:
        if m["type"] == "RECORD":
            by_id = out.setdefault(m["stream"], {})
            assert m["record"]["id"] not in by_id, f"{m['stream']} {m['record']['id']} twice"
            by_id[m["record"]["id"]] = m["record"]
    return out


def final_bookmarks(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The last STATE's replication key and value per stream."""
    state = [m["value"] for m in messages if m["type"] == "STATE"][-1]
    return {
        name: (b.get("replication_key"), b.get("replication_key_value"))
        for name, b in state["bookmarks"].items()
    }


def assert_same_output(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    """Same streams, ids and values, and the same final bookmarks."""
    got_rows, want_rows = rows_of(got), rows_of(want)
    assert set(got_rows) == set(want_rows)
    for stream, expected in want_rows.items():
        actual = got_rows[stream]
        assert set(actual) - set(expected) == set(), f"{stream}: rows the clean run lacks"
        assert set(expected) - set(actual) == set(), f"{stream}: rows of the clean run lost"
        changed = [i for i in expected if actual[i] != expected[i]]
        assert not changed, f"{stream}: values differ for ids {changed[:5]}"
    assert final_bookmarks(got) == final_bookmarks(want)


@pytest.fixture(scope="module")
def clean_run(sim_session: Simulator) -> list[dict[str, Any]]:
    """The run every faulty one is compared with."""
    reset(sim_session)
    sim_session.app.clock.set_speed(7200)
    try:
        messages = run(sim_session.config(**RANGE, poll_interval_seconds=0.02))
    finally:
        reset(sim_session)
    assert set(rows_of(messages)) == set(STREAMS), "every stream has rows in the range"
    return messages


@pytest.mark.parametrize(
    ("rates", "path"),
    [
        pytest.param({"error": 0.05}, ".*", id="66"),
        pytest.param({"500": 0.03, "502": 0.03, "503": 0.03}, ".*", id="5xx"),
        pytest.param({"reset": 0.05}, ".*", id="reset"),
        pytest.param({"truncate": 0.05}, ".*", id="truncate"),
        pytest.param({"truncate": 0.2}, DOWNLOADS, id="truncated_downloads"),
        pytest.param(
            {"error": 0.03, "500": 0.02, "503": 0.02, "reset": 0.03, "truncate": 0.03},
            ".*",
            id="mixed",
        ),
    ],
)
@pytest.mark.usefixtures("fast_clock")
def test_faults_at_a_few_percent_leave_the_output_as_a_clean_runs(
    admin: SimAdmin, tap_config: Any, clean_run: Any, rates: dict[str, float], path: str
) -> None:
    # One scripted fault of each kind makes sure every kind is met whatever the call sequence.
    script = [
        {"kind": kind, "path": "/do/read/" if kind == "error" else DOWNLOADS, "count": 1,
         "code": 66 if kind == "error" else None}
        for kind in rates
    ]  # fmt: skip
    admin.post(
        "/_sim/faults",
        {"rates": rates, "rate_path": path, "rate_code": 66, "seed": 11, "script": script},
    )
    messages = run(tap_config(**RANGE, **QUICK_RETRIES))
    assert_same_output(messages, clean_run)
    injected = admin.get("/_sim/state")["faults"]["injected"]
    assert all(injected.get(kind, 0) >= 1 for kind in rates), injected


@pytest.mark.usefixtures("fast_clock")
def test_a_failed_export_is_created_again_and_its_rows_arrive(
    admin: SimAdmin, tap_config: Any, clean_run: Any
) -> None:
    before = admin.calls()["by_kind"]
    admin.post("/_sim/exports/fail-next", {"count": 2})
    messages = run(tap_config(**RANGE, export_max_tries=3))
    assert_same_output(messages, clean_run)
    after = admin.calls()["by_kind"]
    kinds = ("export.create", "v5.exports.create")
    creates = sum(after.get(k, 0) - before.get(k, 0) for k in kinds)
    windows = 2 * len(STREAMS)
    assert creates == windows + 2, "each Failed export was created once more"


@pytest.mark.usefixtures("fast_clock")
def test_exports_failing_export_max_tries_times_stop_the_run_with_a_clear_error(
    admin: SimAdmin, tap_config: Any
) -> None:
    admin.post("/_sim/exports/fail-next", {"count": 1000})  # every export ends Failed
    with pytest.raises(PardotError) as info:
        run(tap_config(**RANGE, export_max_tries=2))
    text = str(info.value)
    assert any(stream in text for stream in STREAMS), text
    assert "Failed" in text and "2" in text, text
    assert "run again" in text.lower(), text


def test_a_canceled_export_stops_the_run_with_an_error_a_user_can_act_on(
    sim: Simulator, admin: SimAdmin, tap_config: Any
) -> None:
    """The clock is frozen, so every export waits; each is canceled as soon as it is created."""
    canceled: list[int] = []
    canceler = requests.Session()

    def cancel_new_exports(response: requests.Response) -> None:
        created = response.request.method == "POST" and (
            "/do/create" in response.url or response.url.endswith("/api/v5/exports")
        )
        if created and response.ok:
            data = response.json()
            export_id = int(data.get("export", data)["id"])
            canceler.post(f"{sim.url}/_sim/exports/{export_id}/cancel", timeout=10)
            canceled.append(export_id)

    try:
        with pytest.raises(PardotError) as info:
            run(
                tap_config(**RANGE, export_timeout_minutes=0.2, export_max_tries=3),
                on_response=cancel_new_exports,
            )
    finally:
        canceler.close()
    text = str(info.value)
    assert canceled, "an export was created and canceled"
    assert "cancel" in text.lower(), text
    assert any(str(i) in text for i in canceled), "the error names the export"
    assert any(stream in text for stream in STREAMS), text
    assert "run again" in text.lower(), text
