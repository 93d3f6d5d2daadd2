"""Async configuration: the sync one with azure-core's async retry and redirect policies."""

from azure.core.pipeline import policies

from .._configuration import KeyVaultClientConfiguration


class AsyncKeyVaultClientConfiguration(KeyVaultClientConfiguration):
    """As :class:`~.._configuration.KeyVaultClientConfiguration`, for the async pipeline."""

    _retry_policy_type: type = policies.AsyncRetryPolicy
    _redirect_policy_type: type = policies.AsyncRedirectPolicy
