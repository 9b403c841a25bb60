"""The simulated Import API (v3/v4) over real HTTP: flow, limits, errors and what Pardot ends up
holding (checked through the admin records endpoint).

One simulator serves the module; each test makes its own prospects and imports, and the
`_reset` fixture puts switches, settings and the API version back after every test.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any

import pytest
import requests

from pardot_client.catalog import CATALOG, FieldType
from pardot_client.dates import to_utc_iso
from pardot_sim.imports import ImportSettings, ValueReader
from pardot_sim.simulator import Simulator
from pardot_sim.switches import Switches
from pardot_sim.testing import serving

START = 1_717_243_200  # 2024-06-01 12:00:00 UTC, 08:00 in New York
_unique = itertools.count(1)


class Client:
    """Just enough of a Pardot client: OAuth token, BU header, one retry on 401."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.url = sim.url
        self.config = sim.config()
        self.bu = self.config["business_unit_id"]
        self.session = requests.Session()
        self.token = ""

    def close(self) -> None:
        self.session.close()

    def _login(self) -> None:
        data = {
            "grant_type": "refresh_token",
            "client_id": self.config["client_id"],
            "client_secret": self.config["client_secret"],
            "refresh_token": self.config["refresh_token"],
        }
        with self.session.post(f"{self.url}/services/oauth2/token", data=data) as response:
            assert response.status_code == 200, response.text
            self.token = response.json()["access_token"]

    def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any, dict[str, str]]:
        """An API call: status, body (JSON, text for CSV/XML, None when empty), headers."""
        url = path if path.startswith("http") else f"{self.url}{path}"
        params = {"format": "json", **kwargs.pop("params", {})}
        extra = kwargs.pop("headers", {})
        for _ in range(2):
            if not self.token:
                self._login()
            headers = {"Authorization": f"Bearer {self.token}", "Pardot-Business-Unit-Id": self.bu}
            headers.update(extra)
            with self.session.request(
                method, url, params=params, headers=headers, **kwargs
            ) as response:
                if response.status_code == 401:
                    self.token = ""
                    continue
                return response.status_code, _body(response), dict(response.headers)
        raise AssertionError("still 401 after a new token")

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        with self.session.request(method, f"{self.url}{path}", json=body) as response:
            assert response.status_code == 200, response.text
            return response.json()

    # -- Import API -----------------------------------------------------------------------------

    def create(self, body: dict[str, Any], csv_data: bytes | None = None, v: int = 4) -> Any:
        path = f"/api/import/version/{v}/do/create"
        if csv_data is None:
            return self.call("POST", path, json=body)
        files = {
            "importInput": (None, json.dumps(body), "application/json"),
            "importFile": ("batch.csv", csv_data, "text/csv"),
        }
        return self.call("POST", path, files=files)

    def batch(self, import_id: int, csv_data: bytes, v: int = 4) -> Any:
        files = {"importFile": ("batch.csv", csv_data, "text/csv")}
        return self.call("POST", f"/api/import/version/{v}/do/batch/id/{import_id}", files=files)

    def ready(self, import_id: int, v: int = 4) -> Any:
        path = f"/api/import/version/{v}/do/update/id/{import_id}"
        return self.call("PATCH", path, json={"state": "Ready"})

    def read(self, import_id: int, v: int = 4) -> dict[str, Any]:
        status, body, _ = self.call("GET", f"/api/import/version/{v}/do/read/id/{import_id}")
        assert status == 200, body
        return _unwrap(body)

    def errors(self, import_id: int, v: int = 4) -> list[list[str]]:
        path = f"/api/import/version/{v}/do/downloadErrors/id/{import_id}"
        status, body, headers = self.call("GET", path)
        assert status == 200, body
        assert headers["Content-Type"].startswith("text/csv")
        return list(csv.reader(io.StringIO(body, newline="")))

    def query(self, v: int = 4, **params: Any) -> tuple[int, Any]:
        status, body, _ = self.call("GET", f"/api/import/version/{v}/do/query", params=params)
        return status, body

    def run(self, body: dict[str, Any], csv_data: bytes, v: int = 4) -> dict[str, Any]:
        """One-request import (file + Ready), polled to Complete."""
        status, created, _ = self.create({**body, "state": "Ready"}, csv_data, v=v)
        assert status == 200, created
        return self.finish(_unwrap(created)["id"], v=v)

    def finish(self, import_id: int, v: int = 4) -> dict[str, Any]:
        for _ in range(20):
            record = self.read(import_id, v=v)
            if record["state"] == "Complete":
                return record
            self.advance(60)
        raise AssertionError(f"import {import_id} never completed: {record}")

    # -- admin ----------------------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        self.admin("POST", "/_sim/clock", {"advance": seconds})

    def records(self, *ids: int) -> dict[int, dict[str, Any]]:
        path = f"/_sim/accounts/{self.bu}/records/prospect?ids={','.join(map(str, ids))}"
        return {r["id"]: r for r in self.admin("GET", path)["records"]}

    def switch(self, **changes: Any) -> None:
        self.admin("POST", "/_sim/switches", changes)

    def settings(self, **changes: Any) -> None:
        self.admin("POST", "/_sim/settings", {"import": changes})

    def add_prospect(self, *, deleted: bool = False, **values: Any) -> int:
        """A prospect made in-process (the admin API has no insert), updated an hour ago."""
        now = int(self.admin("GET", "/_sim/state")["now"])
        table = self.sim.account().store.table("prospect")
        row_id = table.insert({"created_at": now - 7200, "updated_at": now - 3600, **values})
        if deleted:
            table.delete(row_id)
        return row_id


