"""The default reject policy: a few skipped rows never stop a pipeline, a re-run never writes a
reject twice, every reject carries its input line, and a broken setup still fails the run."""

from __future__ import annotations

from typing import Any

import pytest

from target_pardot_import.run import RejectRateExceededError

V3_PROPS: dict[str, Any] = {"email": {"type": "string"}, "first_name": {"type": ["string", "null"]}}


def test_a_row_pardot_skips_is_rejected_once_and_re_runs_go_on(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    pardot.set_version(3)
    emails = [singer.email("skip") for _ in range(20)]
    pardot.add_prospect(email=emails[7], deleted=True)  # Pardot skips this row
    records = [{"email": e, "first_name": f"R{i}"} for i, e in enumerate(emails)]
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state(20)]
    cfg = {**config, "api_version": 3}  # max_reject_rate left at its default
    for _ in range(2):  # the same rows again, as after a run whose STATE did not reach Meltano
        assert singer.run(cfg, messages) == [{"bookmarks": {"prospects": {"position": 20}}}]
    held = pardot.by_email(*emails)
    assert [len(held[e]) for e in emails] == [1] * 20
    assert [held[e][0]["_deleted"] for e in emails] == [False] * 7 + [True] + [False] * 12
    rejects = singer.rejects(config["rejects_path"])
    assert [(r["stage"], r["line"], r["stream"]) for r in rejects] == [("pardot", 9, "prospects")]
    assert rejects[0]["reason"].startswith("prospect_deleted: ")
    assert rejects[0]["record"]["email"] == emails[7]


def test_target_rejects_are_not_written_twice_by_a_re_run(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    pardot.set_version(3)
    emails = [singer.email("twice") for _ in range(5)]
    records = [{"email": e} for e in emails] + [{"email": "broken@"}, {"first_name": "no email"}]
    messages = [singer.schema(V3_PROPS), *singer.records(records)]
    for _ in range(3):
        singer.run({**config, "api_version": 3}, messages)
    rejects = singer.rejects(config["rejects_path"])
    assert [(r["line"], r["reason"].split(":")[0]) for r in rejects] == [
        (7, "email"), (8, "no email")
    ]  # fmt: skip
    assert [len(found) for found in pardot.by_email(*emails).values()] == [1] * 5


def test_a_broken_setup_still_fails_the_run_without_state(
    pardot: Any, config: dict[str, Any], singer: Any
) -> None:
    pardot.set_version(3)
    good = [singer.email("broken") for _ in range(20)]
    records = [{"email": e} for e in good] + [{"first_name": f"n{i}"} for i in range(130)]
    messages = [singer.schema(V3_PROPS), *singer.records(records), singer.state("x")]
    with pytest.raises(RejectRateExceededError, match="130 of 150 rows were rejected"):
        singer.run({**config, "api_version": 3}, messages)
    assert len(singer.rejects(config["rejects_path"])) == 130
