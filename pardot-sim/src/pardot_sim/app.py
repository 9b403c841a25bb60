"""The simulator's request pipeline: faults, authentication, business unit, limits, routing.

Every API request passes the same gates a real Pardot applies, in this order: injected faults,
the access token (184) or legacy key (1), the business unit header (181/182/201/49), the daily
call limit (122), the concurrency limit (66), the API version of the account (88/89); then
the endpoint's handler runs.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pardot_client.calls import endpoint_kind
from pardot_sim.accounts import Account, Org, User
from pardot_sim.clock import SimClock
from pardot_sim.faults import AFTER_KINDS, FaultPlan, FaultRule
from pardot_sim.http import Request, Response
from pardot_sim.responses import SimError, oauth_error, v5_error, v34_error
from pardot_sim.switches import Switches

LOG = logging.getLogger("pardot_sim")
_BU_FORMAT = re.compile(r"^0Uv[0-9A-Za-z]{15}$")
_LEGACY_AUTH = re.compile(r"api_key\s*=\s*([^,\s]+)|user_key\s*=\s*([^,\s]+)")


@dataclass
class Ctx:
    """What a handler needs about the request it answers."""

    request: Request
    app: SimApp
    account: Account
    user: User
    version: int  # 3 or 4 for v3/v4 paths, 5 for v5
    params: dict[str, str]
    now: float


Handler = Callable[[Ctx], Response]
RawHandler = Callable[[Request], Response]


@dataclass
class Route:
    """A method and path pattern bound to a handler of one API family."""

    method: str
    pattern: re.Pattern[str]
    family: str  # "v34", "v5", "oauth", "login", "admin"
    handler: Any


@dataclass
class Limits:
    """Account-independent limits of the simulated Pardot."""

    max_concurrent: int = 5


class SimApp:
    """The simulated Pardot: shared state plus the routing pipeline."""

    def __init__(
        self, *, clock: SimClock, org: Org, accounts: dict[str, Account],
        switches: Switches | None = None,
    ) -> None:  # fmt: skip
        self.clock = clock
        self.org = org
        self.accounts = accounts
        self.switches = switches or Switches()
        self.faults = FaultPlan()
        self.limits = Limits()
        self.routes: list[Route] = []
        self.base_url = ""  # set by the server once it has a port

    def add_route(self, method: str, pattern: str, family: str, handler: Any) -> None:
        """Register a handler; v3/v4 patterns use `(?P<version>[34])` for the version."""
        self.routes.append(Route(method.upper(), re.compile(f"^{pattern}$"), family, handler))

    def account(self, business_unit_id: str | None = None) -> Account:
        """A business unit by id, or the first one."""
        if business_unit_id is None:
            return next(iter(self.accounts.values()))
        return self.accounts[business_unit_id]

    def __call__(self, request: Request) -> Response:
        route, params = self._match(request)
        if route is None:
            if request.path.startswith("/api/v5/"):  # v5 answers in its own shape
                return v5_error(SimError(2, "Not found", status=404), self.switches)
            if request.path.startswith("/api/"):
                return v34_error(request, SimError(2, status=404), self.switches)
            return Response(404, b"not found", "text/plain")
        if route.family == "admin":
            return self._admin(route, request, params)
        fault = self.faults.draw(request.method, request.path)
        early = self._fault_response(fault, route, request)
        if early is not None:
            return early
        delay = self.faults.slow_seconds if fault is not None and fault.kind == "slow" else 0.0
        try:
            response = self._dispatch(route, request, params, delay)
        except SimError as error:
            response = self._error(route.family, request, error)
        except Exception:  # a simulator bug: answer 500 and say so, rather than drop the line
            LOG.exception("The simulator failed on %s %s", request.method, request.path)
            response = self._error(route.family, request, SimError(183, status=500))
        if fault is not None and fault.kind == "truncate":
            response.fault = "truncate"
        if fault is not None and fault.kind == "lost_answer":  # done, then the answer is lost
            response = Response(fault="reset")
        if fault is not None and fault.kind == "late_answer":  # done, then answered too late
            time.sleep(self.faults.slow_seconds)
        return response

    # -- pipeline -------------------------------------------------------------------------------

    def _match(self, request: Request) -> tuple[Route | None, dict[str, str]]:
        for route in self.routes:
            if route.method == request.method:
                match = route.pattern.match(request.path)
                if match:
                    return route, {k: v for k, v in match.groupdict().items() if v is not None}
        return None, {}

    def _dispatch(
        self, route: Route, request: Request, params: dict[str, str], delay: float
    ) -> Response:
        """Run the gates and the handler; `delay` is a slow-answer fault, spent while in flight."""
        if route.family in ("oauth", "login"):
            time.sleep(delay)
            handler: RawHandler = route.handler
            return handler(request)
        now = self.clock.now()
        user, legacy = self._authenticate(request, now)
        account = self._business_unit(request, user, legacy)
        version = 5 if route.family == "v5" else int(params.get("version", "4"))
        self._count_call(account, request, now)
        with account.lock:
            if account.inflight >= self.limits.max_concurrent:
                raise SimError(66)
            account.inflight += 1
        try:
            time.sleep(delay)
            if version in (3, 4) and version != account.api_version:
                raise SimError(88 if account.api_version == 4 else 89)
            ctx = Ctx(request, self, account, user, version, params, now)
            response: Response = route.handler(ctx)
            return response
        finally:
            with account.lock:
                account.inflight -= 1

    def _authenticate(self, request: Request, now: float) -> tuple[User, bool]:
        if any(k in request.query for k in ("api_key", "user_key", "access_token")):
            raise SimError(49, "Access Denied: send credentials in the Authorization header")
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):
            user = self.org.resolve(header[7:].strip(), now)
            if user is None:
                raise SimError(184)
            return user, False
        if header.startswith("Pardot "):
            keys = dict.fromkeys(("api_key", "user_key"), "")
            for api_key, user_key in _LEGACY_AUTH.findall(header):
                keys["api_key"] = api_key or keys["api_key"]
                keys["user_key"] = user_key or keys["user_key"]
            user = self.org.resolve(keys["api_key"], now, legacy=True)
            if user is None or user.user_key != keys["user_key"]:
                raise SimError(1)
            return user, True
        raise SimError(184)

    def _business_unit(self, request: Request, user: User, legacy: bool) -> Account:
        bu = request.headers.get("pardot-business-unit-id")
        if bu is None:
            if legacy:
                return self.account(min(user.business_units))
            raise SimError(181, "A required header is missing: Pardot-Business-Unit-Id")
        if not _BU_FORMAT.match(bu):
            raise SimError(182, "Invalid header value: Pardot-Business-Unit-Id")
        if bu not in self.accounts:
            raise SimError(201)
        if bu not in user.business_units:
            raise SimError(
                49,
                "Access Denied: User associated with access token is not valid for the Pardot "
                "Business Unit ID specified in the Pardot-Business-Unit-Id header",
            )
        return self.accounts[bu]

    def _count_call(self, account: Account, request: Request, now: float) -> None:
        day = account.local_day(now)
        with account.lock:
            if account.daily_calls[day] >= account.daily_call_limit:
                raise SimError(122)
            account.daily_calls[day] += 1
        account.calls.add(endpoint_kind(request.method, request.path))

    def _fault_response(
        self, fault: FaultRule | None, route: Route, request: Request
    ) -> Response | None:
        if fault is None or fault.kind in AFTER_KINDS:
            return None
        if fault.kind == "reset":
            return Response(fault="reset")
        if fault.kind == "error":
            return self._error(route.family, request, SimError(int(fault.code or 183)))
        status = int(fault.kind)
        text = b"Too Many Requests" if status == 429 else b"<html><body>Server Error</body></html>"
        return Response(status, text, "text/html")

    def _error(self, family: str, request: Request, error: SimError) -> Response:
        if family == "v5":
            return v5_error(error, self.switches)
        if family == "oauth":
            return oauth_error("invalid_request", error.message, error.status or 400)
        return v34_error(request, error, self.switches)

    def _admin(self, route: Route, request: Request, params: dict[str, str]) -> Response:
        try:
            response: Response = route.handler(request, params)
            return response
        except (ValueError, KeyError, TypeError) as exc:
            return Response.json({"error": str(exc)}, 400)
