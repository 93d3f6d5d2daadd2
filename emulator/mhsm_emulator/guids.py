"""GUIDs as names and references: the spellings accepted and the one canonical form used for identity.

Role definition and role assignment names, the GUID in a ``roleDefinitionId`` and GUID principal ids are
compared, stored and looked up in the canonical form (lower case, dashed: ``xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx``,
what the service returns for the names it generates and what .NET's ``Guid.ToString()`` gives). Otherwise the
same GUID could be re-used under another spelling, e.g. a custom role under a built-in role's GUID.
"""

from __future__ import annotations

import re

_HEX32 = r"[0-9a-f]{32}"
_DASHED = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# .NET's Guid.Parse formats N (32 digits), D (dashed), B ({D}), P ((D)), plus RFC 4122's "urn:uuid:" prefix.
_GUID = re.compile(
    rf"^(?:urn:uuid:)?(?:(?P<n>{_HEX32})|(?P<d>{_DASHED})|\{{(?P<b>{_DASHED})\}}|\((?P<p>{_DASHED})\))$",
    re.IGNORECASE,
)


def canonical_guid(value: object) -> str | None:
    """The canonical (lower-case, dashed) form of a GUID in any accepted spelling; ``None`` for a non-GUID.

    Accepted: 32 hex digits, the dashed form, the dashed form in braces or parentheses, each optionally after
    ``urn:uuid:``; any letter case. Anything else (dashes elsewhere, spaces, other prefixes) is not a GUID.
    """
    if not isinstance(value, str):
        return None
    match = _GUID.match(value)
    if match is None:
        return None
    digits = (match.group("n") or match.group("d") or match.group("b") or match.group("p")).replace("-", "").lower()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def is_guid(value: object) -> bool:
    """True for a GUID in one of the spellings :func:`canonical_guid` accepts."""
    return canonical_guid(value) is not None


def canonical_principal(value: str) -> str:
    """A principal id for storage and comparison: the canonical GUID, or the value as sent when not a GUID.

    (Entra object ids are GUIDs; other ids are a test convenience, kept as sent and compared case-insensitively.)
    """
    return canonical_guid(value) or value
