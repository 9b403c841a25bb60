"""The send endpoints answer as docs/pardot-api/emails.md says: the documented forms of a
one-to-one and a list send, the required-field combinations, the unsubscribe rule, the refusal
codes, the email record a send creates, counters per prospect and list, statistics that move,
and the faults that lose an answer after the send was accepted."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
import requests

from pardot_sim import Simulator
from pardot_sim.testing import RawApi, SimAdmin

SEND = "/api/email/version/4/do/send"
TEXT = "Hello %%unsubscribe%%"
BU = "0Uv000000000001AAA"


def prospects(sim: Simulator, n: int, *, mailable: bool = True) -> list[int]:
    """Live prospects that are (or are not) mailable."""
    table = sim.account().store.table("prospect")
    pos = table.position
    found = [
        i for i, r in sorted(table.rows.items())
        if i not in table.deleted and (not r[pos["opted_out"]] and not r[pos["is_do_not_email"]])
        == mailable
    ]  # fmt: skip
    return found[:n]


def template(sim: Simulator, **flags: bool) -> int:
    table = sim.account().store.table("emailTemplate")
    template_id = min(table.rows)
    table.update(template_id, {"is_archived": False, "is_one_to_one_email": True,
                               "is_list_email": False, **flags})  # fmt: skip
    return template_id


def content(sim: Simulator) -> dict[str, Any]:
    campaign = min(sim.account().store.table("campaign").rows)
    return {"campaign_id": campaign, "name": "N", "subject": "S", "text_content": TEXT,
            "from_email": "me@example.com", "from_name": "Me"}  # fmt: skip


def post(api: RawApi, path: str = SEND, **form: Any) -> requests.Response:
    return api.call("POST", path, params={"format": "json"}, data=form)


def book(admin: SimAdmin) -> dict[str, Any]:
    result: dict[str, Any] = admin.get(f"/_sim/accounts/{BU}/email-sends")
    return result


def error_code(answer: requests.Response) -> int | None:
    code = answer.json().get("@attributes", {}).get("err_code")
    return None if code is None else int(code)


def test_one_to_one_by_each_documented_form_creates_an_email(
    sim: Simulator, api: RawApi, admin: SimAdmin
) -> None:
    first, second, third = prospects(sim, 3)
    email = sim.account().store.table("prospect").get(second)["email"]
    answers = [
        post(api, f"{SEND}/prospect_id/{first}", **content(sim)),
        post(api, f"{SEND}/prospect_email/{email.upper()}", **content(sim)),
        post(api, prospect_id=third, **content(sim)),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200], [a.text for a in answers]
    ids = [a.json()["email"]["id"] for a in answers]
    for email_id in ids:
        read = api.call("GET", f"/api/email/version/4/do/read/id/{email_id}",
                        params={"format": "json"}).json()["email"]  # fmt: skip
        assert (read["subject"], read["message"]["text"]) == ("S", TEXT)
    assert [book(admin)["by_prospect"][str(p)] for p in (first, second, third)] == [1, 1, 1]


def test_a_template_send_takes_the_template_and_its_overrides(sim: Simulator, api: RawApi) -> None:
    (prospect,) = prospects(sim, 1)
    template_id = template(sim)
    campaign = min(sim.account().store.table("campaign").rows)
    answer = post(api, prospect_id=prospect, campaign_id=campaign, email_template_id=template_id,
                  subject="Override")  # fmt: skip
    assert answer.status_code == 200, answer.text
    row = sim.account().store.table("emailTemplate").get(template_id)
    assert answer.json()["email"]["subject"] == "Override"
    assert answer.json()["email"]["name"] == row["name"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"campaign_id": None}, 65),
        ({"campaign_id": 999_999}, 38),
        ({"subject": None}, 65),
        ({"text_content": None, "html_content": TEXT}, 65),  # html alone is not enough
        ({"from_name": None}, 65),
        ({"from_email": None, "from_name": None, "from_user_id": 999_999}, 10),
        ({"text_content": "no link"}, 64),
        ({"html_content": "<p>no link</p>"}, 64),
        ({"replyto_email": "nobody@"}, 65),
        ({"email_template_id": 999_999}, 68),
        ({"prospect_id": 999_999_999}, 3),
        ({"prospect_id": None, "prospect_email": "nobody@nowhere.example.com"}, 4),
        ({"prospect_email": "someone.else@example.com"}, 44),
        ({"prospect_id": "opted-out"}, 98),
    ],
)  # fmt: skip
def test_each_refusal_has_its_code_and_sends_nothing(
    sim: Simulator, api: RawApi, admin: SimAdmin, change: dict[str, Any], code: int
) -> None:
    (prospect,) = prospects(sim, 1)
    (opted_out,) = prospects(sim, 1, mailable=False)
    form = {"prospect_id": prospect, **content(sim), **change}
    if form.get("prospect_id") == "opted-out":
        form["prospect_id"] = opted_out
    if form.get("prospect_email") == "someone.else@example.com":
        other = prospects(sim, 2)[1]
        form["prospect_email"] = sim.account().store.table("prospect").get(other)["email"]
    answer = post(api, **{k: v for k, v in form.items() if v is not None})
    assert answer.status_code == 400
    assert error_code(answer) == code
    assert book(admin)["sends"] == []
    assert book(admin)["refused"] == {str(code): 1}


def test_a_template_must_be_enabled_for_the_kind_of_send(sim: Simulator, api: RawApi) -> None:
    (prospect,) = prospects(sim, 1)
    campaign = min(sim.account().store.table("campaign").rows)
    template_id = template(sim, is_one_to_one_email=False, is_list_email=True)
    answer = post(api, prospect_id=prospect, campaign_id=campaign, email_template_id=template_id)
    assert error_code(answer) == 86
    lists = sorted(sim.account().store.table("list").rows)[:1]
    listed = post(api, **{"list_ids[]": lists}, campaign_id=campaign,
                  email_template_id=template_id)  # fmt: skip
    assert listed.status_code == 200, listed.text


def test_a_list_send_counts_its_lists_and_recipients_and_its_stats_move_at_its_time(
    sim: Simulator, api: RawApi, admin: SimAdmin
) -> None:
    store = sim.account().store
    members, memberships = store.table("listMembership"), []
    pos = members.position
    lists = sorted(store.table("list").rows)[:3]
    target, suppression = lists[:2], lists[2]
    now = admin.get("/_sim/state")["now"]
    later = datetime.fromtimestamp(now + 7200, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S-0000")
    lists_form = {"list_ids[]": target, "suppression_list_ids[]": [suppression],
                  "tags[]": ["a", "b"], "scheduled_time": later}  # fmt: skip
    answer = post(api, **lists_form, **content(sim))
    assert answer.status_code == 200, answer.text
    email_id = answer.json()["email"]["id"]
    memberships = [r for i, r in members.rows.items() if i not in members.deleted]
    suppressed = {r[pos["prospect_id"]] for r in memberships if r[pos["list_id"]] == suppression}
    table = store.table("prospect")
    expected = {
        r[pos["prospect_id"]] for r in memberships
        if r[pos["list_id"]] in target and not r[pos["opted_out"]]
        and r[pos["prospect_id"]] not in table.deleted
        and not table.get(r[pos["prospect_id"]])["opted_out"]
        and not table.get(r[pos["prospect_id"]])["is_do_not_email"]
    } - suppressed  # fmt: skip
    (sent,) = book(admin)["sends"]
    assert set(sent["recipients"]) == expected and expected
    assert sent["tags"] == ["a", "b"]
    assert book(admin)["by_list"] == {str(target[0]): 1, str(target[1]): 1}

    def stats() -> dict[str, Any]:
        found: dict[str, Any] = api.call("GET", f"/api/email/version/4/do/stats/id/{email_id}",
                                         params={"format": "json"}).json()["stats"]  # fmt: skip
        return found

    assert stats()["sent"] == 0
    admin.advance(7201)
    api.refresh()
    assert (stats()["sent"], stats()["delivered"]) == (len(expected), len(expected))


def test_operational_email_reaches_an_opted_out_prospect_only_with_the_feature(
    sim: Simulator, api: RawApi, admin: SimAdmin
) -> None:
    (opted_out,) = prospects(sim, 1, mailable=False)
    form = {"prospect_id": opted_out, "operational_email": "1", **content(sim)}
    assert error_code(post(api, **form)) == 98  # no feature: the flag is ignored
    admin.post("/_sim/switches", {"operational_without_feature": "refused"})
    assert error_code(post(api, **form)) == 65
    admin.post(f"/_sim/accounts/{BU}/email-sends", {"operational_email": True})
    assert post(api, **form).status_code == 200


@pytest.mark.parametrize("kind", ["lost_answer", "late_answer"])
def test_an_answer_lost_after_acceptance_leaves_the_send_made(
    sim: Simulator, api: RawApi, admin: SimAdmin, kind: str
) -> None:
    (prospect,) = prospects(sim, 1)
    script = [{"kind": kind, "path": "/do/send", "count": 1}]
    admin.post("/_sim/faults", {"slow_seconds": 1.5, "script": script})
    with pytest.raises((requests.ConnectionError, requests.Timeout)):
        api.session.post(sim.url + SEND, params={"format": "json"}, headers=api.headers,
                         data={"prospect_id": prospect, **content(sim)}, timeout=0.5)  # fmt: skip
    assert book(admin)["by_prospect"] == {str(prospect): 1}
