"""Every operation x every known api-version: the exact request sent, or the version gate."""

from __future__ import annotations

import json

import pytest

from azure.keyvault.administration._generated._api_versions import API_VERSIONS, is_available

from ._cases import CASES, Case, check_result, content_type, expected_url, run_sync
from ._transport import make_client, sent_json

MATRIX = [pytest.param(case, version, id=f"{case.id}-{version}") for case in CASES for version in API_VERSIONS]


def assert_request(case: Case, request, api_version: str) -> None:
    assert request.method == case.method
    assert request.url == expected_url(case, api_version)
    assert request.headers["Accept"] == "application/json"
    if case.body is None:
        assert content_type(request) is None
        assert not request.content
    else:
        assert content_type(request) == "application/json"
        # Compare serialized text too: key order is part of the wire contract.
        assert json.dumps(sent_json(request)) == json.dumps(case.body)


@pytest.mark.parametrize(("case", "api_version"), MATRIX)
def test_request_per_operation_and_version(case: Case, api_version: str) -> None:
    client, transport = make_client(api_version, [case.response])
    if not is_available(case.operation, api_version):
        with pytest.raises(ValueError, match=r"is not available in API version " + api_version.replace(".", r"\.")):
            run_sync(case, client)
        assert transport.requests == []
        return
    result = run_sync(case, client)
    assert len(transport.requests) == 1
    assert_request(case, transport.last, api_version)
    check_result(case, result)


ADMIN_CASES = [case for case in CASES if "ekm" not in case.operation]
EKM_CASES = [case for case in CASES if "ekm" in case.operation]


@pytest.mark.parametrize("case", ADMIN_CASES, ids=[c.id for c in ADMIN_CASES])
def test_unknown_api_version_is_sent_unchanged(case: Case) -> None:
    client, transport = make_client("2099-01-01-preview", [case.response])
    run_sync(case, client)
    assert_request(case, transport.last, "2099-01-01-preview")


@pytest.mark.parametrize("version", ["2026-03-01-preview", "2026-05-01-preview"])
@pytest.mark.parametrize("case", EKM_CASES, ids=[c.id for c in EKM_CASES])
def test_ekm_previews_outside_the_version_table(case: Case, version: str) -> None:
    # Not ApiVersion members, yet on the official EKM connection gate's list; private endpoints need 2026-07.
    client, transport = make_client(version, [case.response])
    if "private_endpoint" in case.operation:
        with pytest.raises(ValueError, match="Pass service API version 2026-07-01-preview or newer"):
            run_sync(case, client)
        assert transport.requests == []
    else:
        check_result(case, run_sync(case, client))
        assert_request(case, transport.last, version)


@pytest.mark.parametrize("version", ["2099-01-01-preview", "2026-07-01-PREVIEW", "", "7.6"])
@pytest.mark.parametrize("case", EKM_CASES, ids=[c.id for c in EKM_CASES])
def test_ekm_operations_refuse_other_versions(case: Case, version: str) -> None:
    client, transport = make_client(version, [case.response])
    first = "2026-07-01-preview" if "private_endpoint" in case.operation else "2026-01-01-preview"
    with pytest.raises(ValueError) as info:
        run_sync(case, client)
    assert str(info.value) == (f"'{case.operation}' is not available in API version {version}. "
                               f"Pass service API version {first} or newer to your client.")
    assert transport.requests == []


@pytest.mark.parametrize(
    ("operation", "version", "message"),
    [
        (
            "get_settings",
            "7.3",
            "'get_settings' is not available in API version 7.3. Pass service API version 7.4 or newer to your client.",
        ),
        (
            "update_setting",
            "7.2",
            "'update_setting' is not available in API version 7.2. "
            "Pass service API version 7.4 or newer to your client.",
        ),
        (
            "begin_pre_full_backup",
            "7.5",
            "'begin_pre_full_backup' is not available in API version 7.5. "
            "Pass service API version 7.6-preview.2 or newer to your client.",
        ),
        (
            "begin_pre_full_restore_operation",
            "7.4",
            "'begin_pre_full_restore_operation' is not available in API version 7.4. "
            "Pass service API version 7.6-preview.2 or newer to your client.",
        ),
    ],
)
def test_version_gate_message(operation: str, version: str, message: str) -> None:
    case = next(c for c in CASES if c.operation == operation)
    client, transport = make_client(version, [case.response])
    with pytest.raises(ValueError) as info:
        run_sync(case, client)
    assert str(info.value) == message
    assert transport.requests == []


@pytest.mark.parametrize(
    ("scope", "path"),
    [
        ("/", "/providers"),
        ("", "/providers"),
        ("//", "/providers"),
        ("/keys", "/keys/providers"),
        ("keys", "/keys/providers"),
        ("/keys/k1", "/keys/k1/providers"),
        ("/keys/", "/keys//providers"),
        ("a b", "/a b/providers"),  # raw; the HTTP transport turns the space into %20
    ],
)
def test_scope_is_inserted_raw_with_leading_slashes_collapsed(scope: str, path: str) -> None:
    client, transport = make_client("7.6", [CASES[2].response])
    client.role_definitions.get("https://h.net", scope, "n")
    assert transport.last.url == f"https://h.net{path}/Microsoft.Authorization/roleDefinitions/n?api-version=7.6"


def test_vault_url_is_inserted_as_given_with_trailing_slash_joined() -> None:
    client, transport = make_client("7.6", [CASES[2].response])
    client.role_definitions.get("https://h.net/some%20path/", "/", "n")
    assert transport.last.url == (
        "https://h.net/some%20path/providers/Microsoft.Authorization/roleDefinitions/n?api-version=7.6"
    )


def test_uuid_names_become_strings() -> None:
    import uuid

    client, transport = make_client("7.6", [CASES[6].response])
    client.role_assignments.get("https://h.net", "/", uuid.UUID(int=7))
    assert transport.last.url.endswith("/roleAssignments/00000000-0000-0000-0000-000000000007?api-version=7.6")


def test_caller_headers_and_params_are_merged() -> None:
    client, transport = make_client("7.6", [CASES[2].response])
    client.role_definitions.get("https://h.net", "/", "n", headers={"x-custom": "1"}, params={"extra": "v"})
    assert transport.last.headers["x-custom"] == "1"
    assert transport.last.url.endswith("/roleDefinitions/n?extra=v&api-version=7.6")


def test_none_path_parameter_raises_before_sending() -> None:
    client, transport = make_client("7.6", [CASES[2].response])
    with pytest.raises(ValueError, match=r"^No value for given attribute$"):
        client.role_definitions.get("https://h.net", "/", None)
    with pytest.raises(ValueError, match=r"^No value for given attribute$"):
        client.role_definitions.get(None, "/", "n")
    assert transport.requests == []


def test_body_none_sends_no_body() -> None:
    case = next(c for c in CASES if c.operation == "begin_full_backup")
    client, transport = make_client("7.6", [case.response])
    client.begin_full_backup("https://h.net", polling=False)
    assert not transport.last.content
    assert "Content-Type" not in transport.last.headers
