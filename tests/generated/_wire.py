"""Compare deserialized msrest models with the JSON they came from, attribute by attribute."""

from __future__ import annotations

import datetime
from enum import Enum
from typing import Any

from msrest.serialization import Model

from azure.keyvault.administration._generated import models as m

ENUMS: dict[str, type[Enum]] = {
    name: cls for name, cls in vars(m).items() if isinstance(cls, type) and issubclass(cls, Enum)
}


def assert_value(value: Any, wire: Any, data_type: str, where: str) -> None:
    if wire is None:
        assert value is None, where
    elif data_type.startswith("["):
        assert isinstance(value, list) and len(value) == len(wire), where
        for i, (item, wire_item) in enumerate(zip(value, wire, strict=True)):
            assert_value(item, wire_item, data_type[1:-1], f"{where}[{i}]")
    elif data_type == "unix-time":
        assert value == datetime.datetime.fromtimestamp(wire, datetime.timezone.utc), where
        assert value.tzinfo is not None, where
    elif data_type in ENUMS:
        enum = ENUMS[data_type]
        assert value == wire, where
        if wire in {member.value for member in enum}:
            assert isinstance(value, enum), f"{where}: known value should be {enum.__name__}"
        else:
            assert type(value) is str, f"{where}: unknown value should stay str"
    elif data_type in ("str", "bool", "int"):
        assert value == wire and type(value) is type(wire), where
    else:
        assert_model(value, wire, where)


def assert_model(model: Any, wire: dict[str, Any], where: str = "$") -> None:
    """Every wire key the model knows must come back with the same value and the right type."""
    assert isinstance(model, Model), where
    assert isinstance(wire, dict), where
    for attr, desc in model._attribute_map.items():
        key = desc["key"]
        if key in wire:
            assert_value(getattr(model, attr), wire[key], desc["type"], f"{where}.{key}")
