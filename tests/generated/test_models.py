"""Models and enums: wire names, enum conversion both ways, defaults, official enum names."""

from __future__ import annotations

import datetime
from enum import Enum

import pytest
from azure.core import CaseInsensitiveEnumMeta

from azure.keyvault.administration._generated import models as m
from azure.keyvault.administration._generated._serialization import Deserializer, Serializer

SER, DES = Serializer(), Deserializer()
P = "Microsoft.KeyVault/managedHsm/"


def test_enum_classes_and_members_match_the_official_generated_enums() -> None:
    assert {
        name: [(x.name, x.value) for x in cls]
        for name, cls in [
            ("RoleScope", m.RoleScope),
            ("RoleType", m.RoleType),
            ("RoleDefinitionType", m.RoleDefinitionType),
            ("SettingTypeEnum", m.SettingTypeEnum),
            ("OperationStatus", m.OperationStatus),
        ]
    } == {
        "RoleScope": [("GLOBAL", "/"), ("KEYS", "/keys")],
        "RoleType": [("BUILT_IN_ROLE", "AKVBuiltInRole"), ("CUSTOM_ROLE", "CustomRole")],
        "RoleDefinitionType": [("MICROSOFT_AUTHORIZATION_ROLE_DEFINITIONS", "Microsoft.Authorization/roleDefinitions")],
        "SettingTypeEnum": [("BOOLEAN", "boolean")],
        "OperationStatus": [
            ("IN_PROGRESS", "InProgress"),
            ("SUCCEEDED", "Succeeded"),
            ("CANCELED", "Canceled"),
            ("FAILED", "Failed"),
        ],
    }
    for cls in (m.RoleScope, m.RoleType, m.RoleDefinitionType, m.SettingTypeEnum, m.OperationStatus, m.DataAction):
        assert issubclass(cls, str) and issubclass(cls, Enum)
        assert isinstance(cls, CaseInsensitiveEnumMeta)
    assert m.RoleScope["global"] is m.RoleScope.GLOBAL


def test_data_actions_cover_spec_and_live_values() -> None:
    spec = [
        "keys/read/action",
        "keys/write/action",
        "keys/deletedKeys/read/action",
        "keys/deletedKeys/recover/action",
        "keys/backup/action",
        "keys/restore/action",
        "roleAssignments/delete/action",
        "roleAssignments/read/action",
        "roleAssignments/write/action",
        "roleDefinitions/read/action",
        "roleDefinitions/write/action",
        "roleDefinitions/delete/action",
        "keys/encrypt/action",
        "keys/decrypt/action",
        "keys/wrap/action",
        "keys/unwrap/action",
        "keys/sign/action",
        "keys/verify/action",
        "keys/create",
        "keys/delete",
        "keys/export/action",
        "keys/release/action",
        "keys/import/action",
        "keys/deletedKeys/delete",
        "securitydomain/download/action",
        "securitydomain/download/read",
        "securitydomain/upload/action",
        "securitydomain/upload/read",
        "securitydomain/transferkey/read",
        "backup/start/action",
        "restore/start/action",
        "backup/status/action",
        "restore/status/action",
        "rng/action",
    ]
    assert [a.value for a in m.DataAction] == [P + v for v in spec]
    # the 34 spec members keep the official generated names
    assert m.DataAction.READ_HSM_KEY == P + "keys/read/action"
    assert m.DataAction.RANDOM_NUMBERS_GENERATE == P + "rng/action"
    assert m.DataAction.PURGE_DELETED_HSM_KEY == P + "keys/deletedKeys/delete"


def test_builtin_role_actions_deserialize_like_the_official_package() -> None:
    import json
    import pathlib

    roles_file = pathlib.Path(__file__).resolve().parents[1] / "data" / "reference" / "builtin-roles.json"
    roles = json.loads(roles_file.read_text())
    page = DES("RoleDefinitionListResult", {"value": roles} if isinstance(roles, list) else roles)
    actions = [a for d in page.value for p in d.properties.permissions for a in p.data_actions]
    assert len(actions) > 50
    spec_values = {member.value for member in m.DataAction}
    # Spec actions become enum members; the live-only ones (rotate, derive, settings, ekm) stay plain str,
    # as in the official package.
    assert all(isinstance(a, m.DataAction) for a in actions if a in spec_values)
    live_only = [a for a in actions if a not in spec_values]
    assert P + "settings/read/action" in live_only and all(type(a) is str for a in live_only)


