"""Admin endpoints under /_sim/: for tests, benchmarks and the demo, never for connectors.

They move the clock, read call counters and stored records, change switches, limits and faults,
force job outcomes and change data, so a test can set up a case and check what Pardot holds.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Protocol

from pardot_client.catalog import FieldType, get_object
from pardot_client.dates import to_utc_iso
from pardot_sim.app import SimApp
from pardot_sim.exports import ExportEngine
from pardot_sim.http import Request, Response
from pardot_sim.imports import ImportEngine
from pardot_sim.mutations import mutate


class Simulator(Protocol):
    """What the admin routes reach of the simulator (pardot_sim.simulator builds it)."""

    app: SimApp
    exports: ExportEngine
    imports: ImportEngine
    facts: dict[str, dict[str, Any]]

    def describe(self) -> dict[str, Any]: ...

    def tunables(self) -> dict[str, Any]: ...


BU = r"(?P<bu>0Uv[0-9A-Za-z]{15})"


def register(sim: Simulator) -> None:
    """Add the admin routes."""
    admin = Admin(sim)
    routes = [
        ("GET", "/_sim/state", admin.state),
        ("POST", "/_sim/clock", admin.clock),
        ("POST", "/_sim/switches", admin.switches),
        ("POST", "/_sim/faults", admin.faults),
        ("POST", "/_sim/settings", admin.settings),
        ("POST", "/_sim/tokens/revoke", admin.revoke_tokens),
        ("POST", r"/_sim/users/(?P<username>[^/]+)", admin.user),
        ("GET", rf"/_sim/accounts/{BU}/calls", admin.calls),
        ("POST", rf"/_sim/accounts/{BU}", admin.account),
        ("GET", rf"/_sim/accounts/{BU}/facts", admin.facts),
        ("GET", rf"/_sim/accounts/{BU}/records/(?P<object>[A-Za-z]+)", admin.records),
        ("POST", rf"/_sim/accounts/{BU}/mutate", admin.mutate),
        ("POST", r"/_sim/exports/fail-next", admin.fail_next_exports),
        ("POST", r"/_sim/exports/(?P<id>\d+)/cancel", admin.cancel_export),
    ]
    for method, pattern, handler in routes:
        sim.app.add_route(method, pattern, "admin", handler)


class Admin:
    """The admin handlers; each takes the request and the path parameters."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    def state(self, request: Request, params: dict[str, str]) -> Response:
        """Clock, switches, faults, settings and accounts at a glance."""
        return Response.json(self.sim.describe())

    def clock(self, request: Request, params: dict[str, str]) -> Response:
        """`{"advance": seconds}` and/or `{"speed": factor}`."""
        body = _body(request)
        clock = self.sim.app.clock
        if "speed" in body:
            clock.set_speed(float(body["speed"]))
        if "advance" in body:
            clock.advance(float(body["advance"]))
        return Response.json({"now": clock.now(), "speed": clock.speed})

    def switches(self, request: Request, params: dict[str, str]) -> Response:
        """Change unconfirmed behaviours, e.g. `{"token_invalid_status": 400}`."""
        self.sim.app.switches.update(_body(request))
        return Response.json(self.sim.app.switches.as_dict())

    def faults(self, request: Request, params: dict[str, str]) -> Response:
        """Set fault rates and scripted faults (see `FaultPlan.configure`)."""
        self.sim.app.faults.configure(_body(request))
        return Response.json(self.sim.app.faults.as_dict())

    def settings(self, request: Request, params: dict[str, str]) -> Response:
        """Export latency/layout, import processing and the concurrency limit."""
        body = _body(request)
        for section, target in self.sim.tunables().items():
            for name, value in body.get(section, {}).items():
                if not hasattr(target, name):
                    raise KeyError(f"unknown {section} setting {name!r}")
                setattr(target, name, type(getattr(target, name))(value))
        return Response.json(self.sim.describe()["settings"])

    def revoke_tokens(self, request: Request, params: dict[str, str]) -> Response:
        """Expire every access token, as a session timeout would."""
        self.sim.app.org.revoke_all()
        return Response.json({"revoked": True})

    def user(self, request: Request, params: dict[str, str]) -> Response:
        """Change a user's timezone (the tap's timezone guard) or password."""
        user = self.sim.app.org.users[params["username"]]
        body = _body(request)
        user.timezone = str(body.get("timezone", user.timezone))
        user.password = str(body.get("password", user.password))
        return Response.json({"username": user.username, "timezone": user.timezone})

    def calls(self, request: Request, params: dict[str, str]) -> Response:
        """API calls the account received, by endpoint kind and by local day."""
        account = self.sim.app.account(params["bu"])
        return Response.json(
            {
                "total": account.calls.total,
                "by_kind": account.calls.snapshot(),
                "daily": dict(account.daily_calls),
                "daily_limit": account.daily_call_limit,
            }
        )

    def account(self, request: Request, params: dict[str, str]) -> Response:
        """Change an account's API version (3/4), daily limit or timezone."""
        account = self.sim.app.account(params["bu"])
        body = _body(request)
        if "api_version" in body:
            if int(body["api_version"]) not in (3, 4):
                raise ValueError("api_version must be 3 or 4")
            account.api_version = int(body["api_version"])
        account.daily_call_limit = int(body.get("daily_call_limit", account.daily_call_limit))
        account.timezone = str(body.get("timezone", account.timezone))
        if body.get("reset_daily_calls"):
            account.daily_calls.clear()
        return Response.json(
            {"api_version": account.api_version, "daily_call_limit": account.daily_call_limit}
        )

    def facts(self, request: Request, params: dict[str, str]) -> Response:
        """The edge cases the data generator planted."""
        return Response.json(self.sim.facts.get(params["bu"], {}))

    def records(self, request: Request, params: dict[str, str]) -> Response:
        """Stored records with UTC ISO datetimes; `?ids=1,2`, `?deleted=all|true|false`."""
        account = self.sim.app.account(params["bu"])
        self.sim.imports.settle(account, self.sim.app.clock.now())  # reading observes imports
        table = account.store.table(params["object"])
        spec = get_object(table.name)  # v5-only objects too
        wanted = {int(x) for x in (request.arg("ids") or "").split(",") if x.strip()}
        deleted = request.arg("deleted") or "all"
        datetimes = {f.name for f in (spec.fields if spec else ()) if f.type is FieldType.DATETIME}
        out = []
        for row_id, row in sorted(table.rows.items()):
            if wanted and row_id not in wanted:
                continue
            is_deleted = row_id in table.deleted
            if (deleted == "false" and is_deleted) or (deleted == "true" and not is_deleted):
                continue
            record = table.as_dict(row)
            for name in datetimes & set(record):
                if record[name] is not None:
                    record[name] = to_utc_iso(datetime.fromtimestamp(record[name], timezone.utc))
            record["_deleted"] = is_deleted
            out.append(record)
        return Response.json({"object": table.name, "count": len(out), "records": out})

    def mutate(self, request: Request, params: dict[str, str]) -> Response:
        """Change and add records now, for incremental-sync tests."""
        body = _body(request)
        account = self.sim.app.account(params["bu"])
        changed = mutate(
            account,
            seed=int(body.get("seed", 0)),
            now=self.sim.app.clock.now(),
            updates=int(body.get("updates", 10)),
            inserts=int(body.get("inserts", 10)),
            **({"objects": tuple(body["objects"])} if "objects" in body else {}),
        )
        return Response.json(changed)

    def fail_next_exports(self, request: Request, params: dict[str, str]) -> Response:
        """`{"count": n}`: the next n exports end Failed."""
        self.sim.exports.fail_next = int(_body(request).get("count", 1))
        return Response.json({"fail_next": self.sim.exports.fail_next})

    def cancel_export(self, request: Request, params: dict[str, str]) -> Response:
        """Cancel an export as Pardot itself might (no API call counted)."""
        job = self.sim.exports.jobs[int(params["id"])]
        self.sim.exports.cancel(job, self.sim.app.clock.now())
        return Response.json({"id": job.id, "state": job.state(self.sim.app.clock.now())})


def _body(request: Request) -> dict[str, Any]:
    if not request.body:
        return {}
    data = json.loads(request.body)
    if not isinstance(data, dict):
        raise TypeError("the admin API takes a JSON object")
    return data
