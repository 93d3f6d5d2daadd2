"""Cassette sanitising: what is rewritten or dropped before an interaction is saved.

Everything here is pure so it can be unit tested. vcrpy applies the request hook to live requests before
matching and to stored ones on load as well, so every rewrite must be idempotent.
"""

import json
import re
from collections.abc import Iterable
from typing import Any, Optional

from .mode import FAKE_RESOURCE

REDACTED = "REDACTED"

_SIG = re.compile(r"(sig=)[^&\"'\s<]+", re.IGNORECASE)
_SIG_ENCODED = re.compile(r"(sig%3D)[^&\"'\s<%]+(%3D)*", re.IGNORECASE)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_CHALLENGE_RESOURCE = re.compile(r'(resource|scope)="([^"]*)"')
_CHALLENGE_AUTHORITY = re.compile(r'(authorization|authorization_uri)="[^"]*/([^/"]+)"')
_SECRET_JSON_KEYS = ("access_token", "refresh_token", "id_token", "client_secret")

_DROPPED_RESPONSE_HEADERS = {"set-cookie"}
_ZEROED_RESPONSE_HEADERS = {"retry-after"}


class Sanitizer:
    """Rewrites interactions so cassettes hold no secrets and no run-specific addresses.

    :param replacements: ``(live text, fake text)`` pairs applied to URIs, headers and bodies, longest first
        (e.g. the emulator's ``https://127.0.0.1:PORT`` -> ``https://fakehsm.managedhsm.azure.net``).
    :param excluded_prefixes: requests whose URI starts with one of these are not recorded at all (the
        managed identity endpoint, so no token request or response reaches a cassette).
    """

    def __init__(self, replacements: Iterable[tuple[str, str]] = (), excluded_prefixes: Iterable[str] = ()) -> None:
        self._replacements: list[tuple[str, str]] = []
        self._excluded = [prefix for prefix in excluded_prefixes if prefix]
        for live, fake in replacements:
            self.add_replacement(live, fake)

    def add_replacement(self, live: str, fake: str) -> None:
        """Rewrite ``live`` to ``fake`` from now on (no-op when they are equal or ``live`` is empty)."""
        if live and live != fake and (live, fake) not in self._replacements:
            self._replacements.append((live, fake))
            self._replacements.sort(key=lambda pair: len(pair[0]), reverse=True)

    def exclude(self, prefix: str) -> None:
        """Stop recording requests whose URI starts with ``prefix``."""
        if prefix:
            self._excluded.append(prefix)

    def text(self, value: str) -> str:
        """Apply replacements and secret redaction to a piece of text."""
        for live, fake in self._replacements:
            value = value.replace(live, fake)
        value = _SIG.sub(rf"\g<1>{REDACTED}", value)
        value = _SIG_ENCODED.sub(rf"\g<1>{REDACTED}", value)
        return _JWT.sub(REDACTED, value)

    def body(self, body: Optional[bytes]) -> Optional[bytes]:
        """Sanitise a body; non-UTF-8 bodies are left alone (they cannot hold our URLs as text)."""
        if not body:
            return body
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return body
        text = _redact_json_secrets(text)
        return self.text(text).encode("utf-8")

    def before_record_request(self, request: Any) -> Any:
        """vcrpy request hook: drop excluded requests, rewrite the URI and the body."""
        if any(request.uri.startswith(prefix) for prefix in self._excluded):
            return None
        request.uri = self.text(request.uri)
        request.body = self.body(_as_bytes(request.body))
        return request

    def before_record_response(self, response: dict[str, Any]) -> dict[str, Any]:
        """vcrpy response hook: rewrite headers (challenge, locations, Retry-After) and the body."""
        headers: dict[str, Any] = response.get("headers", {})
        for name in list(headers):
            lowered = name.lower()
            if lowered in _DROPPED_RESPONSE_HEADERS:
                del headers[name]
            elif lowered in _ZEROED_RESPONSE_HEADERS:
                headers[name] = ["0"]  # playback must never sleep
            elif lowered == "www-authenticate":
                headers[name] = [challenge(self.text(value)) for value in headers[name]]
            else:
                headers[name] = [self.text(value) for value in headers[name]]
        body = response.get("body")
        if isinstance(body, dict) and body.get("string"):
            body["string"] = self.body(_as_bytes(body["string"]))
        return response


def challenge(header: str) -> str:
    """Rewrite a ``WWW-Authenticate`` value: the resource becomes :data:`FAKE_RESOURCE` (keeping a ``/.default``
    scope suffix), the authority becomes the public cloud's, keeping the tenant."""

    def resource(match: "re.Match[str]") -> str:
        suffix = "/.default" if match.group(2).endswith("/.default") else ""
        return f'{match.group(1)}="{FAKE_RESOURCE}{suffix}"'

    header = _CHALLENGE_RESOURCE.sub(resource, header)
    return _CHALLENGE_AUTHORITY.sub(r'\g<1>="https://login.microsoftonline.com/\g<2>"', header)


def json_bodies_equal(first: Optional[bytes], second: Optional[bytes]) -> bool:
    """Compare two request bodies: as JSON documents when both are JSON, else byte for byte (``None`` == ``b""``)."""
    first, second = first or b"", second or b""
    if first == second:
        return True
    try:
        return bool(json.loads(first) == json.loads(second))
    except ValueError:
        return False


def _as_bytes(body: Any) -> Optional[bytes]:
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return body  # file-like or iterator bodies are left to vcrpy


def _redact_json_secrets(text: str) -> str:
    for key in _SECRET_JSON_KEYS:
        text = re.sub(rf'("{key}"\s*:\s*")[^"]*(")', rf"\g<1>{REDACTED}\g<2>", text)
    return text

