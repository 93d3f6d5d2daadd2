"""RBAC scopes: ``/``, ``/keys`` and ``/keys/<key name>``; normalisation and containment."""

from __future__ import annotations

import re

from .errors import bad_parameter

GLOBAL = "/"
KEYS = "/keys"
_KEY_NAME = re.compile(r"^[0-9A-Za-z-]{1,127}$")


def normalize_scope(raw: str) -> str:
    """Canonical form of a scope taken from a URL or a body.

    Repeated and trailing slashes collapse (the JS SDK sends ``///providers`` for ``/``), ``""`` means ``/``,
    the ``keys`` segment is matched case-insensitively.

    :raises ServiceError: 400 ``BadParameter`` for anything but ``/``, ``/keys`` or ``/keys/<valid key name>``.
    """
    segments = [segment for segment in raw.split("/") if segment]
    if not segments:
        return GLOBAL
    if segments[0].lower() == "keys" and len(segments) == 1:
        return KEYS
    if segments[0].lower() == "keys" and len(segments) == 2 and _KEY_NAME.match(segments[1]):
        return f"{KEYS}/{segments[1]}"
    raise bad_parameter(
        f"Invalid scope '{as_written(raw)}'. Supported scopes are '/', '/keys' and '/keys/<key name>'."
    )


def as_written(raw: str) -> str:
    """A scope as the client wrote it, for messages.

    A URL's scope is captured without its leading slash and with the slash before ``providers``
    (``/secrets/providers/...`` gives ``secrets/``): shown as ``/secrets``, like a body's ``secrets``.
    """
    shown = raw.rstrip("/")
    return shown if shown.startswith("/") else "/" + shown


def scope_contains(outer: str, inner: str) -> bool:
    """True when an assignment at ``outer`` applies at ``inner`` (same scope or an ancestor)."""
    outer_l, inner_l = outer.lower(), inner.lower()
    return outer_l == GLOBAL or outer_l == inner_l or inner_l.startswith(outer_l + "/")


def scopes_related(first: str, second: str) -> bool:
    """True when one scope contains the other."""
    return scope_contains(first, second) or scope_contains(second, first)


def url_prefix(scope: str) -> str:
    """The path prefix of ids at ``scope``: ``""`` for ``/``, else the scope itself."""
    return "" if scope == GLOBAL else scope