def _body(response: requests.Response) -> Any:
    if not response.content:
        return None
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return response.json()
    return response.content.decode()


def _unwrap(body: dict[str, Any]) -> dict[str, Any]:
    return body["import"] if "import" in body and isinstance(body["import"], dict) else body


def make_csv(header: list[str], *rows: Sequence[Any]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def email(tag: str) -> str:
    """An email no other test (nor the generated data) uses."""
    return f"{tag}.{next(_unique)}@imports-test.example.com"


UPSERT = {"operation": "Upsert", "object": "Prospect"}


@pytest.fixture(scope="module")
def simulator() -> Iterator[Simulator]:
    """A simulator of its own: imports change prospects, which the shared one must not see."""
    yield from serving(start=START)


@pytest.fixture
def pardot(simulator: Simulator) -> Iterator[Client]:
    client = Client(simulator)
    try:
        yield client
    finally:
        client.advance(3600)  # whatever a test left queued completes before the next one
        client.admin("POST", "/_sim/imports/settle")
        client.switch(**Switches().as_dict())
        client.admin("POST", "/_sim/settings", {"import": asdict(ImportSettings())})
        client.admin("POST", f"/_sim/accounts/{client.bu}", {"api_version": 4})
        client.close()


# -- flow -----------------------------------------------------------------------------------------


def test_single_request_create_with_file_and_ready(pardot: Client) -> None:
    known_email = email("known")
    known = pardot.add_prospect(email=known_email, first_name="Old", company="Acme")
    new_email = email("new")
    data = make_csv(
        ["prospect_id", "salesforce_fid", "email", "first_name", "score"],
        [known, "", known_email, "Updated", "12"],
        ["", "00QImp0000000001", new_email, "Created", ""],
    )
    status, body, _ = pardot.create({**UPSERT, "state": "Ready"}, data)
    assert status == 200
    assert set(body) == {"id", "state", "isExpired"}
    assert body["state"] == "Waiting"
    assert body["isExpired"] is False
    record = pardot.finish(body["id"])
    assert record["createdCount"] == 1
    assert record["updatedCount"] == 1
    assert "errorCount" not in record
    assert "errorsRef" not in record
    assert "batchesRef" not in record
    stored = pardot.records(known)[known]
    assert stored["first_name"] == "Updated"
    assert stored["score"] == 12
    assert stored["company"] == "Acme"  # not in the CSV: untouched
    assert stored["email"] == known_email
    created = pardot.admin("GET", f"/_sim/accounts/{pardot.bu}/records/prospect")["records"]
    mine = [r for r in created if r["email"] == new_email]
    assert len(mine) == 1
    assert mine[0]["first_name"] == "Created"
    assert mine[0]["crm_lead_fid"] == "00QImp0000000001"
    assert mine[0]["created_at"] == mine[0]["updated_at"]
    assert mine[0]["is_do_not_email"] is False


def test_blank_cell_clears_by_default(pardot: Client) -> None:
    known = pardot.add_prospect(email=email("blank"), city="Paris", company="Acme")
    data = make_csv(["prospect_id", "city"], [known, ""])
    record = pardot.run(UPSERT, data)
    assert record["updatedCount"] == 1
    stored = pardot.records(known)[known]
    assert stored["city"] is None
    assert stored["company"] == "Acme"


def test_multi_batch_import(pardot: Client) -> None:
    status, body, _ = pardot.create({**UPSERT, "restoreDeleted": False})
    assert status == 200
    import_id = body["id"]
    assert body["state"] == "Open"
    assert body["isExpired"] is False
    assert body["batchesRef"] == f"{pardot.url}/api/import/version/4/do/batch/id/{import_id}"
    header = ["salesforce_fid", "email", "last_name"]
    emails = []
    for number in range(3):
        rows = []
        for row in range(3):
            address = email(f"multi{number}{row}")
            emails.append(address)
            rows.append([f"00Qmulti{number}{row}", address, f"L{number}{row}"])
        status, content, _ = pardot.call(
            "POST", body["batchesRef"], files={"importFile": ("b.csv", make_csv(header, *rows))}
        )
        assert status == 204
        assert content is None
    record = pardot.read(import_id)
    assert record["state"] == "Open"
    assert "batchesRef" in record
    status, submitted, _ = pardot.ready(import_id)
    assert status == 200
    assert submitted == {"id": import_id, "state": "Waiting", "isExpired": False}
    assert pardot.read(import_id)["state"] == "Waiting"
    pardot.advance(10)
    assert pardot.read(import_id)["state"] == "Processing"
    record = pardot.finish(import_id)
    assert record == {
        "id": import_id, "state": "Complete", "isExpired": False,
        "createdCount": 9, "updatedCount": 0,
    }  # fmt: skip
    stored = pardot.admin("GET", f"/_sim/accounts/{pardot.bu}/records/prospect")["records"]
    by_email = {r["email"]: r for r in stored}
    assert all(address in by_email for address in emails)
    assert by_email[emails[4]]["last_name"] == "L11"
    # Reading again never applies the rows twice.
    assert pardot.read(import_id)["createdCount"] == 9
    again = pardot.admin("GET", f"/_sim/accounts/{pardot.bu}/records/prospect")["records"]
    assert len(again) == len(stored)


def test_imports_queue_one_after_another_and_admin_settle(pardot: Client) -> None:
    pardot.settings(base_seconds=100, queue_seconds=0)
    first_id = pardot.add_prospect(email=email("q1"), first_name="A")
    ids = []
    for name in ("B", "C"):
        status, body, _ = pardot.create(
            {**UPSERT, "state": "Ready"}, make_csv(["prospect_id", "first_name"], [first_id, name])
        )
        assert status == 200
        ids.append(body["id"])
    pardot.advance(50)
    assert [pardot.read(i)["state"] for i in ids] == ["Processing", "Waiting"]
    pardot.advance(100)
    assert [pardot.read(i)["state"] for i in ids] == ["Complete", "Processing"]
    assert pardot.records(first_id)[first_id]["first_name"] == "B"
    pardot.advance(100)
    settled = pardot.admin("POST", "/_sim/imports/settle", {})
    assert settled["settled"][pardot.bu] == [ids[1]]
    assert pardot.records(first_id)[first_id]["first_name"] == "C"
    assert pardot.admin("POST", "/_sim/imports/settle")["settled"][pardot.bu] == []


# -- column options, restore, matching ------------------------------------------------------------


def test_column_options_overwrite_and_null_overwrite(pardot: Client) -> None:
    values: dict[str, Any] = {
        "first_name": "KeepMe", "last_name": "KeepMeToo", "company": "OldCo", "city": "OldCity",
        "job_title": None, "phone": "555", "fax": "999",
    }  # fmt: skip
    one = pardot.add_prospect(email=email("opt1"), **values)
    two = pardot.add_prospect(email=email("opt2"), **values)
    header = ["prospect_id", "first_name", "last_name", "company", "city", "job_title", "phone"]
    columns = [
        {"field": "prospect_id"},
        {"field": "first_name", "overwrite": False},
        {"field": "last_name", "nullOverwrite": False},
        {"field": "company", "overwrite": True, "nullOverwrite": True},
        {"field": "city", "nullOverwrite": False},
        {"field": "job_title", "overwrite": False},
        {"field": "phone", "overwrite": False, "nullOverwrite": True},
    ]
    data = make_csv(
        header,
        [one, "New", "", "NewCo", "NewCity", "Filled", ""],
        [two, "New", "NewLast", "", "", "", "111"],
    )
    record = pardot.run({**UPSERT, "columns": columns}, data)
    assert record["updatedCount"] == 2
    stored = pardot.records(one, two)
    assert stored[one]["first_name"] == "KeepMe"  # overwrite false keeps a non-blank value
    assert stored[one]["last_name"] == "KeepMeToo"  # nullOverwrite false: blank never blanks
    assert stored[one]["company"] == "NewCo"
    assert stored[one]["city"] == "NewCity"
    assert stored[one]["job_title"] == "Filled"  # overwrite false still fills a blank
    assert stored[one]["phone"] == "555"
    assert stored[one]["fax"] == "999"  # not a CSV column
    assert stored[two]["first_name"] == "KeepMe"
    assert stored[two]["last_name"] == "NewLast"
    assert stored[two]["company"] is None  # defaults: a blank value clears
    assert stored[two]["city"] == "OldCity"
    assert stored[two]["job_title"] is None
    assert stored[two]["phone"] == "555"


def test_column_options_are_ignored_on_create(pardot: Client) -> None:
    address = email("optcreate")
    columns = [
        {"field": "salesforce_fid"},
        {"field": "email"},
        {"field": "first_name", "overwrite": False, "nullOverwrite": False},
    ]
    data = make_csv(["salesforce_fid", "email", "first_name"], ["00Qoptcreate", address, "Ann"])
    record = pardot.run({**UPSERT, "columns": columns}, data)
    assert record["createdCount"] == 1
    stored = pardot.admin("GET", f"/_sim/accounts/{pardot.bu}/records/prospect")["records"]
    assert [r["first_name"] for r in stored if r["email"] == address] == ["Ann"]


@pytest.mark.parametrize("restore", [True, False])
def test_restore_deleted(pardot: Client, restore: bool) -> None:
    gone = pardot.add_prospect(email=email("gone"), first_name="Before", deleted=True)
    live = pardot.add_prospect(email=email("live"), first_name="Before")
    data = make_csv(["prospect_id", "first_name"], [gone, "After"], [live, "After"])
    record = pardot.run({**UPSERT, "restoreDeleted": restore}, data)
    stored = pardot.records(gone, live)
    assert stored[live]["first_name"] == "After"
    if restore:
        assert record["updatedCount"] == 2
        assert "errorCount" not in record
        assert stored[gone]["_deleted"] is False
        assert stored[gone]["first_name"] == "After"
    else:
        assert record["updatedCount"] == 1
        assert record["errorCount"] == 1
        assert stored[gone]["_deleted"] is True
        assert stored[gone]["first_name"] == "Before"
        rows = pardot.errors(record["id"])
        assert rows[1][:3] == [str(gone), "After", "prospect_deleted"]


def test_v3_matches_by_email(pardot: Client) -> None:
    pardot.admin("POST", f"/_sim/accounts/{pardot.bu}", {"api_version": 3})
    shared = email("Shared")
    older = pardot.add_prospect(email=shared, first_name="Older", updated_at=START - 9000)
    newer = pardot.add_prospect(email=shared.upper(), first_name="Newer", updated_at=START - 10)
    trashed = pardot.add_prospect(email=shared, first_name="Trash", deleted=True)
    fresh = email("fresh")
    data = make_csv(
        ["email", "first_name"],
        [shared.lower(), "Matched"],
        [fresh, "Created"],
        [fresh.upper(), "Matched the row above"],
        ["", "No email"],
        ["not-an-email", "Bad"],
    )
    record = pardot.run(UPSERT, data, v=3)
    assert record["createdCount"] == 1
    assert record["updatedCount"] == 2
    assert record["errorCount"] == 2
    assert record["errorsRef"].endswith(
        f"/api/import/version/3/do/downloadErrors/id/{record['id']}"
    )
    stored = pardot.records(older, newer, trashed)
    assert stored[newer]["first_name"] == "Matched"  # the most recently updated one
    assert stored[older]["first_name"] == "Older"
    assert stored[trashed]["first_name"] == "Trash"
    everyone = pardot.admin("GET", f"/_sim/accounts/{pardot.bu}/records/prospect")["records"]
    made = [r for r in everyone if (r["email"] or "").lower() == fresh]
    assert len(made) == 1
    assert made[0]["first_name"] == "Matched the row above"
    kinds = [row[-2] for row in pardot.errors(record["id"], v=3)[1:]]
    assert kinds == ["missing_email", "invalid_email"]
    # v4 match columns mean nothing to a v3 account.
    status, body, _ = pardot.create(UPSERT, make_csv(["prospect_id", "email"], ["1", fresh]), v=3)
    assert (status, body["@attributes"]["err_code"]) == (400, 130)


def test_v4_matches_by_prospect_id_or_salesforce_fid(pardot: Client) -> None:
    by_id = pardot.add_prospect(email=email("byid"), first_name="A")
    by_contact = pardot.add_prospect(
        email=email("bycontact"), first_name="B", crm_contact_fid="003contact0001"
    )
    by_lead = pardot.add_prospect(email=email("bylead"), first_name="C", crm_lead_fid="00Qlead0001")
    same_email = pardot.add_prospect(email=email("other"), first_name="D")
    new_contact = email("newcontact")
    data = make_csv(
        ["prospect_id", "salesforce_fid", "email", "first_name"],
        [by_id, "003ignored", "", "A2"],
        ["", "003contact0001", "", "B2"],
        ["", "00Qlead0001", "", "C2"],
        ["", "003newcontact", new_contact, "E"],
        ["", "003nomail", "", "no email to create"],
        ["999999999", "", "", "unknown id"],
        ["", "", pardot.records(same_email)[same_email]["email"], "no match key"],
        ["abc", "", "", "bad id"],
    )
    record = pardot.run(UPSERT, data)
    assert (record["createdCount"], record["updatedCount"], record["errorCount"]) == (1, 3, 4)
    stored = pardot.records(by_id, by_contact, by_lead, same_email)
    assert [stored[i]["first_name"] for i in (by_id, by_contact, by_lead, same_email)] == [
        "A2", "B2", "C2", "D",
    ]  # fmt: skip
    everyone = pardot.admin("GET", f"/_sim/accounts/{pardot.bu}/records/prospect")["records"]
    made = [r for r in everyone if r["email"] == new_contact]
    assert len(made) == 1
    assert made[0]["crm_contact_fid"] == "003newcontact"
    assert made[0]["crm_lead_fid"] is None
    errors = pardot.errors(record["id"])
    assert errors[0] == [
        "prospect_id", "salesforce_fid", "email", "first_name", "error_type", "error_description",
    ]  # fmt: skip
    assert [(row[3], row[4]) for row in errors[1:]] == [
        ("no email to create", "missing_email"),
        ("unknown id", "prospect_not_found"),
        ("no match key", "no_match_key"),
        ("bad id", "invalid_value"),
    ]


# -- limits and upload errors --------------------------------------------------------------------


def _code(body: Any) -> int:
    return int(body["@attributes"]["err_code"])


def test_eleventh_batch_is_refused_with_160(pardot: Client) -> None:
    _, body, _ = pardot.create(UPSERT)
    data = make_csv(["salesforce_fid", "email"], ["00Qlimit", email("limit")])
    for _ in range(10):
        assert pardot.batch(body["id"], data)[0] == 204
    status, error, _ = pardot.batch(body["id"], data)
    assert (status, _code(error)) == (400, 160)
    assert pardot.ready(body["id"])[0] == 200


def test_batch_size_limit(pardot: Client) -> None:
    _, body, _ = pardot.create(UPSERT)
    header = b"salesforce_fid,comments\n"
    limit = ImportSettings().max_batch_bytes
    assert limit == 10 * 1024 * 1024
    row = b"00Qsize," + b"x" * 1000 + b"\n"
    too_big = header + row * (limit // len(row) + 1)
    assert len(too_big) >= limit
    status, error, _ = pardot.batch(body["id"], too_big)
    assert (status, _code(error)) == (413, 158)
    just_under = too_big[: limit - 1]
    just_under = just_under[: just_under.rindex(b"\n") + 1]
    assert pardot.batch(body["id"], just_under)[0] == 204
    # The limit is a setting: at exactly the limit a batch is refused.
    pardot.settings(max_batch_bytes=len(header + row))
    assert _code(pardot.batch(body["id"], header + row)[1]) == 158
    assert pardot.batch(body["id"], header + row[:-2] + b"\n")[0] == 204


def test_header_must_match_the_first_batch(pardot: Client) -> None:
    _, body, _ = pardot.create(UPSERT)
    first = make_csv(["salesforce_fid", "email"], ["00Qhdr", email("hdr")])
    assert pardot.batch(body["id"], first)[0] == 204
    reordered = make_csv(["email", "salesforce_fid"], [email("hdr"), "00Qhdr2"])
    status, error, _ = pardot.batch(body["id"], reordered)
    assert (status, _code(error)) == (400, 159)
    other = make_csv(["salesforce_fid", "first_name"], ["00Qhdr3", "X"])
    assert _code(pardot.batch(body["id"], other)[1]) == 159


@pytest.mark.parametrize(
    "column", ["bogus", "grade", "id", "created_at", "firstName", "crm_lead_fid", ""]
)
def test_unknown_csv_column_is_130(pardot: Client, column: str) -> None:
    data = make_csv(["prospect_id", column], ["1", "x"])
    status, error, _ = pardot.create(UPSERT, data)
    assert (status, _code(error)) == (400, 130)
    _, body, _ = pardot.create(UPSERT)
    assert _code(pardot.batch(body["id"], data)[1]) == 130


def test_custom_fields_are_importable(pardot: Client) -> None:
    table = pardot.sim.account().store.table("prospect")
    custom = next((c for c in table.columns if CATALOG["prospect"].field(c) is None), None)
    if custom is None:
        table.add_column("Imports_Test_Custom")
        custom = "Imports_Test_Custom"
    known = pardot.add_prospect(email=email("custom"))
    record = pardot.run(UPSERT, make_csv(["prospect_id", custom], [known, "Blue, 42"]))
    assert record["updatedCount"] == 1
    assert pardot.records(known)[known][custom] == "Blue, 42"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"salesforce_fid,email\n",
        b"salesforce_fid,email\n00Qx,a@b.example.com,extra\n",
        b"salesforce_fid,email\n00Qx\n",
        b'salesforce_fid,email\n00Qx,"unterminated\n',
        b"salesforce_fid,salesforce_fid\n00Qx,00Qy\n",
        b"salesforce_fid,first_name\n00Qx,\xff\xfe\n",
    ],
)
def test_invalid_csv_is_159(pardot: Client, data: bytes) -> None:
    _, body, _ = pardot.create(UPSERT)
    status, error, _ = pardot.batch(body["id"], data)
    assert (status, _code(error)) == (400, 159)


