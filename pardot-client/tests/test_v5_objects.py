"""The client's v5 objects API against the simulator: pages, next pages, reads, answer shapes."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from pardot_client import PardotApiError, PardotClient
from pardot_client.v5_objects import V5Objects, V5Page, one_record, page_of
from pardot_sim import Simulator
from pardot_sim.testing import SimAdmin


def seen_urls(client: PardotClient) -> list[str]:
    """Every URL the client requests from now on."""
    urls: list[str] = []
    client.session.hooks["response"].append(lambda r, *_, **__: urls.append(r.request.url))
    return urls


def test_pages_follow_next_page_url_with_fields_to_the_last_row(
    client: PardotClient, sim: Simulator
) -> None:
    urls = seen_urls(client)
    pages = list(V5Objects(client).pages("files", ("id", "updatedAt"), {"limit": 5}))
    ids = [r["id"] for p in pages for r in p.values]
    assert ids == sorted(sim.account().store.table("file").rows)
    assert not pages[-1].has_next
    assert all("fields=id%2CupdatedAt" in url for url in urls if "/api/v5/" in url)
    assert sum("nextPageToken=" in url for url in urls) == len(pages) - 1


def test_a_next_page_url_on_another_host_is_asked_of_base_url(
    client: PardotClient, sim: Simulator
) -> None:
    api = V5Objects(client)
    first = api.query("folders", ("id",), {"limit": 2})
    assert first.next_url
    elsewhere = V5Page([], first.next_url.replace(sim.url, "https://attacker.example"),
                       first.next_token, None)  # fmt: skip
    urls = seen_urls(client)
    second = api.next_page("folders", elsewhere, ("id",))
    assert second.values
    assert all(url.startswith(sim.url) for url in urls)


def test_a_capped_page_says_so(client: PardotClient, admin: SimAdmin) -> None:
    admin.post("/_sim/settings", {"v5": {"sequence_cap": 4}})
    pages = list(V5Objects(client).pages("visitor-page-views", ("id",), {"limit": 2}))
    assert [len(p.values) for p in pages] == [2, 2]
    assert pages[-1].capped
    assert not pages[0].capped


@pytest.mark.parametrize("shape", ["object", "values"])
def test_the_account_reads_as_one_record_in_either_shape(
    client: PardotClient, admin: SimAdmin, shape: str
) -> None:
    admin.post("/_sim/switches", {"v5_account_answer": shape})
    record = V5Objects(client).read_one("account", ("id", "company"))
    assert record is not None
    assert record["id"] == 1
    assert record["company"]


def test_a_v5_error_is_raised_with_its_code_and_text(client: PardotClient) -> None:
    with pytest.raises(PardotApiError) as info:
        V5Objects(client).query("folders", ("id",), {"updatedAtAfter": "2026-01-01T00:00:00Z"})
    assert info.value.code == 5
    assert "updatedAtAfter" in str(info.value)


@pytest.mark.parametrize(
    ("body", "ids", "more"),
    [
        ({"values": [{"id": 1}], "nextPageUrl": "https://pi.pardot.com/x?nextPageToken=t"}, [1],
         True),
        ({"values": [{"id": 1}], "nextPageToken": None, "nextPageUrl": None}, [1], False),
        ({"values": None}, [], False),
        ({}, [], False),
        ({"values": [], "nextPageUrl": ""}, [], False),
    ],
)  # fmt: skip
def test_answer_shapes_as_pages(body: dict[str, Any], ids: list[int], more: bool) -> None:
    page = page_of(body)
    assert [r["id"] for r in page.values] == ids
    assert page.has_next is more


def test_an_answer_that_is_no_page_is_refused_in_words() -> None:
    with pytest.raises(PardotApiError, match="not a list of records"):
        page_of({"values": {"id": 1}})
    with pytest.raises(PardotApiError, match="not an object"):
        page_of([{"id": 1}])


def test_one_record_reads_the_object_or_the_first_of_values() -> None:
    assert one_record({"id": 1, "company": "x"}) == {"id": 1, "company": "x"}
    assert one_record({"values": [{"id": 2}]}) == {"id": 2}
    assert one_record({"values": []}) is None
    assert one_record({}) is None


def test_every_call_carries_the_business_unit(client: PardotClient, sim: Simulator) -> None:
    sent: list[requests.PreparedRequest] = []
    client.session.hooks["response"].append(lambda r, *_, **__: sent.append(r.request))
    V5Objects(client).query("tracker-domains", ("id",), {})
    assert sent[-1].headers["Pardot-Business-Unit-Id"] == sim.config()["business_unit_id"]
