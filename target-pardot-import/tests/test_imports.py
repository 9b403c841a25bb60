"""The target against the simulator over real HTTP: what Pardot ends up holding after a run.

Each test checks the prospects through the simulator's admin view, the rejects file and the
STATE the target let through, not just the calls made.
"""

from __future__ import annotations

from typing import Any

import pytest

from pardot_client import PardotQuotaExceededError
from target_pardot_import.import_job import ImportStoppedError
from target_pardot_import.run import RejectRateExceededError

V3_PROPS: dict[str, Any] = {
    "email": {"type": "string"},
    "first_name": {"type": ["string", "null"]},
    "city": {"type": ["string", "null"]},
    "score": {"type": ["integer", "null"]},
    "comments": {"type": ["string", "null"]},
}


def test_rows_create_and_update_prospects_and_state_follows(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    pardot.set_version(3)
    known = singer.email("known")
    pardot.add_prospect(email=known, first_name="Old", company="Acme", city="Paris")
    new = [singer.email("new") for _ in range(3)]
    records = [{"email": known, "first_name": "Updated", "score": 12}] + [
        {"email": e, "first_name": f"N{i}", "city": "Lyon"} for i, e in enumerate(new)
    ]
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state(4)]
    before = pardot.calls()
    states = singer.run({**config, "api_version": 3}, messages)
    assert states == [{"bookmarks": {"prospects": {"position": 4}}}]
    held = pardot.by_email(known, *new)
    assert all(len(found) == 1 for found in held.values())
    old = held[known][0]
    assert (old["first_name"], old["score"], old["company"]) == ("Updated", 12, "Acme")
    assert old["city"] == "Paris"  # a missing key leaves Pardot's value alone
    assert [held[e][0]["first_name"] for e in new] == ["N0", "N1", "N2"]
    assert pardot.calls_since(before)["import.create"] == 1  # one part: one request
    assert singer.rejects(config["rejects_path"]) == []


def test_null_and_missing_keys_and_column_options(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    pardot.set_version(3)
    values = {"first_name": "Keep", "city": "OldCity", "comments": "old note", "score": 5}
    emails = [singer.email("opt") for _ in range(3)]
    for email in emails:
        pardot.add_prospect(email=email, **values)
    pardot.add_prospect(email=emails[2].replace("opt", "other"), **values)
    options = {"city": {"nullOverwrite": True}, "first_name": {"overwrite": False}}
    records = [
        {"email": emails[0], "first_name": "New", "city": None, "comments": None, "score": None},
        {"email": emails[1], "first_name": None},  # city missing: not the same as null
        {"email": emails[2], "comments": "new note"},
    ]
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state(1)]
    before = pardot.calls()
    singer.run({**config, "api_version": 3, "column_options": options}, messages)
    held = {e: r[0] for e, r in pardot.by_email(*emails).items()}
    one, two, three = (held[e] for e in emails)
    assert one["first_name"] == "Keep"  # overwrite false keeps a non-blank value
    assert one["city"] is None  # explicit null + nullOverwrite true: cleared
    assert (one["comments"], one["score"]) == ("old note", 5)  # null, nullOverwrite false: kept
    assert (two["first_name"], two["city"]) == ("Keep", "OldCity")  # missing city: untouched
    assert (three["comments"], three["city"]) == ("new note", "OldCity")
    assert (
        pardot.calls_since(before)["import.create"] == 2
    )  # the rows without city went without the column


@pytest.mark.parametrize("restore", [False, True])
def test_restore_deleted(pardot: Any, config: dict[str, Any], singer: Any, restore: bool) -> None:
    pardot.set_version(3)
    email = singer.email("deleted")
    row_id = pardot.add_prospect(email=email, first_name="Gone", deleted=True)
    messages = [singer.schema(V3_PROPS), *singer.records([{"email": email, "first_name": "Back"}])]
    cfg = {**config, "api_version": 3, "restore_deleted": restore, "max_reject_rate": 1}
    singer.run(cfg, messages)
    held = next(r for r in pardot.prospects() if r["id"] == row_id)
    rejects = singer.rejects(config["rejects_path"])
    if restore:
        assert (held["_deleted"], held["first_name"]) == (False, "Back")
        assert rejects == []
    else:
        assert (held["_deleted"], held["first_name"]) == (True, "Gone")
        assert [(r["stage"], r["reason"].split(":")[0], r["record"]["email"]) for r in rejects] == [
            ("pardot", "prospect_deleted", email)
        ]


