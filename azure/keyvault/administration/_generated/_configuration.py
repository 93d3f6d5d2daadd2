"""Configuration of the generated client: the api-version and the azure-core policies."""

from typing import Any

from azure.core.configuration import Configuration
from azure.core.pipeline import policies

from .._version import VERSION

#: Default seconds between LRO status polls when the service sends no ``Retry-After``.
DEFAULT_POLLING_INTERVAL = 30


class KeyVaultClientConfiguration(Configuration):
    """The api-version and the policies the pipeline is built from.

    Every policy may be replaced by passing it as a keyword of the same name
    (``retry_policy=...``); otherwise it is built from the remaining keywords
    (``retry_total=``, ``logging_enable=``, ``user_agent=``, ``headers=``, ...).

    :param str api_version: The service API version sent as ``api-version`` on every request.
    :keyword str sdk_moniker: Overrides ``keyvault-administration/<package version>`` in the
     User-Agent.
    :keyword authentication_policy: The policy that authorizes requests (none by default).
    :keyword float polling_interval: Default seconds between LRO polls (30).
    """

    _retry_policy_type: type = policies.RetryPolicy
    _redirect_policy_type: type = policies.RedirectPolicy

    def __init__(self, api_version: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_version = api_version
        self.polling_interval = kwargs.get("polling_interval", DEFAULT_POLLING_INTERVAL)
        self.sdk_moniker = kwargs.pop("sdk_moniker", f"keyvault-administration/{VERSION}")
        self._configure(**kwargs)

    def _configure(self, **kwargs: Any) -> None:
        self.user_agent_policy = kwargs.get("user_agent_policy") or policies.UserAgentPolicy(
            sdk_moniker=self.sdk_moniker, **kwargs
        )
        self.headers_policy = kwargs.get("headers_policy") or policies.HeadersPolicy(**kwargs)
        self.proxy_policy = kwargs.get("proxy_policy") or policies.ProxyPolicy(**kwargs)
        self.logging_policy = kwargs.get("logging_policy") or policies.NetworkTraceLoggingPolicy(**kwargs)
        self.http_logging_policy = kwargs.get("http_logging_policy") or policies.HttpLoggingPolicy(**kwargs)
        self.retry_policy = kwargs.get("retry_policy") or self._retry_policy_type(**kwargs)
        self.custom_hook_policy = kwargs.get("custom_hook_policy") or policies.CustomHookPolicy(**kwargs)
        self.redirect_policy = kwargs.get("redirect_policy") or self._redirect_policy_type(**kwargs)
        self.authentication_policy = kwargs.get("authentication_policy")
