"""The tap under injected failures: what a flaky network and a busy Pardot do to a sync.

Faults at a few percent (seeded, so a failing run can be repeated) must leave the output exactly
as a clean run's: same records, none twice, same final bookmarks. Exports Pardot ends Failed are
created again; when that keeps happening, or an export is canceled, the run stops with an error
saying what happened and what to do.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from tap_sync_support import END, EXPORTS_PER_WINDOW, assert_same_output, reference_run
from tap_sync_support import run_tap_messages as run

from pardot_client import PardotError
from pardot_sim import Simulator
from pardot_sim.testing import SimAdmin

RANGE = {"start_date": "2026-10-25T00:00:00Z", "end_date": END, "export_window_days": 15}
# Retries wait milliseconds; a hung answer fails in seconds, not minutes.
QUICK_RETRIES = {
    "backoff_base_seconds": 0.005, "max_retry_seconds": 20, "read_timeout": 5,
    "connect_timeout": 2,
}  # fmt: skip
STREAMS = ("visitor_activities", "prospects", "list_memberships", "visitors",
           "prospect_accounts", "external_activities")  # fmt: skip
DOWNLOADS = r"/downloadResults/|/api/v5/exports/\d+/results/"


@pytest.fixture(scope="module")
def clean_run(sim_session: Simulator) -> list[dict[str, Any]]:
    """The run every faulty one is compared with."""
    return reference_run(sim_session, **RANGE)


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
    # 15-day windows over [Oct 25, Nov 23), the first cut at New York's fall back (Nov 1): 3
    exports = 3 * sum(EXPORTS_PER_WINDOW[s] for s in STREAMS)
    assert creates == exports + 2, "each Failed export was created once more"


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
