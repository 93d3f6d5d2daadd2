"""A handle on a running emulator for tests: URLs, credentials, environment, identities and role assignments.

:class:`ManagedHsm` is what the pytest plugin's ``managed_hsm`` fixture gives. It is built from the emulator's
startup record (the CLI's JSON line, or :meth:`EmulatorServer.info() <mhsm_emulator.server.EmulatorServer.info>`
in process), so it works for an emulator in any process. Its RBAC helpers go through the emulator's HTTP API as
the HSM's administrator: what they do, a user's administrator could do on a real HSM.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .credentials import AsyncEmulatorCredential, EmulatorCredential
from .identities import user_assigned

API_VERSION = "7.4"
"""The api-version the helpers use (every route they call has it)."""

_ASSIGNMENTS = "/providers/Microsoft.Authorization/roleAssignments"
_DEFINITIONS = "/providers/Microsoft.Authorization/roleDefinitions"
_NAMES = uuid.UUID("5a1c3e2f-8f4b-4c1e-9d0a-4d2b7e6f1a90")


class ManagedHsmError(RuntimeError):
    """The emulator refused a helper's request.

    :ivar status: the HTTP status; :ivar code: the service's error code; the message is the service's.
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code


@dataclass(frozen=True)
class Identity:
    """A user-assigned managed identity of the emulator: it starts with no role.

    ``credential``/``async_credential`` get its tokens from the emulator's identity endpoint; so does
    ``azure.identity.ManagedIdentityCredential(client_id=identity.client_id)`` under ``managed_hsm_env``.
    """

    client_id: str
    principal_id: str
    credential: EmulatorCredential
    async_credential: AsyncEmulatorCredential


def normalize_scope(scope: str) -> str:
    """``"/"``, ``"/keys"`` or ``"/keys/<name>"`` from any of their usual spellings (``KeyVaultRoleScope`` too)."""
    text = str(getattr(scope, "value", scope)).strip()
    return "/" + text.strip("/") if text.strip("/") else "/"


