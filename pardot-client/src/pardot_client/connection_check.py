"""The connection test: one cheap call that shows a run would get going, creating nothing.

What a run needs before its first export or import: a token (the login settings), and one bulk
query of the newest prospect with the business unit header (the business unit, the API user's
access, the API version: errors 88/89 switch it, and the test says to set it). The `timezone`
setting is checked against Pardot's clock as far as one row allows: the newest prospect's wall
time read in that timezone must not lie after the server's `Date` header (a zone set too far
west). The exact check needs an export's `createdAt`; the tap makes it on the first export of
every sync. Both connectors run this for `--test` and for `meltano config test`, which starts
them as a plain run (`started_by_meltano_config_test`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from pardot_client.client import PardotClient
from pardot_client.dates import get_zone, parse_pardot_datetime, to_utc_iso
from pardot_client.errors import PardotApiError, PardotConfigError
from pardot_client.shapes import query_records

PROBE = "/api/prospect/version/{version}/do/query"
BUSINESS_UNIT_CODES = frozenset({181, 182, 201})  # docs/pardot-api/auth.md#business-unit-header
ACCESS_CODES = frozenset({46, 49})
CLOCK_SLACK = timedelta(seconds=90)  # whole seconds on both sides, and a little drift


@dataclass(frozen=True)
class ConnectionReport:
    """What the connection test found; no secret and no record value but one timestamp."""

    business_unit_id: str | None
    api_version: int
    timezone: str
    newest_prospect_updated_at: str | None
    api_calls: int
    nothing_made: str = "no export created"

    def summary(self) -> str:
        """One line for the log."""
        newest = self.newest_prospect_updated_at
        clock = (
            f"timezone {self.timezone} puts the newest prospect's update ({newest}) before "
            "Pardot's clock (the first export of a sync checks the timezone exactly)"
            if newest
            else f"timezone {self.timezone} (no prospect to compare with Pardot's clock; the "
            "first export of a sync checks it)"
        )
        return (
            f"Connection test passed: logged in, business unit {self.business_unit_id} answers "
            f"on API version {self.api_version}, {clock}; {self.api_calls} API calls, "
            "no export created."
        )

    def record(self) -> dict[str, Any]:
        """The report as a record (for Meltano's config test, which waits for one)."""
        values = asdict(self)
        values.pop("nothing_made")
        return values


def check_connection(client: PardotClient, *, nothing_made: str) -> ConnectionReport:
    """Log in and make the one probe call; raise a `PardotConfigError` naming what to fix."""
    configured_version = client.api_version
    client.login()
    try:
        response = client.request(
            "GET", PROBE,
            params={"format": "json", "limit": 1, "sort_by": "updated_at",
                    "sort_order": "descending", "output": "bulk"},
        )  # fmt: skip
    except PardotApiError as exc:
        raise _explained(exc, client) from None
    rows = query_records(response.json(), "prospect")
    newest = str(rows[0].get("updated_at") or "") if rows else ""
    zone = client.settings.timezone
    newest_utc = _check_not_after_server(zone, newest, response.headers.get("Date"))
    if client.api_version != configured_version:
        raise PardotConfigError(
            f"api_version is {configured_version}, but this account answers on version "
            f"{client.api_version} (Pardot error 88/89): set api_version to {client.api_version}"
        )
    return ConnectionReport(
        business_unit_id=client.settings.business_unit_id,
        api_version=client.api_version,
        timezone=zone,
        newest_prospect_updated_at=newest_utc,
        api_calls=client.calls.total,
        nothing_made=nothing_made,
    )


def _explained(exc: PardotApiError, client: PardotClient) -> PardotApiError | PardotConfigError:
    if exc.code in BUSINESS_UNIT_CODES:
        return PardotConfigError(
            f"{exc}. Check business_unit_id ({client.settings.business_unit_id}): the "
            "18-character id starting with 0Uv from Salesforce Setup > Account Engagement > "
            "Business Unit Setup, on the matching base_url (pi.pardot.com or pi.demo.pardot.com)"
        )
    if exc.code in ACCESS_CODES:
        return PardotConfigError(
            f"{exc}. The API user may not read prospects in this business unit: give the user "
            "Account Engagement access to it (and the pardot_api scope to the connected app)"
        )
    return exc


def _check_not_after_server(zone: str, wall: str, date_header: str | None) -> str | None:
    """The newest row's instant in UTC; a `PardotConfigError` when it lies in Pardot's future."""
    if not wall:
        return None
    instant = parse_pardot_datetime(wall, zone)
    server = _server_time(date_header)
    ahead = instant - server
    if ahead <= CLOCK_SLACK:
        return to_utc_iso(instant)
    hours = ahead.total_seconds() / 3600
    least = _offset_of(instant, zone) + _quarter_hours(ahead)
    raise PardotConfigError(
        f"The timezone setting is {zone}, but then Pardot's newest prospect would have been "
        f"updated {hours:.1f} h after Pardot's own clock ({server:%Y-%m-%d %H:%M} UTC): the "
        f"Pardot API user's timezone is further east, at UTC{_format(least)} or more. Set "
        "timezone to the IANA name of the API user's timezone (Pardot: the user's account "
        "settings)."
    )


def _server_time(date_header: str | None) -> datetime:
    """The server's clock from an HTTP `Date` header; this machine's clock without one."""
    try:
        moment = parsedate_to_datetime(date_header) if date_header else None
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.tzinfo is None:
        return datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc)


def _offset_of(instant: datetime, zone: str) -> timedelta:
    return get_zone(zone).utcoffset(instant) or timedelta(0)


def _quarter_hours(delta: timedelta) -> timedelta:
    quarter = 15 * 60
    return timedelta(seconds=-(-int(delta.total_seconds()) // quarter) * quarter)


def _format(offset: timedelta) -> str:
    total = int(offset.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    hours, minutes = divmod(abs(total), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def started_by_meltano_config_test() -> bool:
    """Whether the parent process is `meltano ... config ... test` (Meltano's config test)."""
    if "MELTANO_PROJECT_ROOT" not in os.environ:
        return False
    args = _parent_args()
    if not any(Path(a).name == "meltano" for a in args[:3]) or "config" not in args:
        return False
    return "test" in args[args.index("config") + 1 :]


def _parent_args() -> list[str]:
    parent = os.getppid()
    try:
        raw = Path(f"/proc/{parent}/cmdline").read_bytes()
        return [a.decode(errors="replace") for a in raw.split(b"\0") if a]
    except OSError:
        pass
    ps = shutil.which("ps")  # macOS and the BSDs have no /proc
    if ps is None:
        return []
    done = subprocess.run(  # noqa: S603 - ps with a process id
        [ps, "-o", "args=", "-p", str(parent)], capture_output=True, text=True, check=False,
        timeout=10,
    )  # fmt: skip
    return done.stdout.split()
