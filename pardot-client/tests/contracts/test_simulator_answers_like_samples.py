"""The simulator, asked each sample's request, answers with the sample's shape.

The simulator is written by the same hands as the client; the corpus is written from Pardot's
documents and recorded answers. Each sample's request goes to a simulator of this module's own
(imports change its prospects), under the sample's switches, after its setup steps; the answer
must have the sample's status, format and shape: keys, nesting and value kinds, or for CSV the
header and the kind of value in each column (corpus.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from corpus import Sample, body_value, csv_differences, dig, fill, load_samples, xml_as_data
from corpus import shape_differences as differences

from pardot_client.calls import endpoint_kind
from pardot_sim import Simulator
from pardot_sim.accounts import DEMO_PASSWORD, DEMO_USER_KEY, DEMO_USERNAME
from pardot_sim.testing import RawApi, SimAdmin, reset, serving

SAMPLES = [s for s in load_samples() if s.on_simulator]


@pytest.fixture(scope="module")
def contract_sim() -> Iterator[Simulator]:
    """A simulator of this module's own."""
    yield from serving(seed=7)


@pytest.fixture
def pardot(contract_sim: Simulator) -> Iterator[tuple[Simulator, RawApi, SimAdmin]]:
    reset(contract_sim)
    api, admin = RawApi(contract_sim), SimAdmin(contract_sim)
    try:
        yield contract_sim, api, admin
    finally:
        api.close()
        admin.close()
        reset(contract_sim)


def fixture_values(name: str, sim: Simulator, admin: SimAdmin) -> dict[str, Any]:
    """Setup steps that need the store: ids to read, a limit used up, one template left."""
    store = sim.account().store
    if name == "prospect_id":
        table = store.table("prospect")
        return {"prospect_id": min(set(table.rows) - table.deleted)}
    if name == "email_id":
        return {"email_id": min(store.table("email").rows)}
    if name == "template_id":
        return {"template_id": min(store.table("emailTemplate").rows)}
    if name == "first_campaign_id":
        first = min(store.table("campaign").rows)
        return {"campaign_before": first - 1, "campaign_after": first + 1}
    if name == "visitor_ids_with_visits":
        visits = store.table("visit")
        ids = sorted({r[visits.position["visitor_id"]] for r in visits.rows.values()} - {None})
        return {"visitor_ids": ",".join(map(str, ids[:20]))}
    if name == "one_unarchived_template":
        table = store.table("emailTemplate")
        pos = table.position
        listed = sorted(i for i, r in table.rows.items() if r[pos["is_one_to_one_email"]])
        for row_id in listed:
            table.update(row_id, {"is_archived": row_id != listed[0]})
        return {}
    if name == "send_ids":  # a mailable prospect, a campaign, lists, a list-email template
        prospects, pos = store.table("prospect"), store.table("prospect").position
        mailable = min(i for i, r in prospects.rows.items() if i not in prospects.deleted
                       and not r[pos["opted_out"]] and not r[pos["is_do_not_email"]])  # fmt: skip
        lists = sorted(store.table("list").rows)
        templates = store.table("emailTemplate")
        template = min(templates.rows)
        templates.update(template, {"is_archived": False, "is_list_email": True})
        return {"mailable_prospect_id": mailable, "campaign_id": min(store.table("campaign").rows),
                "list_id": lists[0], "suppression_list_id": lists[1],
                "list_template_id": template}  # fmt: skip
    if name == "dynamic_content_with_variations":
        variations = store.table("dynamicContentVariation")
        parent = variations.position["dynamic_content_id"]
        return {"dynamic_content_id": min(r[parent] for r in variations.rows.values())}
    if name == "daily_limit_used":
        admin.post(f"/_sim/accounts/{sim.config()['business_unit_id']}", {"daily_call_limit": 0})
        return {}
    raise AssertionError(f"no setup fixture {name!r}")


def send(sim: Simulator, api: RawApi, request: dict[str, Any]) -> requests.Response:
    """One request as the sample writes it (placeholders already filled)."""
    path = str(request["path"]).replace("{version}", "4")
    kwargs: dict[str, Any] = {"params": request.get("params")}
    if "json" in request:
        kwargs["json"] = request["json"]
    if "form" in request:
        kwargs["data"] = request["form"]
    if "multipart" in request:
        kwargs["files"] = {
            name: (part.get("filename"), json.dumps(part["content"])
                   if isinstance(part["content"], dict) else part["content"], part["type"])
            for name, part in request["multipart"].items()
        }  # fmt: skip
    auth = request.get("auth", "default")
    if auth == "none":
        url = path if path.startswith("http") else sim.url + path
        return requests.request(request["method"], url, timeout=30, **kwargs)
    headers = {"Authorization": "Bearer not-a-valid-token"} if auth == "bad_token" else {}
    return api.call(request["method"], path, headers=headers, **kwargs)


def run_setup(sample: Sample, sim: Simulator, api: RawApi, admin: SimAdmin) -> dict[str, Any]:
    """The sample's setup steps; the placeholder values they produce."""
    config = sim.config()
    values: dict[str, Any] = {
        "client_id": config["client_id"], "client_secret": config["client_secret"],
        "refresh_token": config["refresh_token"], "username": DEMO_USERNAME,
        "password": DEMO_PASSWORD, "user_key": DEMO_USER_KEY,
    }  # fmt: skip
    for step in sample.data.get("setup") or []:
        if "fixture" in step:
            values.update(fixture_values(step["fixture"], sim, admin))
        elif "advance" in step:
            admin.advance(step["advance"])
        elif "settings" in step:
            admin.post("/_sim/settings", step["settings"])
        elif "faults" in step:
            admin.post("/_sim/faults", {"script": step["faults"]})
        else:
            response = send(sim, api, fill(step["request"], values))
            assert response.status_code < 300, f"{sample} setup: {response.text[:300]}"
            for name, path in step.get("save", {}).items():
                values[name] = dig(response.json(), path)
    return values


@pytest.mark.parametrize("sample", SAMPLES, ids=str)
def test_the_simulator_answers_with_the_samples_shape(
    pardot: tuple[Simulator, RawApi, SimAdmin], sample: Sample
) -> None:
    sim, api, admin = pardot
    if sample.switches:
        admin.post("/_sim/switches", sample.switches)
    request = fill(sample.request, run_setup(sample, sim, api, admin))
    answer = send(sim, api, request)

    assert endpoint_kind(request["method"], answer.url) == sample.kind
    expected = sample.response
    assert answer.status_code == expected["status"], answer.text[:300]
    kind = expected["format"]
    if kind == "empty":
        assert answer.content == b""
        return
    if kind == "csv":
        assert answer.headers["Content-Type"].startswith("text/csv")
        assert csv_differences(str(expected["body"]), answer.text) == []
        return
    got = xml_as_data(answer.text) if kind == "xml" else answer.json()
    assert answer.headers["Content-Type"].startswith(f"application/{kind}")
    optional, open_ = expected.get("optional", []), expected.get("open", [])
    assert differences(body_value(sample), got, optional, open_) == []
