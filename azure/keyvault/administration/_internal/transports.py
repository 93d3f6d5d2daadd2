"""The sync transport: azure-core's ``RequestsTransport`` whose session remembers its environment scan.

For every request, ``requests`` re-reads the process environment to find proxies and CA bundles
(``Session.merge_environment_settings``: every ``*_proxy`` variable, ``no_proxy``, ``REQUESTS_CA_BUNDLE``,
``CURL_CA_BUNDLE``), decoding the whole of ``os.environ`` several times: 50 µs with 5 variables, 170 µs with 35,
per request. The answer is a pure function of what it reads, so :class:`EnvironmentCachingSession` keeps it keyed
on exactly that: the URL's host and port, the call's own arguments, the session's settings and a snapshot of the
environment, which is compared (not trusted) on every request. A change of any variable, at any time, is seen
by the next request. The cache is used only where proxy settings come from the environment alone (not on
Windows or macOS, where ``requests`` also reads the system's proxy configuration).
"""

from __future__ import annotations

import os
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any, Optional

import requests
import requests.utils

from azure.core.pipeline.transport._requests_basic import RequestsTransport

_MAX_ENTRIES = 64

_ENVIRONMENT_ONLY = (
    getattr(requests.utils, "proxy_bypass", None) is getattr(urllib.request, "proxy_bypass_environment", None)
    and getattr(requests.utils, "getproxies", None) is getattr(urllib.request, "getproxies_environment", None)
)


def _environ_data() -> Optional[dict[Any, Any]]:
    # The mapping behind os.environ (what os.environ reads and writes); None when this interpreter has none.
    data = getattr(os.environ, "_data", None)
    return data if isinstance(data, dict) else None


class EnvironmentCachingSession(requests.Session):
    """A ``requests.Session`` that computes ``merge_environment_settings`` once per distinct set of inputs."""

    def __init__(self) -> None:
        super().__init__()
        self._environment_cache: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:
        environ = _environ_data()
        key = self._cache_key(url, proxies, stream, verify, cert) if environ is not None else None
        if key is None or environ is None:
            return dict(super().merge_environment_settings(url, proxies, stream, verify, cert))
        entry = self._environment_cache.get(key)
        if entry is not None:
            snapshot, session_proxies, added_proxies, result = entry
            if environ == snapshot and self.proxies == session_proxies:
                if proxies is not None:
                    proxies.update(added_proxies)  # what the scan adds to the caller's (empty) dict
                return _copy_result(result)
        snapshot = dict(environ)
        session_proxies = dict(self.proxies)
        result = dict(super().merge_environment_settings(url, proxies, stream, verify, cert))
        if environ == snapshot and self.proxies == session_proxies:  # nothing changed while it ran
            if len(self._environment_cache) >= _MAX_ENTRIES:
                self._environment_cache.clear()
            added = dict(proxies) if proxies is not None else {}
            self._environment_cache[key] = (snapshot, session_proxies, added, _copy_result(result))
        return result

    def _cache_key(self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> Optional[tuple[Any, ...]]:
        """The inputs of the scan besides the environment and ``self.proxies``, or None when it must not be cached."""
        if not _ENVIRONMENT_ONLY or not isinstance(url, str) or not isinstance(self.proxies, Mapping):
            return None
        if proxies is not None and (type(proxies) is not dict or proxies):
            return None  # caller proxies (their no_proxy changes the scan): always computed
        try:
            parsed = urllib.parse.urlparse(url)
            key = (
                parsed.scheme,
                parsed.hostname,
                parsed.port,
                proxies is None,
                stream,
                verify,
                cert,
                self.trust_env,
                self.stream,
                self.verify,
                self.cert,
            )
            hash(key)
        except (TypeError, ValueError):
            return None
        return key


def _copy_result(result: dict[str, Any]) -> dict[str, Any]:
    copied = dict(result)
    proxies = copied.get("proxies")
    if isinstance(proxies, dict):
        copied["proxies"] = type(proxies)(proxies)
    return copied


class EnvironmentCachingRequestsTransport(RequestsTransport):
    """azure-core's ``RequestsTransport``; the session it creates itself is an :class:`EnvironmentCachingSession`.

    A ``session=`` given by the caller is used as it is.
    """

    def open(self) -> None:
        if not self.session and self._session_owner and not self._has_been_opened:
            session = EnvironmentCachingSession()
            self._init_session(session)
            self.session: Optional[requests.Session] = session
        super().open()  # type: ignore[no-untyped-call]
