"""Accepted ``api-version`` values and per-operation version gates."""

from __future__ import annotations

from aiohttp import web

from .errors import bad_parameter

SUPPORTED_API_VERSIONS: tuple[str, ...] = (
    "7.2",
    "7.3",
    "7.4",
    "7.5",
    "7.6-preview.2",
    "7.6",
    "2025-06-01-preview",
    "2025-07-01",
    "2026-01-01-preview",
    "2026-07-01-preview",
)
"""Accepted versions, oldest first (the order used by :func:`require_api_version`'s ``minimum``).

The two 2026 previews serve every administration operation exactly as ``2025-07-01`` does and add EKM. The
``2026-03-01-preview`` and ``2026-05-01-preview`` that 4.8.0b3's gates let through have no published contract and
are refused (the safe side).
"""

LATEST_API_VERSION = SUPPORTED_API_VERSIONS[-1]
SETTINGS_MIN_VERSION = "7.4"
PRE_CHECK_MIN_VERSION = "7.6-preview.2"
EKM_MIN_VERSION = "2026-01-01-preview"
"""The EKM connection operations (``/ekm``, ``/ekm/create``, ``/ekm/certificate``, ``/ekm/check``)."""
EKM_PRIVATE_ENDPOINT_MIN_VERSION = "2026-07-01-preview"
"""The EKM private-endpoint operations (``/ekm/privateendpoint...``) and the connection's ``connectivity_mode``."""

_RANK = {version: index for index, version in enumerate(SUPPORTED_API_VERSIONS)}


def at_least(version: str | None, minimum: str) -> bool:
    """True when ``version`` (an accepted one, as :func:`require_api_version` returned it) is ``minimum`` or later."""
    return version is not None and _RANK.get(version, -1) >= _RANK[minimum]


def require_api_version(request: web.Request, minimum: str | None = None, *, optional: bool = False) -> str | None:
    """Validate the request's ``api-version`` query parameter and return it.

    :param request: the incoming request.
    :param minimum: the oldest version that has this operation (e.g. ``"7.4"`` for settings).
    :param optional: accept a request without ``api-version`` (LRO status URLs are polled without it);
        ``None`` is returned then.
    :raises ServiceError: 400 ``BadParameter`` when missing (and not optional), unknown, or too old.
    """
    version = request.query.get("api-version")
    if version is None or version == "":
        if optional:
            return None
        raise bad_parameter("The 'api-version' query parameter is missing.")
    if version not in _RANK:
        raise bad_parameter(
            f"The specified version ({version}) is not recognized. Consider using the latest supported "
            f"version ({LATEST_API_VERSION})."
        )
    if minimum is not None and _RANK[version] < _RANK[minimum]:
        raise bad_parameter(f"The operation is not supported in api-version '{version}'; it needs {minimum} or later.")
    return version
