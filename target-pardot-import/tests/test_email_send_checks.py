"""Every check before a send, each a reject with its reason and input line, and no call made for
a rejected row; Pardot's own refusals rejected with its code; mistakes in the setting stop the
run before anything is sent, in one line naming the setting."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

TEXT = "Hi %%unsubscribe%%"
ALL_PARAMS = ("prospect_id", "prospect_email", "campaign_id", "email_template_id", "name",
              "subject", "text_content", "html_content", "from_email", "from_name",
              "from_user_id", "replyto_email", "operational_email")  # fmt: skip


def sends_schema(names: tuple[str, ...], stream: str = "sends") -> dict[str, Any]:
    properties = {n: {} for n in ("send_id", *names)}
    return {"type": "SCHEMA", "stream": stream, "key_properties": ["send_id"],
            "schema": {"type": "object", "properties": properties}}  # fmt: skip


def as_records(rows: list[dict[str, Any]], stream: str = "sends") -> list[dict[str, Any]]:
    return [{"type": "RECORD", "stream": stream, "record": r} for r in rows]


def ledger_keys(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    with sqlite3.connect(path) as db:
        return dict(db.execute("select send_key, state from sends").fetchall())


# (what the row gets wrong, the row's fields beyond a valid one-to-one send, the reason's kind)
ONE_TO_ONE_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("no key", {"send_id": None}, "send_key"),
    ("blank key", {"send_id": "  "}, "send_key"),
    ("no prospect", {"prospect_id": None}, "required_fields"),
    ("both prospect id and email", {"prospect_email": "x@example.com"}, "ambiguous_prospect"),
    ("no campaign", {"campaign_id": None}, "required_fields"),
    (
        "no template and no subject",
        {"email_template_id": None, "name": "N", "text_content": TEXT, "from_user_id": 1},
        "required_fields",
    ),
    (
        "html alone",
        {
            "email_template_id": None,
            "name": "N",
            "subject": "S",
            "html_content": TEXT,
            "from_user_id": 1,
        },
        "required_fields",
    ),
    (
        "no sender",
        {"email_template_id": None, "name": "N", "subject": "S", "text_content": TEXT},
        "required_fields",
    ),
    ("from_email without from_name", {"from_email": "me@example.com"}, "required_fields"),
    (
        "two senders",
        {"from_user_id": 3, "from_email": "me@example.com", "from_name": "Me"},
        "ambiguous_sender",
    ),
    ("text without unsubscribe", {"text_content": "Hi there"}, "unsubscribe_link"),
    ("html without unsubscribe", {"html_content": "<p>Hi</p>"}, "unsubscribe_link"),
    ("operational email", {"operational_email": True}, "operational_email"),
    ("prospect id text", {"prospect_id": "twelve"}, "prospect_id"),
    ("negative campaign", {"campaign_id": -4}, "campaign_id"),
    ("bad reply-to", {"replyto_email": "nobody@"}, "replyto_email"),
    ("bad sender address", {"from_email": "me at example", "from_name": "Me"}, "from_email"),
    ("a field outside the schema", {"extra": "x"}, "unknown_fields"),
]


def test_every_check_rejects_its_row_with_the_reason_and_line_and_sends_only_the_good_rows(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path
) -> None:
    prospect, good = pardot.mailable(2, "checks")
    valid = {"prospect_id": prospect, "campaign_id": pardot.first_id("campaign"),
             "email_template_id": pardot.template()}  # fmt: skip
    rows = [{"send_id": f"bad-{k}", **valid, **change}
            for k, (_, change, _) in enumerate(ONE_TO_ONE_CASES)]  # fmt: skip
    rows.append({"send_id": "good", **valid, "prospect_id": good})
    cfg = {**config, "send_ledger_path": str(tmp_path / "ledger.sqlite"), "max_reject_rate": 1,
           "email_sends": {"sends": {"key": "send_id", "columns": {}}}}  # fmt: skip
    before = pardot.calls()

    singer.run(cfg, [sends_schema(ALL_PARAMS), *as_records(rows)])

    rejects = singer.rejects(config["rejects_path"])
    got = [(r["line"], r["stage"], r["reason"].split(":")[0]) for r in rejects]
    assert got == [(k + 2, "target", kind) for k, (_, _, kind) in enumerate(ONE_TO_ONE_CASES)]
    for reject in rejects:  # a reason names parameters, never a value
        assert "twelve" not in reject["reason"] and "nobody@" not in reject["reason"]
    assert pardot.calls_since(before).get("email.send") == 1
    assert pardot.sends_to(prospect, good) == [0, 1]
    assert ledger_keys(tmp_path / "ledger.sqlite") == {"good": "sent"}


LIST_CASES: list[tuple[dict[str, Any], str]] = [
    ({"list_ids": []}, "required_fields"),
    ({"list_ids": ["first"]}, "list_ids"),
    ({"scheduled_time": "next tuesday"}, "scheduled_time"),
    ({"prospect_id": 5}, "unknown_fields"),  # a one-to-one parameter on a list send
    ({"campaign_id": None}, "required_fields"),
]


def test_list_send_checks(pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path) -> None:
    valid = {"list_ids": [pardot.first_id("list")], "campaign_id": pardot.first_id("campaign"),
             "email_template_id": pardot.template(one_to_one=False, list_email=True)}  # fmt: skip
    rows = [{"send_id": f"list-{k}", **valid, **change} for k, (change, _) in enumerate(LIST_CASES)]
    cfg = {**config, "send_ledger_path": str(tmp_path / "ledger.sqlite"), "max_reject_rate": 1,
           "email_sends": {"sends": {"key": "send_id", "kind": "list"}}}  # fmt: skip
    before = pardot.calls()
    names = ("list_ids", "campaign_id", "email_template_id", "scheduled_time")
    singer.run(cfg, [sends_schema(names), *as_records(rows)])
    kinds = [r["reason"].split(":")[0] for r in singer.rejects(config["rejects_path"])]
    assert kinds == [kind for _, kind in LIST_CASES]
    assert "email.send" not in pardot.calls_since(before)


def test_pardot_refusals_are_rejected_with_its_code_and_sent_once_fixed(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path
) -> None:
    opted_out = pardot.add_prospect(email=singer.email("optout"), opted_out=True)
    ok = pardot.mailable(1, "refusal")[0]
    valid = {"campaign_id": pardot.first_id("campaign"), "email_template_id": pardot.template()}
    rows = [{"send_id": "to-opted-out", "prospect_id": opted_out, **valid},
            {"send_id": "no-such-prospect", "prospect_id": 99_999_999, **valid},
            {"send_id": "fine", "prospect_id": ok, **valid}]  # fmt: skip
    cfg = {**config, "send_ledger_path": str(tmp_path / "ledger.sqlite"),
           "email_sends": {"sends": {"key": "send_id"}}}  # fmt: skip
    messages = [sends_schema(("prospect_id", "campaign_id", "email_template_id")),
                *as_records(rows), {"type": "STATE", "value": {"n": 3}}]  # fmt: skip

    assert singer.run(cfg, messages) == [{"n": 3}]  # every row sent or rejected: STATE goes out
    reasons = [(r["line"], r["stage"], r["reason"]) for r in singer.rejects(config["rejects_path"])]
    assert [(line, stage) for line, stage, _ in reasons] == [(2, "pardot"), (3, "pardot")]
    assert "Pardot error 98 on email.send: Prospect not mailable" in reasons[0][2]
    assert "Pardot error 3 on email.send" in reasons[1][2]
    assert ledger_keys(tmp_path / "ledger.sqlite") == {
        "to-opted-out": "not_sent",
        "no-such-prospect": "not_sent",
        "fine": "sent",
    }
    # Opted in again: a refused key is sent by the next run that reads its row.
    pardot.sim.account().store.table("prospect").update(opted_out, {"opted_out": False})
    singer.run(cfg, messages)
    assert pardot.sends_to(opted_out, ok) == [1, 1]


def test_operational_email_goes_to_an_opted_out_prospect_only_when_allowed(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path
) -> None:
    opted_out = pardot.add_prospect(email=singer.email("operational"), opted_out=True)
    pardot.admin("POST", f"/_sim/accounts/{pardot.bu}/email-sends", {"operational_email": True})
    row = {"send_id": "op-1", "prospect_id": opted_out, "campaign_id": pardot.first_id("campaign"),
           "email_template_id": pardot.template(), "operational_email": True}  # fmt: skip
    cfg = {**config, "send_ledger_path": str(tmp_path / "ledger.sqlite"),
           "email_sends": {"sends": {"key": "send_id"}}}  # fmt: skip
    messages = [sends_schema(tuple(k for k in row if k != "send_id")), *as_records([row])]
    singer.run(cfg, messages)
    assert pardot.sends_to(opted_out) == [0]
    assert singer.rejects(config["rejects_path"])[0]["reason"].startswith("operational_email:")
    singer.run({**cfg, "allow_operational_email": True}, messages)
    assert pardot.sends_to(opted_out) == [1]


@pytest.mark.parametrize(
    ("binding", "extra", "columns", "words"),
    [
        ({"key": "send_id"}, {}, ("prospect_id", "campaign", "score"),
         "campaign, score are no parameter of a one_to_one send"),
        ({"key": "id"}, {}, ("prospect_id",), "the key property id is not in the stream's schema"),
        ({"key": "send_id", "constants": {"campaign_id": 7}}, {}, ("prospect_id", "campaign_id"),
         "campaign_id comes from constants and is also a column"),
        ({"key": "send_id", "constants": {"list_ids": [1]}}, {}, ("prospect_id",),
         "email_sends.sends.constants names list_ids, which a one_to_one send does not take"),
        ({"key": "send_id", "constants": {"operational_email": True}}, {}, ("prospect_id",),
         "set allow_operational_email to true if that is meant"),
        ({"key": "send_id", "constants": {"campaign_id": "seven"}}, {}, ("prospect_id",),
         "email_sends.sends.constants.campaign_id: expected a Pardot id"),
        ({"key": "send_id", "kind": "bulk"}, {}, ("prospect_id",),
         "email_sends.sends.kind is 'bulk'; use one of one_to_one, list"),
        ({"key": "send_id"}, {"send_ledger_path": None}, ("prospect_id",),
         "email_sends needs send_ledger_path"),
    ],
)  # fmt: skip
def test_a_setting_that_cannot_work_stops_the_run_before_any_send(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path,
    binding: dict[str, Any], extra: dict[str, Any], columns: tuple[str, ...], words: str,
) -> None:  # fmt: skip
    prospect = pardot.mailable(1, "config")[0]
    cfg = {**config, "send_ledger_path": str(tmp_path / "ledger.sqlite"),
           "email_sends": {"sends": binding}, **extra}  # fmt: skip
    cfg = {k: v for k, v in cfg.items() if v is not None}
    row = {"send_id": "cfg", "prospect_id": prospect, "campaign": 1, "score": 3, "campaign_id": 1}
    messages = [sends_schema(columns), *as_records([{k: row[k] for k in ("send_id", *columns)}])]
    before = pardot.calls()
    done = singer.cli(cfg, messages, tmp_path)
    last = done.stderr.decode().strip().splitlines()[-1]
    assert done.returncode == 1, done.stderr.decode()[-2000:]
    assert words in last
    assert "Traceback" not in done.stderr.decode()
    assert "email.send" not in pardot.calls_since(before)
    assert pardot.sends_to(prospect) == [0]


def test_the_about_output_documents_the_send_settings() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "target_pardot_import", "--about", "--format", "json"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    properties = json.loads(done.stdout)["settings"]["properties"]
    for name in ("email_sends", "send_ledger_path", "max_sends_per_run",
                 "allow_operational_email", "send_plan_path"):  # fmt: skip
        assert properties[name]["description"], name
    assert properties["max_sends_per_run"]["default"] == 100
    assert json.dumps(properties["email_sends"]).count("idempotency key") >= 1