def test_eleven_parts_span_two_imports_and_every_row_lands_once(
    pardot: Any, config: dict[str, Any], singer: Any, target_sim: Any
) -> None:
    pardot.set_version(3)
    emails = [singer.email("part") for _ in range(120)]
    records = [
        {"email": e, "first_name": f"P{i}", "comments": "x" * 40} for i, e in enumerate(emails)
    ]
    before = set(target_sim.imports.jobs)
    cfg = {**config, "api_version": 3, "max_batch_bytes": 1000}
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state("end")]
    calls_before = pardot.calls()
    assert singer.run(cfg, messages) == [{"bookmarks": {"prospects": {"position": "end"}}}]
    held = pardot.by_email(*emails)
    assert all(len(found) == 1 for found in held.values())
    assert [held[e][0]["first_name"] for e in emails] == [f"P{i}" for i in range(120)]
    jobs = [target_sim.imports.jobs[i] for i in sorted(set(target_sim.imports.jobs) - before)]
    first, second = (len(j.batches) for j in jobs)
    assert first == 10
    assert second >= 1
    sizes = [b.size for j in jobs for b in j.batches]
    assert all(1000 - 100 < size <= 1000 for size in sizes[:-1])  # full to within a row
    assert all(j.header == ["email", "first_name", "city", "score", "comments"] for j in jobs)
    # Per import: create (with the first part), a batch per further part, Ready; one request
    # when an import has a single part.
    calls = pardot.calls_since(calls_before)
    assert calls["import.create"] == 2
    assert calls["import.batch"] == 9 + (second - 1 if second > 1 else 0)
    assert calls["import.update"] == 1 + (second > 1)


