"""The built-in Managed HSM role definitions, as the service lists them (api-version 2025-07-01).

Order and data actions are the service's own (response order of the role definition list).
Data actions are stored without the ``Microsoft.KeyVault/managedHsm/`` prefix.
"""

from __future__ import annotations

BUILTIN_ROLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "abdd7ec4-a273-4265-bf38-e001014e2d8e",
        "Managed HSM EKM Administrator",
        (
            "ekm/read/action",
            "ekm/write/action",
            "ekm/delete/action",
        ),
    ),
    (
        "6efe6056-5259-49d2-8b3d-d3d73544b20b",
        "Managed HSM Restore User",
        (
            "restore/start/action",
            "restore/status/action",
            "keys/restore/action",
        ),
    ),
    (
        "7b127d3c-77bd-4e3e-bbe0-dbb8971fa7f8",
        "Managed HSM Backup User",
        (
            "backup/start/action",
            "backup/status/action",
            "keys/backup/action",
        ),
    ),
    (
        "33413926-3206-4cdd-b39a-83574fe37a17",
        "Managed HSM Crypto Service Encryption User",
        (
            "keys/read/action",
            "keys/wrap/action",
            "keys/unwrap/action",
        ),
    ),
    (
        "21dbd100-6940-42c2-9190-5d6cb909625c",
        "Managed HSM Crypto Service Release User",
        (
            "keys/release/action",
        ),
    ),
    (
        "2c18b078-7c48-4d3a-af88-5a3a1b3f82b3",
        "Managed HSM Crypto Auditor",
        (
            "roleAssignments/read/action",
            "roleDefinitions/read/action",
            "keys/read/action",
            "keys/deletedKeys/read/action",
        ),
    ),
    (
        "4bd23610-cdcf-4971-bdee-bdc562cc28e4",
        "Managed HSM Policy Administrator",
        (
            "roleDefinitions/read/action",
            "roleDefinitions/write/action",
            "roleDefinitions/delete/action",
            "roleAssignments/read/action",
            "roleAssignments/write/action",
            "roleAssignments/delete/action",
        ),
    ),
    (
        "21dbd100-6940-42c2-9190-5d6cb909625b",
        "Managed HSM Crypto User",
        (
            "roleDefinitions/read/action",
            "roleAssignments/read/action",
            "keys/read/action",
            "keys/write/action",
            "keys/delete",
            "keys/create",
            "keys/rotate/action",
            "keys/import/action",
            "keys/release/action",
            "keys/backup/action",
            "keys/restore/action",
            "keys/encrypt/action",
            "keys/decrypt/action",
            "keys/wrap/action",
            "keys/unwrap/action",
            "keys/sign/action",
            "keys/verify/action",
            "keys/derive/action",
            "rng/action",
        ),
    ),
    (
        "515eb02d-2335-4d2d-92f2-b1cbdf9c3778",
        "Managed HSM Crypto Officer",
        (
            "roleAssignments/delete/action",
            "roleAssignments/read/action",
            "roleAssignments/write/action",
            "roleDefinitions/read/action",
            "roleDefinitions/write/action",
            "roleDefinitions/delete/action",
            "keys/deletedKeys/read/action",
            "keys/deletedKeys/delete",
            "keys/deletedKeys/recover/action",
            "keys/export/action",
        ),
    ),
    (
        "a290e904-7015-4bba-90c8-60543313cdb4",
        "Managed HSM Administrator",
        (
            "roleAssignments/delete/action",
            "roleAssignments/read/action",
            "roleAssignments/write/action",
            "roleDefinitions/read/action",
            "roleDefinitions/write/action",
            "roleDefinitions/delete/action",
            "securitydomain/download/action",
            "securitydomain/download/read",
            "securitydomain/upload/action",
            "securitydomain/upload/read",
            "securitydomain/transferkey/read",
            "backup/start/action",
            "restore/start/action",
            "backup/status/action",
            "restore/status/action",
            "settings/read/action",
            "settings/write/action",
        ),
    ),
)
"""``(name, roleName, dataActions)`` for each built-in role, in service order."""
