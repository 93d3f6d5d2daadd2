"""Calls that mypy must refuse: proof that the check really reads this package's annotations."""

from azure.keyvault.administration import KeyVaultAccessControlClient, KeyVaultBackupClient, KeyVaultRoleScope


def wrong(backup: KeyVaultBackupClient, access: KeyVaultAccessControlClient) -> None:
    backup.begin_backup(42, sas_token="x")  # line 7: not a URL string
    backup.begin_restore("https://a/b/c")  # line 8: neither sas_token, use_managed_identity nor continuation_token
    assignment = access.get_role_assignment(KeyVaultRoleScope.KEYS, "name")
    access.get_role_assignment(KeyVaultRoleScope.KEYS, assignment.name)  # line 10: str | None, not narrowed
