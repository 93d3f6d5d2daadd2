"""Key Vault challenge authentication for the sync pipeline.

Key Vault tells the client which tenant and scope to authenticate for only in a 401 challenge, so the first
request to a host goes out unauthenticated (and body-less). Decisions live in :mod:`._challenge_common`;
this module performs the sends and the credential calls.
"""

from typing import Any, Optional

from azure.core.credentials import TokenProvider
from azure.core.pipeline import PipelineRequest, PipelineResponse
from azure.core.pipeline.policies import BearerTokenCredentialPolicy
from azure.core.rest import HttpRequest, HttpResponse

from ._challenge_common import (
    ChallengeFlow,
    TokenRequest,
    build_probe,
    credential_call,
    needs_new_token,
    validate_request_url,
)


class ChallengeAuthPolicy(BearerTokenCredentialPolicy[HttpRequest, HttpResponse]):
    """Authenticates requests to Key Vault by answering its bearer challenges.

    :param credential: the credential that provides tokens (``get_token_info`` is preferred when present)
    :type credential: ~azure.core.credentials.TokenProvider
    :param str scopes: ignored; Key Vault names the scope in its challenge
    :keyword bool verify_challenge_resource: whether to check that a challenge's resource is a parent domain of
        the requested host (default True)
    """

    def __init__(self, credential: TokenProvider, *scopes: str, **kwargs: Any) -> None:
        self._verify_challenge_resource: bool = kwargs.pop("verify_challenge_resource", True)
        kwargs["enable_cae"] = True
        super().__init__(credential, *scopes, **kwargs)
        self._token_request: Optional[TokenRequest] = None

    def send(self, request: PipelineRequest[HttpRequest]) -> PipelineResponse[HttpRequest, HttpResponse]:
        """Authenticate a request (probing the host first when its challenge is unknown) and send it.

        :param request: the request to send
        :type request: ~azure.core.pipeline.PipelineRequest
        :returns: the final response; a 401 is returned, not raised, when authentication cannot succeed
        :rtype: ~azure.core.pipeline.PipelineResponse
        :raises ~azure.core.exceptions.ServiceRequestError: for a non-https URL
        :raises ValueError: for a backslash in the URL's authority, or a challenge for a foreign resource
        """
        validate_request_url(request.http_request.url)
        flow = ChallengeFlow(request.http_request.url, self._verify_challenge_resource)

        cached = flow.cached_token_request()
        if cached is not None:
            self._authorize(request, cached, reuse=True)
            response = self.next.send(request)
        else:
            request.http_request.headers.pop("Authorization", None)
            probe = build_probe(request.http_request)
            response = self.next.send(PipelineRequest(probe, request.context) if probe else request)

        while response.http_response.status_code == 401:
            token_request = flow.on_unauthorized(response.http_response.headers)
            if token_request is None:
                self._token = None
                break
            self._authorize(request, token_request, reuse=False)
            response = self.next.send(request)
        return response

    def _authorize(self, request: PipelineRequest[HttpRequest], token_request: TokenRequest, *, reuse: bool) -> None:
        """Put a bearer token on the request, asking the credential unless the held token still fits.

        :param request: the request to authorize
        :type request: ~azure.core.pipeline.PipelineRequest
        :param TokenRequest token_request: what the token must be for
        :keyword bool reuse: whether a held, fresh token for the same scope and tenant may be used
        """
        token = self._token
        if token is None or needs_new_token(token, self._token_request, token_request, reuse=reuse):
            method, args, kwargs = credential_call(self._credential, token_request)
            token = method(*args, **kwargs)
            self._token, self._token_request = token, token_request
        request.http_request.headers["Authorization"] = "Bearer " + token.token
