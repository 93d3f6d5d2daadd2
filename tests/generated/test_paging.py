"""List operations: lazy paging over nextLink, api-version replacement, cls, errors mid-way."""

from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azure.keyvault.administration._generated import models as m

from ._cases import ROLE_ASSIGNMENT, ROLE_DEFINITION
from ._transport import VAULT, Canned, make_client

DEFS_PATH = "/providers/Microsoft.Authorization/roleDefinitions"
ASGS_PATH = "/keys/providers/Microsoft.Authorization/roleAssignments"


def _named(template: dict, name: str) -> dict:
    return {**template, "name": name}


def three_pages(path: str, template: dict) -> list[Canned]:
    return [
        Canned(
            200, {"value": [_named(template, "a")], "nextLink": f"{VAULT}{path}?api-version=7.2&$skiptoken=abc%3D%3D"}
        ),
        Canned(200, {"value": [_named(template, "b"), _named(template, "c")], "nextLink": f"{path}?$skiptoken=def"}),
        Canned(200, {"value": [_named(template, "d")], "nextLink": None}),
    ]


def test_role_definitions_follow_next_links() -> None:
    client, transport = make_client("2025-07-01", three_pages(DEFS_PATH, ROLE_DEFINITION))
    pager = client.role_definitions.list(VAULT, "/")
    assert transport.requests == []  # lazy
    names = [d.name for d in pager]
    assert names == ["a", "b", "c", "d"]
    urls = [r.url for r in transport.requests]
    assert urls == [
        f"{VAULT}{DEFS_PATH}?api-version=2025-07-01",
        # the link's query is kept (in its order), its api-version replaced by the client's
        f"{VAULT}{DEFS_PATH}?api-version=2025-07-01&$skiptoken=abc%3D%3D",
        # a relative link is resolved against the vault URL
        f"{VAULT}{DEFS_PATH}?$skiptoken=def&api-version=2025-07-01",
    ]
    assert all(r.method == "GET" for r in transport.requests)
    # like the official client, next-page requests carry no Accept header of their own
    assert transport.requests[0].headers["Accept"] == "application/json"
    assert "Accept" not in transport.requests[1].headers
    assert all(isinstance(d, m.RoleDefinition) for d in client.role_definitions.list(VAULT, "/"))


def test_role_assignments_follow_next_links_by_page() -> None:
    client, transport = make_client("7.3", three_pages(ASGS_PATH, ROLE_ASSIGNMENT))
    pages = [[a.name for a in page] for page in client.role_assignments.list_for_scope(VAULT, "/keys").by_page()]
    assert pages == [["a"], ["b", "c"], ["d"]]
    assert transport.requests[1].url == f"{VAULT}{ASGS_PATH}?api-version=7.3&$skiptoken=abc%3D%3D"


@pytest.mark.parametrize("body", [{"value": []}, {"value": [], "nextLink": ""}, {}, {"value": None}])
def test_empty_or_missing_values_end_paging(body: dict) -> None:
    client, transport = make_client("7.6", [Canned(200, body)])
    assert list(client.role_assignments.list_for_scope(VAULT, "/")) == []
    assert len(transport.requests) == 1


def test_cls_maps_each_page() -> None:
    client, _ = make_client("7.6", three_pages(DEFS_PATH, ROLE_DEFINITION))
    pager = client.role_definitions.list(VAULT, "/", cls=lambda items: [item.name.upper() for item in items])
    assert list(pager) == ["A", "B", "C", "D"]


def test_error_on_a_later_page() -> None:
    pages = [
        *three_pages(DEFS_PATH, ROLE_DEFINITION)[:1],
        Canned(404, {"error": {"code": "NotFound", "message": "gone"}}),
    ]
    client, _ = make_client("7.6", pages)
    iterator = iter(client.role_definitions.list(VAULT, "/"))
    assert next(iterator).name == "a"
    with pytest.raises(ResourceNotFoundError, match=r"^\(NotFound\) gone"):
        next(iterator)


def test_error_map_applies_to_pages() -> None:
    client, _ = make_client("7.6", [Canned(404, {"error": {"code": "NotFound", "message": "gone"}})])
    with pytest.raises(HttpResponseError) as info:
        list(client.role_definitions.list(VAULT, "/", error_map={404: HttpResponseError}))
    assert type(info.value) is HttpResponseError


def test_filter_is_only_sent_when_given() -> None:
    client, transport = make_client("7.6", [Canned(200, {"value": []})])
    list(client.role_assignments.list_for_scope(VAULT, "/", filter="principalId eq 'p 1'"))
    list(client.role_assignments.list_for_scope(VAULT, "/"))
    assert transport.requests[0].url.endswith("?api-version=7.6&$filter=principalId%20eq%20%27p%201%27")
    assert transport.requests[1].url.endswith("?api-version=7.6")