def test_known_strings_become_enums_unknown_stay_str() -> None:
    assignment = DES("RoleAssignment", {"properties": {"scope": "/keys"}})
    assert assignment.properties.scope is m.RoleScope.KEYS
    assert repr(assignment.properties.scope) == "<RoleScope.KEYS: '/keys'>"
    for unknown in ("/KEYS", "/keys/k1", ""):
        value = DES("RoleAssignment", {"properties": {"scope": unknown}}).properties.scope
        assert value == unknown and type(value) is str
    definition = DES(
        "RoleDefinition",
        {
            "type": "other",
            "properties": {"type": "customrole", "permissions": [{"dataActions": [P + "keys/sign/action", "x"]}]},
        },
    )
    assert type(definition.type) is str and type(definition.properties.role_type) is str
    assert definition.properties.permissions[0].data_actions == [m.DataAction.SIGN_HSM_KEY, "x"]
    assert type(definition.properties.permissions[0].data_actions[1]) is str
    status = DES("FullBackupOperation", {"status": "Paused"})
    assert status.status == "Paused" and type(status.status) is str


def test_unknown_enum_values_are_sent_as_given() -> None:
    body = SER.body(
        m.RoleDefinitionCreateParameters(
            properties=m.RoleDefinitionProperties(
                role_type="SomethingNew",
                permissions=[m.Permission(data_actions=["custom/action", m.DataAction.WRAP_HSM_KEY])],
                assignable_scopes=["/keys/k1", m.RoleScope.KEYS],
            )
        ),
        "RoleDefinitionCreateParameters",
    )
    assert body == {
        "properties": {
            "type": "SomethingNew",
            "permissions": [{"dataActions": ["custom/action", P + "keys/wrap/action"]}],
            "assignableScopes": ["/keys/k1", "/keys"],
        }
    }


def test_none_members_omitted_empty_lists_kept() -> None:
    assert SER.body(m.Permission(), "Permission") == {}
    assert SER.body(m.Permission(actions=[], data_actions=None), "Permission") == {"actions": []}
    assert SER.body(
        m.RoleDefinitionCreateParameters(properties=m.RoleDefinitionProperties(permissions=[])),
        "RoleDefinitionCreateParameters",
    ) == {"properties": {"permissions": []}}


def test_sas_token_parameter_defaults() -> None:
    assert SER.body(m.SASTokenParameter(storage_resource_uri="u"), "SASTokenParameter") == {
        "storageResourceUri": "u",
        "useManagedIdentity": False,
    }
    assert list(SER.body(m.SASTokenParameter(storage_resource_uri="u", token="t"), "SASTokenParameter")) == [
        "storageResourceUri",
        "token",
        "useManagedIdentity",
    ]
    assert SER.body(m.PreBackupOperationParameters(), "PreBackupOperationParameters") == {"useManagedIdentity": False}


def test_required_fields_are_not_validated_client_side() -> None:
    # the service decides; the official client sends what it gets
    assert SER.body(
        m.RoleAssignmentCreateParameters(properties=m.RoleAssignmentProperties()), "RoleAssignmentCreateParameters"
    ) == {"properties": {}}
    assert SER.body(m.UpdateSettingRequest(), "UpdateSettingRequest") == {}


def test_dict_bodies_are_accepted_too() -> None:
    assert SER.body({"value": "false"}, "UpdateSettingRequest") == {"value": "false"}


def test_error_model_uses_innererror_wire_name() -> None:
    error = DES(
        "KeyVaultError", {"error": {"code": "a", "message": "b", "innererror": {"code": "c", "innererror": None}}}
    )
    assert error.error.inner_error.code == "c"
    assert error.error.inner_error.inner_error is None
    assert m.Error._attribute_map["inner_error"]["key"] == "innererror"


def test_job_times_are_aware_utc_datetimes() -> None:
    job = DES("RestoreOperation", {"startTime": 1749089881, "endTime": None, "jobId": "j"})
    assert job.start_time == datetime.datetime(2025, 6, 5, 2, 18, 1, tzinfo=datetime.timezone.utc)
    assert job.end_time is None
    assert not hasattr(job, "azure_storage_blob_container_uri")


def test_unknown_fields_are_ignored() -> None:
    setting = DES("Setting", {"name": "n", "value": "v", "type": "boolean", "extra": 1})
    assert (setting.name, setting.value, setting.type) == ("n", "v", m.SettingTypeEnum.BOOLEAN)


@pytest.mark.parametrize("name", m.__all__)
def test_models_have_keyword_only_init(name: str) -> None:
    cls = getattr(m, name)
    if issubclass(cls, Enum):
        return
    with pytest.raises(TypeError):
        cls("positional")
