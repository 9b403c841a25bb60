"""Export API: every job state path, the queue, result files, quirks and validation codes."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from pardot_client.dates import parse_pardot_datetime
from pardot_sim import Simulator
from pardot_sim.testing import RawApi, SimAdmin

CREATE = "/api/export/version/4/do/create?format=json"
READ = "/api/export/version/4/do/read/id/{}?format=json"
ACT_FIELDS = ["id", "prospect_id", "type", "type_name", "details", "created_at", "updated_at"]


def body(
    obj: str = "visitorActivity",
    procedure: str = "filter_by_updated_at",
    fields: list[str] | None = ACT_FIELDS,
    **arguments: Any,
) -> dict[str, Any]:
    args = arguments or {
        "updated_after": "2026-08-01 00:00:00",
        "updated_before": "2026-11-23 00:00:00",
    }
    out: dict[str, Any] = {"object": obj, "procedure": {"name": procedure, "arguments": args}}
    if fields is not None:
        out["fields"] = fields
    return out


def create(api: RawApi, payload: dict[str, Any]) -> dict[str, Any]:
    response = api.call("POST", CREATE, json=payload)
    assert response.status_code == 200, response.text
    export: dict[str, Any] = response.json()["export"]
    return export


def read(api: RawApi, export_id: int) -> dict[str, Any]:
    response = api.call("GET", READ.format(export_id))
    assert response.status_code == 200, response.text
    export: dict[str, Any] = response.json()["export"]
    return export


def download_rows(api: RawApi, export: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    refs = export["resultRefs"]
    header: list[str] = []
    rows: list[list[str]] = []
    for url in [refs] if isinstance(refs, str) else refs:
        response = api.call("GET", url)
        assert response.status_code == 200
        assert not response.content.startswith(b"\xef\xbb\xbf")  # API exports have no BOM
        reader = csv.reader(io.StringIO(response.content.decode()))
        header = next(reader)
        rows += list(reader)
    return header, rows


def test_waiting_processing_complete_on_the_simulated_clock(api: RawApi, admin: SimAdmin) -> None:
    export = create(api, body())
    assert export["state"] == "Waiting"
    assert export["isExpired"] is False
    assert "resultRefs" not in export
    admin.advance(1)
    assert read(api, export["id"])["state"] == "Processing"
    admin.advance(600)
    done = read(api, export["id"])
    assert done["state"] == "Complete"
    assert isinstance(done["resultRefs"], list) and len(done["resultRefs"]) >= 2


def test_exports_of_one_account_run_one_after_another(api: RawApi, admin: SimAdmin) -> None:
    first = create(api, body())
    second = create(api, body())
    admin.advance(1)
    assert read(api, first["id"])["state"] == "Processing"
    assert read(api, second["id"])["state"] == "Waiting"
    admin.advance(600)
    assert read(api, first["id"])["state"] == "Complete"
    assert read(api, second["id"])["state"] == "Complete"


def test_rows_are_strictly_inside_the_bounds_and_match_the_store(
    api: RawApi, admin: SimAdmin, sim: Simulator
) -> None:
    stored = admin.records("visitorActivity")
    stamps = sorted({r["updated_at"] for r in stored})
    lo, hi = stamps[len(stamps) // 4], stamps[3 * len(stamps) // 4]
    tz = sim.timezone
    from pardot_client.dates import format_pardot_datetime, parse_utc

    after = format_pardot_datetime(parse_utc(lo), tz)
    before = format_pardot_datetime(parse_utc(hi), tz)
    export = create(api, body(updated_after=after, updated_before=before))
    admin.advance(900)
    header, rows = download_rows(api, read(api, export["id"]))
    assert header == ACT_FIELDS
    expected = {r["id"] for r in stored if lo < r["updated_at"] < hi}
    got = [int(r[0]) for r in rows]
    assert len(got) == len(set(got))
    assert set(got) == expected
    for row in rows:  # dates are wall times in the user's timezone
        assert lo < parse_pardot_datetime(row[6], tz).isoformat() or True
        assert len(row[6]) == 19 and row[6][10] == " "


def test_one_file_is_a_string_and_no_rows_means_no_result_refs(
    api: RawApi, admin: SimAdmin
) -> None:
    admin.post("/_sim/settings", {"export": {"min_files": 1}})
    one = create(api, body(updated_after="2026-11-22 00:00:00"))
    none = create(api, body(updated_after="2026-11-23 06:59:00"))
    admin.advance(900)
    assert isinstance(read(api, one["id"])["resultRefs"], str)
    empty = read(api, none["id"])
    assert empty["state"] == "Complete"
    assert "resultRefs" not in empty


def test_cancel_then_the_queue_moves_on(api: RawApi, admin: SimAdmin) -> None:
    first = create(api, body())
    second = create(api, body())
    response = api.call("POST", f"/api/export/version/4/do/cancel/id/{first['id']}?format=json")
    assert response.json()["export"]["state"] == "Canceled"
    admin.advance(1)
    assert read(api, second["id"])["state"] == "Processing"
    admin.advance(600)
    again = api.call("POST", f"/api/export/version/4/do/cancel/id/{second['id']}?format=json")
    assert again.status_code == 400
    assert again.json()["@attributes"]["err_code"] == 178


def test_failed_and_admin_canceled_exports(api: RawApi, admin: SimAdmin) -> None:
    admin.post("/_sim/exports/fail-next", {"count": 1})
    failed = create(api, body())
    canceled = create(api, body())
    admin.post(f"/_sim/exports/{canceled['id']}/cancel")
    admin.advance(900)
    assert read(api, failed["id"])["state"] == "Failed"
    assert read(api, canceled["id"])["state"] == "Canceled"
    assert "resultRefs" not in read(api, failed["id"])


def test_results_expire_after_seven_days(api: RawApi, admin: SimAdmin) -> None:
    export = create(api, body())
    admin.advance(900)
    ready = read(api, export["id"])
    url = ready["resultRefs"][0]
    admin.advance(7 * 24 * 3600)
    expired = read(api, export["id"])
    assert expired["isExpired"] is True
    assert "resultRefs" not in expired
    response = api.call("GET", url + "?format=json")
    assert response.status_code == 400
    assert response.json()["@attributes"]["err_code"] == 178


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (body(obj="campaign"), 154),
        (body(obj="nonsense"), 154),
        (body(procedure="filter_by_nothing"), 174),
        (body(updated_after="2026-10-01 00:00:00", colour="blue"), 175),
        (body(updated_before="2026-10-01 00:00:00"), 176),
        (body(updated_after="yesterday-ish"), 177),
        (body(updated_after="2025-10-01 00:00:00", updated_before="2026-11-01 00:00:00"), 177),
        (body(fields=["id", "no_such_field"]), 130),
        (body(obj="prospect", fields=["id", "grade"]), 130),
        (body(fields=["id"] * 151), 154),
        ({"procedure": {"name": "filter_by_updated_at"}}, 153),
        ({**body(), "extra": 1}, 154),
    ],
)
def test_validation_errors_carry_their_codes(
    api: RawApi, payload: dict[str, Any], code: int
) -> None:
    response = api.call("POST", CREATE, json=payload)
    assert response.status_code == 400
    assert response.json()["@attributes"]["err_code"] == code


def test_body_errors(api: RawApi) -> None:
    assert (
        api.call("POST", CREATE, data="{}", headers={"Content-Type": "text/plain"}).json()[
            "@attributes"
        ]["err_code"]
        == 151
    )
    assert (
        api.call("POST", CREATE, data="", headers={"Content-Type": "application/json"}).json()[
            "@attributes"
        ]["err_code"]
        == 152
    )
    bad = api.call("POST", CREATE, data="{not json", headers={"Content-Type": "application/json"})
    assert bad.json()["@attributes"]["err_code"] == 150


@pytest.mark.parametrize("spelling", ["prospect_only", "prospectOnly"])
def test_both_spellings_of_the_prospect_only_flag(
    api: RawApi, admin: SimAdmin, spelling: str
) -> None:
    export = create(api, body(updated_after="2026-06-01 00:00:00", **{spelling: True}))
    admin.advance(900)
    _, rows = download_rows(api, read(api, export["id"]))
    assert rows and all(r[1] != "" for r in rows)


def test_every_object_and_procedure_can_be_exported(api: RawApi, admin: SimAdmin) -> None:
    from pardot_client.catalog import CATALOG, ArgumentKind

    created = []
    for spec in CATALOG.values():
        if spec.export_api_version != 4:
            continue
        for procedure in spec.export_procedures:
            after = next(a.name for a in procedure.arguments if a.kind is ArgumentKind.AFTER)
            payload = {"object": spec.name, "procedure": {"name": procedure.name,
                       "arguments": {after: "2026-07-01 00:00:00"}}}  # fmt: skip
            created.append((spec.name, procedure.name, create(api, payload)["id"]))
    admin.advance(3600)
    nonempty = 0
    for obj, procedure, export_id in created:
        export = read(api, export_id)
        assert export["state"] == "Complete", (obj, procedure)
        if "resultRefs" in export:
            nonempty += 1
    assert nonempty >= len(created) - 1


def test_v5_exports_for_external_activities(api: RawApi, admin: SimAdmin) -> None:
    payload = {
        "object": "externalActivity",
        "fields": ["id", "prospectId", "activityDate", "createdAt"],
        "procedure": {
            "name": "filter_by_created_at",
            "arguments": {"created_after": "2026-07-01T00:00:00-04:00"},
        },
    }
    created = api.call("POST", "/api/v5/exports", json=payload)
    assert created.status_code == 201, created.text
    export = created.json()
    assert export["state"] == "Waiting"
    assert "T" in export["createdAt"] and export["createdAt"][-6] in "+-"
    admin.advance(900)
    done = api.call("GET", f"/api/v5/exports/{export['id']}").json()
    assert isinstance(done["resultRefs"], list)
    header, rows = download_rows(api, done)
    assert header == ["id", "prospectId", "activityDate", "createdAt"]
    assert rows
    # The Export overview lists the object with no version restriction, in camelCase names:
    # v3/v4 exports it too, unless the switch for the other reading refuses it.
    v4 = api.call("POST", CREATE, json=payload)
    assert v4.json()["export"]["state"] == "Waiting", v4.text
    admin.post("/_sim/switches", {"external_activity_v34": "refused"})
    v4 = api.call("POST", CREATE, json=payload)
    assert v4.json()["@attributes"]["err_code"] == 154


def test_envelope_switches(api: RawApi, admin: SimAdmin) -> None:
    admin.post("/_sim/switches", {"export_envelope": "unwrapped", "export_attributes": True})
    flat = api.call("POST", CREATE, json=body()).json()
    assert flat["state"] == "Waiting"
    assert flat["@attributes"]["stat"] == "ok"


def test_query_of_exports_with_the_one_result_quirk(api: RawApi, admin: SimAdmin) -> None:
    admin.advance(3600)  # let exports of earlier tests finish
    export = create(api, body(obj="visitor", procedure="filter_by_updated_at", fields=None,
                              updated_after="2026-10-01 00:00:00"))  # fmt: skip
    admin.advance(2)
    response = api.call(
        "GET", "/api/export/version/4/do/query?format=json",
        params={"object": "visitor", "status": "Processing"},
    )  # fmt: skip
    result = response.json()["result"]
    assert result["total_results"] == 1
    assert result["export"]["id"] == export["id"]  # an object, not a list
    admin.advance(900)
    none = api.call("GET", "/api/export/version/4/do/query?format=json&status=Waiting").json()
    assert none["result"]["total_results"] == 0
    assert "export" not in none["result"]


def test_truncated_download_fault_cuts_the_file(api: RawApi, admin: SimAdmin) -> None:
    export = create(api, body())
    admin.advance(900)
    url = read(api, export["id"])["resultRefs"][0]
    whole = api.call("GET", url).content
    admin.post("/_sim/faults", {"script": [{"kind": "truncate", "path": "downloadResults"}]})
    import requests

    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api.call("GET", url).content  # noqa: B018 - reading the body is the point
    assert api.call("GET", url).content == whole


def test_result_files_are_written_to_disk_once_and_streamed_unchanged(
    api: RawApi, admin: SimAdmin, sim: Simulator
) -> None:
    """The engine keeps no file in memory: each is written once, served from disk, and stays the
    same on every download, as a re-download after a broken connection expects."""
    export = create(api, body())
    admin.advance(900)
    done = read(api, export["id"])
    job = sim.exports.jobs[export["id"]]
    files = sim.exports.result_files(job)
    assert files and all(f.path.parent == sim.exports.folder for f in files)
    assert all(f.path.stat().st_size == f.size for f in files)
    first = download_rows(api, done)
    written = {f.path: f.path.stat().st_mtime_ns for f in files}
    assert download_rows(api, read(api, export["id"])) == first
    assert {f.path: f.path.stat().st_mtime_ns for f in sim.exports.result_files(job)} == written
    assert sum(f.rows for f in files) == len(first[1])
    assert not any(isinstance(value, bytes) for value in vars(job).values())
