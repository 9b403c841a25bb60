"""The simulator as one object: build it, start it on 127.0.0.1, point a client at `url`."""

from __future__ import annotations

import logging
import time
from types import TracebackType
from typing import Any

from pardot_sim import (
    admin,
    email_api,
    email_send_api,
    export_api,
    import_api,
    imports,
    oauth,
    queries,
)
from pardot_sim.accounts import (
    DEMO_BUSINESS_UNITS,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_REFRESH_TOKEN,
    Account,
    demo_org,
)
from pardot_sim.app import SimApp
from pardot_sim.clock import SimClock
from pardot_sim.exports import ExportEngine
from pardot_sim.generator import populate
from pardot_sim.http import SimHTTPServer
from pardot_sim.scales import scale_named
from pardot_sim.v5_data import populate_v5
from pardot_sim.v5_objects import V5ObjectsApi

LOG = logging.getLogger("pardot_sim")


class Simulator:
    """A stateful simulated Pardot org with two business units of generated data.

    `start` is the simulated time the clock starts at (epoch seconds; default: now) and the
    anchor the data is generated back from, so a fixed `start` and `seed` give identical data.
    """

    def __init__(
        self,
        *,
        seed: int = 1,
        scale: str = "tiny",
        timezone: str = "America/New_York",
        start: float | None = None,
        clock_speed: float = 1.0,
        host: str = "127.0.0.1",
        port: int = 0,
        visitor_activities: int | None = None,
        second_account_scale: str = "tiny",
    ) -> None:
        start = float(int(time.time() if start is None else start))
        self.seed = seed
        self.timezone = timezone
        clock = SimClock(start=start, speed=clock_speed)
        accounts = {
            DEMO_BUSINESS_UNITS[0]: Account(DEMO_BUSINESS_UNITS[0], "Demo", timezone),
            DEMO_BUSINESS_UNITS[1]: Account(DEMO_BUSINESS_UNITS[1], "Second", timezone),
        }
        self.app = SimApp(clock=clock, org=demo_org(timezone), accounts=accounts)
        self.exports = ExportEngine(seed)
        self.imports = imports.ImportEngine()
        self.v5 = V5ObjectsApi()
        self.facts: dict[str, dict[str, Any]] = {}
        began = time.monotonic()
        main_scale = scale_named(scale, visitor_activities=visitor_activities)
        self.facts[DEMO_BUSINESS_UNITS[0]] = populate(
            accounts[DEMO_BUSINESS_UNITS[0]], seed=seed, scale=main_scale, anchor=start
        )
        self.facts[DEMO_BUSINESS_UNITS[1]] = populate(
            accounts[DEMO_BUSINESS_UNITS[1]],
            seed=seed + 1,
            scale=scale_named(second_account_scale),
            anchor=start,
        )
        for index, (bu, name) in enumerate(
            ((DEMO_BUSINESS_UNITS[0], scale), (DEMO_BUSINESS_UNITS[1], second_account_scale))
        ):
            self.facts[bu]["v5"] = populate_v5(accounts[bu], seed=seed + index, scale=name,
                                               anchor=start)  # fmt: skip
        LOG.info("Generated %s data in %.1f s", scale, time.monotonic() - began)
        oauth.register(self.app)
        export_api.register(self.app, self.exports)
        queries.register(self.app)
        email_api.register(self.app)
        email_send_api.register(self.app)
        import_api.register(self.app, self.imports)
        self.v5.register(self.app)
        admin.register(self)
        self._server = SimHTTPServer((host, port), self.app, clock=self.app.clock.now)
        self.app.base_url = self._server.url

    @property
    def url(self) -> str:
        """The base URL: use it as both `base_url` and `login_url`."""
        return self._server.url

    def start(self) -> Simulator:
        """Serve in a background thread."""
        self._server.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread (the CLI)."""
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop serving."""
        self._server.stop()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def account(self, index: int = 0) -> Account:
        """One of the two demo business units."""
        return self.app.account(DEMO_BUSINESS_UNITS[index])

    def config(self, index: int = 0, **overrides: Any) -> dict[str, Any]:
        """Tap/target settings that reach this simulator (demo credentials)."""
        return {
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
            "refresh_token": DEMO_REFRESH_TOKEN,
            "business_unit_id": DEMO_BUSINESS_UNITS[index],
            "login_url": self.url,
            "base_url": self.url,
            "timezone": self.timezone,
            **overrides,
        }

    def tunables(self) -> dict[str, Any]:
        """Setting groups the admin API may change."""
        return {
            "export": self.exports.settings,
            "import": self.imports.settings,
            "limits": self.app.limits,
            "v5": self.v5.settings,
        }

    def describe(self) -> dict[str, Any]:
        """A summary for the admin API and the CLI banner."""
        return {
            "url": self.url,
            "now": self.app.clock.now(),
            "clock_speed": self.app.clock.speed,
            "switches": self.app.switches.as_dict(),
            "faults": self.app.faults.as_dict(),
            "settings": {k: vars(v) for k, v in self.tunables().items()},
            "accounts": {
                bu: {
                    "name": a.name,
                    "api_version": a.api_version,
                    "timezone": a.timezone,
                    "rows": {name: len(t) for name, t in a.store.tables.items()},
                }
                for bu, a in self.app.accounts.items()
            },
        }
