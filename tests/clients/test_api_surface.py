"""The clients' public surface: names, signatures and async-ness as the official package (api-surface facts),
sync/aio parity, and the span name of every traced method."""

import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from span_recorder import recording_spans

import azure.keyvault.administration as sync_module
import azure.keyvault.administration.aio as aio_module
from azure.keyvault.administration import KeyVaultSetting

from .fake_service import FakeService, Reply, Sent, collect, make_client, resolve

SURFACE = json.loads((Path(__file__).parent / "data" / "api_surface_clients.json").read_text())["modules"]
# 4.8.0b3 added the EKM names; its __all__ lists (both modules) replace 4.7.2's.
SURFACE_48 = json.loads(
    (Path(__file__).parents[1] / "data" / "reference" / "api-surface-4.8.json").read_text()
)["modules"]
MODULES = {"azure.keyvault.administration": sync_module, "azure.keyvault.administration.aio": aio_module}
CLIENTS = ["KeyVaultAccessControlClient", "KeyVaultSettingsClient"]
KINDS = {
    "positional_or_keyword": inspect.Parameter.POSITIONAL_OR_KEYWORD,
    "keyword_only": inspect.Parameter.KEYWORD_ONLY,
    "var_positional": inspect.Parameter.VAR_POSITIONAL,
    "var_keyword": inspect.Parameter.VAR_KEYWORD,
}
CASES = [(module, client) for module in MODULES for client in CLIENTS]


def shape(function: Any) -> list[tuple[str, Any, str]]:
    """``(name, kind, repr(default))`` of every parameter but ``self``."""
    parameters = list(inspect.signature(function).parameters.values())
    if parameters and parameters[0].name == "self":
        parameters = parameters[1:]
    return [
        (p.name, p.kind, "<none>" if p.default is inspect.Parameter.empty else repr(p.default)) for p in parameters
    ]


def expected_shape(params: list[dict[str, Any]]) -> list[tuple[str, Any, str]]:
    return [(p["name"], KINDS[p["kind"]], p.get("default", "<none>")) for p in params]


def test_package_exports() -> None:
    for name, module in MODULES.items():
        assert module.__all__ == SURFACE_48[name]["__all__"]
        assert all(hasattr(module, exported) for exported in module.__all__)
        assert set(SURFACE[name]["__all__"]) < set(module.__all__)  # nothing of 4.7.2 went away


@pytest.mark.parametrize(("module_name", "client_name"), CASES)
def test_constructor(module_name: str, client_name: str) -> None:
    cls = getattr(MODULES[module_name], client_name)
    assert shape(cls.__init__) == expected_shape(SURFACE[module_name]["clients"][client_name]["constructor"])


@pytest.mark.parametrize(("module_name", "client_name"), CASES)
def test_methods_match_the_official_surface(module_name: str, client_name: str) -> None:
    cls = getattr(MODULES[module_name], client_name)
    methods = SURFACE[module_name]["clients"][client_name]["methods"]
    public = {name for name in dir(cls) if not name.startswith("_") and callable(getattr(cls, name))}
    assert public == {name for name in methods if not name.startswith("_")}
    for name, facts in methods.items():
        function = getattr(cls, name)
        assert shape(function) == expected_shape(facts["params"]), name
        assert inspect.iscoroutinefunction(function) == facts["async"], name
        if facts.get("traced"):
            assert hasattr(function, "__wrapped__"), f"{name} is not traced"


@pytest.mark.parametrize("client_name", CLIENTS)
def test_sync_and_async_twins_agree(client_name: str) -> None:
    sync_cls, aio_cls = getattr(sync_module, client_name), getattr(aio_module, client_name)
    sync_names = {n for n in dir(sync_cls) if not n.startswith("_")}
    aio_names = {n for n in dir(aio_cls) if not n.startswith("_")}
    assert sync_names == aio_names
    for name in sync_names:
        if callable(getattr(sync_cls, name)):
            assert shape(getattr(sync_cls, name)) == shape(getattr(aio_cls, name)), name
    for name in ("list_role_assignments", "list_role_definitions", "list_settings"):
        if hasattr(aio_cls, name):
            assert not inspect.iscoroutinefunction(getattr(aio_cls, name))


# --- span names ---------------------------------------------------------------------------------------------


@pytest.fixture
def spans() -> Iterator[list[str]]:
    with recording_spans() as names:
        yield names


def answer_anything(sent: Sent) -> Reply:
    if sent.path.endswith("/settings"):
        return Reply(200, {"settings": []})
    if "/settings/" in sent.path:
        return Reply(200, {"name": "n", "value": "v"})
    if sent.path.endswith(("roleAssignments", "roleDefinitions")):
        return Reply(200, {"value": []})
    return Reply(201 if sent.method == "PUT" else 200, {"id": "x", "name": "n", "type": "t"})


CALLS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "create_role_assignment": (("/", "d", "p"), {}),
    "delete_role_assignment": (("/", "n"), {}),
    "get_role_assignment": (("/", "n"), {}),
    "list_role_assignments": (("/",), {}),
    "set_role_definition": (("/",), {}),
    "get_role_definition": (("/", "n"), {}),
    "delete_role_definition": (("/", "n"), {}),
    "list_role_definitions": (("/",), {}),
    "get_setting": (("n",), {}),
    "list_settings": ((), {}),
    "update_setting": ((KeyVaultSetting("n", "v"),), {}),
}


@pytest.mark.parametrize(("module_name", "client_name"), CASES)
async def test_span_names(module_name: str, client_name: str, spans: list[str]) -> None:
    cls = getattr(MODULES[module_name], client_name)
    client = make_client(cls, FakeService(answer_anything))
    methods = SURFACE[module_name]["clients"][client_name]["methods"]
    for name, facts in methods.items():
        if name not in CALLS:
            continue
        args, kwargs = CALLS[name]
        spans.clear()
        result = await resolve(getattr(client, name)(*args, **kwargs))
        if name.startswith("list_"):
            await collect(result)
        assert spans and spans[0] == facts["span_name"], name
    await resolve(client.close())
