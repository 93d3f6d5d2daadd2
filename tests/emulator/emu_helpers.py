"""HTTP helper for emulator tests: requests trusting the emulator CA, with a bearer token and api-version."""

from __future__ import annotations

import uuid
from typing import Any

import requests
from mhsm_emulator import RunningEmulator

API_VERSION = "2025-07-01"
DEFS = "/providers/Microsoft.Authorization/roleDefinitions"
ASSIGNMENTS = "/providers/Microsoft.Authorization/roleAssignments"


class Api:
    """requests against the emulator with a bearer token (admin unless told) and a default api-version."""

    def __init__(self, emulator: RunningEmulator, token: str | None = None) -> None:
        self.emulator = emulator
        self.session = requests.Session()
        self.session.verify = emulator.ca_file
        self.token = token if token is not None else emulator.mint_token()

    def request(
        self,
        method: str,
        path: str,
        *,
        api_version: str | None = API_VERSION,
        token: str | None = None,
        auth: bool = True,
        **kwargs: Any,
    ) -> requests.Response:
        params = dict(kwargs.pop("params", {}) or {})
        if api_version is not None:
            params.setdefault("api-version", api_version)
        headers = dict(kwargs.pop("headers", {}) or {})
        if auth:
            headers.setdefault("Authorization", f"Bearer {token or self.token}")
        url = path if path.startswith("https://") else self.emulator.vault_url + path
        kwargs.setdefault("verify", self.emulator.ca_file)  # a session's verify loses to REQUESTS_CA_BUNDLE
        return self.session.request(method, url, params=params, headers=headers, timeout=30, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def for_principal(self, principal_id: str) -> Api:
        return Api(self.emulator, self.emulator.mint_token(principal_id))


def new_guid() -> str:
    return str(uuid.uuid4())


def assert_error(response: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    if code is not None:
        assert body["error"]["code"] == code, body
    assert "Retry-After" not in response.headers or status in (429, 503)
    return body  # type: ignore[no-any-return]
