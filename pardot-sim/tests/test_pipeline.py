"""The gates every API call passes: token, business unit, limits, version, faults, clock."""

from __future__ import annotations

import threading

import pytest
import requests

from pardot_sim import Simulator
from pardot_sim.clock import SimClock
from pardot_sim.testing import RawApi, SimAdmin

QUERY = "/api/campaign/version/4/do/query?format=json&limit=1"


def code_of(response: requests.Response) -> int:
    data = response.json()
    return int(data["@attributes"]["err_code"]) if "@attributes" in data else int(data["code"])


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Authorization": "Bearer not-a-token"}, 401, 184),
        ({"Authorization": ""}, 401, 184),
        ({"Pardot-Business-Unit-Id": "bad"}, 400, 182),
        ({"Pardot-Business-Unit-Id": "0Uv000000000009AAA"}, 400, 201),
    ],
)
def test_auth_and_business_unit_errors(
    api: RawApi, headers: dict[str, str], status: int, code: int
) -> None:
    response = api.call("GET", QUERY, headers=headers)
    assert (response.status_code, code_of(response)) == (status, code)


def test_missing_business_unit_header_is_181(api: RawApi) -> None:
    session = requests.Session()
    response = session.get(
        api.sim.url + QUERY, headers={"Authorization": api.headers["Authorization"]}, timeout=10
    )
    session.close()
    assert code_of(response) == 181


def test_a_user_without_the_business_unit_gets_49(api: RawApi, sim: Simulator) -> None:
    user = next(iter(sim.app.org.users.values()))
    user.business_units.discard("0Uv000000000002AAA")
    response = api.call("GET", QUERY, headers={"Pardot-Business-Unit-Id": "0Uv000000000002AAA"})
    assert code_of(response) == 49
    assert "not valid for the Pardot Business Unit" in response.json()["err"]


def test_credentials_in_the_query_string_are_refused(api: RawApi) -> None:
    assert code_of(api.call("GET", QUERY + "&api_key=abc")) == 49


def test_184_status_switch(api: RawApi, admin: SimAdmin) -> None:
    admin.post("/_sim/switches", {"token_invalid_status": 400})
    response = api.call("GET", QUERY, headers={"Authorization": "Bearer nope"})
    assert (response.status_code, code_of(response)) == (400, 184)


def test_tokens_expire_with_the_simulated_clock(
    api: RawApi, admin: SimAdmin, sim: Simulator
) -> None:
    assert api.call("GET", QUERY).status_code == 200
    admin.advance(sim.app.org.token_lifetime + 1)
    assert code_of(api.call("GET", QUERY, headers=api.headers)) == 184


def test_daily_limit_resets_at_the_accounts_midnight(
    api: RawApi, admin: SimAdmin, sim: Simulator
) -> None:
    bu = sim.config()["business_unit_id"]
    admin.post(f"/_sim/accounts/{bu}", {"daily_call_limit": 3})
    statuses = [api.call("GET", QUERY).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert code_of(api.call("GET", QUERY)) == 122
    account = sim.account()
    admin.advance(account.next_reset(sim.app.clock.now()) - sim.app.clock.now() + 1)
    admin.post("/_sim/tokens/revoke")
    fresh = RawApi(sim)
    assert fresh.call("GET", QUERY).status_code == 200
    fresh.close()


def test_the_sixth_concurrent_request_gets_66(api: RawApi, admin: SimAdmin) -> None:
    admin.post("/_sim/faults", {"script": [{"kind": "slow", "path": "campaign", "count": 5}],
                                "slow_seconds": 1.0})  # fmt: skip
    codes: list[int] = []
    lock = threading.Lock()

    def call() -> None:
        response = RawApi(api.sim).call("GET", QUERY)
        with lock:
            codes.append(200 if response.status_code == 200 else code_of(response))

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    import time

    time.sleep(0.4)
    sixth = api.call("GET", QUERY)
    for thread in threads:
        thread.join(timeout=10)
    assert codes == [200] * 5
    assert (sixth.status_code, code_of(sixth)) == (429, 66)


def test_version_mismatch_codes(api: RawApi, admin: SimAdmin, sim: Simulator) -> None:
    bu = sim.config()["business_unit_id"]
    assert code_of(api.call("GET", QUERY.replace("version/4", "version/3"))) == 88
    admin.post(f"/_sim/accounts/{bu}", {"api_version": 3})
    assert code_of(api.call("GET", QUERY)) == 89


def test_random_fault_rates_are_seeded_and_counted(api: RawApi, admin: SimAdmin) -> None:
    admin.post("/_sim/faults", {"rates": {"500": 0.3, "reset": 0.2}, "seed": 7})
    outcomes = []
    for _ in range(40):
        try:
            outcomes.append(api.call("GET", QUERY).status_code)
        except requests.exceptions.ConnectionError:
            outcomes.append(-1)
    injected = admin.get("/_sim/state")["faults"]["injected"]
    assert outcomes.count(500) == injected["500"] > 0
    assert outcomes.count(-1) == injected["reset"] > 0
    assert outcomes.count(200) == 40 - injected["500"] - injected["reset"]


def test_random_error_faults_answer_the_rate_code(api: RawApi, admin: SimAdmin) -> None:
    plan = admin.post("/_sim/faults", {"rates": {"error": 0.4}, "seed": 3})
    assert plan["rate_code"] == 66
    codes = [api.call("GET", QUERY).json()["@attributes"].get("err_code") for _ in range(30)]
    assert codes.count(66) == admin.get("/_sim/state")["faults"]["injected"]["error"] > 0
    admin.post("/_sim/faults", {"rate_code": 183})
    codes = [api.call("GET", QUERY).json()["@attributes"].get("err_code") for _ in range(30)]
    assert 183 in codes
    assert set(codes) <= {None, 183}


def test_xml_is_the_default_format(api: RawApi) -> None:
    response = api.call("GET", "/api/campaign/version/4/do/query?limit=1")
    assert response.headers["Content-Type"] == "application/xml"
    assert b'<rsp stat="ok"' in response.content
    error = api.call("GET", "/api/campaign/version/4/do/query?limit=900")
    assert b'<err code="23">' in error.content


def test_the_clock_scales_and_jumps() -> None:
    clock = SimClock(start=1000.0, speed=0.0)
    assert clock.now() == 1000.0
    clock.advance(60)
    assert clock.now() == 1060.0
    clock.set_speed(1000.0)
    import time

    time.sleep(0.05)
    assert 1080 < clock.now() < 1400
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(-1)


def test_unknown_switch_values_are_refused(admin: SimAdmin) -> None:
    response = admin.session.post(
        admin.sim.url + "/_sim/switches", json={"token_invalid_status": 302}
    )
    assert response.status_code == 400
    assert "must be one of" in response.json()["error"]


def test_a_simulator_bug_answers_500_instead_of_dropping_the_connection(
    api: RawApi, sim: Simulator
) -> None:
    def broken(ctx: object) -> object:
        raise RuntimeError("boom")

    sim.app.add_route("GET", r"/api/broken/version/(?P<version>[34])/do/query", "v34", broken)
    response = api.call("GET", "/api/broken/version/4/do/query?format=json")
    assert (response.status_code, code_of(response)) == (500, 183)
