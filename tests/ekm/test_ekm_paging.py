"""list_ekm_private_endpoints: lazy like every pager (nothing is sent or checked before iteration), one page (a
nextLink is ignored), and re-iterable: each iteration asks the service again (deliberate: 4.8.0b3's sync pager is
filled at the call and yields nothing the second time; its async pager yields nothing the second time)."""

from __future__ import annotations

import pytest
from azure.core.async_paging import AsyncItemPaged
from azure.core.paging import ItemPaged
from clients.fake_service import Reply

from .ekm_fakes import VAULT, EkmHsm, collect, endpoint_json, make_ekm_client

LIST_URL = f"{VAULT}/ekm/privateendpoint?api-version=2026-07-01-preview"


async def test_nothing_is_sent_before_iteration(flavor: str, hsm: EkmHsm) -> None:
    hsm.endpoints = {"pe-b": endpoint_json("pe-b"), "pe-a": endpoint_json("pe-a")}
    pager = make_ekm_client(flavor, hsm).list_ekm_private_endpoints()
    assert isinstance(pager, ItemPaged if flavor == "sync" else AsyncItemPaged)
    assert hsm.sent == [] and hsm.probes == []
    assert [e.name for e in await collect(pager)] == ["pe-a", "pe-b"]
    assert [s.url for s in hsm.sent] == [LIST_URL]


async def test_each_iteration_asks_again(flavor: str, hsm: EkmHsm) -> None:
    hsm.endpoints = {"pe-a": endpoint_json("pe-a")}
    pager = make_ekm_client(flavor, hsm).list_ekm_private_endpoints()
    first = await collect(pager)
    hsm.endpoints["pe-b"] = endpoint_json("pe-b")
    second = await collect(pager)
    assert [e.name for e in first] == ["pe-a"] and [e.name for e in second] == ["pe-a", "pe-b"]
    assert [s.url for s in hsm.sent] == [LIST_URL, LIST_URL]


async def test_by_page_is_one_page(flavor: str, hsm: EkmHsm) -> None:
    hsm.script("GET", "/ekm/privateendpoint", Reply(200, {"value": [endpoint_json("p1")],
                                                        "nextLink": f"{VAULT}/ekm/privateendpoint?page=2"}))
    pages = make_ekm_client(flavor, hsm).list_ekm_private_endpoints().by_page()
    if flavor == "sync":
        names = [[e.name for e in page] for page in pages]
    else:
        names = [[e.name async for e in page] async for page in pages]
    assert names == [["p1"]] and len(hsm.sent) == 1  # the nextLink is not followed


@pytest.mark.parametrize("body", [{}, {"value": None}, {"value": []}])
async def test_missing_or_empty_value(flavor: str, hsm: EkmHsm, body: dict[str, object]) -> None:
    hsm.script("GET", "/ekm/privateendpoint", Reply(200, body))
    assert await collect(make_ekm_client(flavor, hsm).list_ekm_private_endpoints()) == []


async def test_version_gate_on_iteration(flavor: str, hsm: EkmHsm) -> None:
    pager = make_ekm_client(flavor, hsm, api_version="2026-05-01-preview").list_ekm_private_endpoints()
    with pytest.raises(ValueError) as info:
        await collect(pager)
    assert str(info.value) == ("'list_ekm_private_endpoints' is not available in API version 2026-05-01-preview. "
                               "Pass service API version 2026-07-01-preview or newer to your client.")
    assert hsm.sent == []


async def test_per_call_headers_go_with_every_iteration(flavor: str, hsm: EkmHsm) -> None:
    pager = make_ekm_client(flavor, hsm).list_ekm_private_endpoints(headers={"x-h": "1"})
    await collect(pager)
    await collect(pager)
    assert [s.headers.get("x-h") for s in hsm.sent] == ["1", "1"]


def test_next_on_the_sync_pager_keeps_azure_core_semantics(hsm: EkmHsm) -> None:
    hsm.endpoints = {"pe-a": endpoint_json("pe-a")}
    pager = make_ekm_client("sync", hsm).list_ekm_private_endpoints()
    assert next(pager).name == "pe-a"
    with pytest.raises(StopIteration):
        next(pager)
    assert len(hsm.sent) == 1
