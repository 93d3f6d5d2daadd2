"""A minimal azure-core tracing plugin that records the names of the spans it opens, for span-name tests.

    with recording_spans() as names:
        client.get_role_definition("/", name)
    assert names[0] == "KeyVaultAccessControlClient.get_role_definition"
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from azure.core.settings import settings


class RecordingSpan:
    """Implements just enough of azure-core's ``AbstractSpan`` for ``distributed_trace`` and the tracing policy."""

    names: ClassVar[list[str]] = []

    def __init__(self, span: Any = None, name: str = "span", kind: Any = None, **kwargs: Any) -> None:
        self.name = name
        self.kind = kind
        self.span_instance = self
        RecordingSpan.names.append(name)

    def __enter__(self) -> RecordingSpan:
        return self

    def __exit__(self, *args: Any) -> None:
        pass

    def span(self, name: str = "span", **kwargs: Any) -> RecordingSpan:
        return RecordingSpan(name=name, **kwargs)

    def start(self) -> None:
        pass

    def finish(self) -> None:
        pass

    def add_attribute(self, key: str, value: Any) -> None:
        pass

    def set_http_attributes(self, request: Any, response: Any = None) -> None:
        pass

    def to_header(self) -> dict[str, str]:
        return {}

    @classmethod
    def get_current_span(cls) -> None:
        return None

    @classmethod
    def get_current_tracer(cls) -> None:
        return None

    @classmethod
    def set_current_span(cls, span: Any) -> None:
        pass

    @classmethod
    def set_current_tracer(cls, tracer: Any) -> None:
        pass

    @classmethod
    @contextmanager
    def change_context(cls, span: Any) -> Iterator[None]:
        yield

    @classmethod
    def with_current_context(cls, func: Any) -> Any:
        return func

    @classmethod
    def link(cls, *args: Any, **kwargs: Any) -> None:
        pass


@contextmanager
def recording_spans() -> Iterator[list[str]]:
    """Install :class:`RecordingSpan` as azure-core's tracing implementation; yields the span names, in order."""
    RecordingSpan.names.clear()
    settings.tracing_implementation.set_value(RecordingSpan)
    settings.tracing_enabled.set_value(True)
    try:
        yield RecordingSpan.names
    finally:
        settings.tracing_implementation.unset_value()
        settings.tracing_enabled.unset_value()
