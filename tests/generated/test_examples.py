"""Feed every stored spec example through its operation: request parameters in, response body out."""

from __future__ import annotations

import datetime
import json
import pathlib
from typing import Any, Callable, NamedTuple, Optional

import pytest

from azure.keyvault.administration._generated import models as m
from azure.keyvault.administration._generated._serialization import Deserializer

from ._transport import Canned, make_client, sent_json
from ._wire import assert_model

REST = pathlib.Path(__file__).resolve().parents[1] / "data" / "reference" / "rest"
_DES = Deserializer()


class ExampleOp(NamedTuple):
    invoke: Callable[[Any, dict[str, Any], Any], Any]
    body_param: Optional[str] = None
    body_type: Optional[str] = None
    kind: str = "call"


def _defs(c: Any) -> Any:
    return c.role_definitions


def _asgs(c: Any) -> Any:
    return c.role_assignments


OPS: dict[str, ExampleOp] = {
    "DeleteRoleDefinition": ExampleOp(
        lambda c, p, b: _defs(c).delete(p["vaultBaseUrl"], p["scope"], p["roleDefinitionName"])
    ),
    "GetRoleDefinition": ExampleOp(
        lambda c, p, b: _defs(c).get(p["vaultBaseUrl"], p["scope"], p["roleDefinitionName"])
    ),
    "PutRoleDefinition": ExampleOp(
        lambda c, p, b: _defs(c).create_or_update(p["vaultBaseUrl"], p["scope"], p["roleDefinitionName"], b),
        "parameters",
        "RoleDefinitionCreateParameters",
    ),
    "ListRoleDefinitions": ExampleOp(lambda c, p, b: list(_defs(c).list(p["vaultBaseUrl"], p["scope"])), kind="list"),
    "DeleteRoleAssignments": ExampleOp(
        lambda c, p, b: _asgs(c).delete(p["vaultBaseUrl"], p["scope"], p["roleAssignmentName"])
    ),
    "GetRoleAssignments": ExampleOp(
        lambda c, p, b: _asgs(c).get(p["vaultBaseUrl"], p["scope"], p["roleAssignmentName"])
    ),
    "PutRoleAssignments": ExampleOp(
        lambda c, p, b: _asgs(c).create(p["vaultBaseUrl"], p["scope"], p["roleAssignmentName"], b),
        "parameters",
        "RoleAssignmentCreateParameters",
    ),
    "ListRoleAssignments": ExampleOp(
        lambda c, p, b: list(_asgs(c).list_for_scope(p["vaultBaseUrl"], p["scope"])), kind="list"
    ),
    "FullBackup": ExampleOp(
        lambda c, p, b: c.begin_full_backup(p["vaultBaseUrl"], b, polling=False).result(),
        "azureStorageBlobContainerUri",
        "SASTokenParameter",
    ),
    "FullBackup-pending": ExampleOp(lambda c, p, b: c.full_backup_status(p["vaultBaseUrl"], p["jobId"])),
    "PreFullBackup": ExampleOp(
        lambda c, p, b: c.begin_pre_full_backup(p["vaultBaseUrl"], b, polling=False).result(),
        "preBackupOperationParameters",
        "PreBackupOperationParameters",
    ),
    "FullRestore": ExampleOp(
        lambda c, p, b: c.begin_full_restore_operation(p["vaultBaseUrl"], b, polling=False).result(),
        "restoreBlobDetails",
        "RestoreOperationParameters",
    ),
    "Restore-pending": ExampleOp(lambda c, p, b: c.restore_status(p["vaultBaseUrl"], p["jobId"])),
    "PreFullRestore": ExampleOp(
        lambda c, p, b: c.begin_pre_full_restore_operation(p["vaultBaseUrl"], b, polling=False).result(),
        "preRestoreOperationParameters",
        "PreRestoreOperationParameters",
    ),
    "SelectiveRestore": ExampleOp(
        lambda c, p, b: c.begin_selective_key_restore_operation(
            p["vaultBaseUrl"], p["keyName"], b, polling=False
        ).result(),
        "restoreBlobDetails",
        "SelectiveKeyRestoreOperationParameters",
    ),
    "SelectiveRestore-pending": ExampleOp(
        lambda c, p, b: c.selective_key_restore_status(p["vaultBaseUrl"], p["jobId"])
    ),
    "ListSettings": ExampleOp(lambda c, p, b: c.get_settings(p["vaultBaseUrl"])),
    "GetSetting": ExampleOp(lambda c, p, b: c.get_setting(p["vaultBaseUrl"], p["setting-name"])),
    "UpdateSetting": ExampleOp(
        lambda c, p, b: c.update_setting(p["vaultBaseUrl"], p["setting-name"], b), "parameters", "UpdateSettingRequest"
    ),
}