def test_daily_batch_limit_164(pardot: Client, simulator: Simulator) -> None:
    now = pardot.admin("GET", "/_sim/state")["now"]
    pardot.advance(simulator.account().next_reset(now) - now + 60)  # a day nothing was uploaded on
    pardot.settings(daily_batch_limit=2)
    data = make_csv(["salesforce_fid", "email"], ["00Qdaily", email("daily")])
    assert pardot.create(UPSERT, data)[0] == 200
    _, body, _ = pardot.create(UPSERT)
    assert pardot.batch(body["id"], data)[0] == 204
    status, error, _ = pardot.batch(body["id"], data)
    assert (status, _code(error)) == (400, 164)
    assert _code(pardot.create(UPSERT, data)[1]) == 164
    pardot.advance(24 * 3600 - 30)  # the next account-local day, before the import expires
    assert pardot.batch(body["id"], data)[0] == 204


def test_state_errors_after_ready(pardot: Client) -> None:
    status, body, _ = pardot.create(UPSERT)
    assert _code(pardot.ready(body["id"])[1]) == 156  # no data yet
    data = make_csv(["salesforce_fid", "email"], ["00Qstate", email("state")])
    assert pardot.batch(body["id"], data)[0] == 204
    assert pardot.ready(body["id"])[0] == 200
    status, error, _ = pardot.batch(body["id"], data)
    assert (status, _code(error)) == (400, 161)  # batches only while Open (documented 161)
    status, error, _ = pardot.ready(body["id"])
    assert (status, _code(error)) == (400, 155)
    status, error, _ = pardot.call(
        "GET", f"/api/import/version/4/do/downloadErrors/id/{body['id']}"
    )
    assert (status, _code(error)) == (400, 161)
    status, error, _ = pardot.call("GET", "/api/import/version/4/do/read/id/99999999")
    assert (status, _code(error)) == (404, 16)  # documented "Invalid ID" (11: a user's email)


