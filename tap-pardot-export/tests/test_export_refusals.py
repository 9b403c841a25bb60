"""Where the docs allow two readings, the tap takes the documented one and survives the other.

Each case runs the tap against the simulator serving one reading (a switch) and checks what a
user would: the rows that came, the fields and versions Pardot was asked for, the one warning a
refusal costs (docs/pardot-api/exports.md#refusals).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from pardot_sim import Simulator
from pardot_sim.testing import SimAdmin

START = "2026-10-01T00:00:00Z"
UNDOCUMENTED = {"prospects": {"is_archived", "password"}, "visitors": {"prospect_id"}}


def _records(messages: list[dict[str, Any]], stream: str) -> dict[int, dict[str, Any]]:
    return {m["record"]["id"]: m["record"] for m in messages
            if m["type"] == "RECORD" and m["stream"] == stream}  # fmt: skip


def _new_jobs(sim: Simulator, before: set[int], obj: str) -> list[Any]:
    return [j for i, j in sorted(sim.exports.jobs.items()) if i not in before
            and j.spec.name == obj]  # fmt: skip


def _selecting(select: Any, config: dict[str, Any], stream: str, *fields: str) -> dict[str, Any]:
    """A catalog selecting `stream`, and `fields` of it explicitly."""
    catalog: dict[str, Any] = select(config, stream)
    entry = next(e for e in catalog["streams"] if e["tap_stream_id"] == stream)
    for item in entry["metadata"]:
        if item["breadcrumb"][-1:] and item["breadcrumb"][-1] in fields:
            item["metadata"]["selected"] = True
    return catalog


def _warnings(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelname == "WARNING" and text in r.getMessage()]  # fmt: skip


@pytest.mark.usefixtures("fast_clock")
def test_a_default_run_asks_only_for_documented_export_fields(
    sim: Simulator, run_tap: Any, tap_config: Any, select: Any
) -> None:
    before = set(sim.exports.jobs)
    config = tap_config(start_date=START)
    messages = run_tap(config, catalog=select(config, "prospects", "visitors"))
    for stream, obj in (("prospects", "prospect"), ("visitors", "visitor")):
        jobs = _new_jobs(sim, before, obj)
        assert jobs, stream
        for job in jobs:
            assert UNDOCUMENTED[stream].isdisjoint(job.header), (stream, job.header)
        assert _records(messages, stream), stream
        assert all(UNDOCUMENTED[stream].isdisjoint(r) for r in _records(messages, stream).values())


@pytest.mark.usefixtures("fast_clock")
@pytest.mark.parametrize("refusal", ["refused", "refused_unnamed"])
def test_a_refused_field_is_dropped_with_one_warning_and_the_rest_exported(
    sim: Simulator, admin: SimAdmin, run_tap: Any, tap_config: Any, select: Any,
    caplog: pytest.LogCaptureFixture, refusal: str,
) -> None:  # fmt: skip
    config = tap_config(start_date=START)
    catalog = _selecting(select, config, "prospects", "is_archived")
    reference = _records(run_tap(config, catalog=catalog), "prospects")
    assert reference and all("is_archived" in r for r in reference.values())

    admin.post("/_sim/switches", {"undocumented_export_fields": refusal})
    with caplog.at_level("WARNING"):
        got = _records(run_tap(config, catalog=catalog), "prospects")

    assert set(got) == set(reference)
    assert all({k: v for k, v in reference[i].items() if k != "is_archived"} == got[i] for i in got)
    warned = _warnings(caplog, "refused the export field")
    assert len(warned) == 1 and "is_archived" in warned[0], warned


@pytest.mark.usefixtures("fast_clock")
@pytest.mark.parametrize("v34", ["accepted", "refused"])
def test_external_activities_go_through_the_accounts_version_then_v5(
    sim: Simulator, admin: SimAdmin, run_tap: Any, tap_config: Any, select: Any,
    caplog: pytest.LogCaptureFixture, v34: str,
) -> None:  # fmt: skip
    admin.post("/_sim/switches", {"external_activity_v34": v34})
    before = set(sim.exports.jobs)
    config = tap_config(start_date=START)
    with caplog.at_level("WARNING"):
        messages = run_tap(config, catalog=select(config, "external_activities"))
    got = _records(messages, "external_activities")
    table = sim.account().store.table("externalActivity")
    stored = [table.as_dict(r) for r in table.rows.values()]
    want = {r["id"] for r in stored if START <= _iso(r["created_at"]) < "2026-11-23T12:00:00Z"}
    assert set(got) == want and want
    versions = {job.version for job in _new_jobs(sim, before, "externalActivity")}
    warned = _warnings(caplog, "v5 endpoints")
    if v34 == "accepted":
        assert versions == {4}
        assert warned == []
    else:
        assert versions == {5}
        assert len(warned) == 1


@pytest.mark.usefixtures("fast_clock")
@pytest.mark.parametrize("form", ["date", "datetime"])
def test_activity_dates_are_dates_whether_pardot_sends_a_date_or_a_datetime(
    sim: Simulator, admin: SimAdmin, run_tap: Any, tap_config: Any, select: Any, form: str
) -> None:
    admin.post("/_sim/switches", {"activity_date_format": form})
    config = tap_config(
        start_date="2026-09-01T00:00:00Z", export_window_days=10,
        procedures={"external_activities": "filter_by_activity_date"},
    )  # fmt: skip
    got = _records(run_tap(config, catalog=select(config, "external_activities")),
                   "external_activities")  # fmt: skip
    table = sim.account().store.table("externalActivity")
    stored = {i: table.as_dict(r)["activity_date"] for i, r in table.rows.items()}
    want = {i for i, day in stored.items() if "2026-09-01" <= day < "2026-11-23"}
    assert set(got) == want and want
    for row_id, record in got.items():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["activity_date"]), record
        assert record["activity_date"] == stored[row_id]


@pytest.mark.usefixtures("fast_clock")
def test_prospect_accounts_carry_the_fields_the_account_describes(
    sim: Simulator, run_tap: Any, tap_config: Any, select: Any
) -> None:
    config = tap_config(start_date="2026-01-01T00:00:00Z")
    messages = run_tap(config, catalog=select(config, "prospect_accounts"))
    schema = next(m["schema"] for m in messages
                  if m["type"] == "SCHEMA" and m["stream"] == "prospect_accounts")  # fmt: skip
    assert {"region__c", "seats_purchased__c", "account_tier__c"} <= set(schema["properties"])
    assert "number" in schema["properties"]["seats_purchased__c"]["type"]
    got = _records(messages, "prospect_accounts")
    table = sim.account().store.table("prospectAccount")
    assert got
    for row_id, record in got.items():
        stored = table.as_dict(table.rows[row_id])
        assert record["region__c"] == stored["region__c"]
        seats = stored["seats_purchased__c"]
        assert (record["seats_purchased__c"] is None) == (seats is None)
        if seats is not None:
            assert int(record["seats_purchased__c"]) == int(seats)


def _iso(epoch: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_what_the_stream_cannot_do_without_or_already_dropped_is_left_to_fail() -> None:
    """The id and the bookmark field are never dropped, and nothing is dropped twice, so a
    refusal the rules cannot meet fails with Pardot's text instead of looping."""
    import logging

    from pardot_client import PardotApiError
    from pardot_client.catalog import get_object
    from tap_pardot_export.export.refusals import ExportRefusals

    refusals = ExportRefusals("prospects", get_object("prospect"), logging.getLogger("test"))
    fields = ["id", "email", "updated_at"]
    kept = ("id", "updated_at")
    text = "Pardot error 130 on export.create: One or more of the specified fields are invalid"
    assert not refusals.handle(PardotApiError(f"{text}: id", code=130), optional_arguments=[],
                               fields=fields, kept=kept)  # fmt: skip
    email = PardotApiError(f"{text}: email", code=130)
    assert refusals.handle(email, optional_arguments=[], fields=fields, kept=kept)
    left = refusals.fields(fields)
    assert left == ["id", "updated_at"]
    assert not refusals.handle(email, optional_arguments=[], fields=left, kept=kept)
    unnamed = PardotApiError(text, code=130)  # nothing undocumented or custom left to drop
    assert not refusals.handle(unnamed, optional_arguments=[], fields=left, kept=kept)
