"""Bad input lines, run through the real CLI: each is rejected with its stream, input line and
reason, the rows around it land in Pardot, and no record value or secret reaches the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

V3_PROPS: dict[str, Any] = {
    "email": {"type": "string"},
    "first_name": {"type": ["string", "null"]},
    "city": {"type": ["string", "null"]},
}


def _record(email: str, first_name: str) -> dict[str, Any]:
    return {"type": "RECORD", "stream": "prospects",
            "record": {"email": email, "first_name": first_name}}  # fmt: skip


def _bad_input(singer: Any) -> tuple[list[dict[str, Any] | bytes], list[str], list[str]]:
    """Messages with four bad lines among good ones; the good and the bad rows' emails."""
    good = [singer.email("good") for _ in range(3)]
    bad = [singer.email("bad") for _ in range(3)]
    surrogate = (
        '{"type":"RECORD","stream":"prospects","record":{"email":"%s","first_name":"\\ud800"}}\n'
    )
    latin1 = (
        '{"type":"RECORD","stream":"prospects","record":{"email":"%s","first_name":"Zanzib\xe9"}}\n'
    )
    messages: list[dict[str, Any] | bytes] = [
        singer.schema(V3_PROPS, keys=["email"]),  # line 1
        _record(good[0], "Oriane"),  # 2
        {"type": "RECORD", "stream": "prospects", "record": {"first_name": "Nokeyname"}},  # 3
        (surrogate % bad[0]).encode(),  # 4: a lone surrogate escape
        (latin1 % bad[1]).encode("latin-1"),  # 5: raw Latin-1 bytes
        f"not json at all, {bad[2]}\n".encode(),  # 6
        _record(good[1], "Bastien"),  # 7
        _record(good[2], "Cosima"),  # 8
        singer.state("after-8"),  # 9
    ]
    return messages, good, bad


def test_bad_lines_are_rejected_with_stream_line_and_reason_and_the_run_goes_on(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path
) -> None:
    pardot.set_version(3)
    messages, good, bad = _bad_input(singer)
    done = singer.cli({**config, "api_version": 3}, messages, tmp_path)
    err = done.stderr.decode(errors="replace")
    assert done.returncode == 0, err[-3000:]
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        {"bookmarks": {"prospects": {"position": "after-8"}}}
    ]
    held = pardot.by_email(*good, *bad)
    assert [held[e][0]["first_name"] for e in good] == ["Oriane", "Bastien", "Cosima"]
    assert [held[e] for e in bad] == [[], [], []]
    rejects = singer.rejects(config["rejects_path"])
    assert [(r["stream"], r["line"], r["stage"]) for r in rejects] == [
        ("prospects", 3, "target"), ("prospects", 4, "target"), ("prospects", 5, "target"),
        (None, 6, "target"),
    ]  # fmt: skip
    reasons = [r["reason"] for r in rejects]
    assert reasons[0].startswith("missing key property: email")
    assert "surrogate" in reasons[1]
    assert "not UTF-8" in reasons[2]
    assert reasons[3].startswith("not JSON")
    assert rejects[0]["record"] == {"first_name": "Nokeyname"}
    assert rejects[1]["record"] == {"email": bad[0], "first_name": "\ud800"}
    assert rejects[2]["record"] == {"email": bad[1], "first_name": "Zanzib\udce9"}  # the raw byte
    assert rejects[3]["record"] == f"not json at all, {bad[2]}"
    assert "4 rejected rows" in err


def test_no_record_value_or_secret_reaches_the_log_at_debug_level(
    pardot: Any, config: dict[str, Any], singer: Any, tmp_path: Path
) -> None:
    pardot.set_version(3)
    messages, good, bad = _bad_input(singer)
    pardot.add_prospect(email=good[1], deleted=True)  # Pardot skips it: its errors file too
    done = singer.cli(
        {**config, "api_version": 3}, messages, tmp_path,
        env={"TARGET_PARDOT_IMPORT_LOGLEVEL": "DEBUG"},
    )  # fmt: skip
    err = done.stderr.decode(errors="replace")
    assert done.returncode == 0, err[-3000:]
    assert "urllib3.connectionpool" in err  # the debug lines are there
    assert len(singer.rejects(config["rejects_path"])) == 5
    secrets = [config["client_secret"], config["refresh_token"], config["client_id"]]
    leaked = [
        value
        for value in [*good, *bad, "Oriane", "Cosima", "Zanzib", "Nokeyname", *secrets]
        if value in err
    ]
    assert leaked == [], [line for line in err.splitlines() if any(v in line for v in leaked)]


def test_a_stream_map_failing_on_a_record_rejects_that_record_only(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    pardot.set_version(3)
    emails = [singer.email("map") for _ in range(3)]
    props = {**V3_PROPS, "age": {"type": ["string", "null"]}}
    maps = {"prospects": {"comments": "str(int(record['age']) + 1)", "age": None}}
    records = [
        {"email": emails[0], "age": "41"},
        {"email": emails[1], "age": "forty"},  # int() fails on this value
        {"email": emails[2], "age": "7"},
    ]
    messages = [singer.schema(props), *singer.records(records), singer.state(3)]
    cfg = {**config, "api_version": 3, "stream_maps": maps}
    assert singer.run(cfg, messages) == [{"bookmarks": {"prospects": {"position": 3}}}]
    held = pardot.by_email(*emails)
    assert [[p["comments"] for p in held[e]] for e in emails] == [["42"], [], ["8"]]
    (reject,) = singer.rejects(config["rejects_path"])
    assert (reject["stream"], reject["line"], reject["stage"]) == ("prospects", 3, "target")
    assert reject["reason"].startswith("stream_maps: ValueError: ")
    assert reject["record"] == {"email": emails[1], "age": "forty"}
