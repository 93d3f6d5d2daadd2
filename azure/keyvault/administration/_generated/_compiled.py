"""Precompiled msrest deserialization: the same msrest ``Model`` objects as msrest builds, built faster.

msrest's ``Deserializer`` interprets each model's ``_attribute_map`` again for every object: it copies every
attribute description, tries two key extractors (REST and XML) per key, dispatches on the type string, builds a
set of known keys per object to find additional properties, and instantiates the model through its ``__init__``.
A listing of 1,000 role definitions spends most of its time there.

A *plan* does that interpretation once per model class: a tuple of ``(attribute, wire key, converter)`` and the
order in which msrest's instantiation leaves the instance's attributes. Applying it to a JSON object gives an
instance whose ``__dict__`` equals, key for key and in the same order, what msrest returns (``additional_properties``
included; ``tests/generated/test_compiled.py`` checks every model).

Only the well-typed case is compiled. Anything else (a value of an unexpected JSON type, a class whose
``__init__`` does more than assign its keywords, flattened keys, polymorphic or XML models, types without a fast
converter) makes the plan give up *before anything is returned*, and the caller runs msrest's own path, so its
results, coercions and errors are unchanged.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Callable, Optional

Converter = Callable[[Any], Any]


class Unusual(Exception):
    """Raised inside a plan when the data is not the plain, well-typed case; the caller falls back to msrest."""


_UNUSUAL = Unusual()
_BASIC = ("str", "bool", "int", "float")


def _str(value: Any) -> Any:
    if type(value) is str or value is None:
        return value
    raise _UNUSUAL


def _bool(value: Any) -> Any:
    if value is True or value is False or value is None:
        return value
    raise _UNUSUAL


def _int(value: Any) -> Any:
    if type(value) is int or value is None:
        return value
    raise _UNUSUAL


def _float(value: Any) -> Any:
    if type(value) is float or value is None:
        return value
    if type(value) is int:
        return float(value)
    raise _UNUSUAL


_BASIC_CONVERTERS: dict[str, Converter] = {"str": _str, "bool": _bool, "int": _int, "float": _float}


class PlanCompiler:
    """Builds (and keeps) the plans of one msrest ``Deserializer``.

    :param deserializer: The msrest ``Deserializer`` (subclass) whose ``dependencies``, ``deserialize_enum``,
        ``deserialize_object`` and ``deserialize_unix`` define the results; plans call those for the values they
        do not convert themselves.
    """

    def __init__(self, deserializer: Any) -> None:
        self._deserializer = deserializer
        self._dependencies: dict[str, Any] = deserializer.dependencies
        self._plans: dict[str, Optional[Converter]] = {}
        self._compiling: set[str] = set()

    def plan(self, target: str) -> Optional[Converter]:
        """The plan for the model named ``target`` (a function of the decoded JSON), or None when not compiled."""
        try:
            return self._plans[target]
        except KeyError:
            pass
        plan = self._compile_model(target)
        self._plans[target] = plan
        return plan

    # ---- converters ----

    def _converter(self, data_type: str) -> Optional[Converter]:
        if data_type in _BASIC_CONVERTERS:
            return _BASIC_CONVERTERS[data_type]
        if len(data_type) > 2 and data_type[0] == "[" and data_type[-1] == "]":
            item = self._converter(data_type[1:-1])
            if item is None:
                return None

            def convert_list(value: Any, item: Converter = item) -> Any:
                if type(value) is list:
                    return [item(element) for element in value]
                if value is None:
                    return None
                raise _UNUSUAL

            return convert_list
        if data_type == "object":
            deserialize_object = self._deserializer.deserialize_object
            return lambda value: None if value is None else deserialize_object(value)
        if data_type == "unix-time":
            deserialize_unix = self._deserializer.deserialize_unix

            def convert_unix(value: Any) -> Any:
                if value is None:
                    return None
                if type(value) is int or type(value) is float:
                    return deserialize_unix(value)
                raise _UNUSUAL

            return convert_unix
        target = self._dependencies.get(data_type)
        if isinstance(target, type) and issubclass(target, Enum):
            return self._enum_converter(target)
        if data_type in self._compiling:
            # A recursive model (Error.inner_error): resolve its plan when the value is converted.
            return lambda value: self._nested(data_type, value)
        plan = self.plan(data_type)
        if plan is None:
            return None

        def convert_model(value: Any, plan: Converter = plan) -> Any:
            if type(value) is dict or value is None:
                return plan(value)
            raise _UNUSUAL

        return convert_model

    def _nested(self, data_type: str, value: Any) -> Any:
        plan = self._plans.get(data_type)
        if plan is None or not (type(value) is dict or value is None):
            raise _UNUSUAL
        return plan(value)

    def _enum_converter(self, enum_type: type[Enum]) -> Converter:
        members = dict(enum_type._value2member_map_)
        deserialize_enum = self._deserializer.deserialize_enum

        def convert_enum(value: Any) -> Any:
            if type(value) is str:
                member = members.get(value)
                return member if member is not None else deserialize_enum(value, enum_type)
            if value is None:
                return None
            raise _UNUSUAL

        return convert_enum

    # ---- models ----

    def _compile_model(self, target: str) -> Optional[Converter]:
        cls: Any = self._dependencies.get(target)
        layout = _instance_layout(cls)
        if layout is None:
            return None
        self._compiling.add(target)
        try:
            attributes = []
            for attr, description in cls._attribute_map.items():
                converter = self._converter(description["type"])
                if converter is None:
                    return None
                attributes.append((attr, description["key"], converter))
        finally:
            self._compiling.discard(target)
        return _model_plan(cls, tuple(attributes), layout)


def _instance_layout(cls: Any) -> Optional[tuple[tuple[str, ...], bool]]:
    """``(attribute order, records received members)`` of what msrest's instantiation leaves in a ``cls`` instance.

    None when the class cannot be compiled: not a plain msrest model, or its ``__init__`` does anything but
    assign its keywords (checked by building two probe instances the way msrest does).
    """
    if not isinstance(cls, type) or not hasattr(cls, "_attribute_map") or issubclass(cls, Enum):
        return None
    if cls.__dict__.get("_subtype_map") or hasattr(cls, "_xml_map"):
        return None
    attribute_map: dict[str, Any] = getattr(cls, "_attribute_map")  # noqa: B009 - type[object] has no such name
    validation: dict[str, Any] = getattr(cls, "_validation", {}) or {}
    if "additional_properties" in attribute_map or any(config.get("constant") for config in validation.values()):
        return None
    for attr, description in attribute_map.items():
        key = description.get("key")
        if not isinstance(key, str) or not key or "." in key or "\\" in key:
            return None
        if hasattr(getattr(cls, attr, None), "__set__"):  # a property or other data descriptor
            return None
    readonly = [attr for attr, config in validation.items() if config.get("readonly")]
    writable = [attr for attr in attribute_map if attr not in readonly]
    sentinels = {attr: object() for attr in writable}
    try:
        with_values = cls(**sentinels)
        with_nones = cls(**dict.fromkeys(writable))
    except Exception:  # an __init__ that cannot be probed is left to msrest
        return None
    if not hasattr(with_values, "__dict__"):
        return None
    values, nones = vars(with_values), vars(with_nones)
    if list(values) != list(nones) or not isinstance(values.get("additional_properties"), dict):
        return None
    for attr in writable:
        if values.get(attr) is not sentinels[attr] or nones.get(attr) is not None:
            return None
    for name, value in values.items():
        if name != "additional_properties" and name not in sentinels and value is not None:
            return None
    order = list(values)
    order += [attr for attr in readonly if attr in attribute_map and attr not in values]
    return tuple(order), hasattr(with_nones, "_received_members")


def _model_plan(
    cls: type, attributes: tuple[tuple[str, str, Converter], ...], layout: tuple[tuple[str, ...], bool]
) -> Converter:
    order, records_members = layout
    known = frozenset(key for _, key, _ in attributes)
    by_attr = {attr: (key, convert) for attr, key, convert in attributes}
    # In instance order: (name, wire key, converter); ("additional_properties", None, None) takes the unknown
    # members, and a name __init__ sets outside the map keeps its probed value (None) with no converter.
    steps = tuple((name, *by_attr.get(name, (None, None))) for name in order)
    new = object.__new__

    def build(data: Any) -> Any:
        if data is None:
            return None
        state: dict[str, Any] = {}
        for name, key, convert in steps:
            if convert is not None:
                state[name] = convert(data.get(key))
            elif name == "additional_properties":
                state[name] = {key: value for key, value in data.items() if key not in known}
            else:
                state[name] = None
        instance: Any = new(cls)
        instance.__dict__.update(state)
        if records_members:
            instance._received_members = frozenset(data)
        return instance

    return build


# ---- request bodies ------------------------------------------------------------------------------------------


def _plain_str(value: Any) -> Any:
    if type(value) is str:
        return value
    raise _UNUSUAL


def _plain_bool(value: Any) -> Any:
    if value is True or value is False:
        return value
    raise _UNUSUAL


def _plain_int(value: Any) -> Any:
    if type(value) is int:
        return value
    raise _UNUSUAL


_BODY_BASIC: dict[str, Converter] = {"str": _plain_str, "bool": _plain_bool, "int": _plain_int}


def _enum_value(value: Any) -> Any:
    # The package's Serializer sends an enum-typed value's member value, and any other value as it is.
    return value.value if isinstance(value, Enum) else value


class BodyPlanCompiler:
    """Precompiled msrest serialization of request models (the twin of :class:`PlanCompiler` for bodies).

    A plan turns a model instance into the same JSON dict msrest's ``Serializer`` builds (members in attribute-map
    order, read-only and ``None`` members left out, enum members as their values), for the plain case only:
    ``str``/``bool``/``int`` values of exactly those types, lists of them, enum-typed values, nested models.
    Anything else gives up before returning, and msrest serializes it instead.

    :param serializer: The msrest ``Serializer`` (subclass) whose ``dependencies`` name the models and enums.
    """

    def __init__(self, serializer: Any) -> None:
        self._dependencies: dict[str, Any] = serializer.dependencies
        self._plans: dict[type, Optional[Converter]] = {}

    def plan(self, cls: type) -> Optional[Converter]:
        """The body plan for instances of ``cls`` (a function of the instance), or None when not compiled."""
        try:
            return self._plans[cls]
        except KeyError:
            pass
        self._plans[cls] = None  # while compiling (and if it cannot be compiled)
        plan = self._compile(cls)
        self._plans[cls] = plan
        return plan

    def _converter(self, data_type: str) -> Optional[Converter]:
        if data_type in _BODY_BASIC:
            return _BODY_BASIC[data_type]
        target = self._dependencies.get(data_type)
        if isinstance(target, type) and issubclass(target, Enum):
            return _enum_value
        if len(data_type) > 2 and data_type[0] == "[" and data_type[-1] == "]":
            inner = data_type[1:-1]
            item_target = self._dependencies.get(inner)
            if isinstance(item_target, type) and issubclass(item_target, Enum):

                def convert_enum_list(value: Any) -> Any:
                    if type(value) is not list:
                        raise _UNUSUAL
                    return [None if item is None else _enum_value(item) for item in value]

                return convert_enum_list
            item = _BODY_BASIC.get(inner)
            if item is None and isinstance(item_target, type) and hasattr(item_target, "_attribute_map"):
                item = self._nested
            if item is None:
                return None

            def convert_list(value: Any, item: Converter = item) -> Any:
                if type(value) is not list:
                    raise _UNUSUAL
                # msrest sends None for a None item of a list.
                return [None if element is None else item(element) for element in value]

            return convert_list
        if isinstance(target, type) and hasattr(target, "_attribute_map"):
            return self._nested
        return None

    def _nested(self, value: Any) -> Any:
        # msrest serializes a nested model by the instance's own class, whatever the declared type.
        plan = self.plan(type(value)) if hasattr(value, "_attribute_map") else None
        if plan is None:
            raise _UNUSUAL
        return plan(value)

    def _compile(self, cls: type) -> Optional[Converter]:
        attribute_map: Any = getattr(cls, "_attribute_map", None)
        if not isinstance(attribute_map, dict) or getattr(cls, "_xml_map", None) is not None:
            return None
        validation: dict[str, Any] = getattr(cls, "_validation", {}) or {}
        steps = []
        keys = set()
        for attr, description in attribute_map.items():
            if validation.get(attr, {}).get("readonly", False):
                continue
            key = description.get("key")
            if attr == "additional_properties" or not isinstance(key, str) or not key or "." in key or key in keys:
                return None
            keys.add(key)
            converter = self._converter(description["type"])
            if converter is None:
                return None
            steps.append((attr, key, converter))
        members = tuple(steps)

        def serialize(instance: Any) -> dict[str, Any]:
            body = {}
            for attr, key, convert in members:
                value = getattr(instance, attr)
                if value is not None:
                    body[key] = convert(value)
            return body

        return serialize
