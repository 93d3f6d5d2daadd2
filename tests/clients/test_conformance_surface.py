"""Every client of both modules against the full api-surface.json: base class, properties, each method's
parameters (name, kind, default), async-ness, where it is defined, and whether it is traced."""

import inspect
import json
from pathlib import Path
from typing import Any

import pytest

import azure.keyvault.administration as admin
import azure.keyvault.administration.aio as admin_aio

SURFACE = json.loads((Path(__file__).parents[1] / "data" / "reference" / "api-surface.json").read_text())["modules"]
MODULES = {"azure.keyvault.administration": admin, "azure.keyvault.administration.aio": admin_aio}
CLIENTS = [
    (module, name)
    for module in MODULES
    for name, facts in SURFACE[module]["names"].items()
    if facts["kind"] == "client"
]


def facts_of(module: str, name: str) -> dict[str, Any]:
    return dict(SURFACE[module]["names"][name])


def test_every_client_is_covered() -> None:
    assert len(CLIENTS) == 6


@pytest.mark.parametrize(("module", "name"), CLIENTS)
def test_client_class_shape(module: str, name: str) -> None:
    cls = getattr(MODULES[module], name)
    facts = facts_of(module, name)
    base = cls.__mro__[1]
    assert [f"{base.__module__}.{base.__qualname__}"] == facts["base_classes"]
    for prop, prop_facts in facts["properties"].items():
        attribute = inspect.getattr_static(cls, prop)
        assert isinstance(attribute, property) and (attribute.fset is None) == prop_facts["read_only"]
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [(p.name, p.kind.name.lower()) for p in params] == [
        (p["name"], p["kind"]) for p in facts["constructor"]["params"]
    ]


@pytest.mark.parametrize(("module", "name"), CLIENTS)
def test_client_methods(module: str, name: str) -> None:
    cls = getattr(MODULES[module], name)
    methods = facts_of(module, name)["methods"]
    public = {n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n))}
    assert public == {n for n in methods if not n.startswith("_")}
    for method_name, facts in methods.items():
        function = getattr(cls, method_name)
        params = list(inspect.signature(function).parameters.values())[1:]
        assert [(p.name, p.kind.name.lower(), None if p.default is p.empty else repr(p.default)) for p in params] == [
            (p["name"], p["kind"], p.get("default")) for p in facts["params"]
        ], method_name
        assert inspect.iscoroutinefunction(function) == facts["async"], method_name
        owner = next(k for k in cls.__mro__ if method_name in vars(k))
        assert owner.__name__ == facts["defined_on"], method_name
        if facts["traced"]:
            # distributed_trace(_async) keeps the undecorated function; its qualified name is the span name
            assert function.__wrapped__.__qualname__ == facts["span_name"], method_name
        else:
            assert not hasattr(function, "__wrapped__"), method_name
