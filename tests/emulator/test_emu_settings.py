"""Settings: list/get/update with the service's shapes, validation, version gate."""

from __future__ import annotations

import pytest
from emu_helpers import Api, assert_error

NAME = "AllowKeyManagementOperationsThroughARM"


def test_list_shape(api: Api) -> None:
    response = api.get("/settings")
    assert response.status_code == 200
    # Compact JSON like every live answer (the recordings' Content-Length counts no spaces).
    assert response.text.startswith('{"settings":[{"name":"' + NAME + '","type":"boolean","value":')
    assert response.json() == {"settings": [{"name": NAME, "type": "boolean", "value": "false"}]}


def test_get_update_roundtrip(api: Api) -> None:
    assert api.get(f"/settings/{NAME}").json() == {"name": NAME, "type": "boolean", "value": "false"}
    updated = api.patch(f"/settings/{NAME}", json={"value": "true"})
    assert updated.status_code == 200 and list(updated.json()) == ["name", "type", "value"]
    assert updated.json()["value"] == "true"
    assert api.get(f"/settings/{NAME}").json()["value"] == "true"
    assert api.patch(f"/settings/{NAME}", json={"value": "false"}).json()["value"] == "false"


@pytest.mark.parametrize("body", [{"value": "yes"}, {"value": "TRUE"}, {"value": True}, {"value": None}, {}])
def test_boolean_validation(api: Api, body: dict[str, object]) -> None:
    assert_error(api.patch(f"/settings/{NAME}", json=body), 400, "BadParameter")
    assert api.get(f"/settings/{NAME}").json()["value"] == "false"


def test_unknown_setting_is_404(api: Api) -> None:
    assert_error(api.get("/settings/NoSuchSetting"), 404)
    assert_error(api.patch("/settings/NoSuchSetting", json={"value": "true"}), 404)


@pytest.mark.parametrize("version", ["7.2", "7.3"])
def test_settings_need_74(api: Api, version: str) -> None:
    assert_error(api.get("/settings", api_version=version), 400, "BadParameter")
    assert api.get("/settings", api_version="7.4").status_code == 200
