"""Re-creations of the official challenge-policy defects (EKM.md section 5), used only to prove that the regression
tests notice them: each test that guards against a defect also runs once with its mutant installed and must fail.

* :class:`ReplayingPolicy` / :class:`AsyncReplayingPolicy`: 4.7.1 and 4.8.0b1 kept the original of a probed request
  on the policy instance and re-sent it in answer to any later request's challenge.
* :class:`CachesBeforeVerifying`: 4.8.0b2 stored a challenge in the process-wide cache before checking its resource.
* :class:`TrustsTheCache`: 4.8.0b3 used a cached challenge without checking it (another client may have stored it
  with verification disabled).
* :class:`SplitsOnSpace`: 4.8.0b3's parser indexed past the end of a challenge without parameters (IndexError).
"""

from collections.abc import Mapping
from typing import Any, Optional

from azure.core.pipeline import PipelineRequest

from azure.keyvault.administration._internal import HttpChallengeCache, challenge_auth_policy
from azure.keyvault.administration._internal import async_challenge_auth_policy as async_policy_module
from azure.keyvault.administration._internal._challenge_common import (
    ChallengeFlow,
    TokenRequest,
    build_probe,
    validate_request_url,
)
from azure.keyvault.administration._internal.async_challenge_auth_policy import AsyncChallengeAuthPolicy
from azure.keyvault.administration._internal.challenge_auth_policy import ChallengeAuthPolicy
from azure.keyvault.administration._internal.http_challenge import HttpChallenge


class ReplayingPolicy(ChallengeAuthPolicy):
    """The sync policy with the 4.7.1 defect: the probed request is kept on the instance and never cleared."""

    _kept: Optional[PipelineRequest[Any]] = None

    def send(self, request: PipelineRequest[Any]) -> Any:
        validate_request_url(request.http_request.url)
        flow = ChallengeFlow(request.http_request.url, self._verify_challenge_resource)
        cached = flow.cached_token_request()
        if cached is not None:
            self._authorize(request, cached, reuse=True)
            response = self.next.send(request)
        else:
            probe = build_probe(request.http_request)
            if probe is not None:
                self._kept = request
            response = self.next.send(PipelineRequest(probe, request.context) if probe else request)
        while response.http_response.status_code == 401:
            token_request = flow.on_unauthorized(response.http_response.headers)
            if token_request is None:
                break
            request = self._kept or request
            self._authorize(request, token_request, reuse=False)
            response = self.next.send(request)
        return response


class AsyncReplayingPolicy(AsyncChallengeAuthPolicy):
    """The async twin of :class:`ReplayingPolicy`."""

    _kept: Optional[PipelineRequest[Any]] = None

    async def send(self, request: PipelineRequest[Any]) -> Any:
        validate_request_url(request.http_request.url)
        flow = ChallengeFlow(request.http_request.url, self._verify_challenge_resource)
        cached = flow.cached_token_request()
        if cached is not None:
            await self._authorize(request, cached, reuse=True)
            response = await self.next.send(request)
        else:
            probe = build_probe(request.http_request)
            if probe is not None:
                self._kept = request
            response = await self.next.send(PipelineRequest(probe, request.context) if probe else request)
        while response.http_response.status_code == 401:
            token_request = flow.on_unauthorized(response.http_response.headers)
            if token_request is None:
                break
            request = self._kept or request
            await self._authorize(request, token_request, reuse=False)
            response = await self.next.send(request)
        return response


class CachesBeforeVerifying(ChallengeFlow):
    """The 4.8.0b2 order: the parsed challenge goes into the cache before its resource is checked."""

    def on_unauthorized(self, response_headers: Mapping[str, str]) -> Optional[TokenRequest]:
        header = response_headers.get("WWW-Authenticate")
        if header:
            try:
                HttpChallengeCache.set_challenge_for_url(self.request_url, HttpChallenge(self.request_url, header))
            except ValueError:
                pass
        return super().on_unauthorized(response_headers)


class TrustsTheCache(ChallengeFlow):
    """The 4.8.0b3 shortcut: a cached challenge is used as it is, whoever stored it."""

    def cached_token_request(self) -> Optional[TokenRequest]:
        cached = HttpChallengeCache.get_challenge_for_url(self.request_url)
        if cached is None:
            return None
        self._sent_for = TokenRequest.for_challenge(cached, answers_challenge=False)
        return self._sent_for


class TrustsAndCachesFirst(CachesBeforeVerifying, TrustsTheCache):
    """Both 4.8.0b2 traits at once: what made it send a token for the foreign scope on the next call."""


class SplitsOnSpace(HttpChallenge):
    """The 4.8.0b3 parser's first step: the parameters are whatever follows the first space, which may not exist."""

    def __init__(self, request_uri: str, challenge_header: str, response_headers: Any = None) -> None:
        challenge_header.strip().split(" ", 1)[1]
        super().__init__(request_uri, challenge_header, response_headers)


def install_flow(monkeypatch: Any, flow_class: type) -> None:
    """Make both policies use ``flow_class`` for every request."""
    monkeypatch.setattr(challenge_auth_policy, "ChallengeFlow", flow_class)
    monkeypatch.setattr(async_policy_module, "ChallengeFlow", flow_class)


def install_replaying_policies(monkeypatch: Any) -> None:
    """Make every client built from now on use the replaying policies."""
    from azure.keyvault.administration._internal import async_client_base, client_base

    monkeypatch.setattr(client_base, "ChallengeAuthPolicy", ReplayingPolicy)
    monkeypatch.setattr(async_client_base, "AsyncChallengeAuthPolicy", AsyncReplayingPolicy)