def test_create_validation(pardot: Client) -> None:
    path = "/api/import/version/4/do/create"
    data = make_csv(["salesforce_fid", "email"], ["00Qval", email("val")])

    def code(**kwargs: Any) -> int:
        return _code(pardot.call("POST", path, **kwargs)[1])

    assert code(data="x", headers={"Content-Type": "text/plain"}) == 151
    assert code(data=b"", headers={"Content-Type": "application/json"}) == 152
    assert code(data=b"{nope", headers={"Content-Type": "application/json"}) == 150
    assert code(json=[UPSERT]) == 150
    assert code(json={"object": "Prospect"}) == 153
    assert code(json={"operation": "Upsert"}) == 153
    assert code(json={**UPSERT, "operation": "Insert"}) == 154
    assert code(json={**UPSERT, "object": "Visitor"}) == 154
    assert code(json={**UPSERT, "restoreDeleted": "yes"}) == 154
    assert code(json={**UPSERT, "state": "Complete"}) == 154
    assert code(json={**UPSERT, "fields": ["email"]}) == 154
    assert code(json={**UPSERT, "columns": "email"}) == 165
    assert code(json={**UPSERT, "columns": [{"overwrite": True}]}) == 165
    assert code(json={**UPSERT, "columns": [{"field": "email", "overwrite": "no"}]}) == 165
    assert code(json={**UPSERT, "columns": [{"field": "email"}, {"field": "email"}]}) == 165
    assert code(json={**UPSERT, "columns": [{"field": "nonsense"}]}) == 227
    assert code(json={**UPSERT, "state": "Ready"}) == 156
    assert code(files={"importInput": (None, json.dumps({**UPSERT, "state": "Ready"}))}) == 162
    assert code(files={"importFile": ("a.csv", data)}) == 153
    two_files = [
        ("importInput", (None, json.dumps(UPSERT))),
        ("importFile", ("a.csv", data)),
        ("importFile", ("b.csv", data)),
    ]
    assert code(files=two_files) == 163
    one_column = [{"field": "salesforce_fid"}]
    assert pardot.create({**UPSERT, "columns": one_column}, data)[1]["@attributes"] == {
        "stat": "fail", "version": 1, "err_code": 226,
    }  # fmt: skip
    wrong_column = [{"field": "salesforce_fid"}, {"field": "first_name"}]
    assert _code(pardot.create({**UPSERT, "columns": wrong_column}, data)[1]) == 227
    # An accepted input lowercases nothing it stores, and a file without Ready stays Open.
    status, body, _ = pardot.create({**UPSERT, "operation": "upsert"}, data)
    assert status == 200
    assert body["state"] == "Open"
    assert "batchesRef" in body


