"""Conformance of the public models, enums and package layout with the contract (API.md §1, §6, §7 and
api-surface.json): constructor rules, reprs, attribute behaviour and enum lookups, str() and format()."""

import inspect
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from azure.core import CaseInsensitiveEnumMeta

import azure.keyvault.administration as admin
import azure.keyvault.administration.aio as admin_aio
from azure.keyvault.administration import (
    ApiVersion,
    KeyVaultBackupResult,
    KeyVaultDataAction,
    KeyVaultPermission,
    KeyVaultRoleAssignment,
    KeyVaultRoleAssignmentProperties,
    KeyVaultRoleDefinition,
    KeyVaultRoleScope,
    KeyVaultSetting,
    KeyVaultSettingType,
)

SURFACE = json.loads((Path(__file__).parents[1] / "data" / "reference" / "api-surface.json").read_text())
SURFACE_48 = json.loads((Path(__file__).parents[1] / "data" / "reference" / "api-surface-4.8.json").read_text())
# 4.7.2's facts, with the names 4.8.0b3 changed (ApiVersion gained two members) replaced by the 4.8.0b3 ones.
NAMES = {
    **SURFACE["modules"]["azure.keyvault.administration"]["names"],
    "ApiVersion": SURFACE_48["modules"]["azure.keyvault.administration"]["names"]["ApiVersion"],
}
ENUMS = [ApiVersion, KeyVaultRoleScope, KeyVaultSettingType, KeyVaultDataAction]
MODELS = [name for name, facts in NAMES.items() if facts["kind"] == "model"]
GETBOOLEAN_ERROR = (
    "The `setting_type` of the setting must be `KeyVaultSettingType.BOOLEAN` and the `value` must be "
    '"true" or "false" in order to use `getboolean`.'
)


# ---------------------------------------------------------------- §1 package layout


def test_versions() -> None:
    # The release whose surface the package matches (api-surface-4.8.json).
    assert admin.__version__ == "4.8.0b3"
    assert admin.VERSION == "4.8.0b3"  # type: ignore[attr-defined]


def test_aio_exports_only_the_four_clients() -> None:
    clients = ["KeyVaultAccessControlClient", "KeyVaultBackupClient", "KeyVaultEkmClient", "KeyVaultSettingsClient"]
    assert sorted(admin_aio.__all__) == clients
    for name in admin_aio.__all__:
        assert getattr(admin_aio, name) is not getattr(admin, name)
        assert getattr(admin_aio, name).__name__ == name


def test_private_names_upstream_tests_import() -> None:
    from azure.keyvault.administration._internal import (
        ChallengeAuthPolicy,
        HttpChallenge,
        HttpChallengeCache,
        parse_folder_url,
    )
    from azure.keyvault.administration._internal.async_challenge_auth_policy import AsyncChallengeAuthPolicy
    from azure.keyvault.administration._internal.client_base import DEFAULT_VERSION

    assert DEFAULT_VERSION == "2025-07-01"
    assert isinstance(HttpChallengeCache._cache, dict)
    HttpChallengeCache.clear()
    assert HttpChallengeCache._cache == {}
    assert all(inspect.isclass(c) for c in (ChallengeAuthPolicy, AsyncChallengeAuthPolicy, HttpChallenge))
    location = parse_folder_url("https://a.storage/a/b/c/?sig=x#frag")
    assert type(location).__name__ == "BackupLocation"
    assert location._fields == ("container_url", "folder_name")
    assert tuple(location) == ("https://a.storage/a", "b/c")


# ---------------------------------------------------------------- §7 enums


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_enum_members_and_kind_match_the_surface(enum: Any) -> None:
    facts = NAMES[enum.__name__]
    assert [(m.name, m.value) for m in enum] == [(m["name"], m["value"]) for m in facts["members"]]
    assert issubclass(enum, str)
    assert isinstance(enum, CaseInsensitiveEnumMeta)


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_enum_lookup_by_name_is_case_insensitive(enum: Any) -> None:
    for member in enum:
        assert enum[member.name.lower()] is member
        assert getattr(enum, member.name.lower()) is member
        assert enum(member.value) is member  # lookup by value stays exact
        assert member == member.value and hash(member) == hash(member.value)


