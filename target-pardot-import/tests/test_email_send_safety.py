"""Never twice: an answer lost after Pardot accepted a send, a run killed mid-send, and faults
at a few percent. The simulator counts what it was asked to send to each prospect; each must
be 0 or 1 whatever happened, and every row must be sent or in the rejects file."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

FIELDS = ("prospect_id", "campaign_id", "email_template_id")


def setup(pardot: Any, config: dict[str, Any], tmp_path: Path, n: int, tag: str) -> tuple[
    dict[str, Any], list[int], list[dict[str, Any]]
]:  # fmt: skip
    """A send config, n mailable prospects and one send row for each."""
    prospects = pardot.mailable(n, tag)
    cfg = {**config, "send_ledger_path": str(tmp_path / "ledger.sqlite"),
           "email_sends": {"sends": {"key": "send_id"}}}  # fmt: skip
    base = {"campaign_id": pardot.first_id("campaign"), "email_template_id": pardot.template()}
    rows = [{"send_id": f"{tag}-{k}", "prospect_id": p, **base} for k, p in enumerate(prospects)]
    return cfg, prospects, rows


def messages(rows: list[dict[str, Any]], position: Any = "end") -> list[dict[str, Any]]:
    schema = {"type": "object", "properties": {n: {} for n in ("send_id", *FIELDS)}}
    return [
        {"type": "SCHEMA", "stream": "sends", "key_properties": ["send_id"], "schema": schema},
        *({"type": "RECORD", "stream": "sends", "record": r} for r in rows),
        {"type": "STATE", "value": {"position": position}},
    ]


def ledger_states(path: str) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("select send_key, state from sends").fetchall())


def review(ledger: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The review command, as a person runs it."""
    return subprocess.run(
        [sys.executable, "-m", "target_pardot_import.sends_cli", "--ledger", ledger, *args],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fault", "pardot_acted"),
    [
        ({"kind": "late_answer"}, True),  # accepted, then the answer comes after the timeout
        ({"kind": "lost_answer"}, True),  # accepted, then the connection is reset
        ({"kind": "error", "code": 183}, False),  # "internal error": Pardot does not say more
        ({"kind": "502"}, False),  # a gateway that gave up waiting
    ],
    ids=["timeout-after-acceptance", "reset-after-acceptance", "error-183", "gateway-502"],
)
def test_an_unknown_outcome_is_never_sent_again_and_waits_for_review(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path, fault: dict[str, Any],
    pardot_acted: bool,
) -> None:  # fmt: skip
    cfg, prospects, rows = setup(pardot, config, tmp_path, 3, "unknown")
    cfg["read_timeout"] = 0.5
    pardot.admin("POST", "/_sim/faults", {"slow_seconds": 2, "script": [
        {**fault, "path": "/email/version/4/do/send", "count": 1}]})  # fmt: skip
    before = pardot.calls()

    assert singer.run(cfg, messages(rows)) == [{"position": "end"}]  # each row settled

    # Not retried: a retry would have reached the handler (the simulator counts only calls
    # that got past the fault, so a fault answered before the handler is not among them).
    assert pardot.calls_since(before)["email.send"] == 2 + pardot_acted
    assert sum(pardot.admin("GET", "/_sim/state")["faults"]["injected"].values()) == 1
    assert pardot.sends_to(*prospects) == [int(pardot_acted), 1, 1]
    assert ledger_states(cfg["send_ledger_path"]) == {
        "unknown-0": "unknown",
        "unknown-1": "sent",
        "unknown-2": "sent",
    }
    (reject,) = singer.rejects(config["rejects_path"])
    assert (reject["line"], reject["stage"]) == (2, "pardot")
    assert reject["reason"].startswith("send_outcome_unknown: ")
    listed = review(cfg["send_ledger_path"], "--json", "review")
    assert [json.loads(line)["key"] for line in listed.stdout.splitlines()] == ["unknown-0"]

    # A re-run of the same rows sends nothing: the unknown key stays in review.
    before = pardot.calls()
    assert singer.run(cfg, messages(rows)) == [{"position": "end"}]
    assert "email.send" not in pardot.calls_since(before)
    assert pardot.sends_to(*prospects) == [int(pardot_acted), 1, 1]
    assert singer.rejects(config["rejects_path"])[-1]["reason"].startswith("send_in_review: ")

    # A person checks Pardot and decides; the next run follows the decision.
    decision = ("confirm", "unknown-0") if pardot_acted else ("retry", "unknown-0")
    assert review(cfg["send_ledger_path"], *decision).returncode == 0
    singer.run(cfg, messages(rows))
    assert pardot.sends_to(*prospects) == [1, 1, 1]
    assert ledger_states(cfg["send_ledger_path"])["unknown-0"] == (
        "confirmed" if pardot_acted else "sent"
    )


