"""The Singer SDK's standard tap tests, run against the simulator over real HTTP.

The SDK builds the test class at import time, listing streams from a tap made with the config
given there, so that config reaches no server: without a business unit the tap lists its streams
without a call (and so without the account's custom prospect fields). The class-scoped `runner`
below then syncs the simulator with that same catalog, the way a catalog discovered without
credentials would be used. `parse_env_config=False` keeps a developer's TAP_PARDOT_EXPORT_*
variables out of both.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from singer_sdk.testing import SuiteConfig, TapTestRunner, get_tap_test_class

from pardot_client.dates import to_utc_iso
from pardot_sim import Simulator
from pardot_sim.testing import FIXED_START, reset
from tap_pardot_export.tap import TapPardotExport

END = to_utc_iso(datetime.fromtimestamp(FIXED_START, timezone.utc))
RANGE = {
    "start_date": "2026-10-25T00:00:00Z", "end_date": END, "export_window_days": 15,
    "include_email_stats": True,  # the emails stream is off by default (one call per email)
}  # fmt: skip
OFFLINE = {**RANGE, "base_url": "http://127.0.0.1:9", "login_url": "http://127.0.0.1:9"}
SUITE = SuiteConfig(max_records_limit=40)

StandardTests = get_tap_test_class(
    TapPardotExport, config=OFFLINE, suite_config=SUITE, parse_env_config=False
)


@pytest.fixture(scope="class")
def fast_sim_for_class(sim_session: Simulator) -> Iterator[Simulator]:
    """The shared simulator for a whole class: fast clock, default behaviour; reset after."""
    reset(sim_session)
    sim_session.app.clock.set_speed(7200)
    yield sim_session
    reset(sim_session)


class TestTapPardotExportStandard(StandardTests):  # type: ignore[misc,valid-type]
    """The SDK's tap, stream and attribute tests (CLI, discovery, records, keys, types)."""

    @pytest.fixture(scope="class")
    @classmethod
    def runner(cls, fast_sim_for_class: Simulator) -> TapTestRunner:
        """One dry-run sync of the simulator, shared by the class's tests."""
        catalog = TapPardotExport(
            config=OFFLINE, parse_env_config=False, setup_mapper=False
        ).catalog_dict
        config: dict[str, Any] = fast_sim_for_class.config(
            **RANGE, poll_interval_seconds=0.02, backoff_base_seconds=0.005,
            max_retry_seconds=10,
        )  # fmt: skip
        runner = TapTestRunner(
            TapPardotExport, config=config, suite_config=SUITE, parse_env_config=False,
            catalog=catalog,
        )  # fmt: skip
        runner.sync_all()
        return runner
