"""Email sends from a bound stream, over real HTTP: one-to-one by id and by email, list sends,
a re-run that sends nothing twice, the dry run and the per-run cap. Each test checks what Pardot
(the simulator) was asked to send, what the ledger holds and which STATE went out."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from pardot_sim.testing import RawApi

TEXT = "Hello %%first_name%%, welcome. %%unsubscribe%%"
HTML = "<p>Hello</p><a href='%%email_preference_center%%'>preferences</a>"


def send_config(config: dict[str, Any], tmp_path: Path, **binding: Any) -> dict[str, Any]:
    """The target's config with stream `sends` bound to email sends, keyed by `send_id`."""
    return {
        **config,
        "send_ledger_path": str(tmp_path / "ledger.sqlite"),
        "email_sends": {"sends": {"key": "send_id", **binding}},
    }


def schema(*names: str, stream: str = "sends") -> dict[str, Any]:
    types = {"list_ids": {"type": "array", "items": {"type": "integer"}},
             "prospect_id": {"type": "integer"}, "campaign_id": {"type": "integer"}}  # fmt: skip
    properties = {n: types.get(n, {"type": ["string", "null"]}) for n in ("send_id", *names)}
    return {"type": "SCHEMA", "stream": stream, "key_properties": ["send_id"],
            "schema": {"type": "object", "properties": properties}}  # fmt: skip


def records(rows: list[dict[str, Any]], stream: str = "sends") -> list[dict[str, Any]]:
    return [{"type": "RECORD", "stream": stream, "record": r} for r in rows]


def state(value: Any) -> dict[str, Any]:
    return {"type": "STATE", "value": {"bookmarks": {"sends": {"position": value}}}}


def ledger(path: str) -> dict[str, tuple[str, int | None]]:
    """Key -> (state, email id) as the ledger file holds them."""
    with sqlite3.connect(path) as db:
        rows = db.execute("select send_key, state, email_id from sends").fetchall()
    return {key: (status, email_id) for key, status, email_id in rows}


def test_one_to_one_sends_by_prospect_id_reach_each_prospect_once(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path
) -> None:
    prospects = pardot.mailable(4, "byid")
    template = pardot.template(one_to_one=True)
    cfg = send_config(config, tmp_path, constants={
        "campaign_id": pardot.first_id("campaign"), "email_template_id": template,
    })  # fmt: skip
    rows = [{"send_id": f"id-{p}", "prospect_id": p, "subject": f"Welcome {k}"}
            for k, p in enumerate(prospects)]  # fmt: skip
    messages = [schema("prospect_id", "subject"), *records(rows), state("four")]

    assert singer.run(cfg, messages) == [{"bookmarks": {"sends": {"position": "four"}}}]

    assert pardot.sends_to(*prospects) == [1, 1, 1, 1]
    held = ledger(cfg["send_ledger_path"])
    book = {s["email_id"]: s for s in pardot.email_sends()["sends"]}
    for row, prospect in zip(rows, prospects, strict=True):
        status, email_id = held[row["send_id"]]
        assert status == "sent"
        assert book[email_id]["recipients"] == [prospect]
        assert book[email_id]["template_id"] == template
    emails = {e["id"]: e for e in pardot.admin("GET", f"/_sim/accounts/{pardot.bu}/records/email")
              ["records"]}  # fmt: skip
    assert [emails[held[r["send_id"]][1]]["subject"] for r in rows] == [
        f"Welcome {k}" for k in range(4)
    ]  # the subject column overrides the template's
    assert singer.rejects(config["rejects_path"]) == []


def test_one_to_one_sends_by_email_with_their_own_content(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path
) -> None:
    prospects = pardot.mailable(3, "byemail")
    table = pardot.sim.account().store.table("prospect")
    addresses = [table.get(p)["email"] for p in prospects]
    cfg = send_config(config, tmp_path, columns={"prospect_email": "email"}, constants={
        "campaign_id": pardot.first_id("campaign"), "from_user_id": pardot.first_id("user"),
        "name": "Renewal", "subject": "Your renewal",
    })  # fmt: skip
    rows = [{"send_id": f"mail-{k}", "email": a.upper(), "text_content": TEXT,
             "html_content": HTML, "tags": ["renewal", "2026"]}
            for k, a in enumerate(addresses)]  # fmt: skip
    messages = [schema("email", "text_content", "html_content", "tags"), *records(rows)]

    singer.run(cfg, messages)

    assert pardot.sends_to(*prospects) == [1, 1, 1]
    sent = [s for s in pardot.email_sends()["sends"] if s["recipients"][0] in prospects]
    assert sorted(s["recipients"][0] for s in sent) == sorted(prospects)
    assert {tuple(s["tags"]) for s in sent} == {("renewal", "2026")}
    assert all(status == "sent" for status, _ in ledger(cfg["send_ledger_path"]).values())


