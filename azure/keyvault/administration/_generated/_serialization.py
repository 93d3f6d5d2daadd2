"""Thin helpers around msrest's Serializer and Deserializer.

Two deviations from stock msrest, both to match what the service and the official client do
with extensible enums:

* serializing an enum-typed value sends any string as it is (msrest refuses values the enum
  does not list, but the service accepts new data actions before this client knows them);
* deserializing maps only exact enum values to members and keeps anything else as the plain
  ``str`` it was, silently (msrest also matches case-insensitively and logs a warning).
"""

from enum import Enum
from typing import Any, Optional

from msrest import Deserializer as _MsrestDeserializer
from msrest import Serializer as _MsrestSerializer
from msrest.serialization import Model

from . import models as _models
from ._codecs import failsafe_deserialize, response_payload
from ._compiled import BodyPlanCompiler, PlanCompiler

_NO_VALUE = "No value for given attribute"


def _model_classes() -> dict[str, type]:
    return {name: cls for name, cls in vars(_models).items() if isinstance(cls, type)}


class Serializer(_MsrestSerializer):
    """msrest Serializer over every generated model and enum, without client-side validation."""

    def __init__(self, classes: Optional[dict[str, type]] = None) -> None:
        super().__init__(_model_classes() if classes is None else classes)
        self.client_side_validation = False
        self._body_plans = BodyPlanCompiler(self)

    def serialize_data(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        enum_type = self.dependencies.get(data_type)
        if data is not None and isinstance(enum_type, type) and issubclass(enum_type, Enum):
            return data.value if isinstance(data, Enum) else data
        return super().serialize_data(data, data_type, **kwargs)

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        """Serialize a request body to its wire-keyed JSON value.

        Model instances are serialized directly (msrest's ``body`` would first round-trip them
        through its own deserializer); dicts still go through msrest's normal path.
        """
        if isinstance(data, Model):
            plan = None if kwargs else self._body_plans.plan(type(data))
            if plan is not None:
                try:
                    return plan(data)
                except Exception:  # not the plain case: msrest decides (result or error)
                    pass
            return self._serialize(data, data_type, **kwargs)
        return super().body(data, data_type, **kwargs)

    def url(self, name: str, data: Any, data_type: str, **kwargs: Any) -> str:
        """Serialize a path parameter; ``None`` raises ``ValueError`` like the official client."""
        if data is None:
            raise ValueError(_NO_VALUE)
        return super().url(name, data, data_type, **kwargs)

    def query(self, name: str, data: Any, data_type: str, **kwargs: Any) -> str:
        """Serialize a query parameter; ``None`` raises ``ValueError`` like the official client."""
        if data is None:
            raise ValueError(_NO_VALUE)
        return super().query(name, data, data_type, **kwargs)


class Deserializer(_MsrestDeserializer):
    """msrest Deserializer over every generated model and enum (exact enum matching)."""

    def __init__(self, classes: Optional[dict[str, type]] = None) -> None:
        super().__init__(_model_classes() if classes is None else classes)
        self._compiler = PlanCompiler(self)

    def __call__(self, target_obj: Any, response_data: Any, content_type: Optional[str] = None) -> Any:
        """Deserialize ``response_data`` as ``target_obj``: msrest's result, through a precompiled plan when the
        data is a plain decoded JSON object (see :mod:`._compiled`), else through msrest itself."""
        if content_type is None and type(target_obj) is str and (type(response_data) is dict or response_data is None):
            plan = self._compiler.plan(target_obj)
            if plan is not None:
                try:
                    return plan(response_data)
                except Exception:  # not the plain case: msrest decides (result or error)
                    pass
        return super().__call__(target_obj, response_data, content_type)

    def _deserialize(self, target_obj: Any, data: Any) -> Any:
        result = super()._deserialize(target_obj, data)
        if isinstance(result, Model) and hasattr(result, "_received_members") and isinstance(data, dict):
            # Lets the public layer tell "{}" (absent) from an object whose members are all null.
            result._received_members = frozenset(data)
        return result

    @staticmethod
    def deserialize_enum(data: Any, enum_obj: type[Enum]) -> Any:
        if data is None or isinstance(data, enum_obj):
            return data
        if isinstance(data, Enum):
            data = data.value
        try:
            return enum_obj(data)
        except ValueError:
            return data


__all__ = ["Deserializer", "Serializer", "failsafe_deserialize", "response_payload"]