def test_batch_needs_exactly_one_import_file(pardot: Client) -> None:
    _, body, _ = pardot.create(UPSERT)
    path = f"/api/import/version/4/do/batch/id/{body['id']}"
    data = make_csv(["salesforce_fid", "email"], ["00Qone", email("one")])
    status, error, _ = pardot.call("POST", path, files={"file": ("a.csv", data)})
    assert (status, _code(error)) == (400, 162)
    two = [("importFile", ("a.csv", data)), ("importFile", ("b.csv", data))]
    assert _code(pardot.call("POST", path, files=two)[1]) == 163
    assert _code(pardot.call("POST", path, json={"a": 1})[1]) == 151


# -- row errors, values, escaping -----------------------------------------------------------------


@pytest.mark.parametrize("layout", ["appended", "prefixed"])
def test_row_errors_csv_layouts(pardot: Client, layout: str) -> None:
    pardot.switch(error_csv_layout=layout)
    good = pardot.add_prospect(email=email("good"))
    header = ["prospect_id", "email", "score", "comments"]
    rows: list[list[Any]] = [
        [good, "", "5", "fine"],
        [good, "not an email", "5", "bad email, with comma"],
        ["", email("nokey"), "5", 'no "match" key'],
        [good, "", "five", "bad score"],
        [good, "", "", "fine again"],
    ]
    record = pardot.run(UPSERT, make_csv(header, *rows))
    assert (record["updatedCount"], record["errorCount"]) == (2, 3)
    errors = pardot.errors(record["id"])
    expected = [
        ("invalid_email", rows[1]),
        ("no_match_key", rows[2]),
        ("invalid_value", rows[3]),
    ]
    if layout == "appended":
        assert errors[0] == [*header, "error_type", "error_description"]
        assert [(r[4], r[:4]) for r in errors[1:]] == [
            (kind, [str(c) for c in row]) for kind, row in expected
        ]
        assert "score" in errors[3][5]
    else:
        assert errors[0] == ["error_type", "error_description", *header]
        assert [(r[0], r[2:]) for r in errors[1:]] == [
            (kind, [str(c) for c in row]) for kind, row in expected
        ]
    assert pardot.records(good)[good]["score"] is None  # the last good row blanked it