def test_enum_lookup_by_value_is_not_case_insensitive() -> None:
    with pytest.raises(ValueError):
        KeyVaultSettingType("BOOLEAN")


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_enum_str_and_format(enum: Any) -> None:
    member = next(iter(enum))
    assert str(member) == f"{enum.__name__}.{member.name}"
    formatted = f"{enum.__name__}.{member.name}" if sys.version_info >= (3, 11) else member.value
    assert f"{member}" == formatted and format(member) == formatted


def test_enum_examples() -> None:
    assert KeyVaultRoleScope["global"] is KeyVaultRoleScope.GLOBAL and KeyVaultRoleScope.KEYS == "/keys"
    assert ApiVersion.v7_5 is ApiVersion.V7_5
    assert KeyVaultSettingType.BOOLEAN == "boolean"
    assert len(KeyVaultDataAction) == 34
    assert KeyVaultDataAction.READ_HSM_KEY == "Microsoft.KeyVault/managedHsm/keys/read/action"
    assert KeyVaultDataAction.CREATE_HSM_KEY == "Microsoft.KeyVault/managedHsm/keys/create"
    assert KeyVaultDataAction.RANDOM_NUMBERS_GENERATE == "Microsoft.KeyVault/managedHsm/rng/action"


# ---------------------------------------------------------------- §6 models: surface


@pytest.mark.parametrize("name", MODELS)
def test_model_constructor_matches_the_surface(name: str) -> None:
    params = list(inspect.signature(getattr(admin, name).__init__).parameters.values())[1:]
    expected = NAMES[name]["constructor"]["params"]
    assert [(p.name, p.kind.name.lower()) for p in params] == [(p["name"], p["kind"]) for p in expected]
    assert [repr(p.default) for p in params if p.default is not p.empty] == [
        p["default"] for p in expected if "default" in p
    ]


@pytest.mark.parametrize("name", MODELS)
def test_models_have_no_equality_and_writable_attributes(name: str) -> None:
    cls = getattr(admin, name)
    assert cls.__eq__ is object.__eq__
    instance = cls("n", "v") if cls is KeyVaultSetting else cls()
    assert sorted(vars(instance)) == sorted(NAMES[name]["instance_attributes_observed"])
    for attribute in vars(instance):
        setattr(instance, attribute, "changed")
        assert getattr(instance, attribute) == "changed"
    custom_repr = NAMES[name]["has_custom_repr"]
    assert (cls.__repr__ is not object.__repr__) == custom_repr


def test_models_take_keywords_only_and_ignore_unknown_ones() -> None:
    keyword_models: list[Any] = [
        KeyVaultPermission, KeyVaultRoleAssignment, KeyVaultRoleAssignmentProperties, KeyVaultRoleDefinition,
        KeyVaultBackupResult,
    ]
    for cls in keyword_models:
        with pytest.raises(TypeError):
            cls("positional")
        assert "unknown" not in vars(cls(unknown=1))
    assert "unknown" not in vars(KeyVaultSetting("n", "v", unknown=1))


# ---------------------------------------------------------------- §6 models: values and reprs


def test_permission_defaults_and_repr() -> None:
    assert vars(KeyVaultPermission()) == {
        "actions": None, "not_actions": None, "data_actions": None, "not_data_actions": None
    }
    permission = KeyVaultPermission(actions=["a"], not_actions=["b"], data_actions=["c"], not_data_actions=["d"])
    assert (permission.actions, permission.not_actions, permission.data_actions, permission.not_data_actions) == (
        ["a"], ["b"], ["c"], ["d"]
    )
    assert repr(permission).startswith("<azure.keyvault.administration._models.KeyVaultPermission object at ")


def test_role_assignment_type_comes_from_assignment_type() -> None:
    assignment = KeyVaultRoleAssignment(
        name="n", role_assignment_id="/id", assignment_type="t", type="ignored", properties=None
    )
    assert (assignment.name, assignment.role_assignment_id, assignment.type, assignment.properties) == (
        "n", "/id", "t", None
    )
    assert KeyVaultRoleAssignment(type="ignored").type is None
    assert repr(assignment) == "KeyVaultRoleAssignment</id>"
    assert repr(KeyVaultRoleAssignment()) == "KeyVaultRoleAssignment<None>"


