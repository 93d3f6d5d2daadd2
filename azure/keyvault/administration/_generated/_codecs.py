"""The msrest serializer and deserializer of one generated client, made on first use.

Building them imports msrest (and, through it, ``oauthlib`` and ``requests_oauthlib``): a client that is only
constructed, or a program that only imports the package, does not pay that. Decoded-JSON helpers that need no
msrest live here too, so the request and response paths can use them without importing it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Optional

from azure.core.pipeline import PipelineResponse

if TYPE_CHECKING:
    from ._serialization import Deserializer, Serializer


class Codecs:
    """A client's msrest ``Serializer`` and ``Deserializer`` (over every generated model), each made when first used."""

    __slots__ = ("_deserializer", "_serializer")

    def __init__(self) -> None:
        self._serializer: Optional[Serializer] = None
        self._deserializer: Optional[Deserializer] = None

    @property
    def serializer(self) -> Serializer:
        """The serializer (made, and msrest imported, on first use)."""
        serializer = self._serializer
        if serializer is None:
            from ._serialization import Serializer

            serializer = self._serializer = Serializer()
        return serializer

    @property
    def deserializer(self) -> Deserializer:
        """The deserializer (made, and msrest imported, on first use)."""
        deserializer = self._deserializer
        if deserializer is None:
            from ._serialization import Deserializer

            deserializer = self._deserializer = Deserializer()
        return deserializer


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


def failsafe_deserialize(deserializer: Any, target: str, payload: Any) -> Any:
    """Deserialize ``payload`` as ``target`` or return None (used for error bodies)."""
    if not isinstance(payload, dict):
        return None
    try:
        return deserializer(target, payload)
    except Exception:  # an unreadable error body must not hide the HTTP error
        return None
