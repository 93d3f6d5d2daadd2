"""Unit tests of the emulator's backup building blocks: folder names, storage identity, key material, key store."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from mhsm_emulator.backup_jobs import BACKUP, JobOutcome, JobRunner, create_job, get_job
from mhsm_emulator.backup_jobs import MIGRATIONS as JOB_MIGRATIONS
from mhsm_emulator.backup_storage import account_credential, folder_name
from mhsm_emulator.errors import ServiceError
from mhsm_emulator.key_material import generate, hsm_key_type
from mhsm_emulator.keys_store import MIGRATIONS as KEY_MIGRATIONS
from mhsm_emulator.keys_store import (
    KeyVersion,
    create_key,
    delete_key,
    export_keys,
    get_key,
    import_full,
    import_selective,
    list_keys,
    purge_deleted_key,
)
from mhsm_emulator.store import CORE_MIGRATIONS, Store


def b64url_int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def test_folder_name_has_the_services_shape() -> None:
    started = datetime(2025, 6, 5, 2, 18, 1, 340000, tzinfo=timezone.utc)
    assert folder_name("paulvaneckkv3hsm", started) == "mhsm-paulvaneckkv3hsm-2025060502180134"


def test_account_credential_from_connection_string() -> None:
    credential = account_credential(
        "DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=a2V5PQ==;BlobEndpoint=x;"
    )
    assert credential.named_key == ("acct", "a2V5PQ==")
    with pytest.raises(ValueError):
        account_credential("BlobEndpoint=http://x")


def test_rsa_jwk_matches_the_private_key() -> None:
    material = generate("RSA-HSM", key_size=2048)
    jwk = material.public_jwk()
    private = serialization.load_pem_private_key(material.secret.encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    signature = private.sign(b"data", padding.PKCS1v15(), hashes.SHA256())
    public = rsa.RSAPublicNumbers(b64url_int(jwk["e"]), b64url_int(jwk["n"])).public_key()
    public.verify(signature, b"data", padding.PKCS1v15(), hashes.SHA256())  # raises if the JWK were wrong


def test_ec_jwk_matches_the_private_key() -> None:
    material = generate("EC-HSM", crv="P-384")
    jwk = material.public_jwk()
    assert jwk["crv"] == "P-384" and len(jwk["x"]) == len(jwk["y"]) == 64
    private = serialization.load_pem_private_key(material.secret.encode(), password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    signature = private.sign(b"data", ec.ECDSA(hashes.SHA256()))
    public = ec.EllipticCurvePublicNumbers(b64url_int(jwk["x"]), b64url_int(jwk["y"]), ec.SECP384R1()).public_key()
    public.verify(signature, b"data", ec.ECDSA(hashes.SHA256()))


def test_key_types_and_sizes() -> None:
    assert [hsm_key_type(t) for t in ("RSA", "EC", "oct-HSM")] == ["RSA-HSM", "EC-HSM", "oct-HSM"]
    assert generate("oct-HSM").public_jwk() == {}
    for bad in (
        lambda: hsm_key_type("DSA"),
        lambda: generate("RSA-HSM", key_size=1024),
        lambda: generate("EC-HSM", crv="P-999"),
        lambda: generate("oct-HSM", key_size=512),
    ):
        with pytest.raises(ServiceError) as info:
            bad()
        assert info.value.status == 400


def store() -> Store:
    return Store(":memory:", [*CORE_MIGRATIONS, *KEY_MIGRATIONS])


def test_full_import_replaces_keys_and_selective_keeps_versions() -> None:
    source = store()
    first = create_key(source, "alpha", generate("EC-HSM"))
    second = create_key(source, "alpha", generate("EC-HSM"))
    create_key(source, "beta", generate("RSA-HSM"))
    exported = export_keys(source)
    assert [v.version for v in exported["alpha"]] == [first.version, second.version]
    round_tripped = {n: [KeyVersion.from_json(v.to_json()) for v in vs] for n, vs in exported.items()}

    target = store()
    create_key(target, "alpha", generate("EC-HSM"))  # replaced by the full restore
    create_key(target, "beta", generate("RSA-HSM"))
    delete_key(target, "beta")  # a deleted key is replaced too
    count = import_full(target, round_tripped)
    assert count.restored == 3 and sorted(count.names) == ["alpha", "beta"]
    assert get_key(target, "alpha").version == second.version
    assert get_key(target, "alpha").material == second.material
    assert [k.name for k in list_keys(target)] == ["alpha", "beta"]

    again = import_selective(target, "alpha", round_tripped["alpha"])
    assert (again.restored, again.not_overwritten) == (0, 2)
    delete_key(target, "alpha")
    with pytest.raises(ServiceError) as info:
        import_selective(target, "alpha", round_tripped["alpha"])
    assert info.value.status == 409
    purge_deleted_key(target, "alpha")
    fresh = import_selective(target, "alpha", round_tripped["alpha"])
    assert (fresh.restored, fresh.not_overwritten) == (2, 0)


@pytest.mark.parametrize(("work_seconds", "hold", "expected"), [(0.01, 1.0, "Succeeded"), (0.5, 0.05, "InProgress")])
async def test_status_poll_waits_briefly_for_a_running_job(work_seconds: float, hold: float, expected: str) -> None:
    store = Store(":memory:", [*CORE_MIGRATIONS, *JOB_MIGRATIONS])
    runner = JobRunner(store)
    job = create_job(store, BACKUP, "backup")

    async def work() -> JobOutcome:
        await asyncio.sleep(work_seconds)
        return JobOutcome(container_uri="https://acct.blob/backup/mhsm-x")

    runner.start(job, work)
    await runner.settle(job.job_id, hold)
    assert get_job(store, BACKUP, job.job_id).body()["status"] == expected
    await runner.stop()
