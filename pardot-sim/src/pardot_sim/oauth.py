"""The Salesforce token endpoint (four grants) and Pardot's legacy api_key login."""

from __future__ import annotations

import time

import jwt

from pardot_sim.app import SimApp
from pardot_sim.http import Request, Response
from pardot_sim.responses import SimError, v34, v34_error

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_KNOWN_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")


def register(app: SimApp) -> None:
    """Add the authentication routes."""
    app.add_route("POST", "/services/oauth2/token", "oauth", lambda r: token(app, r))
    app.add_route("POST", r"/api/login/version/(?P<version>[34])", "login", lambda r: login(app, r))


def token(app: SimApp, request: Request) -> Response:
    """Issue an access token for one of the four grants, answering errors as Salesforce does."""
    form = request.args()
    grant = form.get("grant_type", "")
    org = app.org
    if grant == JWT_GRANT:
        username = _verify_assertion(app, request, form.get("assertion", ""))
        if username is None:
            return _oauth_error("invalid_grant", "invalid assertion")
    else:
        if grant not in ("refresh_token", "password", "client_credentials"):
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        if form.get("client_id") != org.client_id:
            return _oauth_error("invalid_client_id", "client identifier invalid")
        if form.get("client_secret") != org.client_secret:
            return _oauth_error("invalid_client", "invalid client credentials")
        if grant == "refresh_token":
            username = org.refresh_tokens.get(form.get("refresh_token", ""))
            if username is None:
                return _oauth_error("invalid_grant", "expired access/refresh token")
        elif grant == "password":
            username = form.get("username", "")
            user = org.users.get(username)
            if user is None or user.password != form.get("password"):
                return _oauth_error("invalid_grant", "authentication failure")
        else:
            username = org.client_credentials_user
    user = org.users[username]
    access_token = org.issue(user, app.clock.now())
    base = request.base_url
    return Response.json(
        {
            "access_token": access_token,
            "instance_url": base,
            "id": f"{base}/id/00Dsim000000001/005sim00000000{user.id}",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
            "signature": "c2ltdWxhdGVk",
            "scope": "pardot_api refresh_token",
        }
    )


def _verify_assertion(app: SimApp, request: Request, assertion: str) -> str | None:
    key = app.org.jwt_public_key
    if not key or not assertion:
        return None
    try:
        claims = jwt.decode(
            assertion,
            key,
            algorithms=["RS256"],
            audience=[request.base_url, *_KNOWN_AUDIENCES],
            options={"require": ["exp", "iss", "sub", "aud"]},
        )
    except jwt.PyJWTError:
        return None
    username = claims.get("sub")
    if claims.get("iss") != app.org.client_id or username not in app.org.users:
        return None
    return str(username)


def _oauth_error(error: str, description: str) -> Response:
    return Response.json({"error": error, "error_description": description}, 400)


def login(app: SimApp, request: Request) -> Response:
    """The retired api_key login: answers an api_key valid for 60 minutes, or error 15."""
    if app.switches.legacy_login_retired:
        message = "Authentication using an api_key is no longer supported. Use Salesforce OAuth."
        return v34_error(request, SimError(199, message), app.switches)
    form = request.args()
    user = app.org.users.get(form.get("email", ""))
    if (
        user is None
        or user.password != form.get("password")
        or user.user_key != form.get("user_key")
    ):
        return v34_error(request, SimError(15), app.switches)
    now = app.clock.now()
    with app.org.lock:
        live = [
            k for k, t in app.org.api_keys.items() if t.user is user and now - t.issued_at < 3600
        ]
    api_key = live[0] if live else app.org.issue(user, now, legacy=True)
    account = app.account(min(user.business_units))
    payload: dict[str, object] = {"@attributes": {"stat": "ok", "version": 1}, "api_key": api_key}
    if account.api_version == 4:
        payload["version"] = 4
    return v34(request, payload)
