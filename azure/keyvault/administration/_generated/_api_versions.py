"""Which operation exists in which service API version (sans-I/O).

One code base serves every known version; an operation that a *known* version lacks is refused
before any request. Version strings this table does not know are sent unchanged (the service
decides), like the official package does.
"""

from typing import Optional

#: The service API versions this layer knows, oldest first.
API_VERSIONS: tuple[str, ...] = ("7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01")

#: The newest known version.
DEFAULT_API_VERSION = API_VERSIONS[-1]

#: Every operation of this layer, by the name used in error messages.
OPERATIONS: tuple[str, ...] = (
    "role_definitions.delete",
    "role_definitions.create_or_update",
    "role_definitions.get",
    "role_definitions.list",
    "role_assignments.delete",
    "role_assignments.create",
    "role_assignments.get",
    "role_assignments.list_for_scope",
    "begin_full_backup",
    "full_backup_status",
    "begin_full_restore_operation",
    "restore_status",
    "begin_selective_key_restore_operation",
    "selective_key_restore_status",
    "begin_pre_full_backup",
    "begin_pre_full_restore_operation",
    "get_settings",
    "get_setting",
    "update_setting",
)

# operation -> (first known version having it, release named in the error message).
# The pre-checks came with 7.6-preview.2; the official package's message names that release.
_ADDED: dict[str, tuple[str, str]] = {
    "get_settings": ("7.4", "7.4"),
    "get_setting": ("7.4", "7.4"),
    "update_setting": ("7.4", "7.4"),
    "begin_pre_full_backup": ("7.6", "7.6-preview.2"),
    "begin_pre_full_restore_operation": ("7.6", "7.6-preview.2"),
}


def is_available(operation: str, api_version: str) -> bool:
    """Whether ``operation`` may be called with ``api_version``.

    :param str operation: An entry of :data:`OPERATIONS`.
    :param str api_version: The client's api-version string.
    :returns: False only when ``api_version`` is a known version that lacks the operation.
    :rtype: bool
    """
    if operation not in OPERATIONS:
        raise KeyError(operation)
    added = _ADDED.get(operation)
    if added is None or api_version not in API_VERSIONS:
        return True
    return API_VERSIONS.index(api_version) >= API_VERSIONS.index(added[0])


def operations_in(api_version: str) -> tuple[str, ...]:
    """The operations a known ``api_version`` offers (every operation for unknown versions).

    :param str api_version: The api-version string.
    :rtype: tuple[str, ...]
    """
    return tuple(op for op in OPERATIONS if is_available(op, api_version))


def unavailable_reason(operation: str, api_version: Optional[str]) -> Optional[str]:
    """The error message for calling ``operation`` with ``api_version``, or None when allowed.

    :param str operation: An entry of :data:`OPERATIONS`.
    :param api_version: The client's api-version string (None is left to the request builder).
    :rtype: str or None
    """
    if api_version is None or is_available(operation, api_version):
        return None
    first = _ADDED[operation][1]
    return (
        f"'{operation}' is not available in API version {api_version}. "
        f"Pass service API version {first} or newer to your client."
    )


def check_available(operation: str, api_version: Optional[str]) -> None:
    """Raise ``ValueError`` when a known ``api_version`` lacks ``operation``.

    :param str operation: An entry of :data:`OPERATIONS`.
    :param api_version: The client's api-version string.
    :raises ValueError: The operation is not in that version.
    """
    reason = unavailable_reason(operation, api_version)
    if reason is not None:
        raise ValueError(reason)
