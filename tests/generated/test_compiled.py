"""Precompiled deserialization (``_generated/_compiled.py``) builds exactly what msrest builds.

Every model is deserialized from many generated JSON objects (well typed, ill typed, with unknown members, nulls,
nested objects, lists) twice: through the compiled plan and through msrest's own path on the same
``Deserializer``. The results must be equal attribute for attribute, with the same attribute order (msrest
models print their ``__dict__``), the same types and enum members, and the same errors.
"""

from __future__ import annotations

import datetime
import json
import random
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from msrest import Deserializer as MsrestDeserializer
from msrest.serialization import Model

from azure.keyvault.administration._generated._serialization import Deserializer, Serializer, _model_classes

DES = Deserializer()
MODELS = sorted(
    name for name, cls in _model_classes().items() if isinstance(cls, type) and issubclass(cls, Model)
)
RECORDINGS = Path(__file__).resolve().parents[1] / "recordings"


def msrest_path(target: str, data: Any) -> Any:
    """msrest's own path on the same deserializer (its overrides included), never the compiled plan."""
    return MsrestDeserializer.__call__(DES, target, data)


def outcome(function: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "value", function(*args)
    except Exception as error:  # compared by type and message
        return "error", (type(error).__name__, str(error))


def describe(value: Any) -> Any:
    """A comparable picture of a deserialized value: types, attribute order, enum identity, nested models."""
    if isinstance(value, Model):
        return (type(value).__name__, [(name, describe_member(name, item)) for name, item in vars(value).items()])
    if isinstance(value, Enum):
        return ("enum", type(value).__name__, value.name)
    if isinstance(value, list):
        return ("list", [describe(item) for item in value])
    if isinstance(value, dict):
        return ("dict", [(key, describe(item)) for key, item in value.items()])
    if isinstance(value, frozenset):
        return ("frozenset", sorted(value))
    if isinstance(value, datetime.datetime):
        return ("datetime", value.isoformat(), str(value.tzinfo))
    return (type(value).__name__, value)


def describe_member(name: str, value: Any) -> Any:
    if name == "additional_properties" and isinstance(value, dict):
        # msrest builds this dict from a set of keys, so its order is arbitrary (hash-seeded): compare it sorted.
        return ("dict", sorted((key, describe(item)) for key, item in value.items()))
    return describe(value)


def assert_same(target: str, data: Any) -> None:
    fast_kind, fast = outcome(DES, target, data)
    slow_kind, slow = outcome(msrest_path, target, data)
    assert fast_kind == slow_kind, (target, data, fast, slow)
    if fast_kind == "error":
        assert fast == slow
    else:
        assert describe(fast) == describe(slow), (target, data)
        assert fast == slow


ENUM_SAMPLES = {
    cls: [member.value for member in cls]
    for cls in _model_classes().values()
    if isinstance(cls, type) and issubclass(cls, Enum)
}


def sample_value(data_type: str, rng: random.Random, depth: int, well_typed: bool) -> Any:
    if rng.random() < 0.1:
        return None
    if not well_typed and rng.random() < 0.15:
        return rng.choice([1, 0, 2.5, True, "true", "0", "x", [], {}, [1], {"a": 1}, -1, 10**20])
    if data_type == "str":
        return rng.choice(["", "a", "Role ü", "/keys", "123"])
    if data_type == "bool":
        return rng.choice([True, False])
    if data_type == "int":
        return rng.randint(-5, 5)
    if data_type == "unix-time":
        return rng.choice([0, 1_700_000_000, 1_700_000_000.5])
    if data_type == "object":
        return rng.choice(["pem", {"k": [1, "v", None]}, [1, 2], 3])
    if data_type.startswith("["):
        return [sample_value(data_type[1:-1], rng, depth + 1, well_typed) for _ in range(rng.randint(0, 3))]
    target = _model_classes()[data_type]
    if issubclass(target, Enum):
        values = ENUM_SAMPLES[target]
        return rng.choice([*values, "SomethingNew", values[0].upper()])
    if depth > 3:
        return None
    return sample_object(data_type, rng, depth + 1, well_typed)


def sample_object(target: str, rng: random.Random, depth: int = 0, well_typed: bool = True) -> dict[str, Any]:
    cls = _model_classes()[target]
    data: dict[str, Any] = {}
    for description in cls._attribute_map.values():
        if rng.random() < 0.8:
            data[description["key"]] = sample_value(description["type"], rng, depth, well_typed)
    if rng.random() < 0.3:
        data[rng.choice(["unknownMember", "extra", "Name"])] = rng.choice([1, "x", None, {"n": 1}])
    items = list(data.items())
    rng.shuffle(items)
    return dict(items)


def test_every_model_is_compiled() -> None:
    compiled = {name for name in MODELS if DES._compiler.plan(name) is not None}
    assert compiled == set(MODELS)


@pytest.mark.parametrize("target", MODELS)
def test_well_typed_objects_give_what_msrest_gives(target: str) -> None:
    rng = random.Random(target)
    for _ in range(150):
        assert_same(target, sample_object(target, rng))


@pytest.mark.parametrize("target", MODELS)
def test_ill_typed_objects_give_what_msrest_gives_including_errors(target: str) -> None:
    rng = random.Random("ill" + target)
    for _ in range(150):
        assert_same(target, sample_object(target, rng, well_typed=False))


@pytest.mark.parametrize("data", [None, {}, [], "text", '{"id": "x"}', 3, b"{}"])
@pytest.mark.parametrize("target", ["RoleDefinition", "RoleDefinitionListResult", "FullBackupOperation", "str"])
def test_top_level_values_that_are_not_objects(target: str, data: Any) -> None:
    assert_same(target, data)


def test_unknown_members_become_additional_properties_and_nested_received_members() -> None:
    result = DES("EkmPrivateEndpoint", {"name": "pe", "future": {"x": 1}, "properties": {}})
    assert result.additional_properties == {"future": {"x": 1}}
    assert result.properties._received_members == frozenset()
    assert list(vars(result)) == list(vars(msrest_path("EkmPrivateEndpoint", {"name": "pe", "properties": {}})))


def test_recursive_errors() -> None:
    data = {"error": {"code": "A", "message": "m", "innererror": {"code": "B", "innererror": {"code": "C"}}}}
    assert_same("KeyVaultError", data)
    assert DES("KeyVaultError", data).error.inner_error.inner_error.code == "C"


def _recorded_bodies() -> list[tuple[str, Any]]:
    bodies = []
    for path in sorted(RECORDINGS.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for chunk in text.split("string: '")[1:]:
            body = chunk.split("'\n", 1)[0].replace("''", "'")
            try:
                data = json.loads(body)
            except ValueError:
                continue
            if isinstance(data, dict):
                bodies.append((path.name, data))
    return bodies


def test_recorded_response_bodies_give_what_msrest_gives() -> None:
    bodies = _recorded_bodies()
    assert bodies, "no JSON bodies found in the cassettes"
    for _, data in bodies:
        for target in MODELS:
            assert_same(target, data)


# ---- request bodies ------------------------------------------------------------------------------------------

SER = Serializer()
BODY_MODELS = [name for name in MODELS if SER._body_plans.plan(_model_classes()[name]) is not None]


def msrest_body(data: Any, target: str) -> Any:
    """msrest's own serialization on the same serializer (its overrides included), never the compiled plan."""
    return SER._serialize(data, target)


def body_outcome(function: Any, *args: Any) -> tuple[str, Any]:
    try:
        result = function(*args)
        return "value", (json.dumps(result), describe(result))  # the wire form (key order matters) and the types
    except Exception as error:
        return "error", (type(error).__name__, str(error))


def sample_attribute(data_type: str, rng: random.Random, depth: int, well_typed: bool) -> Any:
    if rng.random() < 0.15:
        return None
    if not well_typed and rng.random() < 0.15:
        return rng.choice([1, "x", 2.5, True, [], {}, ["a", None], ("t",), b"b", object()])
    target = _model_classes().get(data_type)
    if isinstance(target, type) and issubclass(target, Enum):
        return rng.choice([*target, "NewValue", 3])
    if data_type.startswith("["):
        return [sample_attribute(data_type[1:-1], rng, depth + 1, well_typed) for _ in range(rng.randint(0, 3))]
    if isinstance(target, type) and issubclass(target, Model):
        return None if depth > 2 else sample_model(data_type, rng, depth + 1, well_typed)
    return sample_value(data_type, rng, depth, True)


def sample_model(target: str, rng: random.Random, depth: int = 0, well_typed: bool = True) -> Any:
    cls = _model_classes()[target]
    instance = cls()
    for attr, description in cls._attribute_map.items():
        setattr(instance, attr, sample_attribute(description["type"], rng, depth, well_typed))
    return instance


@pytest.mark.parametrize("target", BODY_MODELS)
@pytest.mark.parametrize("well_typed", [True, False])
def test_bodies_serialize_as_msrest_serializes_them(target: str, well_typed: bool) -> None:
    rng = random.Random(f"{target}{well_typed}")
    for _ in range(150):
        instance = sample_model(target, rng, well_typed=well_typed)
        assert body_outcome(SER.body, instance, target) == body_outcome(msrest_body, instance, target), target


def test_request_models_are_compiled() -> None:
    expected = {"RoleAssignmentCreateParameters", "RoleDefinitionCreateParameters", "SASTokenParameter",
                "PreBackupOperationParameters", "RestoreOperationParameters", "PreRestoreOperationParameters",
                "SelectiveKeyRestoreOperationParameters", "UpdateSettingRequest", "EkmPrivateEndpointCreateParameters"}
    assert expected <= set(BODY_MODELS)


def test_a_subclass_instance_is_serialized_by_its_own_class() -> None:
    class Wider(_model_classes()["SASTokenParameter"]):  # type: ignore[misc]
        _attribute_map = {**_model_classes()["SASTokenParameter"]._attribute_map, "extra": {"key": "x", "type": "str"}}

    instance = Wider(storage_resource_uri="https://a/b", token="t")
    instance.extra = "e"
    assert SER.body(instance, "SASTokenParameter") == msrest_body(instance, "SASTokenParameter")
    assert SER.body(instance, "SASTokenParameter")["x"] == "e"