@pytest.mark.parametrize(
    ("layout", "header", "extra"),
    [
        ("title_case", ["prospect_id", "comments", "Error Type", "Error Description"], 2),
        ("camel_case", ["prospect_id", "comments", "errorType", "errorDescription"], 2),
        ("single", ["prospect_id", "comments", "error"], 1),
        ("other_names", ["prospect_id", "comments", "Outcome", "Notes"], 2),
        ("unnamed", ["prospect_id", "comments"], 2),
        ("headerless", None, 2),
    ],
)
def test_row_errors_csv_unconfirmed_layouts(
    pardot: Client, layout: str, header: list[str] | None, extra: int
) -> None:
    # The API's errors file columns are unconfirmed: each plausible shape has a switch value.
    pardot.switch(error_csv_layout=layout)
    rows = [["987654321", "ghost, with comma"], ["", "no key"]]
    record = pardot.run(UPSERT, make_csv(["prospect_id", "comments"], *rows))
    assert record["errorCount"] == 2
    errors = pardot.errors(record["id"])
    if header is not None:
        assert errors.pop(0) == header
    assert [r[:2] for r in errors] == rows
    assert [len(r) for r in errors] == [2 + extra] * 2
    assert errors[0][-1] == "No prospect with id 987654321"
    if extra == 2:
        assert [r[2] for r in errors] == ["prospect_not_found", "no_match_key"]