def test_a_list_send_reaches_the_members_less_suppressed_and_opted_out_and_its_stats_move(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path, api_stats: Any
) -> None:
    members = pardot.mailable(5, "list")
    opted_out, suppressed = members[0], members[1]
    target_list = pardot.new_list(*members, opted_out=(opted_out,))
    suppression = pardot.new_list(suppressed)
    cfg = send_config(config, tmp_path, kind="list", constants={
        "campaign_id": pardot.first_id("campaign"), "name": "Launch", "subject": "We launched",
        "from_email": "news@example.com", "from_name": "News",
    })  # fmt: skip
    later = datetime.fromtimestamp(pardot.admin("GET", "/_sim/state")["now"] + 3 * 3600,
                                   timezone.utc)  # fmt: skip
    row = {
        "send_id": "launch-1",
        "list_ids": [target_list],
        "text_content": TEXT,
        "suppression_list_ids": str(suppression),
        "scheduled_time": later.isoformat(),
    }
    messages = [schema("list_ids", "text_content", "suppression_list_ids", "scheduled_time"),
                *records([row]), state(1)]  # fmt: skip

    assert singer.run(cfg, messages) == [{"bookmarks": {"sends": {"position": 1}}}]

    book = pardot.email_sends()
    assert book["by_list"][str(target_list)] == 1
    assert pardot.sends_to(*members) == [0, 0, 1, 1, 1]
    _, email_id = ledger(cfg["send_ledger_path"])["launch-1"]
    assert api_stats(email_id)["sent"] == 0  # scheduled three hours ahead
    pardot.admin("POST", "/_sim/clock", {"advance": 4 * 3600})
    assert api_stats(email_id)["sent"] == 3


def test_a_rerun_of_the_same_rows_sends_nothing_again(
    pardot: Any,
    config: dict[str, Any],
    singer: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    prospects = pardot.mailable(3, "rerun")
    cfg = send_config(config, tmp_path, constants={
        "campaign_id": pardot.first_id("campaign"), "email_template_id": pardot.template(),
    })  # fmt: skip
    rows = [{"send_id": f"again-{p}", "prospect_id": p} for p in prospects]
    messages = [schema("prospect_id"), *records(rows), state("x")]
    singer.run(cfg, messages)
    before = pardot.calls()
    with caplog.at_level("INFO", logger="target_pardot_import"):
        assert singer.run(cfg, messages) == [{"bookmarks": {"sends": {"position": "x"}}}]
    assert pardot.sends_to(*prospects) == [1, 1, 1]
    assert "email.send" not in pardot.calls_since(before)
    assert "3 rows were not sent: their key was sent before" in caplog.text
    for key in (r["send_id"] for r in rows):  # keys are the user's data: never logged
        assert key not in caplog.text


def test_a_dry_run_sends_nothing_changes_no_ledger_and_emits_no_state(
    pardot: Any,
    config: dict[str, Any],
    singer: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    prospects = pardot.mailable(3, "dry")
    plan = tmp_path / "plan.jsonl"
    cfg = send_config(config, tmp_path, constants={
        "campaign_id": pardot.first_id("campaign"), "email_template_id": pardot.template(),
    })  # fmt: skip
    rows = [{"send_id": f"dry-{p}", "prospect_id": p} for p in prospects]
    rows.append({"send_id": "dry-bad", "prospect_id": "not a number"})
    messages = [schema("prospect_id"), *records(rows), state("dry")]
    before = pardot.calls()
    with caplog.at_level("INFO", logger="target_pardot_import"):
        assert singer.run({**cfg, "dry_run": True, "send_plan_path": str(plan)}, messages) == []
    assert "email.send" not in pardot.calls_since(before)
    assert pardot.sends_to(*prospects) == [0, 0, 0]
    assert not Path(cfg["send_ledger_path"]).exists()
    assert "dry_run: 3 sends would be made" in caplog.text
    planned = [json.loads(line) for line in plan.read_text().splitlines()]
    assert [(p["key"], p["line"], p["params"]["prospect_id"]) for p in planned] == [
        (f"dry-{p}", k + 2, p) for k, p in enumerate(prospects)
    ]
    assert [r["reason"].split(":")[0] for r in singer.rejects(config["rejects_path"])] == [
        "prospect_id"
    ]

    assert singer.run(cfg, messages) == [{"bookmarks": {"sends": {"position": "dry"}}}]
    assert pardot.sends_to(*prospects) == [1, 1, 1]


def test_the_cap_stops_sending_keeps_state_back_and_the_next_run_goes_on(
    pardot: Any,
    config: dict[str, Any],
    singer: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    prospects = pardot.mailable(5, "cap")
    cfg = {**send_config(config, tmp_path, constants={
        "campaign_id": pardot.first_id("campaign"), "email_template_id": pardot.template(),
    }), "max_sends_per_run": 3}  # fmt: skip
    rows = [{"send_id": f"cap-{p}", "prospect_id": p} for p in prospects]
    messages = [schema("prospect_id"), *records(rows[:2]), state("two"), *records(rows[2:]),
                state("five")]  # fmt: skip

    with caplog.at_level("INFO", logger="target_pardot_import"):
        assert singer.run(cfg, messages) == []  # no STATE passes rows that were not sent
    assert pardot.sends_to(*prospects) == [1, 1, 1, 0, 0]
    assert "max_sends_per_run (3) reached" in caplog.text
    assert singer.rejects(config["rejects_path"]) == []  # held rows are not rejects

    assert singer.run(cfg, messages) == [{"bookmarks": {"sends": {"position": "five"}}}]
    assert pardot.sends_to(*prospects) == [1, 1, 1, 1, 1]
    assert {status for status, _ in ledger(cfg["send_ledger_path"]).values()} == {"sent"}


@pytest.fixture
def api_stats(target_sim: Any) -> Iterator[Callable[[int], dict[str, Any]]]:
    """Read an email's statistics as a client would."""
    raw = RawApi(target_sim)

    def read(email_id: int) -> dict[str, Any]:
        answer = raw.call("GET", f"/api/email/version/4/do/stats/id/{email_id}",
                          params={"format": "json"})  # fmt: skip
        stats: dict[str, Any] = answer.json()["stats"]
        return stats

    yield read
    raw.close()
