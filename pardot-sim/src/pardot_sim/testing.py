"""Pytest fixtures for code that talks to the simulator (loaded by the root conftest.py).

One simulator serves a whole test session (data generation is the slow part); each test gets it
back with default switches, no faults, default limits and a frozen clock, so tests stay
independent without paying for new data each time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from pardot_client import ClientSettings, PardotClient
from pardot_sim.accounts import DEMO_BUSINESS_UNITS, demo_org
from pardot_sim.app import Limits
from pardot_sim.email_sends import BOOK_KEY
from pardot_sim.exports import ExportSettings
from pardot_sim.faults import FaultPlan
from pardot_sim.imports import ImportSettings
from pardot_sim.simulator import Simulator
from pardot_sim.switches import Switches
from pardot_sim.v5_objects import V5Settings

# 2026-11-23T12:00:00Z: the history then holds the 2026-11-01 US fall-back and 2026-03-08
# spring-forward changes, so DST cases are always in the data.
FIXED_START = 1_795_435_200


class SimAdmin:
    """Thin helper over the admin API, so tests read like what they set up."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.session = requests.Session()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        """POST to an admin path; raises on an admin error."""
        response = self.session.post(self.sim.url + path, json=body or {}, timeout=30)
        response.raise_for_status()
        return response.json()

    def get(self, path: str, **params: Any) -> Any:
        """GET an admin path."""
        response = self.session.get(self.sim.url + path, params=params, timeout=60)
        response.raise_for_status()
        return response.json()

    def advance(self, seconds: float) -> None:
        """Move the simulated clock forward."""
        self.post("/_sim/clock", {"advance": seconds})

    def calls(self, index: int = 0) -> dict[str, Any]:
        """Call counters of a business unit."""
        result: dict[str, Any] = self.get(f"/_sim/accounts/{DEMO_BUSINESS_UNITS[index]}/calls")
        return result

    def records(self, obj: str, index: int = 0, **params: Any) -> list[dict[str, Any]]:
        """Stored records of an object, datetimes in UTC ISO."""
        bu = DEMO_BUSINESS_UNITS[index]
        records: list[dict[str, Any]] = self.get(f"/_sim/accounts/{bu}/records/{obj}", **params)[
            "records"
        ]
        return records

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()


def reset(sim: Simulator) -> None:
    """Put a shared simulator back to its starting behaviour (the data stays)."""
    app = sim.app
    app.switches = Switches()
    app.faults = FaultPlan()
    app.limits = Limits()
    app.clock.set_speed(0.0)
    app.org = demo_org(sim.timezone)
    sim.exports.settings = ExportSettings()
    sim.exports.fail_next = 0
    sim.imports.settings = ImportSettings()
    sim.v5.settings = V5Settings()
    for account in app.accounts.values():
        account.api_version = 4
        account.daily_call_limit = 100_000
        account.daily_calls.clear()
        account.timezone = sim.timezone
        account.jobs.pop(BOOK_KEY, None)  # email sends: counters and the operational feature


def serving(
    *, seed: int = 1, start: float = FIXED_START, clock_speed: float = 0.0
) -> Iterator[Simulator]:
    """A started tiny simulator, stopped when the generator closes (`yield from` it)."""
    simulator = Simulator(seed=seed, scale="tiny", start=start, clock_speed=clock_speed)
    simulator.start()
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture(scope="session")
def sim_session() -> Iterator[Simulator]:
    """One simulator for the session: tiny data, fixed start, frozen clock."""
    yield from serving()


@pytest.fixture
def own_sim() -> Iterator[Simulator]:
    """A simulator of the test's own (same data), for tests that change its data."""
    yield from serving()


@pytest.fixture
def sim(sim_session: Simulator) -> Iterator[Simulator]:
    """The shared simulator, reset before and after the test."""
    reset(sim_session)
    yield sim_session
    reset(sim_session)


@pytest.fixture
def admin(sim: Simulator) -> Iterator[SimAdmin]:
    """The admin API of the shared simulator."""
    helper = SimAdmin(sim)
    yield helper
    helper.close()


class RawApi:
    """Raw HTTP calls with a valid token, for tests of the simulator's exact wire behaviour."""

    def __init__(self, sim: Simulator, index: int = 0) -> None:
        self.sim = sim
        self.index = index
        self.session = requests.Session()
        self.headers: dict[str, str] = {}
        self.refresh()

    def refresh(self) -> None:
        """Get a new access token (they expire as the simulated clock moves)."""
        config = self.sim.config(self.index)
        form = {k: config[k] for k in ("client_id", "client_secret", "refresh_token")}
        token = self.session.post(
            self.sim.url + "/services/oauth2/token", data={"grant_type": "refresh_token", **form},
            timeout=30,
        ).json()["access_token"]  # fmt: skip
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Pardot-Business-Unit-Id": config["business_unit_id"],
        }

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send a request with the token and business unit headers (overridable).

        An expired token (the clock moved) is refreshed once, as a real client would.
        """
        extra = kwargs.pop("headers", {})
        url = path if path.startswith("http") else self.sim.url + path
        for _ in range(2):
            response = self.session.request(
                method, url, headers={**self.headers, **extra}, timeout=60, **kwargs
            )
            if extra or b'"err_code":184' not in response.content[:200]:
                break
            self.refresh()
        return response

    def close(self) -> None:
        """Close the HTTP session."""
        self.session.close()


@pytest.fixture
def api(sim: Simulator) -> Iterator[RawApi]:
    """Raw, authenticated HTTP access to the shared simulator."""
    caller = RawApi(sim)
    yield caller
    caller.close()


def client_settings(sim: Simulator, index: int = 0, **overrides: Any) -> ClientSettings:
    """Client settings that reach the simulator; retries wait milliseconds, not seconds."""
    config: dict[str, Any] = {
        **sim.config(index),
        "backoff_base_seconds": 0.005,
        "max_retry_seconds": 10,
        "read_timeout": 5,
        "connect_timeout": 2,
    }
    config.update(overrides)
    return ClientSettings.from_config(config)


@pytest.fixture
def client(sim: Simulator) -> PardotClient:
    """A `PardotClient` of the shared simulator."""
    return PardotClient(client_settings(sim))