EXAMPLES = sorted(
    path
    for path in REST.glob("**/examples/**/*-example.json")
    if path.name.removesuffix("-example.json") not in ("GetEkmConnection", "CheckEkmConnection")
)


def _stem(path: pathlib.Path) -> str:
    return path.name.removesuffix("-example.json")


def test_every_example_file_is_covered() -> None:
    assert len(EXAMPLES) >= 85
    assert {_stem(p) for p in EXAMPLES} == set(OPS)


def assert_body_sent(example_body: Any, sent: Any) -> None:
    """The sent body is the example's, plus the always-sent ``useManagedIdentity: false``."""
    if isinstance(example_body, dict):
        assert isinstance(sent, dict)
        extra = set(sent) - set(example_body)
        assert extra <= {"useManagedIdentity"}
        if extra:
            assert sent["useManagedIdentity"] is False
        for key, value in example_body.items():
            assert_body_sent(value, sent[key])
    else:
        assert sent == example_body


@pytest.mark.parametrize("path", EXAMPLES, ids=[f"{p.parent.parent.name}/{_stem(p)}" for p in EXAMPLES])
def test_example(path: pathlib.Path) -> None:
    example = json.loads(path.read_text())
    params = example["parameters"]
    status, response = next(iter(example["responses"].items()))
    op = OPS[_stem(path)]
    canned = Canned(int(status), response.get("body"), {k: str(v) for k, v in response.get("headers", {}).items()})
    client, transport = make_client(params["api-version"], [canned])
    body = _DES(op.body_type, params[op.body_param]) if op.body_param else None

    result = op.invoke(client, params, body)

    request = transport.last
    assert request.url.startswith(params["vaultBaseUrl"].rstrip("/") + "/")
    assert request.url.split("?")[1].startswith("api-version=" + params["api-version"])
    if op.body_param:
        assert_body_sent(params[op.body_param], sent_json(request))
    if op.kind == "list":
        wire_items = response["body"]["value"]
        assert len(result) == len(wire_items)
        for item, wire in zip(result, wire_items, strict=True):
            assert_model(item, wire)
    else:
        assert_model(result, response["body"])


def _run(version: str, stem: str) -> Any:
    path = REST / version / "examples" / f"{stem}-example.json"
    example = json.loads(path.read_text())
    params = example["parameters"]
    status, response = next(iter(example["responses"].items()))
    client, _ = make_client(params["api-version"], [Canned(int(status), response.get("body"))])
    op = OPS[stem]
    body = _DES(op.body_type, params[op.body_param]) if op.body_param else None
    return op.invoke(client, params, body)


def test_spot_check_role_definition_7_5() -> None:
    result = _run("7.5", "PutRoleDefinition")
    assert result.name == "00000000-0000-0000-0000-000000000000"
    assert result.type is m.RoleDefinitionType.MICROSOFT_AUTHORIZATION_ROLE_DEFINITIONS
    assert result.properties.role_type is m.RoleType.CUSTOM_ROLE
    assert result.properties.assignable_scopes == [m.RoleScope.GLOBAL]
    assert result.properties.permissions[0].data_actions == [m.DataAction.SIGN_HSM_KEY]


def test_spot_check_unknown_role_type_stays_str_7_4() -> None:
    (definition,) = _run("7.4", "ListRoleDefinitions")
    assert definition.properties.role_type == "roletype"
    assert type(definition.properties.role_type) is str
    assert definition.properties.permissions[0].actions == ["get"]
    assert definition.properties.permissions[0].not_actions == []


def test_spot_check_selective_restore_status_7_2() -> None:
    result = _run("7.2", "SelectiveRestore-pending")
    assert isinstance(result, m.SelectiveKeyRestoreOperation)
    assert result.status is m.OperationStatus.IN_PROGRESS
    assert result.start_time == datetime.datetime(2017, 3, 29, 12, 20, tzinfo=datetime.timezone.utc)
    assert result.end_time == datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def test_spot_check_backup_status_7_3() -> None:
    result = _run("7.3", "FullBackup-pending")
    assert isinstance(result, m.FullBackupOperation)
    assert result.azure_storage_blob_container_uri.endswith("/.fullbackup-pool-61e8dd3ae21f-1579243113")
    assert result.status_details == "Full backup is in progress"


def test_spot_check_settings_7_4() -> None:
    result = _run("7.4", "ListSettings")
    assert isinstance(result, m.SettingsListResult)
    assert all(isinstance(s, m.Setting) for s in result.settings)
    assert result.settings[0].type is m.SettingTypeEnum.BOOLEAN
