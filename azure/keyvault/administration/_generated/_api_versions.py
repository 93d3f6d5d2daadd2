"""Which operation exists in which service API version (sans-I/O).

One code base serves every known version. Two kinds of gate refuse an operation before any request:

* the administration operations (RBAC, backup/restore, settings) came with a known version; a *known* version
  older than that is refused, and version strings this table does not know are sent unchanged (the service
  decides), like the official package does;
* the EKM operations exist only in a fixed list of preview versions, compared exactly (case-sensitive): any other
  string, known or not, is refused. This is what the official 4.8.0b3 does (its list includes 2026-03-01-preview
  and 2026-05-01-preview, which are not ``ApiVersion`` members); the list is wire-observable behaviour, so it is
  kept exactly rather than widened to "this version or later".
"""

from typing import Optional

#: The service API versions this layer knows, oldest first.
API_VERSIONS: tuple[str, ...] = (
    "7.2",
    "7.3",
    "7.4",
    "7.5",
    "7.6",
    "2025-07-01",
    "2026-01-01-preview",
    "2026-07-01-preview",
)

#: The newest stable version: the default of the access control, backup and settings clients.
DEFAULT_API_VERSION = "2025-07-01"

#: The newest known version: the default of the EKM client.
LATEST_API_VERSION = API_VERSIONS[-1]

#: The versions with the EKM connection operations (exact strings).
EKM_CONNECTION_API_VERSIONS: tuple[str, ...] = (
    "2026-01-01-preview",
    "2026-03-01-preview",
    "2026-05-01-preview",
    "2026-07-01-preview",
)

#: The versions with the EKM private-endpoint operations (exact strings).
EKM_PRIVATE_ENDPOINT_API_VERSIONS: tuple[str, ...] = ("2026-07-01-preview",)

_EKM_CONNECTION_OPERATIONS = (
    "get_ekm_connection",
    "create_ekm_connection",
    "update_ekm_connection",
    "delete_ekm_connection",
    "get_ekm_certificate",
    "check_ekm_connection",
)
_EKM_PRIVATE_ENDPOINT_OPERATIONS = (
    "begin_create_ekm_private_endpoint",
    "begin_delete_ekm_private_endpoint",
    "get_ekm_private_endpoint",
    "list_ekm_private_endpoints",
    "get_ekm_private_endpoint_operation_status",
)

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
    *_EKM_CONNECTION_OPERATIONS,
    *_EKM_PRIVATE_ENDPOINT_OPERATIONS,
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

# operation -> the exact versions having it (the first one is named in the error message).
_ONLY_IN: dict[str, tuple[str, ...]] = {
    **{operation: EKM_CONNECTION_API_VERSIONS for operation in _EKM_CONNECTION_OPERATIONS},
    **{operation: EKM_PRIVATE_ENDPOINT_API_VERSIONS for operation in _EKM_PRIVATE_ENDPOINT_OPERATIONS},
}


def is_available(operation: str, api_version: Optional[str]) -> bool:
    """Whether ``operation`` may be called with ``api_version``.

    :param str operation: An entry of :data:`OPERATIONS`.
    :param api_version: The client's api-version string.
    :returns: For an EKM operation, whether ``api_version`` is one of its versions; for the others, False only
        when ``api_version`` is a known version that lacks the operation.
    :rtype: bool
    """
    if operation not in OPERATIONS:
        raise KeyError(operation)
    only_in = _ONLY_IN.get(operation)
    if only_in is not None:
        return api_version in only_in
    added = _ADDED.get(operation)
    if added is None or api_version not in API_VERSIONS:
        return True
    return API_VERSIONS.index(api_version) >= API_VERSIONS.index(added[0])


def operations_in(api_version: str) -> tuple[str, ...]:
    """The operations ``api_version`` offers (for unknown versions: every operation but the EKM ones).

    :param str api_version: The api-version string.
    :rtype: tuple[str, ...]
    """
    return tuple(op for op in OPERATIONS if is_available(op, api_version))


def unavailable_reason(operation: str, api_version: Optional[str]) -> Optional[str]:
    """The error message for calling ``operation`` with ``api_version``, or None when allowed.

    :param str operation: An entry of :data:`OPERATIONS`.
    :param api_version: The client's api-version string (None is left to the request builder, except for the
        EKM operations, which refuse it like any other version they lack).
    :rtype: str or None
    """
    only_in = _ONLY_IN.get(operation)
    if (api_version is None and only_in is None) or is_available(operation, api_version):
        return None
    first = only_in[0] if only_in is not None else _ADDED[operation][1]
    return (
        f"'{operation}' is not available in API version {api_version}. "
        f"Pass service API version {first} or newer to your client."
    )


def check_available(operation: str, api_version: Optional[str]) -> None:
    """Raise ``ValueError`` when ``api_version`` lacks ``operation``.

    :param str operation: An entry of :data:`OPERATIONS`.
    :param api_version: The client's api-version string.
    :raises ValueError: The operation is not in that version.
    """
    reason = unavailable_reason(operation, api_version)
    if reason is not None:
        raise ValueError(reason)