class ManagedHsm:
    """A running emulator, described by its startup record (the JSON line ``mhsm-emulator`` prints).

    Attributes: :attr:`vault_url`, :attr:`ca_file` (clients need ``connection_verify=ca_file``, see
    :meth:`client_kwargs`, unless ``SSL_CERT_FILE``/``REQUESTS_CA_BUNDLE`` name it), :attr:`credential` and
    :attr:`async_credential` (azure-core ``TokenCredential``/``AsyncTokenCredential`` of the HSM's administrator,
    :attr:`principal_id`), :attr:`env` (the five environment variables), :attr:`identity_endpoint`,
    :attr:`identity_header`, :attr:`resource`, :attr:`tenant_id`, :attr:`data_dir`, :attr:`ready_url`, :attr:`pid`
    and :attr:`info` (the whole record).
    """

    def __init__(self, record: Mapping[str, Any]) -> None:
        self.info: dict[str, Any] = dict(record)
        self.vault_url: str = record["vault_url"]
        self.ca_file: str = record["ca_file"]
        self.identity_endpoint: str = record["identity_endpoint"]
        self.identity_header: str = record["identity_header"]
        self.resource: str = record["resource"]
        self.tenant_id: str = record["tenant_id"]
        self.principal_id: str = record["principal_id"]
        self.data_dir: str = record["data_dir"]
        self.ready_url: str | None = record.get("ready_url")
        self.pid: int | None = record.get("pid")
        self.env: dict[str, str] = dict(record["env"])
        self.credential = EmulatorCredential(self.identity_endpoint, self.identity_header)
        self.async_credential = AsyncEmulatorCredential(self.identity_endpoint, self.identity_header)
        self._ssl = ssl.create_default_context(cafile=self.ca_file)

    def __repr__(self) -> str:
        return f"ManagedHsm(vault_url={self.vault_url!r}, principal_id={self.principal_id!r})"

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for any Key Vault client: ``{"connection_verify": ca_file}``."""
        return {"connection_verify": self.ca_file}

    # ---- identities and roles ----

    def new_identity(self, name: str | None = None) -> Identity:
        """A user-assigned identity with no role (a fresh one each call; the same one for the same ``name``)."""
        client_id = str(uuid.uuid5(_NAMES, f"identity:{name}")) if name is not None else str(uuid.uuid4())
        principal = user_assigned(client_id=client_id)
        return Identity(
            client_id=principal.client_id,
            principal_id=principal.object_id,
            credential=EmulatorCredential(self.identity_endpoint, self.identity_header, client_id=client_id),
            async_credential=AsyncEmulatorCredential(self.identity_endpoint, self.identity_header,
                                                     client_id=client_id),
        )

    def role_definition(self, role: str) -> dict[str, Any]:
        """The role definition named ``role``: its ``roleName`` (any case), its GUID name, or its full ``id``.

        :raises ValueError: no such role (the message lists the roles there are).
        """
        wanted = str(getattr(role, "value", role)).strip()
        name = wanted.rsplit("/", 1)[-1].lower()
        definitions = self._list(_DEFINITIONS)
        for definition in definitions:
            if definition["name"].lower() == name or definition["properties"]["roleName"].lower() == wanted.lower():
                return definition
        known = ", ".join(sorted(d["properties"]["roleName"] for d in definitions))
        raise ValueError(f"no role definition {role!r} in the emulator; its roles: {known}")

    def role_assignments(self, principal_id: str | None = None, scope: str = "/") -> list[dict[str, Any]]:
        """The role assignments made exactly at ``scope`` (of ``principal_id`` only, when given)."""
        scope = normalize_scope(scope)
        query = {"$filter": f"principalId eq '{principal_id}'"} if principal_id else {"$filter": "atScope()"}
        items = self._list(_scope_path(scope) + _ASSIGNMENTS, query)
        return [item for item in items if normalize_scope(item["properties"]["scope"]) == scope]

    def assign_role(self, principal_id: str, role: str, scope: str = "/") -> dict[str, Any]:
        """Give ``principal_id`` the role ``role`` at ``scope``, as the HSM's administrator; idempotent.

        :param role: a role name (``"Managed HSM Crypto User"``), a definition GUID or a definition id.
        :param scope: ``"/"``, ``"/keys"`` or ``"/keys/<key name>"``.
        :returns: the assignment (the service's JSON); the existing one when the principal already has this role
            at this scope, so calling it again changes nothing.
        :raises ValueError: no such role.
        :raises ManagedHsmError: the emulator refused (a role not assignable at that scope...).
        """
        scope = normalize_scope(scope)
        definition = self.role_definition(role)
        definition_name = definition["name"].lower()
        for assignment in self.role_assignments(principal_id, scope):
            if assignment["properties"]["roleDefinitionId"].rsplit("/", 1)[-1].lower() == definition_name:
                return assignment
        # A name derived from what it grants: a retry after a lost answer finds the same assignment.
        name = uuid.uuid5(_NAMES, f"{principal_id.lower()}|{definition_name}|{scope}")
        body = {"properties": {"roleDefinitionId": definition["id"], "principalId": principal_id}}
        return self._call("PUT", f"{_scope_path(scope)}{_ASSIGNMENTS}/{name}", body=body)

    # ---- HTTP ----

    def _list(self, path: str, query: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page: dict[str, Any] | None = self._call("GET", path, query=query)
        while page is not None:
            items.extend(page.get("value") or [])
            next_link = page.get("nextLink")
            page = self._call("GET", next_link) if next_link else None
        return items

    def _call(
        self, method: str, path: str, *, query: Mapping[str, str] | None = None, body: Any = None
    ) -> dict[str, Any]:
        if path.startswith("https://"):
            url = path  # a nextLink: absolute, with its own query
        else:
            url = self.vault_url + urllib.parse.quote(path) + "?" + urllib.parse.urlencode(
                {"api-version": API_VERSION, **(query or {})}
            )
        token = self.credential.get_token(f"{self.resource}/.default").token
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, context=self._ssl, timeout=60) as response:
                text = response.read()
        except urllib.error.HTTPError as exc:
            raise _service_error(exc) from None
        return json.loads(text) if text else {}


def _scope_path(scope: str) -> str:
    return "" if scope == "/" else scope


def _service_error(exc: urllib.error.HTTPError) -> ManagedHsmError:
    try:
        error = json.loads(exc.read()).get("error") or {}
    except ValueError:
        error = {}
    return ManagedHsmError(exc.code, str(error.get("code") or exc.reason), str(error.get("message") or exc.reason))
