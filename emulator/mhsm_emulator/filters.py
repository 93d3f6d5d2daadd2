"""The small OData ``$filter`` subset the service documents for role lists."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import bad_parameter

_CLAUSE_SPLIT = re.compile(r"\s+and\s+", re.IGNORECASE)
_EQ = re.compile(r"^(?P<field>[A-Za-z]+)\s+eq\s+'(?P<value>(?:[^']|'')*)'$", re.IGNORECASE)


@dataclass(frozen=True)
class ListFilter:
    """Parsed filter: ``at_scope`` (``atScope()``), ``at_scope_and_below``, and equality constraints."""

    at_scope: bool = False
    at_scope_and_below: bool = False
    principal_id: str | None = None
    role_name: str | None = None


def parse_filter(text: str | None, *, allowed: set[str]) -> ListFilter:
    """Parse ``$filter``; ``allowed`` names the clauses this list accepts.

    Clause names: ``atScope``, ``atScopeAndBelow``, ``principalId``, ``roleName``; clauses join with ``and``.

    :raises ServiceError: 400 ``BadParameter`` for anything else.
    """
    if text is None or not text.strip():
        return ListFilter()
    values: dict[str, object] = {}
    for clause in _CLAUSE_SPLIT.split(text.strip()):
        clause = clause.strip()
        name: str
        value: object
        if clause.replace(" ", "").lower() in ("atscope()", "atscopeandbelow()"):
            name = "atScope" if clause.replace(" ", "").lower() == "atscope()" else "atScopeAndBelow"
            value = True
        else:
            match = _EQ.match(clause)
            if match is None:
                raise bad_parameter(f"The $filter '{text}' is not supported.")
            field = match.group("field")
            name = {"principalid": "principalId", "rolename": "roleName"}.get(field.lower(), field)
            value = match.group("value").replace("''", "'")
        if name not in allowed or name in values:
            raise bad_parameter(f"The $filter '{text}' is not supported.")
        values[name] = value
    return ListFilter(
        at_scope=bool(values.get("atScope", False)),
        at_scope_and_below=bool(values.get("atScopeAndBelow", False)),
        principal_id=values.get("principalId") if isinstance(values.get("principalId"), str) else None,  # type: ignore[arg-type]
        role_name=values.get("roleName") if isinstance(values.get("roleName"), str) else None,  # type: ignore[arg-type]
    )
