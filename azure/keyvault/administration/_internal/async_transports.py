"""The async transport: azure-core's ``AioHttpTransport`` without two per-request costs of its defaults.

**SSL contexts.** With ``connection_verify=<CA file path>`` (or a ``connection_cert``), azure-core 1.41 builds a
new ``ssl.SSLContext`` for every request (reading and parsing the CA file each time), and aiohttp keys its
connection pool on that object: no pooled connection ever matches, so every request opens a new TLS connection.
Here each distinct ``(connection_cert, connection_verify)`` context is built once per transport and reused, so
pooled connections are reused. A per-call ``connection_verify``/``connection_cert`` still applies to that call
(with its own context, also kept). Deliberate difference: a CA file is read once per client (and per value), not
per request; a CA file changed on disk later is not re-read by that client.

**The environment.** azure-core opens its aiohttp session with ``trust_env=True``, so for every request aiohttp
looks up the ``.netrc`` file and the proxy environment variables, each in a worker thread
(``run_in_executor``/``to_thread``): two thread round trips per request, which cost more than the rest of a
pooled request. Where proxy settings come from the environment alone (not on Windows or macOS), this transport's
own session does not do those lookups; the transport does them itself, with aiohttp's own functions, and gives
aiohttp the answers (``proxy``, ``proxy_auth``, ``auth``) exactly where aiohttp would have used its own. The
answers are kept and reused while the environment (compared on every request) and the ``.netrc`` file (its
``stat``, taken on every request) are unchanged: a change is seen by the next request. A caller's own
``session`` or ``use_env_settings=False`` is left entirely to aiohttp.
"""

from __future__ import annotations

import os
import urllib.request
import warnings
from pathlib import Path
from typing import Any, Optional

import aiohttp
import aiohttp.helpers
from yarl import URL

from azure.core.pipeline.transport._aiohttp import AioHttpTransport

_MAX_CONTEXTS = 16
_MAX_ENTRIES = 64

#: Proxy lookups read the environment only (urllib's environment functions), so their answers can be kept; and
#: aiohttp still has the ``auth``/``proxy_auth`` parameters the answers are given through (3.x).
ENVIRONMENT_ONLY = (
    aiohttp.__version__.startswith("3.")
    and getattr(aiohttp.helpers, "proxy_bypass", None) is getattr(urllib.request, "proxy_bypass_environment", None)
    and getattr(aiohttp.helpers, "getproxies", None) is getattr(urllib.request, "getproxies_environment", None)
    and not getattr(aiohttp.helpers, "IS_WINDOWS", True)
)

NO_PROXY = object()

# aiohttp 3.14 deprecates passing ``auth``/``proxy_auth`` (it warns, attributing the warning to the caller of
# ``ClientSession.request``). Only this module passes them, and only with what aiohttp itself would have found in
# the environment (where it does not warn), so those two warnings are silenced for calls from this module alone.
for _parameter in ("auth", "proxy_auth"):
    warnings.filterwarnings(
        "ignore",
        message=f"The '{_parameter}' parameter is deprecated",
        category=DeprecationWarning,
        module=__name__.replace(".", r"\."),
    )


def _environ_data() -> Optional[dict[Any, Any]]:
    data = getattr(os.environ, "_data", None)
    return data if isinstance(data, dict) else None


def _netrc_path() -> Optional[str]:
    """The file aiohttp's ``netrc_from_env`` reads (``NETRC``, else ``~/.netrc``), or None without a home."""
    netrc_env = os.environ.get("NETRC")
    try:
        path = Path(netrc_env) if netrc_env is not None else Path.home() / ".netrc"
    except RuntimeError:  # no home directory: aiohttp then reads no file
        return None
    return str(path)


def _file_identity(path: Optional[str]) -> Any:
    if path is None:
        return None
    try:
        info = os.stat(path)
    except OSError as error:
        return type(error).__name__
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_dev, info.st_mode)


