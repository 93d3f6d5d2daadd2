"""The operation table and models agree with every stored swagger (7.2 ... 2025-07-01), and the preview versions
offer the administration operations of 2025-07-01 plus the EKM ones of EKM.md section 2.3 (exact version lists)."""

from __future__ import annotations

import json
import pathlib

import pytest

from azure.keyvault.administration._generated import models as m
from azure.keyvault.administration._generated._api_versions import (
    API_VERSIONS,
    DEFAULT_API_VERSION,
    EKM_CONNECTION_API_VERSIONS,
    EKM_PRIVATE_ENDPOINT_API_VERSIONS,
    LATEST_API_VERSION,
    OPERATIONS,
    check_available,
    is_available,
    operations_in,
    unavailable_reason,
)
from azure.keyvault.administration._generated._request_builders import SPECS

REST = pathlib.Path(__file__).resolve().parents[1] / "data" / "reference" / "rest"
# The versions whose swaggers are stored (no swagger of the previews was found; see REST.md section 6.1).
SWAGGER_VERSIONS = tuple(version for version in API_VERSIONS if (REST / version).is_dir())
EKM_CONNECTION_OPERATIONS = {
    "get_ekm_connection", "create_ekm_connection", "update_ekm_connection", "delete_ekm_connection",
    "get_ekm_certificate", "check_ekm_connection",
}
EKM_PRIVATE_ENDPOINT_OPERATIONS = {
    "begin_create_ekm_private_endpoint", "begin_delete_ekm_private_endpoint", "get_ekm_private_endpoint",
    "list_ekm_private_endpoints", "get_ekm_private_endpoint_operation_status",
}
EKM_OPERATIONS = EKM_CONNECTION_OPERATIONS | EKM_PRIVATE_ENDPOINT_OPERATIONS

OPERATION_IDS = {
    "RoleDefinitions_Delete": "role_definitions.delete",
    "RoleDefinitions_CreateOrUpdate": "role_definitions.create_or_update",
    "RoleDefinitions_Get": "role_definitions.get",
    "RoleDefinitions_List": "role_definitions.list",
    "RoleAssignments_Delete": "role_assignments.delete",
    "RoleAssignments_Create": "role_assignments.create",
    "RoleAssignments_Get": "role_assignments.get",
    "RoleAssignments_ListForScope": "role_assignments.list_for_scope",
    "FullBackup": "begin_full_backup",
    "FullBackupStatus": "full_backup_status",
    "PreFullBackup": "begin_pre_full_backup",
    "FullRestoreOperation": "begin_full_restore_operation",
    "RestoreStatus": "restore_status",
    "PreFullRestoreOperation": "begin_pre_full_restore_operation",
    "SelectiveKeyRestoreOperation": "begin_selective_key_restore_operation",
    "SelectiveKeyRestoreStatus": "selective_key_restore_status",
    "GetSettings": "get_settings",
    "GetSetting": "get_setting",
    "UpdateSetting": "update_setting",
}


def swagger_operations(version: str) -> dict[str, tuple[str, str, int]]:
    found = {}
    for path in (REST / version).glob("*.json"):
        doc = json.loads(path.read_text())
        for section in ("paths", "x-ms-paths"):
            for url, methods in doc.get(section, {}).items():
                for method, op in methods.items():
                    if method == "parameters":
                        continue
                    status = min(int(code) for code in op["responses"] if code != "default")
                    found[OPERATION_IDS[op["operationId"]]] = (method.upper(), url.split("?")[0], status)
    return found


def test_swaggers_cover_every_stable_version() -> None:
    assert SWAGGER_VERSIONS == ("7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01")


@pytest.mark.parametrize("version", SWAGGER_VERSIONS)
def test_operations_per_version_match_swagger(version: str) -> None:
    ops = swagger_operations(version)
    # 7.2-7.5 define no separate selective-restore status op; its URL is RestoreStatus's
    if "selective_key_restore_status" not in ops:
        ops["selective_key_restore_status"] = ops["restore_status"]
    assert set(operations_in(version)) == set(ops)
    for name, (method, path, status) in ops.items():
        spec = SPECS[name]
        assert (spec.method, spec.path, spec.status) == (method, path, status), name


def test_versions_and_default() -> None:
    assert API_VERSIONS == (
        "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-01-01-preview", "2026-07-01-preview")
    assert DEFAULT_API_VERSION == "2025-07-01"
    assert LATEST_API_VERSION == "2026-07-01-preview"
    assert set(SPECS) == set(OPERATIONS)
    assert EKM_OPERATIONS <= set(OPERATIONS)


