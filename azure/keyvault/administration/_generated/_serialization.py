"""Thin helpers around msrest's Serializer and Deserializer.

Two deviations from stock msrest, both to match what the service and the official client do
with extensible enums:

* serializing an enum-typed value sends any string as it is (msrest refuses values the enum
  does not list, but the service accepts new data actions before this client knows them);
* deserializing maps only exact enum values to members and keeps anything else as the plain
  ``str`` it was, silently (msrest also matches case-insensitively and logs a warning).
"""

import json
from enum import Enum
from typing import Any, Optional

from msrest import Deserializer as _MsrestDeserializer
from msrest import Serializer as _MsrestSerializer
from msrest.serialization import Model

from azure.core.pipeline import PipelineResponse

from . import models as _models

_NO_VALUE = "No value for given attribute"


def _model_classes() -> dict[str, type]:
    return {name: cls for name, cls in vars(_models).items() if isinstance(cls, type)}


class Serializer(_MsrestSerializer):
    """msrest Serializer over every generated model and enum, without client-side validation."""

    def __init__(self, classes: Optional[dict[str, type]] = None) -> None:
        super().__init__(_model_classes() if classes is None else classes)
        self.client_side_validation = False

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


def response_payload(pipeline_response: PipelineResponse) -> Any:
    """The decoded JSON body of a response (None when the body is empty).

    Uses what azure-core's ContentDecodePolicy already decoded; parses the text otherwise (a
    caller-supplied ``policies`` list may lack that policy).
    """
    context = pipeline_response.context
    if "deserialized_data" in context:
        return context["deserialized_data"]
    text = pipeline_response.http_response.text()
    return json.loads(text) if text else None


def failsafe_deserialize(deserializer: Deserializer, target: str, payload: Any) -> Any:
    """Deserialize ``payload`` as ``target`` or return None (used for error bodies)."""
    if not isinstance(payload, dict):
        return None
    try:
        return deserializer(target, payload)
    except Exception:  # an unreadable error body must not hide the HTTP error
        return None
