"""Error mapping: status -> exception type, message format, undecodable bodies, missing api-version."""

from __future__ import annotations

import json

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    DecodeError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
    ResourceNotModifiedError,
)

from azure.keyvault.administration._generated import models as m

from ._cases import CASES, CASES_BY_ID, Case, run_sync, supported_version
from ._transport import VAULT, Canned, make_client

ERROR = {"error": {"code": "Forbidden", "message": "Caller is not authorized (Activity ID: 1)"}}
STATUS_TO_TYPE = [
    (401, ClientAuthenticationError),
    (404, ResourceNotFoundError),
    (409, ResourceExistsError),
    (304, ResourceNotModifiedError),
    (400, HttpResponseError),
    (403, HttpResponseError),
    (500, HttpResponseError),
]


@pytest.mark.parametrize(("status", "error_type"), STATUS_TO_TYPE)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_status_maps_to_exception(
    case: Case,
    status: int,
    error_type: type,
) -> None:
    client, _ = make_client(supported_version(case), [Canned(status, ERROR)])
    with pytest.raises(error_type) as info:
        run_sync(case, client)
    error = info.value
    assert type(error) is error_type
    assert error.status_code == status
    assert str(error) == (
        "(Forbidden) Caller is not authorized (Activity ID: 1)\n"
        "Code: Forbidden\nMessage: Caller is not authorized (Activity ID: 1)"
    )
    assert error.error.code == "Forbidden"
    if error_type is HttpResponseError:  # mapped types get no model; the generic one carries KeyVaultError
        assert isinstance(error.model, m.KeyVaultError)
        assert error.model.error.message == "Caller is not authorized (Activity ID: 1)"


def test_inner_error_is_in_message_and_model() -> None:
    inner = {"code": "Inner", "message": "deeper", "innererror": None}
    client, _ = make_client(
        "7.6", [Canned(400, {"error": {"code": "BadParameter", "message": "bad", "innererror": inner}})]
    )
    with pytest.raises(HttpResponseError) as info:
        client.role_definitions.get(VAULT, "/", "x")
    assert str(info.value) == "(BadParameter) bad\nCode: BadParameter\nMessage: bad\nInner error: " + json.dumps(
        inner, indent=4
    )
    assert info.value.model.error.inner_error.code == "Inner"
    assert info.value.model.error.inner_error.message == "deeper"


def test_null_inner_error_is_not_printed() -> None:
    client, _ = make_client("7.6", [Canned(400, {"error": {"code": "BadRequest", "message": "m", "innererror": None}})])
    with pytest.raises(HttpResponseError) as info:
        client.restore_status(VAULT, "j")
    assert str(info.value) == "(BadRequest) m\nCode: BadRequest\nMessage: m"


def test_no_body() -> None:
    client, _ = make_client("7.6", [Canned(500, None)])
    with pytest.raises(HttpResponseError) as info:
        client.get_settings(VAULT)
    assert str(info.value) == "Operation returned an invalid status 'Internal Server Error'"
    assert info.value.error is None


def test_json_body_that_is_not_an_error() -> None:
    client, _ = make_client("7.6", [Canned(403, {"foo": 1})])
    with pytest.raises(HttpResponseError) as info:
        client.get_settings(VAULT)
    assert str(info.value) == "Operation returned an invalid status 'Forbidden'\nContent: {\"foo\": 1}"
    assert info.value.model.error is None


def test_unexpected_success_status() -> None:
    # create expects 201; 200 is an error like any other unexpected status
    client, _ = make_client("7.6", [Canned(200, CASES_BY_ID["role_assignments.create"].response.body)])
    with pytest.raises(HttpResponseError) as info:
        run_sync(CASES_BY_ID["role_assignments.create"], client)
    assert str(info.value).startswith("Operation returned an invalid status 'OK'\nContent: {")
    assert info.value.status_code == 200


@pytest.mark.parametrize("status", [401, 200, 400])
def test_non_json_body_under_json_content_type_raises_decode_error(status: int) -> None:
    client, _ = make_client("7.6", [Canned(status, "OK")])
    with pytest.raises(DecodeError, match="JSON is invalid"):
        client.role_definitions.get(VAULT, "/", "x")


def test_non_json_body_with_text_content_type() -> None:
    client, _ = make_client("7.6", [Canned(502, "<html>gateway</html>", content_type="text/html")])
    with pytest.raises(HttpResponseError) as info:
        client.role_definitions.get(VAULT, "/", "x")
    assert type(info.value) is HttpResponseError
    assert str(info.value) == "Operation returned an invalid status 'Unknown'\nContent: <html>gateway</html>"


def test_error_map_overrides_and_extends_defaults() -> None:
    client, _ = make_client("7.6", [Canned(404, ERROR)])
    with pytest.raises(ResourceModifiedError):
        client.get_setting(VAULT, "s", error_map={404: ResourceModifiedError})
    client, _ = make_client("7.6", [Canned(412, ERROR)])
    with pytest.raises(ResourceModifiedError):
        client.get_setting(VAULT, "s", error_map={412: ResourceModifiedError})


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_api_version_none_raises_at_request_time(case: Case) -> None:
    client, transport = make_client(None, [case.response])
    pending = case.invoke(client) if case.kind == "list" else None  # pagers are lazy
    with pytest.raises(ValueError) as info:
        if pending is not None:
            list(pending)
        else:
            run_sync(case, client)
    if "ekm" in case.operation:  # the EKM gate refuses None like any version it lacks
        assert str(info.value).startswith(f"'{case.operation}' is not available in API version None. ")
    else:
        assert str(info.value) == "No value for given attribute"
    assert transport.requests == []
