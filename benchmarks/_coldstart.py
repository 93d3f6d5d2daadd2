"""Fresh-process figures (run by ``bench.py`` under either interpreter; imports nothing it does not measure).

    python _coldstart.py cold VAULT_URL TOKEN   # import, construct, first get_role_definition (bench.py times it)
    python _coldstart.py import                 # prints the ms of importing the three client names
    python _coldstart.py rss VAULT_URL          # prints VmRSS (KiB) after constructing one client
    python _coldstart.py bare                   # prints VmRSS (KiB) of the bare interpreter running this script
    python _coldstart.py pass                   # nothing: the interpreter's own start-up, for reference
"""

import sys
import time


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    mode = sys.argv[1]
    if mode == "cold":
        from azure.core.credentials import AccessTokenInfo

        from azure.keyvault.administration import KeyVaultAccessControlClient

        token = sys.argv[3]

        class Credential:
            def get_token_info(self, *scopes: str, options: object = None) -> AccessTokenInfo:
                return AccessTokenInfo(token, int(time.time()) + 3600)

            def get_token(self, *scopes: str, **kwargs: object) -> AccessTokenInfo:
                return self.get_token_info(*scopes)

        client = KeyVaultAccessControlClient(sys.argv[2], Credential())
        definition = client.get_role_definition("/", "21dbd100-6940-42c2-9190-5d6cb909625b")
        assert definition.name == "21dbd100-6940-42c2-9190-5d6cb909625b"
    elif mode == "import":
        started = time.perf_counter()
        from azure.keyvault.administration import (  # noqa: F401
            KeyVaultAccessControlClient,
            KeyVaultBackupClient,
            KeyVaultSettingsClient,
        )

        print((time.perf_counter() - started) * 1000)
    elif mode == "rss":
        from azure.keyvault.administration import KeyVaultAccessControlClient

        class NoCredential:
            def get_token(self, *scopes: str, **kwargs: object) -> None:
                raise AssertionError("no request is made")

        client = KeyVaultAccessControlClient(sys.argv[2], NoCredential())
        print(_rss_kib())
        assert client.vault_url
    elif mode == "bare":
        print(_rss_kib())
    elif mode != "pass":
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
