"""The simulated Salesforce org: a connected app, API users, business units and their tokens."""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from pardot_client.calls import CallCounter
from pardot_client.dates import get_zone, next_local_midnight
from pardot_sim.store import DataStore

# Demo credentials: documented in the README so a pipeline can point at the simulator.
DEMO_CLIENT_ID = "sim-client-id"
DEMO_CLIENT_SECRET = "sim-client-secret"  # noqa: S105 - a demo value for the local simulator
DEMO_REFRESH_TOKEN = "sim-refresh-token"  # noqa: S105
DEMO_USERNAME = "api-user@example.com"
DEMO_PASSWORD = "sim-password"  # noqa: S105
DEMO_USER_KEY = "0123456789abcdef0123456789abcdef"
DEMO_BUSINESS_UNITS = ("0Uv000000000001AAA", "0Uv000000000002AAA")


@dataclass
class User:
    """An API user: their timezone sets how every date is read and written."""

    id: int
    username: str
    password: str
    timezone: str
    business_units: set[str]
    user_key: str = DEMO_USER_KEY


@dataclass
class Account:
    """One Pardot business unit with its data, jobs, limits and counters."""

    business_unit_id: str
    name: str
    timezone: str  # the account's timezone: the daily limit resets at its midnight
    api_version: int = 4  # 4: allows multiple prospects with one email (AMPSEA); 3: does not
    store: DataStore = field(default_factory=DataStore)
    daily_call_limit: int = 100_000
    calls: CallCounter = field(default_factory=CallCounter)
    daily_calls: Counter[str] = field(default_factory=Counter)  # by account-local date
    inflight: int = 0
    jobs: dict[str, Any] = field(default_factory=dict)  # engines keep their state here
    lock: threading.Lock = field(default_factory=threading.Lock)

    def local_day(self, epoch: float) -> str:
        """The account-local date of an instant: the key of the daily counter."""
        return datetime.fromtimestamp(epoch, get_zone(self.timezone)).strftime("%Y-%m-%d")

    def next_reset(self, epoch: float) -> float:
        """When the daily counter resets: the next local midnight."""
        instant = datetime.fromtimestamp(epoch, timezone.utc)
        return next_local_midnight(instant, self.timezone).timestamp()


@dataclass
class Token:
    """An issued access token (or legacy api_key)."""

    user: User
    issued_at: float


@dataclass
class Org:
    """The connected app, its users and every credential the token endpoint has issued."""

    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET
    jwt_public_key: str | None = None  # PEM of the certificate uploaded to the connected app
    client_credentials_user: str = DEMO_USERNAME  # the run-as user of that flow
    token_lifetime: float = 7200.0  # seconds of simulated time
    users: dict[str, User] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # token -> username
    access_tokens: dict[str, Token] = field(default_factory=dict)
    api_keys: dict[str, Token] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue(self, user: User, now: float, *, legacy: bool = False) -> str:
        """A new access token (or api_key) for a user."""
        value = ("sim-key-" if legacy else "00Dsim!") + secrets.token_hex(16)
        with self.lock:
            (self.api_keys if legacy else self.access_tokens)[value] = Token(user, now)
        return value

    def resolve(self, value: str, now: float, *, legacy: bool = False) -> User | None:
        """The user a live token belongs to; None when unknown or expired."""
        lifetime = 3600.0 if legacy else self.token_lifetime
        with self.lock:
            token = (self.api_keys if legacy else self.access_tokens).get(value)
        if token is None or now - token.issued_at >= lifetime:
            return None
        return token.user

    def revoke_all(self) -> None:
        """Expire every access token at once (tests of refresh)."""
        with self.lock:
            self.access_tokens.clear()
            self.api_keys.clear()


def demo_org(timezone: str) -> Org:
    """The org the CLI and tests start with: one user reaching both demo business units."""
    user = User(1, DEMO_USERNAME, DEMO_PASSWORD, timezone, set(DEMO_BUSINESS_UNITS))
    return Org(users={user.username: user}, refresh_tokens={DEMO_REFRESH_TOKEN: user.username})
