"""The 4.8.0b3 surface, name by name, against tests/data/reference/api-surface-4.8.json: exports and their order,
modules, client methods (parameters, kinds, defaults, async-ness, defining class, tracing and span names), model
constructors, reprs, enum members; the span each method opens; the api-version defaults."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from span_recorder import recording_spans

import azure.keyvault.administration as admin
import azure.keyvault.administration.aio as admin_aio
from azure.keyvault.administration import KeyVaultEkmConnection

from .ekm_fakes import PLS, EkmHsm, Job, collect, connection_json, endpoint_json, make_ekm_client, resolve

SURFACE = json.loads((Path(__file__).parents[1] / "data" / "reference" / "api-surface-4.8.json").read_text())
MODULES = {"azure.keyvault.administration": admin, "azure.keyvault.administration.aio": admin_aio}
NAMES = SURFACE["modules"]["azure.keyvault.administration"]["names"]
AIO_NAMES = SURFACE["modules"]["azure.keyvault.administration.aio"]["names"]
CLIENTS = [("azure.keyvault.administration", NAMES["KeyVaultEkmClient"]),
           ("azure.keyvault.administration.aio", AIO_NAMES["KeyVaultEkmClient"])]
MODELS = [name for name, facts in NAMES.items() if facts["kind"] == "model"]
ENUMS = [name for name, facts in NAMES.items() if facts["kind"] == "enum"]


def signature(function: Any) -> list[tuple[str, str, Any]]:
    params = list(inspect.signature(function).parameters.values())
    if params and params[0].name == "self":
        params = params[1:]
    return [(p.name, p.kind.name.lower(), None if p.default is p.empty else repr(p.default)) for p in params]


def expected_signature(params: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    return [(p["name"], p["kind"], p.get("default")) for p in params]


def test_exports_in_the_official_order() -> None:
    for name, module in MODULES.items():
        assert module.__all__ == SURFACE["modules"][name]["__all__"]
        assert all(hasattr(module, exported) for exported in module.__all__)
    assert admin.__all__ == sorted(admin.__all__, key=str.lower)
    assert set(SURFACE["new_exports"]) <= set(admin.__all__)
    assert admin.__version__ == admin.VERSION == SURFACE["modules"]["azure.keyvault.administration"][  # type: ignore
        "other_public_attributes"]["__version__"] == "4.8.0b3"


def test_names_live_in_the_official_modules() -> None:
    # Observed on 4.8.0b3 (type(x).__module__ is visible to users, e.g. in pickles and reprs)
    for name in SURFACE["new_exports"]:
        expected = {"client": "_ekm_client", "model": "_models", "enum": "_enums"}[NAMES[name]["kind"]]
        assert getattr(admin, name).__module__ == f"azure.keyvault.administration.{expected}", name
    assert admin_aio.KeyVaultEkmClient.__module__ == "azure.keyvault.administration.aio._ekm_client"
    assert admin_aio.KeyVaultEkmClient is not admin.KeyVaultEkmClient


@pytest.mark.parametrize(("module", "facts"), CLIENTS, ids=["sync", "aio"])
def test_client_class(module: str, facts: dict[str, Any]) -> None:
    cls = MODULES[module].KeyVaultEkmClient
    base = cls.__mro__[1]
    expected_base = facts.get("base_classes") or [
        "azure.keyvault.administration._internal.async_client_base.AsyncKeyVaultClientBase"]
    assert [f"{base.__module__}.{base.__qualname__}"] == expected_base
    assert signature(cls.__init__) == expected_signature(facts["constructor"]["params"])
    attribute = inspect.getattr_static(cls, "vault_url")
    assert isinstance(attribute, property) and attribute.fset is None


@pytest.mark.parametrize(("module", "facts"), CLIENTS, ids=["sync", "aio"])
def test_client_methods(module: str, facts: dict[str, Any]) -> None:
    cls = MODULES[module].KeyVaultEkmClient
    methods = facts["methods"]
    public = {n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))}
    assert public == {n for n in methods if not n.startswith("_")}
    assert len([n for n in public if "ekm" in n]) == 11
    for name, method_facts in methods.items():
        function = getattr(cls, name)
        assert signature(function) == expected_signature(method_facts["params"]), name
        assert inspect.iscoroutinefunction(function) == method_facts["async"], name
        owner = next(k for k in cls.__mro__ if name in vars(k))
        assert owner.__name__ == method_facts["defined_on"], name
        if method_facts["traced"]:
            assert function.__wrapped__.__qualname__ == method_facts["span_name"], name
        else:
            assert not hasattr(function, "__wrapped__"), name


@pytest.mark.parametrize("name", MODELS)
def test_model_constructors(name: str) -> None:
    facts = NAMES[name]
    assert signature(getattr(admin, name).__init__) == expected_signature(facts["constructor"]["params"])


@pytest.mark.parametrize("name", ENUMS)
def test_enum_members(name: str) -> None:
    enum = getattr(admin, name)
    assert [(m.name, m.value) for m in enum] == [(m["name"], m["value"]) for m in NAMES[name]["members"]]
    assert type(enum).__name__ == NAMES[name]["metaclass"]
    assert [b.__name__ for b in enum.__mro__[1:3]] == NAMES[name]["bases"]


def test_api_version_members_and_defaults() -> None:
    facts = SURFACE["api_version"]
    assert [(m.name, m.value) for m in admin.ApiVersion] == [(m["name"], m["value"]) for m in facts["members"]]
    credential = object()
    assert admin.KeyVaultEkmClient("https://h", credential).api_version == facts["default"]["value"]
    assert admin_aio.KeyVaultEkmClient("https://h", credential).api_version == facts["default"]["value"]
    # Deliberate difference: the other clients keep the stable default (4.8.0b3 moved them to the preview).
    for cls in (admin.KeyVaultAccessControlClient, admin.KeyVaultBackupClient, admin.KeyVaultSettingsClient,
                admin_aio.KeyVaultAccessControlClient, admin_aio.KeyVaultBackupClient,
                admin_aio.KeyVaultSettingsClient):
        assert cls("https://h", credential).api_version == "2025-07-01", cls
    from azure.keyvault.administration._internal.client_base import DEFAULT_VERSION, EKM_DEFAULT_VERSION

    assert (DEFAULT_VERSION, EKM_DEFAULT_VERSION) == (admin.ApiVersion.V2025_07_01,
                                                      admin.ApiVersion.V2026_07_01_PREVIEW)


def test_polling_interval_default_is_30() -> None:
    client = admin.KeyVaultEkmClient("https://h", object())
    assert client._client._config.polling_interval == 30
    assert admin.KeyVaultEkmClient("https://h", object(), polling_interval=1)._client._config.polling_interval == 1


def test_the_generated_model_upstream_tests_import() -> None:
    from azure.keyvault.administration._generated.models import EkmPrivateEndpointCreateParameters

    parameters = EkmPrivateEndpointCreateParameters(private_link_service_id="p", request_message="m")
    assert (parameters.private_link_service_id, parameters.request_message) == ("p", "m")


# ---- spans ---------------------------------------------------------------------------------------------------


@pytest.fixture
def spans() -> Iterator[list[str]]:
    with recording_spans() as names:
        yield names


CALLS: dict[str, Any] = {
    "get_ekm_connection": lambda c: c.get_ekm_connection(),
    "create_ekm_connection": lambda c: c.create_ekm_connection(KeyVaultEkmConnection("h", [])),
    "update_ekm_connection": lambda c: c.update_ekm_connection(KeyVaultEkmConnection("h", [])),
    "delete_ekm_connection": lambda c: c.delete_ekm_connection(),
    "get_ekm_certificate": lambda c: c.get_ekm_certificate(),
    "check_ekm_connection": lambda c: c.check_ekm_connection(),
    "begin_create_ekm_private_endpoint": lambda c: c.begin_create_ekm_private_endpoint("pe", PLS, polling=False),
    "begin_delete_ekm_private_endpoint": lambda c: c.begin_delete_ekm_private_endpoint("pe", polling=False),
    "get_ekm_private_endpoint": lambda c: c.get_ekm_private_endpoint("pe-1"),
    "list_ekm_private_endpoints": lambda c: c.list_ekm_private_endpoints(),
    "get_ekm_private_endpoint_operation_status": lambda c: c.get_ekm_private_endpoint_operation_status("j"),
}


@pytest.mark.parametrize("name", list(CALLS))
async def test_span_names(flavor: str, hsm: EkmHsm, spans: list[str], name: str) -> None:
    hsm.endpoints["pe-1"] = endpoint_json("pe-1")
    hsm.jobs["j"] = Job("pe-1", "Create", ["Running"])
    if name != "create_ekm_connection":
        hsm.connection = connection_json()
    client = make_ekm_client(flavor, hsm, polling_interval=0)
    spans.clear()
    outcome = await resolve(CALLS[name](client))
    assert spans and spans[0] == f"KeyVaultEkmClient.{name}"
    if name.startswith("list_"):
        await collect(outcome)