def test_values_are_converted_by_field_type(pardot: Client) -> None:
    known = pardot.add_prospect(email=email("types"), opted_out=True, is_do_not_call=False)
    header = ["prospect_id", "score", "is_do_not_email", "is_do_not_call", "opted_out"]
    data = make_csv(header, [known, " 42 ", "TRUE", "1", "false"])
    record = pardot.run(UPSERT, data)
    assert record["updatedCount"] == 1
    stored = pardot.records(known)[known]
    assert stored["score"] == 42
    assert stored["is_do_not_email"] is True
    assert stored["is_do_not_call"] is True
    assert stored["opted_out"] is True  # an import never opts a prospect back in
    bad = make_csv(header, [known, "1.5", "", "", ""], [known, "", "maybe", "", ""])
    record = pardot.run(UPSERT, bad)
    assert (record["updatedCount"], record["errorCount"]) == (0, 2)
    assert [r[-1] for r in pardot.errors(record["id"])[1:]] == [
        "Invalid value for score: '1.5'",
        "Invalid value for is_do_not_email: 'maybe'",
    ]


def test_updated_at_is_the_completion_time(pardot: Client, simulator: Simulator) -> None:
    known = pardot.add_prospect(email=email("stamp"))
    before = pardot.records(known)[known]
    record = pardot.run(UPSERT, make_csv(["prospect_id", "city"], [known, "Lyon"]))
    assert record["updatedCount"] == 1
    stored = pardot.records(known)[known]
    ended = int(simulator.imports.jobs[record["id"]].ended_at)
    assert stored["updated_at"] == to_utc_iso(datetime.fromtimestamp(ended, timezone.utc))
    assert stored["created_at"] == before["created_at"]
    assert stored["updated_at"] > before["updated_at"]


def test_datetime_cells_are_read_in_the_users_timezone() -> None:
    switches = Switches()
    read = ValueReader("America/New_York", switches)
    assert read("2024-01-15 09:30:00", FieldType.DATETIME) == 1_705_329_000
    assert read("2024-01-15T14:30:00+00:00", FieldType.DATETIME) == 1_705_329_000
    assert read("2024-11-03 01:30:00", FieldType.DATETIME) == 1_730_611_800  # first (EDT)
    switches.update({"ambiguous_input": "later"})
    assert ValueReader("America/New_York", switches)("2024-11-03 01:30:00", FieldType.DATETIME) == (
        1_730_615_400
    )
    with pytest.raises(ValueError, match="Invalid date"):
        read("15/01/2024", FieldType.DATETIME)


def test_csv_escaping_round_trip(pardot: Client) -> None:
    tricky = [
        "Comma, inside",
        'Quote " and ""double""',
        "Line\nbreak",
        "Windows\r\nbreak",
        "Ünïcödé 日本語 🚀",
        "  padded  ",
        "=1+1",
    ]
    ids = [pardot.add_prospect(email=email("esc")) for _ in tricky]
    data = make_csv(["prospect_id", "comments"], *zip(ids, tricky, strict=True))
    record = pardot.run(UPSERT, b"\xef\xbb\xbf" + data)  # a BOM is accepted
    assert record["updatedCount"] == len(tricky)
    stored = pardot.records(*ids)
    assert [stored[i]["comments"] for i in ids] == tricky
    # Failed rows come back exactly as sent.
    data = make_csv(["prospect_id", "comments"], *(["999999999", text] for text in tricky))
    record = pardot.run(UPSERT, data)
    assert [row[1] for row in pardot.errors(record["id"])[1:]] == tricky


