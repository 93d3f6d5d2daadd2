"""Sans-I/O half of Key Vault challenge authentication, shared by the sync and async policies.

The policies only move bytes and await credentials; every decision lives here: which URLs may carry a
bearer token, what the unauthenticated probe looks like, how to react to each 401, which credential
method to call with which arguments, and when a token is stale.
"""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union, cast
from urllib.parse import urlparse

from azure.core.credentials import AccessToken, AccessTokenInfo, TokenRequestOptions
from azure.core.exceptions import ServiceRequestError
from azure.core.pipeline.transport import HttpRequest as LegacyHttpRequest
from azure.core.rest import HttpRequest

from . import http_challenge_cache as challenge_cache
from .http_challenge import HttpChallenge, authority_key

#: A token is replaced once fewer than this many seconds remain before it expires.
TOKEN_REFRESH_WINDOW_SECONDS = 300

AnyHttpRequest = Union[HttpRequest, LegacyHttpRequest]
AnyAccessToken = Union[AccessToken, AccessTokenInfo]

_NON_TLS_MESSAGE = "Bearer token authentication is not permitted for non-TLS protected (non-https) URLs."
_BACKSLASH_MESSAGE = "Key Vault request URL must not contain backslashes in its authority."
_RESOURCE_MISMATCH_MESSAGE = (
    "The challenge resource '{}' does not match the requested domain. Pass `verify_challenge_resource=False` to "
    "your client's constructor to disable this verification. See https://aka.ms/azsdk/blog/vault-uri for more "
    "information."
)


def validate_request_url(url: str) -> None:
    """Refuse URLs that must never receive a bearer token.

    :param str url: the request URL
    :raises ~azure.core.exceptions.ServiceRequestError: when the URL is not https
    :raises ValueError: when the URL's authority contains a backslash (it could redirect the token elsewhere)
    """
    if not url.lower().startswith("https"):
        raise ServiceRequestError(_NON_TLS_MESSAGE)
    if "\\" in urlparse(url).netloc:
        raise ValueError(_BACKSLASH_MESSAGE)


def challenge_scope(challenge: HttpChallenge) -> str:
    """The token scope a challenge asks for: its ``scope``, else its ``resource`` + ``/.default``.

    :param HttpChallenge challenge: a parsed challenge
    :rtype: str
    """
    return challenge.get_scope() or challenge.get_resource() + "/.default"


def verify_challenge_resource(request_url: str, scope: str) -> None:
    """Check that the challenge's scope belongs to a parent domain of the requested host.

    A rogue host could otherwise make the client request a token for another service.

    :param str request_url: the URL of the challenged request
    :param str scope: the scope the challenge asks for
    :raises ValueError: when the scope is not a URL, or the requested host is not a subdomain of the scope's host
    """
    try:
        scope_authority = authority_key(scope)
    except ValueError:  # e.g. an unbalanced "[": urllib's own message ("Invalid IPv6 URL") names no challenge
        scope_authority = ""
    if not scope_authority:
        raise ValueError(f"The challenge contains invalid scope '{scope}'.")
    if not authority_key(request_url).endswith("." + scope_authority):
        raise ValueError(_RESOURCE_MISMATCH_MESSAGE.format(scope_authority))


#: (request authority, scope) pairs that passed :func:`verify_challenge_resource` (a pure function of the two).
_VERIFIED_RESOURCES: set[tuple[str, str]] = set()
_MAX_VERIFIED = 256


def verify_challenge_resource_once(request_url: str, scope: str) -> None:
    """:func:`verify_challenge_resource`, remembering the pairs that passed (failures are checked every time).

    :param str request_url: the URL of the challenged request
    :param str scope: the scope the challenge asks for
    :raises ValueError: as :func:`verify_challenge_resource`
    """
    key = (authority_key(request_url), scope)
    if key in _VERIFIED_RESOURCES:
        return
    verify_challenge_resource(request_url, scope)
    if len(_VERIFIED_RESOURCES) >= _MAX_VERIFIED:
        _VERIFIED_RESOURCES.clear()
    _VERIFIED_RESOURCES.add(key)


def token_needs_refresh(token: Optional[AnyAccessToken], now: Optional[float] = None) -> bool:
    """Whether a token must be replaced before use.

    :param token: the token the policy holds, if any
    :type token: ~azure.core.credentials.AccessToken or ~azure.core.credentials.AccessTokenInfo or None
    :param now: the current time in seconds since the epoch (defaults to the clock)
    :type now: float or None
    :rtype: bool
    """
    if token is None:
        return True
    current = time.time() if now is None else now
    refresh_on = getattr(token, "refresh_on", None)
    if refresh_on is not None and refresh_on <= current:
        return True
    return token.expires_on - current < TOKEN_REFRESH_WINDOW_SECONDS