def test_ekm_version_lists_are_the_official_ones() -> None:
    # Exact strings (EKM.md 2.3), including two previews that are not ApiVersion members.
    assert EKM_CONNECTION_API_VERSIONS == (
        "2026-01-01-preview", "2026-03-01-preview", "2026-05-01-preview", "2026-07-01-preview")
    assert EKM_PRIVATE_ENDPOINT_API_VERSIONS == ("2026-07-01-preview",)


@pytest.mark.parametrize(
    ("version", "ekm"),
    [("2026-01-01-preview", EKM_CONNECTION_OPERATIONS), ("2026-03-01-preview", EKM_CONNECTION_OPERATIONS),
     ("2026-05-01-preview", EKM_CONNECTION_OPERATIONS), ("2026-07-01-preview", EKM_OPERATIONS)],
)
def test_preview_versions_offer_the_2025_operations_and_their_ekm_ones(version: str, ekm: set[str]) -> None:
    assert set(operations_in(version)) == set(operations_in("2025-07-01")) | ekm


@pytest.mark.parametrize("version", [*SWAGGER_VERSIONS, "2026-07-01-PREVIEW", "2027-01-01", "2026-02-01-preview",
                                     "7.6-preview.2", "", "bogus"])
def test_ekm_operations_need_an_exact_preview_version(version: str) -> None:
    available = set(operations_in(version))
    assert not available & EKM_OPERATIONS
    assert available == set(OPERATIONS) - EKM_OPERATIONS or version in SWAGGER_VERSIONS


def test_unknown_versions_allow_everything_but_ekm() -> None:
    for version in ("7.6-preview.2", "2026-02-01-preview", "1.0"):
        assert set(operations_in(version)) == set(OPERATIONS) - EKM_OPERATIONS
    assert is_available("get_settings", "7.4-preview.1")
    assert is_available("begin_pre_full_backup", "2026-07-01-preview")


def test_unknown_operation_name_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        is_available("nope", "7.6")


def test_check_available() -> None:
    check_available("begin_pre_full_backup", "7.6")
    check_available("begin_pre_full_backup", None)  # left to the request builder
    with pytest.raises(ValueError, match=r"^'get_setting' is not available in API version 7\.2\. "):
        check_available("get_setting", "7.2")


@pytest.mark.parametrize(
    ("operation", "version", "first"),
    [("get_ekm_connection", "2025-07-01", "2026-01-01-preview"),
     ("check_ekm_connection", None, "2026-01-01-preview"),
     ("create_ekm_connection", "2026-07-01-PREVIEW", "2026-01-01-preview"),
     ("begin_create_ekm_private_endpoint", "2026-01-01-preview", "2026-07-01-preview"),
     ("list_ekm_private_endpoints", "2026-05-01-preview", "2026-07-01-preview"),
     ("get_ekm_private_endpoint_operation_status", "", "2026-07-01-preview")],
)
def test_ekm_gate_message(operation: str, version: str, first: str) -> None:
    expected = (f"'{operation}' is not available in API version {version}. "
                f"Pass service API version {first} or newer to your client.")
    assert unavailable_reason(operation, version) == expected
    with pytest.raises(ValueError) as info:
        check_available(operation, version)
    assert str(info.value) == expected


SWAGGER_TYPES = {"string": "str", "boolean": "bool", "integer": "int"}


def _swagger_models() -> list[tuple[str, str, dict]]:
    models = []
    for version in SWAGGER_VERSIONS:
        for path in (REST / version).glob("*.json"):
            for name, schema in json.loads(path.read_text()).get("definitions", {}).items():
                if hasattr(m, name) and "properties" in schema:
                    models.append((version, name, schema))
    return models


@pytest.mark.parametrize(
    ("version", "name", "schema"), _swagger_models(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_models_know_every_swagger_property(version: str, name: str, schema: dict) -> None:
    by_key = {desc["key"]: desc["type"] for desc in getattr(m, name)._attribute_map.values()}
    for key, prop in schema["properties"].items():
        assert key in by_key, f"{version} {name}.{key}"
        ref = prop.get("$ref", "").split("/")[-1]
        if prop.get("format") == "unixtime":
            expected = "unix-time"
        elif prop.get("type") == "array":
            item = prop["items"]
            expected = "[" + (item.get("$ref", "").split("/")[-1] or SWAGGER_TYPES[item["type"]]) + "]"
        elif ref:
            expected = "Error" if ref == "NullableError" else ref
        else:
            expected = SWAGGER_TYPES[prop["type"]]
        actual = by_key[key]
        # older swaggers type some enums as plain strings; the model uses the newer enum type
        if expected != actual:
            assert expected == "str" and hasattr(m, actual), f"{version} {name}.{key}: {expected} vs {actual}"