@pytest.mark.slow
def test_a_row_on_the_ten_megabyte_edge(pardot: Any, config: dict[str, Any], singer: Any) -> None:
    pardot.set_version(3)
    limit = 10 * 1024 * 1024 - 1  # the simulator refuses a batch of 10 MiB or more
    header = len(b"email,first_name,city,score,comments\r\n")
    fits, too_big = singer.email("edge"), singer.email("edge")
    filler = limit - header - len(f"{fits},,,,\r\n".encode())
    records = [
        {"email": fits, "comments": "é" * (filler // 2) + "x" * (filler % 2)},
        {"email": too_big, "comments": "x" * (filler + 1)},
    ]
    cfg = {**config, "api_version": 3, "max_batch_bytes": limit, "max_reject_rate": 0.5}
    singer.run(cfg, [singer.schema(V3_PROPS), *singer.records(records)])
    held = pardot.by_email(fits, too_big)
    assert len(held[fits][0]["comments"]) == filler // 2 + filler % 2
    assert held[too_big] == []
    (reject,) = singer.rejects(config["rejects_path"])
    assert reject["reason"].startswith(f"row too large: {limit + 1} bytes")
    assert (reject["row"], reject["stage"]) == (2, "target")


def test_csv_escaping_round_trips(pardot: Any, config: dict[str, Any], singer: Any) -> None:
    pardot.set_version(3)
    tricky = [
        "Comma, inside", 'Quote " and ""double""', "Line\nbreak", "Windows\r\nbreak",
        "Ünïcödé 日本語 🚀", "  padded  ", "=1+1", "trailing,",
    ]  # fmt: skip
    emails = [singer.email("esc") for _ in tricky]
    records = [{"email": e, "comments": t, "city": t} for e, t in zip(emails, tricky, strict=True)]
    singer.run({**config, "api_version": 3}, [singer.schema(V3_PROPS), *singer.records(records)])
    held = pardot.by_email(*emails)
    assert [held[e][0]["comments"] for e in emails] == tricky
    assert [held[e][0]["city"] for e in emails] == tricky


def test_rejected_rows_are_written_with_their_reasons(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    known = pardot.add_prospect(email=singer.email("v4"), first_name="A")
    props = {
        "prospect_id": {"type": ["integer", "null"]},
        "salesforce_fid": {"type": ["string", "null"]},
        "email": {"type": ["string", "null"]},
        "first_name": {"type": ["string", "null"]},
        "score": {"type": ["integer", "null"]},
        "grade": {"type": ["string", "null"]},
    }
    records = [
        {"prospect_id": known, "first_name": "Good"},
        {"first_name": "no key"},
        {"prospect_id": known, "email": "broken@"},
        {"prospect_id": known, "grade": "A"},
        {"prospect_id": known, "score": "lots"},
        {"prospect_id": 999_999_999, "first_name": "unknown id"},
    ]
    cfg = {**config, "max_reject_rate": 0.9}
    messages = [singer.schema(props), *singer.records(records), singer.state(6)]
    assert singer.run(cfg, messages) == [{"bookmarks": {"prospects": {"position": 6}}}]
    held = next(r for r in pardot.prospects() if r["id"] == known)
    assert held["first_name"] == "Good"
    rejects = singer.rejects(config["rejects_path"])
    assert [(r["row"], r["stage"], r["reason"]) for r in rejects] == [
        (2, "target", "no match key: api_version 4 matches prospects by prospect_id or "
         "salesforce_fid"),
        (3, "target", "email: not a valid email address"),
        (4, "target", "fields Pardot cannot import (or not in the stream's schema): grade"),
        (5, "target", "score: expected an integer, got a string"),
        (None, "pardot", "prospect_not_found: No prospect with id 999999999"),
    ]  # fmt: skip
    assert rejects[1]["record"] == {"prospect_id": known, "email": "broken@"}
    assert rejects[4]["record"]["first_name"] == "unknown id"
    assert rejects[4]["import_id"] is not None


def test_the_reject_rate_fails_the_run_after_writing_the_rejects(
    pardot: Any, config: dict[str, Any], singer: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    pardot.set_version(3)
    good = singer.email("rate")
    records = [{"email": good}, {"email": "nope"}]
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state(2)]
    with pytest.raises(RejectRateExceededError, match="1 of 2 rows were rejected"):
        singer.run(
            {**config, "api_version": 3, "max_reject_rate": 0.4, "reject_rate_min_rows": 1},
            messages,
        )
    assert [r["record"] for r in singer.rejects(config["rejects_path"])] == [{"email": "nope"}]
    assert len(pardot.by_email(good)[good]) == 1  # the good row was imported first
    assert "nope" not in capsys.readouterr().err


def test_dry_run_sends_nothing_and_reports(
    pardot: Any, config: dict[str, Any], singer: Any, caplog: pytest.LogCaptureFixture
) -> None:
    pardot.set_version(3)
    emails = [singer.email("dry") for _ in range(3)]
    before = pardot.calls()
    messages = [singer.schema(V3_PROPS), *singer.records([{"email": e} for e in emails])]
    with caplog.at_level("INFO", logger="target_pardot_import"):
        singer.run({**config, "api_version": 3, "dry_run": True}, messages)
    assert pardot.by_email(*emails) == {e: [] for e in emails}
    assert not any(kind.startswith("import.") for kind in pardot.calls_since(before))
    assert "dry run, not sent): 3 rows in 1 parts" in caplog.text


def test_the_daily_batch_limit_stops_with_a_message_and_no_state(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    pardot.set_version(3)
    pardot.admin("POST", "/_sim/settings", {"import": {"daily_batch_limit": 0}})
    messages = [singer.schema(V3_PROPS), *singer.records([{"email": singer.email("d")}]),
                singer.state(1)]  # fmt: skip
    with pytest.raises(ImportStoppedError, match="daily limit of import batches is reached"):
        singer.run({**config, "api_version": 3}, messages)


def test_the_daily_api_limit_stops_with_when_it_resets(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    pardot.set_version(3)
    pardot.admin("POST", f"/_sim/accounts/{pardot.bu}", {"daily_call_limit": 0})
    messages = [singer.schema(V3_PROPS), *singer.records([{"email": singer.email("q")}])]
    with pytest.raises(PardotQuotaExceededError, match="resets at the start of the account"):
        singer.run({**config, "api_version": 3}, messages)


def test_datetimes_are_sent_in_the_users_timezone(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    known = pardot.add_prospect(email=singer.email("tz"))
    props = {"prospect_id": {"type": "integer"},
             "renewal_date__c": {"type": "string", "format": "date-time"}}  # fmt: skip
    records = [{"prospect_id": known, "renewal_date__c": "2026-11-01T06:30:00Z"}]
    singer.run(config, [singer.schema(props), *singer.records(records)])
    held = next(r for r in pardot.prospects() if r["id"] == known)
    assert held["renewal_date__c"] == "2026-11-01 01:30:00"  # EST, the second 01:30 that night


def _new_jobs(sim: Any, before: set[int]) -> list[Any]:
    return [sim.imports.jobs[i] for i in sorted(set(sim.imports.jobs) - before)]


def test_66_and_5xx_lose_no_row_and_import_none_twice(
    pardot: Any, config: dict[str, Any], singer: Any, target_sim: Any
) -> None:
    pardot.set_version(3)
    emails = [singer.email("fault") for _ in range(60)]
    records = [
        {"email": e, "first_name": f"F{i}", "comments": "y" * 40} for i, e in enumerate(emails)
    ]
    script = [
        {"kind": "error", "code": 66, "path": "/do/create", "count": 1},  # refused: retried
        {"kind": "500", "path": "/do/batch/", "count": 1},  # unknown: the import is sent again
        {"kind": "503", "path": "/do/read/", "count": 2},  # a read: retried
        {"kind": "reset", "path": "/do/update/", "count": 1},  # unknown Ready: read, then again
        {"kind": "error", "code": 66, "path": "/do/downloadErrors/", "count": 1},
    ]
    pardot.admin("POST", "/_sim/faults", {"script": script})
    before = set(target_sim.imports.jobs)
    cfg = {**config, "api_version": 3, "max_batch_bytes": 1500, "max_reject_rate": 0.1}
    records.append({"email": singer.email("skipped"), "first_name": "x", "city": "y",
                    "score": 1, "comments": "bad", "__bad": None})  # fmt: skip
    pardot.add_prospect(email=records[-1]["email"], deleted=True)  # Pardot skips this row
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state("done")]
    assert singer.run(cfg, messages) == [{"bookmarks": {"prospects": {"position": "done"}}}]
    assert pardot.admin("GET", "/_sim/state")["faults"]["script"] == []  # every fault was hit
    held = pardot.by_email(*emails)
    assert [len(held[e]) for e in emails] == [1] * len(emails)
    assert [held[e][0]["first_name"] for e in emails] == [f"F{i}" for i in range(60)]
    jobs = _new_jobs(target_sim, before)
    submitted = [j for j in jobs if j.submitted_at is not None]
    assert len(submitted) == 1  # the abandoned import was never set Ready: nothing of it applied
    assert (submitted[0].created_count, len(submitted[0].errors)) == (60, 1)
    assert [r["reason"].split(":")[0] for r in singer.rejects(config["rejects_path"])] == [
        "prospect_deleted"
    ]


def test_an_unknown_one_request_import_is_sent_again_without_duplicates(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    pardot.set_version(3)
    emails = [singer.email("once") for _ in range(5)]
    pardot.admin("POST", "/_sim/faults", {"script": [{"kind": "502", "path": "/do/create"}]})
    messages = [singer.schema(V3_PROPS), *singer.records([{"email": e} for e in emails])]
    singer.run({**config, "api_version": 3}, messages)
    assert [len(found) for found in pardot.by_email(*emails).values()] == [1] * 5


def test_refused_part_uploads_are_streamed_again_from_their_files(
    pardot: Any, config: dict[str, Any], singer: Any, target_sim: Any, tmp_path: Any
) -> None:
    # A 503 means Pardot did not take the part: the client sends the same spooled file again,
    # in the same import (no second import), and each part arrives whole.
    pardot.set_version(3)
    emails = [singer.email("stream") for _ in range(40)]
    records = [
        {"email": e, "first_name": f"S{i}", "comments": "z" * 40} for i, e in enumerate(emails)
    ]
    script = [
        {"kind": "503", "path": "/do/create", "count": 1},
        {"kind": "503", "path": "/do/batch/", "count": 2},
    ]
    pardot.admin("POST", "/_sim/faults", {"script": script})
    before = set(target_sim.imports.jobs)
    cfg = {**config, "api_version": 3, "max_batch_bytes": 1500}
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state("sent")]
    assert singer.run(cfg, messages) == [{"bookmarks": {"prospects": {"position": "sent"}}}]
    assert pardot.admin("GET", "/_sim/state")["faults"]["script"] == []  # all three were hit
    held = pardot.by_email(*emails)
    assert [(len(held[e]), held[e][0]["first_name"]) for e in emails] == [
        (1, f"S{i}") for i in range(40)
    ]
    (job,) = _new_jobs(target_sim, before)  # retried within the import, not sent anew
    assert sum(b.rows for b in job.batches) == 40
    assert len(job.batches) == 3  # ~1,450-byte parts of ~80-byte rows (emails vary in length)
    # The run's spool directory, parts and all, is gone once the run ends.
    assert [p.name for p in tmp_path.rglob("*") if p.name != "rejects.jsonl"] == []


@pytest.mark.slow
def test_a_run_killed_mid_import_then_rerun_holds_every_row_once(
    pardot: Any, config: dict[str, Any], singer: Any, target_sim: Any, tmp_path: Any
) -> None:
    import json
    import subprocess
    import sys
    import time

    pardot.set_version(3)
    emails = [singer.email("kill") for _ in range(40)]
    records = [{"email": e, "first_name": f"K{i}"} for i, e in enumerate(emails)]
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state("all")]
    cfg = {**config, "api_version": 3, "max_batch_bytes": 600, "poll_interval_seconds": 0.05}
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    (tmp_path / "input.jsonl").write_text("".join(json.dumps(m) + "\n" for m in messages))
    pardot.admin("POST", "/_sim/clock", {"speed": 0})  # the import waits until we say so
    before = set(target_sim.imports.jobs)
    command = [
        sys.executable,
        "-m",
        "target_pardot_import",
        "--config",
        str(tmp_path / "config.json"),
    ]
    with (tmp_path / "input.jsonl").open("rb") as stdin, (tmp_path / "err.log").open("wb") as err:
        process = subprocess.Popen(
            command,
            stdin=stdin, stdout=subprocess.PIPE, stderr=err,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not any(j.submitted_at for j in _new_jobs(target_sim, before)):
            assert process.poll() is None, "the target ended before its import was submitted"
            assert time.monotonic() < deadline, "no import was submitted"
            time.sleep(0.05)
        time.sleep(0.3)  # it is polling now
    finally:
        process.kill()
        out, _ = process.communicate(timeout=30)
    assert out == b""  # killed mid-import: no STATE went out
    assert [len(f) for f in pardot.by_email(*emails).values()] == [0] * 40  # not applied yet
    pardot.admin("POST", "/_sim/clock", {"speed": 600})
    assert singer.run(cfg, messages) == [{"bookmarks": {"prospects": {"position": "all"}}}]
    held = pardot.by_email(*emails)
    assert [len(held[e]) for e in emails] == [1] * 40
    assert [held[e][0]["first_name"] for e in emails] == [f"K{i}" for i in range(40)]
    applied = [j for j in _new_jobs(target_sim, before) if j.applied]
    assert [(j.created_count, j.updated_count) for j in applied] == [(40, 0), (0, 40)]