# -- envelopes, expiry, query ---------------------------------------------------------------------


def test_wrapped_envelope_and_attributes(pardot: Client) -> None:
    pardot.switch(import_envelope="wrapped", export_attributes=True)
    status, body, _ = pardot.create(UPSERT)
    assert status == 200
    assert set(body) == {"@attributes", "import"}
    assert body["@attributes"] == {"stat": "ok", "version": 1}
    assert body["import"]["state"] == "Open"
    import_id = body["import"]["id"]
    data = make_csv(["salesforce_fid", "email"], ["00Qwrap", email("wrap")])
    assert pardot.batch(import_id, data)[0] == 204
    _, submitted, _ = pardot.ready(import_id)
    assert submitted["import"] == {"id": import_id, "state": "Waiting", "isExpired": False}
    record = pardot.finish(import_id)
    assert record["createdCount"] == 1
    _, result = pardot.query(sort_by="id", sort_order="descending", limit=1)
    assert "@attributes" in result
    assert result["result"]["import"]["id"] == import_id


def test_xml_without_format_json(pardot: Client) -> None:
    status, body, headers = pardot.call(
        "POST", "/api/import/version/4/do/create", json=UPSERT, params={"format": "xml"}
    )
    assert status == 200
    assert headers["Content-Type"] == "application/xml"
    assert "<state>Open</state>" in body


def test_expiry(pardot: Client) -> None:
    _, open_import, _ = pardot.create(UPSERT)
    data = make_csv(["prospect_id", "email"], ["999999999", email("exp")])
    assert pardot.batch(open_import["id"], data)[0] == 204
    record = pardot.run(UPSERT, data)
    assert record["errorCount"] == 1
    pardot.advance(24 * 3600)
    expired = pardot.read(open_import["id"])
    assert expired == {"id": open_import["id"], "state": "Open", "isExpired": True}
    assert _code(pardot.batch(open_import["id"], data)[1]) == 161
    assert _code(pardot.ready(open_import["id"])[1]) == 155
    assert pardot.read(record["id"])["errorCount"] == 1
    pardot.advance(6 * 24 * 3600)
    done = pardot.read(record["id"])
    assert done == {
        "id": record["id"], "state": "Complete", "isExpired": True,
        "createdCount": 0, "updatedCount": 0,
    }  # fmt: skip
    path = f"/api/import/version/4/do/downloadErrors/id/{record['id']}"
    assert _code(pardot.call("GET", path)[1]) == 161


def test_query_quirks(pardot: Client) -> None:
    pardot.advance(3600)
    since = pardot.admin("GET", "/_sim/state")["now"]
    pardot.advance(1)
    ids = [pardot.create(UPSERT)[1]["id"] for _ in range(3)]
    after = "2024-01-01 00:00:00"
    status, body = pardot.query(origin="ui")
    assert status == 200
    assert body == {"result": {"total_results": 0}}
    since_iso = datetime.fromtimestamp(since, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    status, body = pardot.query(created_after=since_iso, status="open")
    assert status == 200
    assert body["result"]["total_results"] == 3
    # documented default: created_at, descending (ties by id)
    assert [r["id"] for r in body["result"]["import"]] == ids[::-1]
    assert set(body["result"]["import"][0]) == {
        "id", "state", "isExpired", "origin", "createdAt", "updatedAt",
    }  # fmt: skip
    assert body["result"]["import"][0]["origin"] == "API"
    _, one = pardot.query(created_after=after, status="Open", origin="API", limit=1, offset=2,
                          sort_by="created_at", sort_order="ascending")  # fmt: skip
    assert isinstance(one["result"]["import"], dict)
    assert one["result"]["total_results"] >= 3
    _, page = pardot.query(sort_by="id", sort_order="descending", limit=2)
    assert [r["id"] for r in page["result"]["import"]] == ids[::-1][:2]
    _, none = pardot.query(created_before=after)
    assert none == {"result": {"total_results": 0}}
    cases: list[tuple[dict[str, Any], int]] = [
        ({"origin": "email"}, 188),
        ({"limit": 101}, 23),
        ({"limit": 0}, 23),
        ({"offset": -1}, 21),
        ({"sort_by": "state"}, 19),
        ({"sort_order": "up"}, 20),
        ({"created_after": "yesterday-ish"}, 7),
        ({"status": "Done"}, 5),
    ]
    for params, code in cases:
        status, error = pardot.query(**params)
        assert (status, _code(error)) == (400, code), params
    _, default = pardot.query()
    assert len(default["result"]["import"]) == min(20, default["result"]["total_results"])


def test_a_cell_larger_than_pythons_csv_default_is_imported(pardot: Client) -> None:
    known = pardot.add_prospect(email=email("bigcell"))
    big = "x" * (2 * 1024 * 1024)  # over csv's default 128 KiB cell limit, under a batch's size
    record = pardot.run(UPSERT, make_csv(["prospect_id", "comments"], [known, big]))
    assert record["updatedCount"] == 1
    assert pardot.records(known)[known]["comments"] == big