class EnvironmentLookups:
    """aiohttp's netrc and proxy lookups (its own functions), remembered while their inputs are unchanged.

    Call :meth:`check` once per request, then :meth:`netrc_auth` and :meth:`proxy_for`.
    """

    def __init__(self) -> None:
        self._environ: Optional[dict[Any, Any]] = None
        self._netrc_path: Optional[str] = None
        self._netrc_file: Any = None
        self._netrc: Any = None
        self._auth: dict[str, Optional[aiohttp.BasicAuth]] = {}
        self._proxies: dict[tuple[str, Optional[str]], Any] = {}

    def check(self) -> None:
        """Forget every answer when the environment or the ``.netrc`` file changed since they were found."""
        environ = _environ_data()
        if environ is not None and environ == self._environ:
            if _file_identity(self._netrc_path) == self._netrc_file:
                return
        self._environ = dict(environ) if environ is not None else None
        self._netrc_path = _netrc_path()
        self._netrc_file = _file_identity(self._netrc_path)
        self._netrc = aiohttp.helpers.netrc_from_env()
        self._auth.clear()
        self._proxies.clear()

    def netrc_auth(self, host: str) -> Optional[aiohttp.BasicAuth]:
        """What aiohttp's ``ClientSession._get_netrc_auth(host)`` returns."""
        try:
            return self._auth[host]
        except KeyError:
            pass
        try:
            auth: Optional[aiohttp.BasicAuth] = aiohttp.helpers.basicauth_from_netrc(self._netrc, host)
        except LookupError:
            auth = None
        if len(self._auth) >= _MAX_ENTRIES:
            self._auth.clear()
        self._auth[host] = auth
        return auth

    def proxy_for(self, url: URL) -> Any:
        """``(proxy, proxy_auth)`` from aiohttp's ``get_env_proxy_for_url(url)``, or ``NO_PROXY`` for its LookupError.

        Other errors propagate, every time, as they do from aiohttp.
        """
        key = (url.scheme, url.host)
        try:
            return self._proxies[key]
        except KeyError:
            pass
        try:
            found: Any = aiohttp.helpers.get_env_proxy_for_url(url)
        except LookupError:
            found = NO_PROXY
        if len(self._proxies) >= _MAX_ENTRIES:
            self._proxies.clear()
        self._proxies[key] = found
        return found


class KeyVaultAioHttpTransport(AioHttpTransport):
    """azure-core's ``AioHttpTransport`` with kept SSL contexts and environment lookups (see the module docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ssl_contexts: dict[Any, Any] = {}
        self._own_session: Any = None
        self._lookups = EnvironmentLookups()

    async def open(self) -> None:
        if (
            not self.session
            and self._session_owner
            and not self._has_been_opened
            and self._use_env_settings
            and ENVIRONMENT_ONLY
        ):
            # azure-core's session, except that the environment is read by this transport (see send).
            options: dict[str, Any] = {
                "trust_env": False,
                "cookie_jar": aiohttp.DummyCookieJar(),
                "auto_decompress": False,
            }
            if self._loop is not None:
                options["loop"] = self._loop
            self.session = self._own_session = aiohttp.ClientSession(**options)
        await super().open()  # type: ignore[no-untyped-call]

    async def send(self, request: Any, *, stream: bool = False, proxies: Any = None, **config: Any) -> Any:
        await self.open()
        if self.session is not None and self.session is self._own_session:
            self._environment_options(request.url, proxies, config)
        return await super().send(request, stream=stream, proxies=proxies, **config)

    def _environment_options(self, request_url: str, proxies: Any, config: dict[str, Any]) -> None:
        """Put in ``config`` what aiohttp with ``trust_env=True`` would have found in the environment."""
        try:
            url, auth_from_url = aiohttp.helpers.strip_auth_from_url(URL(request_url))
        except (TypeError, ValueError):
            return  # aiohttp refuses the URL itself, before any lookup
        if not url.raw_host:
            return
        self._lookups.check()
        if config.get("auth") is None and auth_from_url is None and url.host is not None:
            auth = self._lookups.netrc_auth(url.host)
            if auth is not None:
                config["auth"] = auth
        if config.get("proxy") is None and not _azure_core_proxy(request_url, proxies):
            found = self._lookups.proxy_for(url)
            if found is not NO_PROXY:
                config["proxy"], config["proxy_auth"] = found

    def _build_ssl_config(self, cert: Any, verify: Any) -> Any:
        if not cert and verify in (True, False):
            # No context at all: aiohttp's default.
            return super()._build_ssl_config(cert, verify)  # type: ignore[no-untyped-call]
        try:
            key = (tuple(cert) if isinstance(cert, list) else cert, verify)
            context = self._ssl_contexts.get(key)
        except TypeError:  # unhashable: build it every time, as azure-core does
            return super()._build_ssl_config(cert, verify)  # type: ignore[no-untyped-call]
        if context is None:
            # Raises, and caches nothing, for an unreadable file.
            context = super()._build_ssl_config(cert, verify)  # type: ignore[no-untyped-call]
            if len(self._ssl_contexts) < _MAX_CONTEXTS:
                self._ssl_contexts[key] = context
        return context


def _azure_core_proxy(request_url: str, proxies: Any) -> Any:
    # The proxy azure-core's send picks from the ``proxies`` option (it then passes it to aiohttp as ``proxy``).
    if not proxies:
        return None
    for protocol in sorted(proxies.keys(), reverse=True):
        if request_url.startswith(protocol):
            return proxies[protocol]
    return None