def needs_new_token(
    held_token: Optional[AnyAccessToken], held_for: Optional["TokenRequest"], wanted: "TokenRequest", *, reuse: bool
) -> bool:
    """Whether the credential must be asked for a token, or the one the policy holds will do.

    :param held_token: the token the policy holds, if any
    :type held_token: ~azure.core.credentials.AccessToken or ~azure.core.credentials.AccessTokenInfo or None
    :param held_for: the request the held token was obtained for
    :type held_for: TokenRequest or None
    :param TokenRequest wanted: what the next request needs
    :keyword bool reuse: False when a 401 is being answered (a fresh token is always wanted then)
    :rtype: bool
    """
    if not reuse or held_for is None or token_needs_refresh(held_token):
        return True
    return (held_for.scope, held_for.tenant_id) != (wanted.scope, wanted.tenant_id)


@dataclass(frozen=True)
class TokenRequest:
    """What to ask the credential for.

    :ivar str scope: the token scope
    :ivar tenant_id: the tenant named by the challenge, None when it is not to be sent (e.g. ADFS)
    :ivar claims: decoded CAE claims, or None
    :ivar bool answers_challenge: True when the request answers a fresh challenge; the credential then also
        receives ``claims`` explicitly (``None`` for a plain challenge)
    """

    scope: str
    tenant_id: Optional[str]
    claims: Optional[str] = None
    answers_challenge: bool = True

    @classmethod
    def for_challenge(
        cls, challenge: HttpChallenge, *, claims: Optional[str] = None, answers_challenge: bool = True
    ) -> "TokenRequest":
        """Build the token request a challenge calls for.

        :param HttpChallenge challenge: the host's challenge
        :keyword claims: decoded CAE claims to ask for
        :paramtype claims: str or None
        :keyword bool answers_challenge: whether a 401 is being answered (False for a cached challenge)
        :rtype: TokenRequest
        """
        tenant = challenge.tenant_id
        if tenant and tenant.lower().endswith("adfs"):
            tenant = None  # ADFS tokens are not tenant-scoped
        return cls(challenge_scope(challenge), tenant, claims, answers_challenge)

    def get_token_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``TokenCredential.get_token``.

        :rtype: dict[str, Any]
        """
        kwargs: dict[str, Any] = {}
        if self.answers_challenge:
            kwargs["claims"] = self.claims
        if self.tenant_id:
            kwargs["tenant_id"] = self.tenant_id
        kwargs["enable_cae"] = True
        return kwargs

    def token_request_options(self) -> TokenRequestOptions:
        """The ``options`` mapping for ``SupportsTokenInfo.get_token_info``.

        :rtype: ~azure.core.credentials.TokenRequestOptions
        """
        return cast(TokenRequestOptions, self.get_token_kwargs())


CredentialCall = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]


def credential_call(credential: Any, request: TokenRequest) -> CredentialCall:
    """Choose the credential method and arguments for a token request.

    ``get_token_info`` is preferred when the credential has it. The caller invokes (and, for async credentials,
    awaits) ``method(*args, **kwargs)``.

    :param credential: a TokenCredential / SupportsTokenInfo (or their async twins)
    :param TokenRequest request: what to ask for
    :returns: the bound method, its positional arguments and its keyword arguments
    :rtype: tuple
    """
    if hasattr(credential, "get_token_info"):
        return credential.get_token_info, (request.scope,), {"options": request.token_request_options()}
    return credential.get_token, (request.scope,), request.get_token_kwargs()


def _has_body(request: AnyHttpRequest) -> bool:
    if isinstance(request, HttpRequest):
        return request.content is not None
    return bool(request.data) or bool(request.files)


def build_probe(request: AnyHttpRequest) -> Optional[HttpRequest]:
    """A body-less copy of a request, sent to learn the host's challenge without exposing the body.

    :param request: the request to authenticate
    :type request: ~azure.core.rest.HttpRequest or ~azure.core.pipeline.transport.HttpRequest
    :returns: the copy (same method, URL and headers, ``Content-Length: 0``), or None when the request has no
        body and can itself serve as the probe
    :rtype: ~azure.core.rest.HttpRequest or None
    """
    if not _has_body(request):
        return None
    headers = {name: value for name, value in request.headers.items() if name.lower() != "authorization"}
    headers = {name: value for name, value in headers.items() if name.lower() != "content-length"}
    headers["Content-Length"] = "0"
    return HttpRequest(request.method, request.url, headers=headers)


def _cached_challenge_request(challenge: HttpChallenge) -> TokenRequest:
    """``TokenRequest.for_challenge(challenge, answers_challenge=False)``, built once per (immutable) challenge."""
    token_request: Optional[TokenRequest] = challenge.__dict__.get("_cached_token_request")
    if token_request is None:
        token_request = TokenRequest.for_challenge(challenge, answers_challenge=False)
        challenge.__dict__["_cached_token_request"] = token_request
    return token_request


class ChallengeFlow:
    """The decisions for one request's trip through the policy; bounded, so it never loops.

    A request may answer at most one plain challenge and then at most one CAE claims challenge. Any other 401 is
    returned to the caller, forgetting the host's cached challenge when it has become useless.

    Everything the flow knows about its request lives on the flow (one per request), never on the policy: a
    later request must not be able to pick up an earlier request's state (the official 4.7.1 and 4.8.0b1 kept the
    original request on the policy and re-sent it in answer to another request's challenge).

    :param str request_url: the URL of the request being authenticated
    :param bool verify_resource: whether to check a challenge's resource against the requested host
    """

    def __init__(self, request_url: str, verify_resource: bool = True) -> None:
        self.request_url = request_url
        self.verify_resource = verify_resource
        self._answered_challenge = False
        self._answered_claims = False
        # What the token this request carries was asked for: a CAE claims challenge keeps its scope and tenant.
        self._sent_for: Optional[TokenRequest] = None

    def cached_token_request(self) -> Optional[TokenRequest]:
        """The token request for the host's cached challenge, or None when the host must be probed first.

        The cache is shared by every client in the process, and a client built with
        ``verify_challenge_resource=False`` may have stored a challenge for a foreign resource: a verifying flow
        checks the cached challenge as it would a fresh one, and forgets it when it fails.

        :rtype: TokenRequest or None
        :raises ValueError: when resource verification is on and the cached challenge names a foreign resource
        """
        cached = challenge_cache.get_challenge_for_url(self.request_url)
        if cached is None:
            return None
        token_request = _cached_challenge_request(cached)
        if self.verify_resource:
            try:
                verify_challenge_resource_once(self.request_url, token_request.scope)
            except ValueError:
                challenge_cache.remove_challenge_for_url(self.request_url, expected=cached)
                raise
        self._sent_for = token_request
        return self._sent_for

    def on_unauthorized(self, response_headers: Mapping[str, str]) -> Optional[TokenRequest]:
        """React to a 401: return the token to request before re-sending, or None to return the 401.

        :param response_headers: the headers of the 401 response
        :type response_headers: ~collections.abc.Mapping[str, str]
        :rtype: TokenRequest or None
        :raises ValueError: when resource verification is on and the challenge names a foreign resource
        """
        header = response_headers.get("WWW-Authenticate")
        if not header:
            # The host refuses without saying how to authenticate: nothing cached for it can help.
            challenge_cache.remove_challenge_for_url(self.request_url)
            return None
        if self._answered_claims:
            return None
        try:
            challenge = HttpChallenge(self.request_url, header, response_headers)
        except ValueError:
            challenge_cache.remove_challenge_for_url(self.request_url)
            return None

        if challenge.claims is not None and self._sent_for is not None:
            # CAE: the scope and tenant of the token this request carried, plus the claims the service demands. They
            # come from this request, not from the shared cache, which another request may have changed meanwhile.
            self._answered_claims = True
            sent = self._sent_for
            self._sent_for = TokenRequest(sent.scope, sent.tenant_id, challenge.claims)
            return self._sent_for

        if self._answered_challenge:
            # A fresh token was refused: the cached challenge is stale or wrong.
            challenge_cache.remove_challenge_for_url(self.request_url)
            return None
        self._answered_challenge = True
        if self.verify_resource:
            # Before caching: a challenge that fails verification must never be stored (4.8.0b2 stored it first,
            # and the next request then sent a token for the foreign scope).
            verify_challenge_resource(self.request_url, challenge_scope(challenge))
        challenge_cache.set_challenge_for_url(self.request_url, challenge)
        self._sent_for = TokenRequest.for_challenge(challenge)
        return self._sent_for
