"""Client settings pointed at the shared simulator, with fast retries."""

from __future__ import annotations

from typing import Any

import pytest

from pardot_client import ClientSettings, PardotClient
from pardot_sim import Simulator


def settings_for(sim: Simulator, **overrides: Any) -> ClientSettings:
    """Settings that reach the simulator; retries wait milliseconds, not seconds."""
    config: dict[str, Any] = {
        **sim.config(),
        "backoff_base_seconds": 0.005,
        "max_retry_seconds": 10,
        "read_timeout": 5,
        "connect_timeout": 2,
    }
    config.update(overrides)
    return ClientSettings.from_config(config)


@pytest.fixture
def client(sim: Simulator) -> PardotClient:
    """A client of the shared simulator."""
    return PardotClient(settings_for(sim))
