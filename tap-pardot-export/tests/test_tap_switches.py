"""The tap under every unconfirmed API behaviour the simulator can switch, over real HTTP.

Pardot's docs leave response shapes, statuses and input rules open
(docs/pardot-api/README.md#simulator-switches); the simulator offers each variant. Whatever
the variant, a user must get the same rows with the same values as under the documented default,
so every test compares a run with the default run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pytest
import requests
from tap_sync_support import BOTH_MODES, END, assert_same_output, reference_run, rows_of
from tap_sync_support import run_tap_messages as run

from pardot_client.dates import parse_utc, to_utc_iso
from pardot_sim import Simulator
from pardot_sim.switches import Switches
from pardot_sim.testing import SimAdmin

RANGE = {"start_date": "2026-10-25T00:00:00Z", "end_date": END, "export_window_days": 15}

# 66 answered to a few calls of every kind the tap makes, for switches that only show on errors.
ERRORS_66 = [
    {"kind": "error", "code": 66, "path": path, "count": count}
    for path, count in (
        ("/do/create", 2), ("/do/read/", 3), ("/downloadResults/", 3), ("/api/v5/exports", 3),
        ("/customField/", 1),
    )
]  # fmt: skip
# Switches no tap call can meet: the quota (daily_limit_status) is tested with the quota
# handling; imports (import_envelope, error_csv_layout) belong to the target; the custom-field
# lookup is a single page, so an empty bulk page (bulk_empty_result) never comes.
NOT_ON_THE_TAP_PATH = {"daily_limit_status", "import_envelope", "error_csv_layout",
                       "bulk_empty_result"}  # fmt: skip
# Covered by their own tests below: they need a token revocation or an input edge to show. Or
# elsewhere: a refused prospect `deleted` rightly loses deleted rows (test_procedures.py); rates
# and one-to-one lists belong to the query streams (test_email_streams.py).
OWN_TESTS = {"token_invalid_status", "ambiguous_input", "prospect_updated_deleted",
             "email_rate_format", "single_template"}  # fmt: skip
ERROR_SHAPED = {"concurrency_status", "v34_error_status"}


@dataclass(frozen=True)
class Variant:
    """Switches and simulator settings for one run, plus faults that make them matter."""

    switches: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    script: list[dict[str, Any]] = field(default_factory=list)


def _variants() -> Iterator[Any]:
    defaults = Switches()
    for name, values in Switches.variants().items():
        if name in NOT_ON_THE_TAP_PATH | OWN_TESTS:
            continue
        for value in values:
            if value == getattr(defaults, name):
                continue
            script = ERRORS_66 if name in ERROR_SHAPED else []
            yield pytest.param(Variant({name: value}, script=script), id=f"{name}={value}")
    yield pytest.param(Variant({"export_attributes": True}), id="export_attributes=True")
    single = {"export": {"min_files": 1, "max_rows_per_file": 1_000_000}}
    yield pytest.param(Variant(settings=single), id="one_file_per_export")
    like_v4 = Variant({"v5_result_refs": "like_v4"}, settings=single)
    yield pytest.param(like_v4, id="v5_result_refs=like_v4-one_file")
    many = {"export": {"min_files": 5, "max_rows_per_file": 7}}
    yield pytest.param(Variant(settings=many), id="many_small_files")
    words = Variant(settings={"export": {"csv_booleans": "words"}})
    yield pytest.param(words, id="csv_booleans=words")
    yield pytest.param(Variant(script=ERRORS_66), id="errors_66_default_statuses")


@pytest.fixture(scope="module")
def default_run(sim_session: Simulator) -> list[dict[str, Any]]:
    """The run every variant is compared with: default switches, no faults."""
    return reference_run(sim_session, **RANGE)


def by_the_stated_rule(messages: list[dict[str, Any]], admin: SimAdmin) -> list[dict[str, Any]]:
    """The reference run as wall-time bounds give it: windows cannot be cut inside a repeated
    hour then, so the filter field of its second pass follows the stated DST rule, an hour
    early; with offsets it is exact."""
    facts = admin.get(f"/_sim/accounts/{admin.sim.config()['business_unit_id']}/facts")
    second_passes = [
        (t["utc"], t["offset_before"] - t["offset_after"])
        for t in facts["dst"]["transitions"]
        if t["offset_before"] > t["offset_after"]
    ]
    out = []
    for message in messages:
        if message["type"] != "RECORD":
            out.append(message)
            continue
        record = message["record"]
        key = "created_at" if message["stream"] == "external_activities" else "updated_at"
        instant = parse_utc(record[key]).timestamp()
        for start, length in second_passes:
            if start <= instant < start + length:
                shifted = datetime.fromtimestamp(instant - length, timezone.utc)
                record = {**record, key: to_utc_iso(shifted)}
        out.append({**message, "record": record})
    return out


@pytest.mark.parametrize("variant", list(_variants()))
@pytest.mark.usefixtures("fast_clock")
def test_a_switch_variant_gives_the_default_runs_rows(
    sim: Simulator, admin: SimAdmin, tap_config: Any, default_run: Any, variant: Variant
) -> None:
    if variant.switches:
        admin.post("/_sim/switches", variant.switches)
    if variant.settings:
        admin.post("/_sim/settings", variant.settings)
    if variant.script:
        admin.post("/_sim/faults", {"script": variant.script})
    messages = run(tap_config(**RANGE, backoff_base_seconds=0.005, max_retry_seconds=10))
    want = default_run
    if variant.switches.get("input_offsets") == "rejected":
        want = by_the_stated_rule(default_run, admin)
    assert_same_output(messages, want)
    if variant.script:
        injected = admin.get("/_sim/state")["faults"]["injected"]
        assert injected.get("error", 0) >= 8, "the faults that make the switch matter were met"


@pytest.mark.usefixtures("fast_clock")
def test_one_file_and_no_file_exports_give_the_rows_of_several_files(
    sim: Simulator, admin: SimAdmin, tap_config: Any
) -> None:
    """resultRefs as an array, as a string (one file) and absent (no rows) read alike."""
    config = tap_config(
        start_date="2026-06-01T00:00:00Z", end_date="2026-06-04T00:00:00Z", export_window_days=1
    )
    several = run(config)
    admin.post("/_sim/settings", {"export": {"min_files": 1, "max_rows_per_file": 1_000_000}})
    first_new = max(sim.exports.jobs)
    assert_same_output(run(config), several)
    now = sim.app.clock.now()
    files = [
        len(sim.exports.result_files(job))
        for export_id, job in sim.exports.jobs.items()
        if export_id > first_new and job.state(now) == "Complete"
    ]
    assert 0 in files, "an export without rows (resultRefs absent)"
    assert 1 in files, "an export of one file (resultRefs a string)"
    assert sum(len(rows) for rows in rows_of(several).values()) >= 10


@pytest.mark.parametrize("status", Switches.variants()["token_invalid_status"])
@pytest.mark.usefixtures("fast_clock")
def test_tokens_revoked_mid_run_are_refreshed_whatever_the_status(
    sim: Simulator, admin: SimAdmin, tap_config: Any, default_run: Any, status: int
) -> None:
    admin.post("/_sim/switches", {"token_invalid_status": status})
    revoker = requests.Session()
    seen = {"responses": 0, "revoked": 0}

    def revoke_every_fourth(response: requests.Response) -> None:
        if "/services/oauth2/token" in response.url:
            return
        seen["responses"] += 1
        if seen["responses"] % 4 == 0:
            revoker.post(sim.url + "/_sim/tokens/revoke", timeout=10).raise_for_status()
            seen["revoked"] += 1

    try:
        messages = run(tap_config(**RANGE), on_response=revoke_every_fourth)
    finally:
        revoker.close()
    assert seen["revoked"] >= 10
    assert_same_output(messages, default_run)


# The fall-back hour: 2026-11-01 01:00-02:00 in New York happens twice, 05:00-07:00 UTC.
REPEATED = {"start_date": "2026-11-01T05:20:00Z", "end_date": "2026-11-01T06:40:00Z"}


@pytest.mark.parametrize("extraction_mode", BOTH_MODES)
@pytest.mark.parametrize("ambiguous", Switches.variants()["ambiguous_input"])
@pytest.mark.parametrize("naive", Switches.variants()["naive_input_timezone"])
@pytest.mark.usefixtures("fast_clock")
def test_window_edges_inside_the_repeated_hour_keep_their_instant(
    admin: SimAdmin, tap_config: Any, ambiguous: str, naive: str
) -> None:
    """A range starting and ending in the repeated hour exports exactly its rows.

    The edges' wall times occur twice, so an edge sent without its offset means whichever
    occurrence Pardot picks; rows between the two would be lost or repeated across runs.
    """
    admin.post("/_sim/switches", {"ambiguous_input": ambiguous, "naive_input_timezone": naive})
    messages = run(tap_config(**REPEATED, export_window_days=1))
    got = set(rows_of(messages).get("visitor_activities", {}))
    stored = admin.records("visitorActivity")
    lo, hi = (to_utc_iso(parse_utc(REPEATED[k])) for k in ("start_date", "end_date"))
    expected = {r["id"] for r in stored if lo <= r["updated_at"] < hi}
    assert len(expected) >= 4, "rows planted in both passes of the hour"
    assert got == expected


@pytest.mark.parametrize("ambiguous", Switches.variants()["ambiguous_input"])
@pytest.mark.usefixtures("fast_clock")
def test_without_offsets_runs_split_in_the_repeated_hour_lose_and_repeat_nothing(
    admin: SimAdmin, tap_config: Any, ambiguous: str
) -> None:
    """Where Pardot refuses offsets, edges are wall times: two runs meeting inside the repeated
    hour must still deliver every row of the whole range exactly once.

    A start inside the repeated hour cannot be sent as a wall time, so it may move back to the
    hour's start: rows of that stretch may come too, nothing else.
    """
    admin.post("/_sim/switches", {"input_offsets": "rejected", "ambiguous_input": ambiguous})
    config = tap_config(**REPEATED, export_window_days=1)
    first = run(config)
    state = [m["value"] for m in first if m["type"] == "STATE"][-1]
    second = run({**config, "end_date": "2026-11-01T09:00:00Z"}, state=state)
    ids = [
        m["record"]["id"]
        for m in first + second
        if m["type"] == "RECORD" and m["stream"] == "visitor_activities"
    ]
    lo = to_utc_iso(parse_utc(REPEATED["start_date"]))
    hi = to_utc_iso(parse_utc("2026-11-01T09:00:00Z"))
    stored = {r["id"]: r["updated_at"] for r in admin.records("visitorActivity")}
    expected = {i for i, stamp in stored.items() if lo <= stamp < hi}
    assert len(ids) == len(set(ids)), "a row came in both runs"
    assert expected - set(ids) == set(), "rows of the range were lost"
    hour_start = "2026-11-01T05:00:00+00:00"  # 01:00 EDT, the first pass of the repeated hour
    outside = {i: stored[i] for i in set(ids) - expected if not hour_start <= stored[i] < lo}
    assert outside == {}, "rows from outside the range and its repeated hour"