def test_role_assignment_properties_repr() -> None:
    properties = KeyVaultRoleAssignmentProperties(principal_id="p", role_definition_id="d", scope="/keys")
    assert repr(properties) == "KeyVaultRoleAssignmentProperties(principal_id=p, role_definition_id=d, scope=/keys)"
    assert repr(KeyVaultRoleAssignmentProperties()) == (
        "KeyVaultRoleAssignmentProperties(principal_id=None, role_definition_id=None, scope=None)"
    )
    # values are interpolated with format(): an enum member shows as format() shows it
    with_enum = KeyVaultRoleAssignmentProperties(scope=KeyVaultRoleScope.KEYS)
    assert repr(with_enum).endswith(f"scope={format(KeyVaultRoleScope.KEYS)})")
    long = repr(KeyVaultRoleAssignmentProperties(principal_id="p" * 2000))
    assert len(long) == 1024 and long.endswith("ppp")
    assert repr(KeyVaultRoleAssignmentProperties(principal_id="{x}")).startswith(
        "KeyVaultRoleAssignmentProperties(principal_id={x}, "
    )


def test_role_definition_attributes_and_repr() -> None:
    definition = KeyVaultRoleDefinition(
        id="/i", name="n", type="t", role_name="r", description="d", role_type="c", permissions=[],
        assignable_scopes=["/"],
    )
    assert vars(definition) == {
        "assignable_scopes": ["/"], "description": "d", "id": "/i", "name": "n", "permissions": [],
        "role_name": "r", "role_type": "c", "type": "t",
    }
    assert repr(definition) == "KeyVaultRoleDefinition</i>"
    assert all(value is None for value in vars(KeyVaultRoleDefinition()).values())


def test_backup_result() -> None:
    assert KeyVaultBackupResult().folder_url is None
    assert KeyVaultBackupResult(folder_url="https://a/b/c").folder_url == "https://a/b/c"
    assert repr(KeyVaultBackupResult()).startswith("<azure.keyvault.administration._models.KeyVaultBackupResult ")


@pytest.mark.parametrize(
    ("args", "value", "setting_type"),
    [
        (("n", True), "true", KeyVaultSettingType.BOOLEAN),  # a bool infers the boolean type
        (("n", False, None), "false", KeyVaultSettingType.BOOLEAN),
        (("n", 5), "5", None),
        (("n", None), "None", None),
        (("n", "true"), "true", None),  # strings do not infer a type
        (("n", "TRUE", "boolean"), "true", KeyVaultSettingType.BOOLEAN),
        (("n", "TRUE", "BOOLEAN"), "true", "boolean"),
        (("n", "False", KeyVaultSettingType.BOOLEAN), "false", KeyVaultSettingType.BOOLEAN),
        (("n", "X", "STRING"), "X", "string"),
        (("n", True, "string"), "True", "string"),
        (("n", "v", 5), "v", 5),  # non-string types are kept unchanged
    ],
)
def test_setting_constructor_rules(args: tuple[Any, ...], value: str, setting_type: Any) -> None:
    setting = KeyVaultSetting(*args)
    assert setting.name == "n"
    assert setting.value == value and type(setting.value) is str
    assert setting.setting_type == setting_type
    # only "boolean" itself (or the member) is stored as the member; other strings are lower-cased plain str
    assert type(setting.setting_type) is type(setting_type)


def test_setting_keywords_and_repr() -> None:
    setting = KeyVaultSetting(name="n", value=False, setting_type=None)
    assert (setting.value, setting.setting_type) == ("false", KeyVaultSettingType.BOOLEAN)
    assert repr(setting).startswith("<azure.keyvault.administration._models.KeyVaultSetting object at ")
    with pytest.raises(TypeError):
        KeyVaultSetting()  # type: ignore[call-arg]


def test_getboolean() -> None:
    assert KeyVaultSetting("n", True).getboolean() is True
    assert KeyVaultSetting("n", "FALSE", "boolean").getboolean() is False
    for setting in (KeyVaultSetting("n", "true"), KeyVaultSetting("n", "yes", "boolean"), KeyVaultSetting("n", "1")):
        with pytest.raises(ValueError) as error:
            setting.getboolean()
        assert str(error.value) == GETBOOLEAN_ERROR