def test_a_run_killed_during_a_send_never_sends_it_again(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path
) -> None:
    cfg, prospects, rows = setup(pardot, config, tmp_path, 6, "kill")
    singer.run(cfg, messages(rows[:2], "two"))  # two sends went out before
    assert pardot.sends_to(*prospects) == [1, 1, 0, 0, 0, 0]

    # The next run's first send is accepted, then its answer hangs; the run is killed there.
    pardot.admin("POST", "/_sim/faults", {"slow_seconds": 20, "script": [
        {"kind": "late_answer", "path": "/email/version/4/do/send", "count": 1}]})  # fmt: skip
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    (tmp_path / "input.jsonl").write_bytes(singer.lines(messages(rows)))
    command = [sys.executable, "-m", "target_pardot_import", "--config",
               str(tmp_path / "config.json")]  # fmt: skip
    with (tmp_path / "input.jsonl").open("rb") as stdin, (tmp_path / "err.log").open("wb") as err:
        process = subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, stderr=err)
    try:
        deadline = time.monotonic() + 60
        while pardot.sends_to(prospects[2]) != [1]:
            assert process.poll() is None, (tmp_path / "err.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the third send never reached Pardot"
            time.sleep(0.05)
        assert ledger_states(cfg["send_ledger_path"])["kill-2"] == "sending"
    finally:
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate(timeout=30)
    assert out == b""  # killed before any STATE
    pardot.admin("POST", "/_sim/faults", {"script": []})

    after = singer.cli(cfg, messages(rows), tmp_path)
    assert after.returncode == 0, after.stderr.decode()[-2000:]
    assert pardot.sends_to(*prospects) == [1, 1, 1, 1, 1, 1]  # each prospect mailed once
    states = ledger_states(cfg["send_ledger_path"])
    assert states == {**{f"kill-{k}": "sent" for k in range(6)}, "kill-2": "sending"}
    listed = review(cfg["send_ledger_path"], "review")
    assert listed.stdout.startswith("kill-2\tsending\tsends (one_to_one) input line 4")
    assert "confirm KEY" in listed.stdout and "retry KEY" in listed.stdout
    assert "1 sends have an unknown outcome" in after.stderr.decode()
    assert "kill-2" not in after.stderr.decode()  # keys are never logged

    email_id = next(s["email_id"] for s in pardot.email_sends()["sends"]
                    if s["recipients"] == [prospects[2]])  # fmt: skip
    confirmed = review(cfg["send_ledger_path"], "--json", "confirm", "kill-2",
                       "--email-id", str(email_id))  # fmt: skip
    assert json.loads(confirmed.stdout)["state"] == "confirmed"
    assert review(cfg["send_ledger_path"], "review").stdout.strip() == "No send is in review."


def test_faults_at_a_few_percent_leave_every_row_sent_once_or_rejected(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path
) -> None:
    cfg, prospects, rows = setup(pardot, config, tmp_path, 80, "faults")
    cfg.update(max_reject_rate=0.5, read_timeout=1)
    pardot.admin("POST", "/_sim/faults", {
        "rates": {"503": 0.03, "429": 0.03, "error": 0.03, "500": 0.02, "lost_answer": 0.03,
                  "reset": 0.02},
        "rate_path": "/email/version/4/do/send", "rate_code": 66, "seed": 15,
    })  # fmt: skip

    for _ in range(2):  # the run, then a re-run of the same rows
        assert singer.run(cfg, messages(rows)) == [{"position": "end"}]

    injected = pardot.admin("GET", "/_sim/state")["faults"]["injected"]
    assert sum(injected.values()) >= 8, injected
    counts = dict(zip(prospects, pardot.sends_to(*prospects), strict=True))
    assert set(counts.values()) <= {0, 1}  # nobody mailed twice
    states = ledger_states(cfg["send_ledger_path"])
    rejected = {r["record"]["send_id"]: r["reason"] for r in singer.rejects(config["rejects_path"])}
    for row in rows:
        key, prospect = row["send_id"], row["prospect_id"]
        if states[key] == "sent":
            assert counts[prospect] == 1 and key not in rejected, key
        else:
            assert states[key] == "unknown", (key, states[key])
            assert rejected[key].startswith(("send_outcome_unknown", "send_in_review")), key
    unknown = [k for k, s in states.items() if s == "unknown"]
    assert unknown, "the faults must leave some outcomes unknown for this test to mean anything"
    assert sum(s == "sent" for s in states.values()) >= 60


def test_the_daily_limit_stops_the_run_with_the_key_not_sent_and_the_next_run_sends_it(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path
) -> None:
    cfg, prospects, rows = setup(pardot, config, tmp_path, 4, "limit")
    pardot.admin("POST", f"/_sim/accounts/{pardot.bu}",
                 {"daily_call_limit": 2, "reset_daily_calls": True})  # fmt: skip
    done = singer.cli(cfg, messages(rows), tmp_path)
    assert done.returncode == 3, done.stderr.decode()[-2000:]
    assert done.stdout == b""  # no STATE: the run stopped before its rows were all settled
    assert ledger_states(cfg["send_ledger_path"]) == {
        "limit-0": "sent",
        "limit-1": "sent",
        "limit-2": "not_sent",
    }  # the refused call is known unsent, so it is not held for review
    pardot.admin("POST", f"/_sim/accounts/{pardot.bu}",
                 {"daily_call_limit": 100_000, "reset_daily_calls": True})  # fmt: skip
    assert singer.run(cfg, messages(rows)) == [{"position": "end"}]
    assert pardot.sends_to(*prospects) == [1, 1, 1, 1]


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_no_record_value_reaches_the_logs_at_any_level(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path, level: str
) -> None:
    prospect = pardot.mailable(1, "quiet")[0]
    address = pardot.sim.account().store.table("prospect").get(prospect)["email"]
    binding = {"key": "send_id", "columns": {"prospect_email": "to"}}
    cfg = {**config, "send_ledger_path": str(tmp_path / "ledger.sqlite"),
           "email_sends": {"sends": binding}}  # fmt: skip
    row = {"send_id": "secret-key-77", "to": address, "campaign_id": pardot.first_id("campaign"),
           "name": "Quiet name", "subject": "Quiet subject", "text_content": "Body %%unsubscribe%%",
           "from_email": "sender.quiet@example.com", "from_name": "Quiet sender"}  # fmt: skip
    schema = {"type": "object", "properties": {k: {} for k in row}}
    bad = {**row, "send_id": "secret-key-78", "text_content": "no link"}  # rejected
    lines = [{"type": "SCHEMA", "stream": "sends", "key_properties": ["send_id"], "schema": schema},
             *({"type": "RECORD", "stream": "sends", "record": r} for r in (row, bad))]  # fmt: skip
    done = singer.cli(cfg, lines, tmp_path, env={"TARGET_PARDOT_IMPORT_LOGLEVEL": level})
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert pardot.sends_to(prospect) == [1]
    logs = done.stderr.decode()
    assert ("| DEBUG " in logs) == (level == "DEBUG")
    for value in (address, "secret-key-77", "secret-key-78", "Quiet", "quiet@", "Body"):
        assert value not in logs, value
