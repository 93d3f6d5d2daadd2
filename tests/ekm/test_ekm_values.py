"""The EKM wire codecs (azure/keyvault/administration/_internal/ekm_values.py): certificates to and from base64 text,
generated enum members to public ones."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest

from azure.keyvault.administration import KeyVaultEkmConnectivityMode, KeyVaultEkmPrivateEndpointOperationStatus
from azure.keyvault.administration._generated import models as wire
from azure.keyvault.administration._internal.ekm_values import (
    certificate_from_wire,
    certificate_to_wire,
    certificates_from_wire,
    certificates_to_wire,
    public_enum,
)


@pytest.mark.parametrize(
    ("value", "sent"),
    [(b"\xff\xfe", "//4="), (bytearray(b"\xfb\xff"), "+/8="), (b"", ""), ("text", "text"), (5, 5), (None, None)],
)
def test_certificate_to_wire(value: Any, sent: Any) -> None:
    assert certificate_to_wire(value) == sent


def test_certificate_lists_to_wire() -> None:
    assert certificates_to_wire(None) is None
    assert certificates_to_wire((b"a", "b")) == ["YQ==", "b"]
    assert certificates_to_wire([]) == []


@pytest.mark.parametrize("length", [0, 1, 2, 3, 4, 31, 32, 33, 700])
def test_every_encoding_decodes_to_the_same_bytes(length: int) -> None:
    data = os.urandom(length)
    standard, url_safe = base64.b64encode(data).decode(), base64.urlsafe_b64encode(data).decode()
    for text in (standard, standard.rstrip("="), url_safe, url_safe.rstrip("=")):
        assert certificate_from_wire(text) == data, text


@pytest.mark.parametrize("text", ["!!!", "+/-_", "A", "AAAAA", "AA=", "AAA==", "AA===", "A=AA", "é", "AB CD", "\n"])
def test_invalid_text_is_kept(text: str) -> None:
    assert certificate_from_wire(text) is text


def test_non_text_is_kept_and_lists() -> None:
    assert certificate_from_wire(None) is None and certificate_from_wire(5) == 5
    assert certificates_from_wire(None) is None
    assert certificates_from_wire(["AQI=", None, "!"]) == [b"\x01\x02", None, "!"]


def test_public_enum() -> None:
    public = KeyVaultEkmConnectivityMode.PUBLIC
    assert public_enum(wire.EkmConnectivityMode.PUBLIC, KeyVaultEkmConnectivityMode) is public
    assert public_enum(wire.OperationState.NOT_STARTED, KeyVaultEkmPrivateEndpointOperationStatus) is (
        KeyVaultEkmPrivateEndpointOperationStatus.NOT_STARTED)
    assert public_enum("public", KeyVaultEkmConnectivityMode) == "public"
    assert public_enum(None, KeyVaultEkmConnectivityMode) is None
    member = KeyVaultEkmConnectivityMode.PRIVATE_ENDPOINT
    assert public_enum(member, KeyVaultEkmConnectivityMode) is member
    # a member of an unrelated enum whose value the public enum lacks: its value
    assert public_enum(wire.OperationState.RUNNING, KeyVaultEkmConnectivityMode) == "Running"
